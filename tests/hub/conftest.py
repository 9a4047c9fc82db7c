"""A real class hub on loopback (deploy/local-hub, tools/local_hub.py) with real system accounts, the course
repository nbgitpuller pulls, and Chromium.

The hub runs as root and gives every test login a system account: the logins here start with ``vkpt-`` (and the
hub's groups and service account with ``vkpt-`` too), and every account a test made is removed when its hub
stops, with its home.  Each hub keeps its folders in a fresh ``/tmp/vkpt-hub-*`` (students must be able to reach
their homes, so never inside pytest's private temporary folder), removed afterwards.

``course_source`` is the folder whose files students pull: the students' copy of the course
(:func:`tools.local_hub.course_files`: `make student-release`, without instructor material), or
``$VKP_COURSE_SOURCE``.  Every test here carries the ``hub`` marker: ``pytest -m hub`` runs them alone.  Without
root, npm or Chromium they skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.browser.labserver import CHROMIUM, CHROMIUM_ARGS
from tools.local_hub import (
    Accounts, HubError, Roster, course_files, ensure_proxy, login, remove_accounts, running_hub,
)

PREFIX = "vkpt-"
ACCOUNTS = Accounts(PREFIX)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/hub/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.hub)


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def class_hub(roster: Roster, **kwargs):
    """A running class hub for ``roster`` (logins starting with vkpt-); its accounts and folder removed after."""
    if os.geteuid() != 0:
        _missing("the class hub creates system accounts and runs servers as them: run the hub tests as root")
    for name in roster.everyone:
        assert name.startswith(PREFIX), f"test logins start with {PREFIX}: {name}"
    root = Path(tempfile.mkdtemp(prefix="vkpt-hub-", dir="/tmp"))
    os.chmod(root, 0o755)
    try:
        with running_hub(root, roster, accounts=ACCOUNTS, **kwargs) as hub:
            yield hub
    except HubError as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        remove_accounts(roster.everyone, ACCOUNTS)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def course_source(tmp_path_factory):
    """The files students pull (a folder)."""
    try:
        return course_files(tmp_path_factory.mktemp("source") / "course")
    except HubError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def proxy():
    """configurable-http-proxy, installed from deploy/local-hub/package-lock.json when missing."""
    try:
        return ensure_proxy()
    except HubError as exc:
        _missing(str(exc))


@pytest.fixture(scope="module")
def hub(proxy, course_source):
    """Two students and an instructor."""
    with class_hub(Roster(("vkpt-teach",), ("vkpt-alice", "vkpt-bob")), course_source=course_source) as server:
        yield server


@pytest.fixture(scope="module")
def hub_browser(hub, playwright_session):
    if not CHROMIUM.exists():
        _missing(f"Chromium is not installed at {CHROMIUM}: install Debian's package (`apt-get install chromium`)")
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# ---------------------------------------------------------------- a person at the hub, without a browser
class Person:
    """One login's session at the hub: logged in through the form, their server started, an API token of theirs."""

    def __init__(self, hub, user: str, password: str | None = None):
        self.hub, self.user = hub, user
        self.session = requests.Session()
        login(self.session, hub, user, password)
        if "" not in self.model().get("servers", {}):              # the login's redirect did not start it yet
            self.session.post(hub.url + f"hub/api/users/{user}/server", headers=self.xsrf, timeout=60)
        self.wait_ready()
        self.token = self.session.post(hub.url + f"hub/api/users/{user}/tokens", headers=self.xsrf,
                                       json={"note": "hub test", "expires_in": 3600}, timeout=60).json()["token"]

    @property
    def xsrf(self) -> dict:
        return {"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or ""}

    def model(self) -> dict:
        return self.session.get(self.hub.url + f"hub/api/users/{self.user}", headers=self.xsrf, timeout=30).json()

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while not self.model().get("servers", {}).get("", {}).get("ready"):
            if time.monotonic() > deadline:
                pytest.fail(f"{self.user}'s server was not ready within {timeout:.0f} s; hub log:\n"
                            f"{self.hub.log_tail()}", pytrace=False)
            time.sleep(0.5)

    def api(self, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
        """A request with a token (theirs by default) in the Authorization header, nothing else."""
        headers = {"Authorization": f"token {token or self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.hub.url + path.lstrip("/"), headers=headers, timeout=60, **kwargs)

    def pull_course(self, repo: str) -> None:
        """What the course link's page does in the browser: nbgitpuller's pull, followed to its end."""
        from urllib.parse import urlencode
        query = urlencode({"repo": f"file://{repo}", "branch": "main", "targetpath": "vkp-teaching"})
        with self.api("GET", f"user/{self.user}/git-pull/api?{query}", stream=True) as r:
            r.raise_for_status()
            text = "".join(chunk.decode(errors="replace") for chunk in r.iter_content(None))
        assert '"phase": "finished"' in text, f"{self.user}'s pull of {repo} did not finish:\n{text[-2000:]}"

    def run(self, code: str, timeout: float = 120) -> str:
        """Run ``code`` in a new kernel of this person's server (as their kernel does); returns what it printed."""
        import json
        import uuid

        import websocket
        r = self.api("POST", f"user/{self.user}/api/kernels", json={"name": "python3"})
        r.raise_for_status()
        kernel = r.json()["id"]
        ws_url = self.hub.url.replace("http", "ws", 1) + f"user/{self.user}/api/kernels/{kernel}/channels"
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"], timeout=timeout)
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "session": uuid.uuid4().hex,
                                       "username": self.user, "version": "5.3"},
                            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                            "content": {"code": code, "silent": False, "store_history": False,
                                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        out, error = [], None
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
        finally:
            ws.close()
            self.api("DELETE", f"user/{self.user}/api/kernels/{kernel}")
        if error:
            raise AssertionError(f"the code failed in {self.user}'s kernel: {error}\n{''.join(out)}")
        return "".join(out)

    def close(self) -> None:
        self.session.close()
