"""The one-machine hub gives an idle student's memory back and loses nothing: JupyterHub's idle culler
(deploy/local-hub, the jupyterhub-idle-culler service) stops a server nobody has used for the set time; the
student's files stay in their home folder, and logging in again starts a new server on them.

The hub here culls after 20 seconds (a class's hub uses an hour: VKP_HUB_CULL_IDLE in the config)."""

from __future__ import annotations

import time

import pytest
import requests

from tools.local_hub import HubError, login, running_hub, server_processes

IDLE, EVERY = 20, 5
STUDENT = "carol"


@pytest.fixture(scope="module")
def culling_hub(proxy, course_repo, tmp_path_factory):
    try:
        with running_hub(tmp_path_factory.mktemp("culling-hub"), str(course_repo), cull_idle=IDLE,
                         cull_every=EVERY) as server:
            yield server
    except HubError as exc:
        pytest.fail(str(exc), pytrace=False)


def _wait(condition, timeout: float, what: str, hub) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f} s; hub log:\n{hub.log_tail()}", pytrace=False)
        time.sleep(1)


def test_an_idle_server_is_stopped_and_the_students_work_is_kept(culling_hub):
    hub = culling_hub
    with requests.Session() as session:
        login(session, hub, STUDENT)                          # logging in starts the student's server
    _wait(lambda: STUDENT in server_processes(hub), 120, f"{STUDENT}'s server did not start", hub)
    work = hub.home(STUDENT) / "my-notes.md"
    work.write_text("Ask about cement leakage\n")
    started = time.monotonic()

    # Nobody uses it: the culler stops it once it has been idle for IDLE seconds (checked every EVERY seconds).
    _wait(lambda: STUDENT not in server_processes(hub), IDLE + 6 * EVERY + 60, "the idle server was not stopped", hub)
    assert time.monotonic() - started >= IDLE - EVERY, "stopped before it had been idle for the set time"
    assert f"Culling server {STUDENT}" in hub.log_tail(200_000), "the culler, not something else, stopped it"

    # Nothing is lost: the files are where they were, and logging in again starts a new server on them.
    assert work.read_text() == "Ask about cement leakage\n"
    with requests.Session() as session:
        login(session, hub, STUDENT)
    _wait(lambda: STUDENT in server_processes(hub), 120, f"{STUDENT}'s server did not start again", hub)
    assert work.read_text() == "Ask about cement leakage\n"


def test_a_class_hub_culls_after_an_hour_and_can_be_told_not_to(proxy, tmp_path):
    """The config's defaults, read as JupyterHub reads them (no hub started)."""
    import os
    import subprocess
    import sys

    from tools.local_hub import CONFIG

    def services(**env) -> str:
        probe = ("from traitlets.config import Config, PyFileConfigLoader\n"
                 f"c = PyFileConfigLoader({CONFIG.name!r}, path={str(CONFIG.parent)!r}).load_config()\n"
                 "print([s['command'] for s in c.JupyterHub.services] if 'services' in c.JupyterHub else 'none')\n")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "VKP_HUB_STATE": str(tmp_path / "state"), "VKP_HUB_PASSWORD": "p" * 12,
                                   "VKP_HUB_INSTRUCTOR_PASSWORD": "q" * 12, **env})
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    default = services()
    assert "jupyterhub_idle_culler" in default and "--timeout=3600" in default and "--cull-every=300" in default
    assert services(VKP_HUB_CULL_IDLE="0") == "none"
