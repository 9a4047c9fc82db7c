"""A class hub on one machine (deploy/local-hub): `make hub`, the hub tests, the load benchmark.

    sudo make hub                               # or: .venv/bin/python tools/local_hub.py [--roster FILE] [--port 8000]
    sudo .venv/bin/python tools/local_hub.py --remove-accounts     # at the end of the course (after a backup)

Run as root, as The Littlest JupyterHub is: it gives every person on the roster (``--roster``, default
deploy/local-hub/roster.txt: instructors under ``[instructors]``, students under ``[students]``) a system account
of their own with a home folder only they can open (mode 0700) and a password of their own (kept, readable by
root only, in ``<state>/private/``), and starts JupyterHub (deploy/local-hub/jupyterhub_config.py) behind
configurable-http-proxy.  The hub logs people in with those accounts (PAM) and starts each server as that
account, from a Python environment installed read-only in ``/opt/vkp-hub`` with the students' release of the
course (never this checkout, which it makes private).  Students pull their copy of the course (the student
release, a git repository in ``<state>/course/students``) into their home with nbgitpuller; instructors pull
theirs (with lessons/, the class-results notebook, plans and answer keys) from ``<state>/course/instructors``,
readable by the instructors' group only.  Hand-ins go to the hand-in service (widgets/hubservice), which runs
as its own account and keeps them in ``<state>/handin``, readable by that account and the instructors only.

Everything the hub keeps is under ``--state`` (default /srv/vkp-hub): ``private/`` (database, cookie secret,
passwords, log: root only), ``homes/``, ``course/``, ``handin/``.  Ctrl+C stops the hub, the proxy, the
service and every server.  The library part (:func:`running_hub`, :func:`login`, :func:`server_processes`,
:func:`remove_accounts`) is what tests/hub and benchmarks/hub_load.py use.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import grp
import hashlib
import io
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from widgets.core.links import course_folder, git_url, nbgitpuller_link  # noqa: E402
from widgets.hubservice.hub_layout import (  # noqa: E402,F401  (tests and the hub's config use these names)
    COURSE_NAME, LOGIN, SERVICE, HubError, Layout, Roster, read_roster,
)

LOCAL_HUB = ROOT / "deploy" / "local-hub"
CONFIG = LOCAL_HUB / "jupyterhub_config.py"
PROXY = LOCAL_HUB / "node_modules" / ".bin" / "configurable-http-proxy"
DEFAULT_STATE = Path("/srv/vkp-hub")
DEFAULT_SOFTWARE = Path("/opt/vkp-hub")
DEFAULT_ROSTER = LOCAL_HUB / "roster.txt"
GIT_ID = ["-c", "user.name=vkp-teaching course", "-c", "user.email=course@vkp-teaching.invalid"]
#: What students' servers need besides the course's own dependencies (pyproject.toml): the hub's single-user
#: server (the same version as the hub) and nbgitpuller.  The hand-in service runs from the same environment.
EXTRA_REQUIREMENTS = ("nbgitpuller",)
#: Course dependencies the students' servers do not need (the notebooks' MyST sources stay with the instructor).
NOT_FOR_STUDENTS = {"jupytext"}
#: Packages whose versions the servers' environment takes from this checkout's (what the tests ran with); the
#: rest pip chooses for the public Python, which may be an older patch release than the hub's.
PINNED = {"jupyterhub", "jupyterlab", "jupyter-server", "notebook-shim", "ipywidgets", "jupyterlab-widgets",
          "widgetsnbextension", "anywidget", "ipykernel", "jupyter-client", "traitlets", "tornado", "matplotlib",
          "pydantic", "pydantic-core", "pyyaml", "platformdirs", "packaging", "nbgitpuller"}


# ---------------------------------------------------------------- system accounts
@dataclass(frozen=True)
class Accounts:
    """The names of the hub's system groups and service account (tests use their own prefix)."""

    prefix: str = "vkp-"

    @property
    def students_group(self) -> str:
        return f"{self.prefix}students"

    @property
    def instructors_group(self) -> str:
        return f"{self.prefix}instructors"

    @property
    def service_user(self) -> str:
        return f"{self.prefix}handin"


def require_root(what: str = "make hub") -> None:
    if os.geteuid() != 0:
        raise HubError(f"{what} gives each student a system account and starts their server as that account, so "
                       "it must run as root: sudo make hub (for one person on a laptop, make lab is enough)")


def _run(*cmd: str, stdin: str | None = None) -> str:
    done = subprocess.run(list(cmd), input=stdin, capture_output=True, text=True)
    if done.returncode:
        raise HubError(f"{' '.join(cmd[:2])} ... failed: {(done.stderr or done.stdout).strip()[:400]}")
    return done.stdout


def _user(name: str):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _group_members(group: str) -> set[str]:
    try:
        return set(grp.getgrnam(group).gr_mem)
    except KeyError:
        return set()


def _ensure_group(group: str) -> int:
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        _run("groupadd", "--system", group)
        return grp.getgrnam(group).gr_gid


def new_password() -> str:
    return secrets.token_urlsafe(9)


def _read_passwords(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return {row["login"]: row["password"] for row in csv.DictReader(io.StringIO(path.read_text()))}


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path.with_name(path.name + ".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(path.with_name(path.name + ".tmp"), 0o600)
    os.replace(path.with_name(path.name + ".tmp"), path)


def ensure_accounts(roster: Roster, homes: Path, private: Path, accounts: Accounts = Accounts()) -> dict[str, str]:
    """Give everyone on the roster a system account (home ``homes/<login>``, mode 0700) and a password of their
    own; returns login -> password.  Passwords are kept in ``private/students-passwords.csv`` and
    ``private/instructors-passwords.csv`` (root only) and stay the same from one start to the next.  An account
    of that name that the hub did not make is never touched: that is an error naming it."""
    require_root()
    _ensure_group(accounts.students_group)
    _ensure_group(accounts.instructors_group)
    ours = _group_members(accounts.students_group) | _group_members(accounts.instructors_group)
    files = {"instructors": private / "instructors-passwords.csv", "students": private / "students-passwords.csv"}
    kept = {**_read_passwords(files["students"]), **_read_passwords(files["instructors"])}
    out: dict[str, str] = {}
    for role, names in (("instructors", roster.instructors), ("students", roster.students)):
        group = accounts.instructors_group if role == "instructors" else accounts.students_group
        for name in names:
            home = homes / name
            account = _user(name)
            created = account is None
            if created:
                _run("useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", "--user-group",
                     "--groups", group, "--comment", f"vkp-teaching hub {role[:-1]}", name)
            elif name not in ours:
                raise HubError(f"this machine already has an account {name!r} that the hub did not make; give the "
                               "person another login in the roster (the hub never takes over an existing account)")
            else:
                _run("usermod", "--groups", group, name)          # a student who became an instructor, or back
            account = _user(name)
            if Path(account.pw_dir) != home:
                raise HubError(f"the account {name!r} has its home at {account.pw_dir}, not {home}: it belongs to "
                               "another hub's state folder; use that --state, or remove the accounts first")
            home.mkdir(mode=0o700, exist_ok=True)
            os.chown(home, account.pw_uid, account.pw_gid)
            os.chmod(home, 0o700)
            password = None if created else kept.get(name)
            if password is None:
                password = new_password()
                _run("chpasswd", stdin=f"{name}:{password}\n")
            out[name] = password
    for role, names in (("instructors", roster.instructors), ("students", roster.students)):
        rows = "".join(f"{n},{out[n]}\n" for n in names)
        _write_private(files[role], "login,password\n" + rows)
    return out


def ensure_service_account(home: Path, accounts: Accounts = Accounts()) -> pwd.struct_passwd:
    """The hand-in service's own system account (no login shell, no password)."""
    require_root()
    account = _user(accounts.service_user)
    if account is None:
        _run("useradd", "--system", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
             "--user-group", "--comment", "vkp-teaching hand-in service", accounts.service_user)
        account = _user(accounts.service_user)
    elif "vkp-teaching hand-in service" not in account.pw_gecos:
        raise HubError(f"this machine already has an account {accounts.service_user!r} that the hub did not make")
    elif Path(account.pw_dir) != home:
        _run("usermod", "--home", str(home), accounts.service_user)
        account = _user(accounts.service_user)
    return account


def _end_processes(uid: int) -> None:
    """End, by their ids, the processes still running as ``uid`` (a server the hub could not stop)."""
    import psutil
    procs = []
    for p in psutil.process_iter(["uids"]):
        with contextlib.suppress(psutil.Error):
            if p.info["uids"] and p.info["uids"].real == uid:
                procs.append(p)
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=5)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()


def remove_accounts(names, accounts: Accounts = Accounts()) -> list[str]:
    """Remove the hub's accounts among ``names`` (and their homes), then its service account and groups when no
    one is left in them; an account the hub did not make is left alone.  Returns the logins removed."""
    require_root("removing the hub's accounts")
    ours = _group_members(accounts.students_group) | _group_members(accounts.instructors_group)
    removed = []
    for name in names:
        account = _user(name)
        if account is None or name not in ours:
            continue
        _end_processes(account.pw_uid)
        _run("userdel", "--remove", name) if Path(account.pw_dir).exists() else _run("userdel", name)
        removed.append(name)
    if not (_group_members(accounts.students_group) | _group_members(accounts.instructors_group)):
        service = _user(accounts.service_user)
        if service is not None and "vkp-teaching hand-in service" in service.pw_gecos:
            _end_processes(service.pw_uid)
            _run("userdel", accounts.service_user)
        for group in (accounts.students_group, accounts.instructors_group):
            with contextlib.suppress(HubError, KeyError):
                grp.getgrnam(group)
                _run("groupdel", group)
    return removed


# ---------------------------------------------------------------- the servers' Python environment
def _public(path: Path) -> bool:
    """Whether any account can reach and read ``path`` (every folder above it searchable by others)."""
    path = path.resolve()
    for folder in [*reversed(path.parents)]:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return bool(path.stat().st_mode & stat.S_IROTH)


def public_python() -> str:
    """A Python of the hub's version that every account may run (the hub's own may live in root's home)."""
    want = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (getattr(sys, "_base_executable", ""), f"/usr/bin/python{want}", f"/usr/local/bin/python{want}"):
        if not candidate or not Path(candidate).exists():
            continue
        real = Path(candidate).resolve()
        lib = Path(subprocess.run([str(real), "-c", "import os; print(os.__file__)"], capture_output=True,
                                  text=True).stdout.strip() or "/nonexistent")
        if _public(real) and lib.exists() and _public(lib):
            return str(real)
    raise HubError(f"no Python {want} that every account can run was found (the hub's own is in a private "
                   f"folder): install Debian's (apt-get install python{want} python3-venv)")


def _requirements() -> list[str]:
    import tomllib
    from importlib.metadata import version
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    deps = [d for d in deps if re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0].lower() not in NOT_FOR_STUDENTS]
    return [*deps, f"jupyterhub=={version('jupyterhub')}", *EXTRA_REQUIREMENTS]


def server_environment(software: Path = DEFAULT_SOFTWARE, *, quiet: bool = True) -> Path:
    """The Python environment every server and the hand-in service run from: ``software/env-<hash>``, made once
    (pip, pinned to this checkout's own versions) and then only read, owned by root.  The course itself is
    not installed in it: students' servers import the student release (``<state>/release``)."""
    require_root()
    python = public_python()
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True,
                            text=True, check=True).stdout
    constraints = "".join(line + "\n" for line in freeze.splitlines()
                          if line.split("==")[0].lower().replace("_", "-") in PINNED)
    requirements = _requirements()
    key = hashlib.sha256(json.dumps([python, constraints, requirements]).encode()).hexdigest()[:12]
    env = software / f"env-{key}"
    done = env / ".complete"
    if done.exists():
        return env
    software.mkdir(parents=True, exist_ok=True)
    os.chmod(software, 0o755)
    import fcntl
    with open(software / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return env
        if env.exists():
            shutil.rmtree(env)
        if not quiet:
            print(f"== installing the servers' Python environment in {env} (once; a few minutes)", flush=True)
        made = subprocess.run([python, "-m", "venv", str(env)], capture_output=True, text=True)
        if made.returncode:
            raise HubError(f"{python} -m venv failed ({made.stderr.strip()[-300:]}): apt-get install python3-venv")
        (env / "constraints.txt").write_text(constraints)
        pip = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                              "--no-input", "--quiet", "-c", str(env / "constraints.txt"), *requirements],
                             capture_output=True, text=True)
        if pip.returncode:
            raise HubError(f"installing the servers' environment failed:\n{pip.stderr.strip()[-2000:]}")
        settings = env / "share" / "jupyter" / "lab" / "settings" / "overrides.d"
        settings.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "config" / "jupyterlab" / "vkp-teaching.json", settings / "vkp-teaching.json")
        # the course's stylesheet (a style-only prebuilt extension): collapsed code cells show no line of code
        shutil.copytree(ROOT / "config" / "jupyterlab" / "labextension",
                        env / "share" / "jupyter" / "labextensions" / "vkp-teaching", dirs_exist_ok=True)
        subprocess.run(["chmod", "-R", "go-w,a+rX", str(env)], check=True)
        done.write_text(json.dumps({"python": python, "requirements": requirements}) + "\n")
    return env


def _compile(env: Path, folder: Path) -> None:
    """Write the bytecode of every module under ``folder`` for the servers' Python (``env``)."""
    done = subprocess.run([str(env / "bin" / "python"), "-m", "compileall", "-q", str(folder)],
                          capture_output=True, text=True)
    if done.returncode:
        raise HubError(f"compiling {folder} for the servers failed:\n{(done.stdout + done.stderr).strip()[-2000:]}")


# ---------------------------------------------------------------- the course repositories nbgitpuller pulls
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


def instructor_files(dest: Path) -> Path:
    """The instructors' copy: the student release and, beside it, lessons/ (the class-results notebook, plans,
    answer keys, the sample class) and the instructor-only packages (widgets/classroom, widgets/hubservice)."""
    from tools.student_release import INSTRUCTOR_PACKAGES, build as student_release
    if dest.exists():
        shutil.rmtree(dest)
    student_release(dest, ROOT)
    shutil.copytree(ROOT / "lessons", dest / "lessons",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.progress.json"))
    for rel in INSTRUCTOR_PACKAGES:
        shutil.copytree(ROOT / rel, dest / rel, ignore=shutil.ignore_patterns("__pycache__"))
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


def _mkdir(path: Path, mode: int, uid: int = 0, gid: int = 0) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, uid, gid)
    os.chmod(path, mode)
    return path


def protect_checkout() -> str:
    """Make this checkout (the instructor's: answer keys, plans, the hub's own Python) private to its owner and
    group; returns a note when it changed anything."""
    mode = ROOT.stat().st_mode
    if not mode & 0o007:
        return ""
    os.chmod(ROOT, stat.S_IMODE(mode) & ~0o007)
    return f"{ROOT} is the instructors' checkout: made unreadable to other accounts (students share this machine)"


def prepare(root: Path, roster: Roster, *, accounts: Accounts = Accounts(), course_source: Path | None = None,
            software: Path = DEFAULT_SOFTWARE, quiet: bool = True) -> tuple[Layout, dict[str, str], Path, list[str]]:
    """Everything the hub needs before it starts: folders and their owners, accounts, the servers' environment,
    the student release, both course repositories.  Returns (layout, passwords, environment, notes)."""
    require_root()
    root = root.resolve()
    layout = Layout(root)
    notes = [note for note in [protect_checkout()] if note]
    _mkdir(root, 0o755)
    if not _public(root):
        raise HubError(f"the hub's folder {root} is inside a folder other accounts cannot enter (students' homes "
                       f"are in it): choose another --state, e.g. {DEFAULT_STATE}")
    _mkdir(layout.private, 0o700)
    _mkdir(layout.homes, 0o711)
    layout.roster.write_text(roster.text())
    os.chmod(layout.roster, 0o600)
    passwords = ensure_accounts(roster, layout.homes, layout.private, accounts)
    service = ensure_service_account(layout.handin_state, accounts)
    instructors_gid = grp.getgrnam(accounts.instructors_group).gr_gid
    _mkdir(layout.handin, 0o2750, service.pw_uid, instructors_gid)
    _mkdir(layout.handin_state, 0o700, service.pw_uid, service.pw_gid)
    env = server_environment(software, quiet=quiet)
    with tempfile.TemporaryDirectory() as tmp:
        release = course_files(Path(tmp) / "students") if course_source is None else Path(course_source)
        _mkdir(layout.root / "course" / "students", 0o755)
        _mkdir(layout.root / "course" / "instructors", 0o750, 0, instructors_gid)
        sync_course_repo(release, layout.students_repo, "Course files from the instructors' checkout")
        sync_course_repo(instructor_files(Path(tmp) / "instructors"), layout.instructors_repo,
                         "Instructors' course files")
        # The widgets package students' servers import: the student release, read-only.
        fresh = layout.root / ".release-new"
        if fresh.exists():
            shutil.rmtree(fresh)
        shutil.copytree(release / "widgets", fresh / "widgets",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        # Compiled once here, by the servers' own Python: the release is read-only to students, so a kernel could
        # not keep its bytecode and would compile the whole package again at every start.
        _compile(env, fresh)
        # The hand-in service's code: the same release plus its own package, which students never import.
        service_fresh = layout.root / ".handin-service-code-new"
        if service_fresh.exists():
            shutil.rmtree(service_fresh)
        shutil.copytree(fresh, service_fresh)
        shutil.copytree(ROOT / "widgets" / "hubservice", service_fresh / "widgets" / "hubservice",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _compile(env, service_fresh / "widgets" / "hubservice")
    subprocess.run(["chmod", "-R", "go-w,a+rX", str(fresh)], check=True)
    subprocess.run(["chmod", "-R", "go-w,a+rX", str(service_fresh)], check=True)
    if layout.service_code.exists():
        shutil.rmtree(layout.service_code)
    os.replace(service_fresh, layout.service_code)
    subprocess.run(["chmod", "-R", "go-w,a+rX,o-rwx", str(layout.instructors_repo)], check=True)
    subprocess.run(["chown", "-R", f"0:{instructors_gid}", str(layout.instructors_repo)], check=True)
    subprocess.run(["chmod", "-R", "go-w,a+rX", str(layout.students_repo)], check=True)
    if layout.release.exists():
        shutil.rmtree(layout.release)
    os.replace(fresh, layout.release)
    # Clones of a repository another account owns need git's safe.directory; the servers' git reads this file
    # (GIT_CONFIG_GLOBAL) and then the student's own ~/.gitconfig.
    layout.gitconfig.write_text("[safe]\n" + "".join(f"\tdirectory = {r}\n\tdirectory = {r}/.git\n" for r in (
        layout.students_repo, layout.instructors_repo)) + "[include]\n\tpath = ~/.gitconfig\n")
    os.chmod(layout.gitconfig, 0o644)
    return layout, passwords, env, notes


# ---------------------------------------------------------------- the hub
@dataclass
class Hub:
    url: str                       # what students open, e.g. http://127.0.0.1:8000/
    layout: Layout
    roster: Roster
    passwords: dict[str, str]
    course_repo: str               # what students pull
    instructor_repo: str
    handin_url: str                # the hand-in service, as servers reach it
    proc: subprocess.Popen
    log: Path
    accounts: Accounts = Accounts()
    course: str = field(default="")

    def __post_init__(self):
        self.course = course_folder(self.course_repo)

    @property
    def state(self) -> Path:
        return self.layout.root

    @property
    def homes(self) -> Path:
        return self.layout.homes

    @property
    def handin(self) -> Path:
        return self.layout.handin

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
    """SIGTERM the hub (it stops the proxy, the services and the servers), then end by id any of its
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
def running_hub(root: Path, roster: Roster, *, repo: str | None = None, course_source: Path | None = None,
                accounts: Accounts = Accounts(), software: Path = DEFAULT_SOFTWARE, port: int | None = None,
                ip: str = "127.0.0.1", handin_port: int | None = None, spawn_limit: int | None = None,
                cull_idle: int | None = None, cull_every: int | None = None, startup_timeout: float = 120,
                quiet: bool = True):
    """Yield a :class:`Hub` keeping everything under ``root`` (made ready by :func:`prepare`); stop it afterwards.
    ``repo``: a course repository students pull instead of the one made from ``course_source`` (default: the
    student release of this checkout).  The accounts stay (:func:`remove_accounts` removes them)."""
    ensure_proxy()
    layout, passwords, env_dir, notes = prepare(root, roster, accounts=accounts, course_source=course_source,
                                                software=software, quiet=quiet)
    if not quiet:
        for note in notes:
            print(f"== {note}", flush=True)
    course_repo = repo or str(layout.students_repo)
    git_url(course_repo)                                       # a clear error now rather than at first login
    port = port or free_port()
    handin_port = handin_port or free_port()
    handin_url = f"http://127.0.0.1:{handin_port}/services/{SERVICE}/"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VKP_", "JUPYTER", "PYTHON", "VIRTUAL_ENV",
                                                                      "CONDA"))}
    env.update(VKP_HUB_STATE=str(layout.root), VKP_HUB_ENV=str(env_dir), VKP_HUB_ACCOUNT_PREFIX=accounts.prefix,
               VKP_HUB_IP=ip, VKP_HUB_PORT=str(port), VKP_HUB_API_PORT=str(free_port()),
               VKP_HUB_PROXY_API_PORT=str(free_port()), VKP_HUB_HANDIN_PORT=str(handin_port),
               VKP_COURSE_REPO=course_repo, VKP_INSTRUCTOR_REPO=str(layout.instructors_repo))
    if spawn_limit is not None:
        env["VKP_HUB_SPAWN_LIMIT"] = str(spawn_limit)
    for name, value in (("VKP_HUB_CULL_IDLE", cull_idle), ("VKP_HUB_CULL_EVERY", cull_every)):
        if value is not None:
            env[name] = str(value)
    for name in ("VKP_HUB_SSL_KEY", "VKP_HUB_SSL_CERT"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    log = layout.private / "jupyterhub.log"
    db = layout.private / "jupyterhub.sqlite"
    db.touch(mode=0o600)                              # sqlite keeps the mode of the file it finds (and its journal)
    os.chmod(db, 0o600)
    with (log.open("w") if quiet else contextlib.nullcontext()) as log_file:
        # umask 077: whatever the hub writes (and each server writes in its own home) is its owner's alone.
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=layout.private, env=env,
                                stdout=log_file, stderr=subprocess.STDOUT if quiet else None,
                                start_new_session=quiet, umask=0o077)
        host = '127.0.0.1' if ip in {'0.0.0.0', ''} else ip
        scheme = "https" if env.get("VKP_HUB_SSL_CERT") else "http"
        hub = Hub(f"{scheme}://{host}:{port}/", layout, roster, passwords, course_repo, str(layout.instructors_repo),
                  handin_url, proc, log, accounts)
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
            if requests.get(hub.url + "hub/api/", timeout=2, verify=False).status_code == 200 and \
                    requests.get(hub.handin_url + "api/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise HubError(f"jupyterhub did not answer at {hub.url} within {timeout:.0f} s; log:\n{hub.log_tail()}")
        time.sleep(0.3)


def login(session, hub, user: str, password: str | None = None, next_url: str = "", timeout: float = 300):
    """Log ``user`` in through the hub's login form, as a browser does (the _xsrf cookie, then the form);
    follows the redirects (which start the server).  Returns the last response."""
    params = {"next": next_url} if next_url else {}
    session.get(hub.url + "hub/login", params=params, timeout=timeout).raise_for_status()
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    response = session.post(hub.url + "hub/login", params=params, timeout=timeout,
                            data={"username": user, "password": password or hub.passwords[user], "_xsrf": xsrf})
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
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("VKP_HUB_PORT", "8000")))
    parser.add_argument("--ip", default=os.environ.get("VKP_HUB_IP", "127.0.0.1"),
                        help="the address to serve on (default loopback; deploy/README.md says how to open it)")
    parser.add_argument("--repo", default=os.environ.get("VKP_COURSE_REPO", ""),
                        help="the course repository students pull (default: one made from this checkout)")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE,
                        help=f"where the hub keeps its database, homes and hand-ins (default {DEFAULT_STATE})")
    parser.add_argument("--roster", type=Path, default=DEFAULT_ROSTER,
                        help="the class: logins under [instructors] and [students] (default deploy/local-hub/roster.txt)")
    parser.add_argument("--remove-accounts", action="store_true",
                        help="end of course: remove the roster's accounts and their homes (back them up first)")
    args = parser.parse_args(argv)
    try:
        require_root()
        roster = read_roster(args.roster)
        if args.remove_accounts:
            removed = remove_accounts(roster.everyone)
            print(f"removed {len(removed)} account(s) and their homes: {', '.join(removed) or 'none'}; the hub's "
                  f"folder {args.state} (hand-ins, database) is still there")
            return 0
        with running_hub(args.state.resolve(), roster, repo=args.repo or None, port=args.port, ip=args.ip,
                         quiet=False) as hub:
            private = hub.layout.private
            print(f"\n== JupyterHub for this course at {hub.url}  (Ctrl+C stops it and every student's server)\n"
                  f"   accounts:    {len(roster.students)} student(s) and {len(roster.instructors)} instructor(s) "
                  f"from {args.roster}, each a system account with a password of their own\n"
                  f"   students' passwords:    {private / 'students-passwords.csv'}  (hand each student their line)\n"
                  f"   instructors' passwords: {private / 'instructors-passwords.csv'}\n"
                  f"   course link: {hub.link()}\n"
                  f"   homes:       {hub.homes}\n"
                  f"   hand-ins:    {hub.handin}  (the hand-in service's; instructors read them in "
                  "lessons/class-results.ipynb)\n", flush=True)
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
