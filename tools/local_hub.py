"""A real JupyterHub on this machine for the course (deploy/local-hub): `make hub`, the hub test, the load benchmark.

    make hub                                   # or: .venv/bin/python tools/local_hub.py [--port 8000] [--repo URL]

Starts JupyterHub (deploy/local-hub/jupyterhub_config.py) behind configurable-http-proxy on loopback,
prints the address, the passwords and the course link, and runs until Ctrl+C, which stops the hub,
the proxy and every student's server.  Without ``--repo``, the course students pull is a local git
repository kept in build/hub/course/vkp-teaching, made from the course files (``VKP_COURSE_SOURCE``, a
folder, overrides which: for example the student release) and committed again on each start when they changed,
so students' later clicks merge the update.

The library part (:func:`running_hub`, :func:`sync_course_repo`, :func:`login`) is what tests/hub and
benchmarks/hub_load.py use: everything on 127.0.0.1, every process it starts stopped by its id.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from widgets.core.links import course_folder, git_url, nbgitpuller_link  # noqa: E402

LOCAL_HUB = ROOT / "deploy" / "local-hub"
CONFIG = LOCAL_HUB / "jupyterhub_config.py"
PROXY = LOCAL_HUB / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE_NAME = "vkp-teaching"
GIT_ID = ["-c", "user.name=vkp-teaching course", "-c", "user.email=course@vkp-teaching.invalid"]


class HubError(RuntimeError):
    pass


# ---------------------------------------------------------------- the course repository nbgitpuller pulls
def course_files(dest: Path) -> Path:
    """The files a student pulls, copied into ``dest``: ``$VKP_COURSE_SOURCE`` if set, else the students'
    copy of the course (:mod:`tools.student_release`: notebooks and the widgets package, no instructor files)."""
    source = os.environ.get("VKP_COURSE_SOURCE", "").strip()
    if dest.exists():
        shutil.rmtree(dest)
    if source:
        if not Path(source).is_dir():
            raise HubError(f"VKP_COURSE_SOURCE={source!r} is not a folder: point it at the course to pull")
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".git", ".ipynb_checkpoints", "*.progress.json"))
    else:
        from tools.student_release import build as student_release
        student_release(dest, ROOT)
    return dest


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *GIT_ID, *args], cwd=repo, capture_output=True, text=True)
    if done.returncode:
        raise HubError(f"git {' '.join(args)} in {repo} failed: {done.stderr.strip()}")
    return done.stdout


def sync_course_repo(source: Path, repo: Path, message: str = "Course update") -> bool:
    """Make ``repo`` (a git repository on branch main) hold exactly the files of ``source``; commit if anything
    changed.  Returns whether a commit was made.  Keeping one history is what lets nbgitpuller merge."""
    repo.mkdir(parents=True, exist_ok=True)
    if not (repo / ".git").exists():
        _git(repo, "init", "--quiet", "--initial-branch=main")
    for entry in repo.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for entry in source.iterdir():
        if entry.name == ".git":
            continue
        (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, repo / entry.name)
    _git(repo, "add", "--all")
    if not _git(repo, "status", "--porcelain").strip():
        return False
    _git(repo, "commit", "--quiet", "-m", message)
    return True


# ---------------------------------------------------------------- the hub
@dataclass
class Hub:
    url: str                       # what students open, e.g. http://127.0.0.1:8000/
    state: Path
    homes: Path
    handin: Path
    course_repo: str
    password: str
    instructor_password: str
    proc: subprocess.Popen
    log: Path
    course: str = field(default="")

    def __post_init__(self):
        self.course = course_folder(self.course_repo)

    def link(self, branch: str = "main") -> str:
        """The nbgitpuller link students click."""
        return nbgitpuller_link(self.url, self.course_repo, branch)

    def home(self, user: str) -> Path:
        return self.homes / user

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_proxy() -> Path:
    """configurable-http-proxy from npm (deploy/local-hub/package-lock.json), installed once."""
    if PROXY.exists():
        return PROXY
    npm = shutil.which("npm")
    if not npm:
        raise HubError(f"{PROXY} is missing and npm is not installed: install Node.js and npm "
                       "(`apt-get install nodejs npm`), then run `npm ci` in deploy/local-hub")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=LOCAL_HUB, capture_output=True, text=True)
    if done.returncode or not PROXY.exists():
        raise HubError(f"`npm ci` in deploy/local-hub failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    return PROXY


def _descendants(pid: int) -> list:
    import psutil
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def stop_hub(proc: subprocess.Popen, timeout: float = 60) -> None:
    """SIGTERM the hub (it stops the proxy and the students' servers), then end by id any of its
    processes still alive."""
    import psutil
    family = _descendants(proc.pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    _, alive = psutil.wait_procs(family, timeout=10)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(alive, timeout=10)


@contextlib.contextmanager
def running_hub(work: Path, course_repo: str, *, port: int | None = None, ip: str = "127.0.0.1",
                password: str | None = None, instructor_password: str | None = None,
                spawn_limit: int | None = None, cull_idle: int | None = None, cull_every: int | None = None,
                startup_timeout: float = 120, quiet: bool = True):
    """Yield a :class:`Hub` whose state, homes and hand-in folder are under ``work``; stop it afterwards."""
    ensure_proxy()
    git_url(course_repo)                                       # a clear error now rather than at first login
    work.mkdir(parents=True, exist_ok=True)
    state = work / "state"
    port = port or free_port()
    password = password or secrets.token_urlsafe(12)
    instructor_password = instructor_password or secrets.token_urlsafe(12)
    env = dict(os.environ,
               VKP_HUB_STATE=str(state), VKP_HUB_HOMES=str(work / "homes"), VKP_HUB_HANDIN=str(work / "handin"),
               VKP_HUB_IP=ip, VKP_HUB_PORT=str(port), VKP_HUB_API_PORT=str(free_port()),
               VKP_HUB_PROXY_API_PORT=str(free_port()), VKP_HUB_PASSWORD=password,
               VKP_HUB_INSTRUCTOR_PASSWORD=instructor_password, VKP_COURSE_REPO=course_repo)
    if spawn_limit is not None:
        env["VKP_HUB_SPAWN_LIMIT"] = str(spawn_limit)
    for name, value in (("VKP_HUB_CULL_IDLE", cull_idle), ("VKP_HUB_CULL_EVERY", cull_every)):
        if value is not None:
            env[name] = str(value)
    for name in ("VKP_PROGRESS_DIR", "VKP_HANDIN_DIR", "VKP_CLASS_DIR", "JUPYTER_CONFIG_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env.pop(name, None)                                    # each student's server sets its own
    log = work / "jupyterhub.log"
    state.mkdir(parents=True, exist_ok=True)
    with (log.open("w") if quiet else contextlib.nullcontext()) as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=state, env=env,
                                stdout=log_file, stderr=subprocess.STDOUT if quiet else None,
                                start_new_session=quiet)
        url = f"http://{'127.0.0.1' if ip in {'0.0.0.0', ''} else ip}:{port}/"
        hub = Hub(url, state, work / "homes", work / "handin", course_repo, password, instructor_password,
                  proc, log)
        try:
            _wait_ready(hub, startup_timeout)
            yield hub
        finally:
            stop_hub(proc)


def _wait_ready(hub: Hub, timeout: float) -> None:
    import requests
    deadline = time.monotonic() + timeout
    while True:
        if hub.proc.poll() is not None:
            raise HubError(f"jupyterhub exited with {hub.proc.returncode}; log:\n{hub.log_tail()}")
        try:
            if requests.get(hub.url + "hub/api/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise HubError(f"jupyterhub did not answer at {hub.url} within {timeout:.0f} s; log:\n{hub.log_tail()}")
        time.sleep(0.3)


def login(session, hub: Hub, user: str, password: str | None = None, next_url: str = "", timeout: float = 300):
    """Log ``user`` in through the hub's login form, as a browser does (the _xsrf cookie, then the form);
    follows the redirects (which start the server).  Returns the last response."""
    params = {"next": next_url} if next_url else {}
    session.get(hub.url + "hub/login", params=params, timeout=timeout).raise_for_status()
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    response = session.post(hub.url + "hub/login", params=params, timeout=timeout,
                            data={"username": user, "password": password or hub.password, "_xsrf": xsrf})
    if "/hub/login" in response.url and response.status_code in {200, 403}:
        raise HubError(f"login as {user!r} was refused ({response.status_code})")
    return response


def server_processes(hub: Hub) -> dict:
    """User name -> its Jupyter server's process (psutil.Process), among the hub's own child processes."""
    import psutil
    found = {}
    for p in _descendants(hub.proc.pid):
        with contextlib.suppress(psutil.Error):
            env = p.environ()
            if env.get("JUPYTERHUB_USER") and "jupyterhub-singleuser" in " ".join(p.cmdline()):
                found[env["JUPYTERHUB_USER"]] = p
    return found


# ---------------------------------------------------------------- make hub
def passwords(state: Path) -> tuple[str, str]:
    """The students' and instructors' passwords: from VKP_HUB_PASSWORD / VKP_HUB_INSTRUCTOR_PASSWORD, else the
    ones made on the first run and kept (readable by this user only) in <state>/passwords.json, so a class that
    comes back the next day logs in with the same ones."""
    import json
    kept = state / "passwords.json"
    saved = json.loads(kept.read_text()) if kept.exists() else {}
    chosen = {"students": os.environ.get("VKP_HUB_PASSWORD") or saved.get("students") or secrets.token_urlsafe(12),
              "instructors": (os.environ.get("VKP_HUB_INSTRUCTOR_PASSWORD") or saved.get("instructors")
                              or secrets.token_urlsafe(12))}
    if chosen != saved:
        state.mkdir(parents=True, exist_ok=True)
        kept.touch(mode=0o600)
        kept.chmod(0o600)
        kept.write_text(json.dumps(chosen, indent=1) + "\n")
    return chosen["students"], chosen["instructors"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("VKP_HUB_PORT", "8000")))
    parser.add_argument("--ip", default=os.environ.get("VKP_HUB_IP", "127.0.0.1"),
                        help="the address to serve on (default loopback; see the config's notes before changing)")
    parser.add_argument("--repo", default=os.environ.get("VKP_COURSE_REPO", ""),
                        help="the course repository students pull (default: a local one made from the course)")
    parser.add_argument("--state", type=Path, default=ROOT / "build" / "hub",
                        help="where the hub keeps its database, students' homes and the hand-in folder")
    args = parser.parse_args(argv)
    try:
        repo = args.repo
        if not repo:
            with tempfile.TemporaryDirectory() as tmp:
                changed = sync_course_repo(course_files(Path(tmp) / "course"),
                                           args.state / "course" / COURSE_NAME, "Course files from this checkout")
            repo = str(args.state / "course" / COURSE_NAME)
            print(f"== course repository {repo} ({'updated' if changed else 'unchanged'})")
        student_pw, instructor_pw = passwords(args.state)
        with running_hub(args.state, repo, port=args.port, ip=args.ip, password=student_pw,
                         instructor_password=instructor_pw, quiet=False) as hub:
            print(f"\n== JupyterHub for this course at {hub.url}  (Ctrl+C stops it and every student's server)\n"
                  f"   students:    any user name, password {hub.password}\n"
                  f"   instructors: any user name, password {hub.instructor_password} (reads the hand-in folder)\n"
                  f"   course link: {hub.link()}\n"
                  f"   homes:       {hub.homes}\n   hand-ins:    {hub.handin}\n", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while hub.proc.poll() is None:
                    time.sleep(1)
            print("== stopping the hub")
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
