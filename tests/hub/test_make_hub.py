"""`make hub` is the one command that starts the course's JupyterHub and, on Ctrl+C, stops all of it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time

import psutil
import requests

from tests.conftest import ROOT
from tools.local_hub import free_port, login


class Printed:
    """What `make hub` printed: its address, passwords and course link."""

    def __init__(self, lines):
        text = "".join(lines)
        self.url = re.search(r"JupyterHub for this course at (http://127\.0\.0\.1:\d+/)", text)[1]
        self.password = re.search(r"students: +any user name, password (\S+)", text)[1]
        self.instructor_password = re.search(r"instructors: +any user name, password (\S+)", text)[1]
        self.link = re.search(r"course link: +(\S+)", text)[1]


def test_make_hub_starts_the_hub_and_ctrl_c_stops_everything(tmp_path, proxy):
    port = free_port()
    proc = subprocess.Popen([shutil.which("make"), "hub", f"HUB_PORT={port}", f"HUB_STATE={tmp_path / 'hub'}"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    seen, family = [], []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not any("course link:" in line for line in seen):
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
        assert any("course link:" in line for line in seen), "make hub printed no course link:\n" + "".join(seen[-30:])
        printed = Printed(seen)
        assert printed.url == f"http://127.0.0.1:{port}/"
        assert printed.link.startswith(f"{printed.url}hub/user-redirect/git-pull?repo=file%3A%2F%2F")
        assert requests.get(printed.url + "hub/api/", timeout=10).status_code == 200

        # An instructor logs in with the instructors' password: their server may read the class's hand-ins.
        class Hub:                                                         # what tools.local_hub.login needs
            url, password = printed.url, printed.instructor_password
        with requests.Session() as session:
            login(session, Hub, "teacher")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                state = session.get(printed.url + "hub/api/users/teacher", timeout=10,
                                    headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")}).json()
                if state.get("servers", {}).get("", {}).get("ready"):
                    break
                time.sleep(0.5)
            assert "instructors" in state["groups"], state
        family = psutil.Process(proc.pid).children(recursive=True)
        servers = [p for p in family if "jupyterhub-singleuser" in " ".join(p.cmdline())]
        assert len(servers) == 1, [p.cmdline() for p in family]
        env = servers[0].environ()
        assert env["VKP_CLASS_DIR"] == env["VKP_HANDIN_DIR"] == str(tmp_path / "hub" / "handin")

        # Ctrl+C in the terminal: the whole foreground group gets SIGINT.
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=90)
        _, alive = psutil.wait_procs(family, timeout=10)
        assert not alive, f"still running after Ctrl+C: {[p.cmdline() for p in alive]}"
        try:
            requests.get(printed.url + "hub/api/", timeout=3)
            raise AssertionError("the hub still answers after Ctrl+C")
        except requests.ConnectionError:
            pass
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        for p in family:
            if p.is_running():
                p.kill()
