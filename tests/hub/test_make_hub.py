"""`sudo make hub` exactly as deploy/README.md says, with no arguments, from this checkout: it starts the class hub
with its defaults (state in /srv/vkp-hub, the example roster, port 8000), prints where the passwords are but no
password, an instructor logs in with her own password and gets her copy of the course and the class's
hand-ins; Ctrl+C stops all of it, and the README's end-of-course command removes the accounts."""

from __future__ import annotations

import csv
import io
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest
import requests

from tests.conftest import ROOT
from tools.local_hub import DEFAULT_ROSTER, DEFAULT_STATE, login, read_roster

README = (ROOT / "deploy" / "README.md").read_text()


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_the_readmes_make_hub_starts_the_class_hub_and_ctrl_c_stops_everything(proxy):
    assert re.search(r"^sudo make hub +#", README, re.M), "deploy/README.md no longer gives the command this test runs"
    roster = read_roster(DEFAULT_ROSTER)
    taken = [n for n in roster.everyone if _exists(n)]
    if os.geteuid() != 0 or DEFAULT_STATE.exists() or taken or not _port_free(8000):
        why = ("not root" if os.geteuid() != 0 else f"{DEFAULT_STATE} already exists" if DEFAULT_STATE.exists()
               else f"accounts {taken} already exist" if taken else "port 8000 is in use")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"cannot run the README's `make hub` here: {why}", pytrace=False)
        pytest.skip(f"cannot run the README's `make hub` here without touching a real hub: {why}")
    proc = subprocess.Popen([shutil.which("make"), "hub"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    seen, family = [], []
    try:
        deadline = time.monotonic() + 900                    # the servers' environment may be installed first
        while time.monotonic() < deadline and not any("course link:" in line for line in seen):
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
        printed = "".join(seen)
        assert "course link:" in printed, "make hub printed no course link:\n" + printed[-3000:]
        url = re.search(r"JupyterHub for this course at (http://127\.0\.0\.1:8000/)", printed)[1]
        assert requests.get(url + "hub/api/", timeout=10).status_code == 200
        private = DEFAULT_STATE / "private"
        assert f"{private / 'students-passwords.csv'}" in printed and f"{private / 'instructors-passwords.csv'}" in printed
        passwords = {}
        for name in ("students-passwords.csv", "instructors-passwords.csv"):
            path = private / name
            assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
            passwords.update({row["login"]: row["password"] for row in csv.DictReader(io.StringIO(path.read_text()))})
        assert set(passwords) == set(roster.everyone) and len(set(passwords.values())) == len(passwords)
        for password in passwords.values():
            assert password not in printed, "make hub printed a password"

        # An instructor logs in with her own password: her server runs as her account, on her copy of the course.
        teacher = roster.instructors[0]

        class Hub:                                                         # what tools.local_hub.login needs
            pass
        Hub.url, Hub.passwords = url, passwords
        with requests.Session() as session:
            login(session, Hub, teacher)
            xsrf = {"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")}
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                state = session.get(url + f"hub/api/users/{teacher}", timeout=10, headers=xsrf).json()
                if state.get("servers", {}).get("", {}).get("ready"):
                    break
                time.sleep(0.5)
            assert "instructors" in state["groups"], state
        family = psutil.Process(proc.pid).children(recursive=True)
        servers = [p for p in family if "jupyterhub-singleuser" in " ".join(p.cmdline())]
        assert len(servers) == 1, [p.cmdline() for p in family]
        assert servers[0].uids().real == pwd.getpwnam(teacher).pw_uid
        env = servers[0].environ()
        assert env["VKP_CLASS_DIR"] == str(DEFAULT_STATE / "handin")
        assert "lessons%2Fclass-results.ipynb" in env["JUPYTERHUB_DEFAULT_URL"], "not the instructors' landing"
        assert "course%2Finstructors%2Fvkp-teaching" in env["JUPYTERHUB_DEFAULT_URL"], "not the instructors' copy"

        # Ctrl+C in the terminal: the whole foreground group gets SIGINT.
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=90)
        _, alive = psutil.wait_procs(family, timeout=10)
        assert not alive, f"still running after Ctrl+C: {[p.cmdline() for p in alive]}"
        with pytest.raises(requests.ConnectionError):
            requests.get(url + "hub/api/", timeout=3)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        for p in family:
            if p.is_running():
                p.kill()
        # The README's end of a course: the accounts and their homes go; then the hub's folder.
        done = subprocess.run([sys.executable, "tools/local_hub.py", "--remove-accounts"], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        shutil.rmtree(DEFAULT_STATE, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    assert not [n for n in roster.everyone if _exists(n)], "the course's accounts are still there"


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
