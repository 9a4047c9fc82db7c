"""The class hub gives an idle student's memory back and loses nothing: JupyterHub's idle culler
(deploy/local-hub, the jupyterhub-idle-culler service) stops a server nobody has used for the set time; the
student's files stay in their home folder, and logging in again starts a new server on them.

The hub here culls after 20 seconds (a class's hub uses an hour: VKP_HUB_CULL_IDLE in the config).  The test
waits for what the hub itself reports (the server stopped, not just its process gone; the new server ready), so
it does not depend on how loaded the machine is or on what ran before it."""

from __future__ import annotations

import time

import pytest

from tests.hub.conftest import Person, class_hub
from tools.local_hub import Roster, server_processes

IDLE, EVERY = 20, 5
STUDENT = "vkpt-carol"


@pytest.fixture(scope="module")
def culling_hub(proxy, course_source):
    with class_hub(Roster(("vkpt-teach",), (STUDENT,)), course_source=course_source, cull_idle=IDLE,
                   cull_every=EVERY) as server:
        yield server


def _wait(condition, timeout: float, what: str, hub) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f} s; hub log:\n{hub.log_tail()}", pytrace=False)
        time.sleep(1)


def test_an_idle_server_is_stopped_and_the_students_work_is_kept(culling_hub):
    hub = culling_hub
    carol = Person(hub, STUDENT)                              # logging in starts the server; waits until ready
    work = hub.home(STUDENT) / "my-notes.md"
    work.write_text("Ask about cement leakage\n")
    started = time.monotonic()

    # Nobody uses it: the culler stops it once it has been idle for IDLE seconds (checked every EVERY seconds).
    def stopped() -> bool:
        return "" not in carol.model().get("servers", {})
    _wait(stopped, IDLE + 6 * EVERY + 120, "the idle server was not stopped", hub)
    _wait(lambda: STUDENT not in server_processes(hub), 60, "the stopped server's process did not end", hub)
    assert time.monotonic() - started >= IDLE - EVERY, "stopped before it had been idle for the set time"
    assert f"Culling server {STUDENT}" in hub.log_tail(500_000), "the culler, not something else, stopped it"

    # Nothing is lost: the files are where they were, and logging in again starts a new server on them.
    assert work.read_text() == "Ask about cement leakage\n"
    carol.close()
    again = Person(hub, STUDENT)
    assert STUDENT in server_processes(hub)
    assert work.read_text() == "Ask about cement leakage\n"
    again.close()


def test_a_class_hub_culls_after_an_hour_and_can_be_told_not_to(proxy, tmp_path):
    """The config's defaults, read as JupyterHub reads them (no hub started)."""
    import os
    import subprocess
    import sys

    from tools.local_hub import CONFIG, Layout

    layout = Layout(tmp_path / "state")
    layout.private.mkdir(parents=True)
    layout.roster.write_text("[instructors]\nvkpt-teach\n[students]\nvkpt-carol\n")

    def services(**env) -> str:
        probe = ("from traitlets.config import Config, PyFileConfigLoader\n"
                 f"c = PyFileConfigLoader({CONFIG.name!r}, path={str(CONFIG.parent)!r}).load_config()\n"
                 "print([s['name'] for s in c.JupyterHub.services])\n"
                 "print([s['command'] for s in c.JupyterHub.services if s['name'] == 'idle-culler'] or 'none')\n")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "VKP_HUB_STATE": str(layout.root), "VKP_HUB_ENV": "/opt/env",
                                   "VKP_COURSE_REPO": "/srv/course/vkp-teaching",
                                   "VKP_INSTRUCTOR_REPO": "/srv/course/instructors/vkp-teaching", **env})
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    if os.geteuid() != 0:
        pytest.skip("the class hub's config runs as root only")
    default = services()
    assert "jupyterhub_idle_culler" in default and "--timeout=3600" in default and "--cull-every=300" in default
    assert services(VKP_HUB_CULL_IDLE="0") == "none"
