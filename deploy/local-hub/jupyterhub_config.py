# A class hub on one machine for this course: a class on one server, and the hub the tests and the load benchmark
# run against.  Start and stop it with one command from the repository's root, as root:
#
#     sudo make hub          # Ctrl+C stops the hub, the proxy, the hand-in service and every server
#
# `make hub` (tools/local_hub.py) makes everything this file expects, then runs `jupyterhub -f` on it:
# a system account per person on the roster, the folders below with their owners and modes, the servers'
# Python environment (/opt/vkp-hub), the student release and the two course repositories.
# For a class on Kubernetes use deploy/z2jh/values.yaml instead (Zero to JupyterHub).
#
# What it is (the way The Littlest JupyterHub does it)
#   - JupyterHub (pip, in the project's .venv) behind configurable-http-proxy (npm), on loopback by default,
#     run as root.
#   - Logins: the system accounts (PAM), each with its own password; only the roster's logins may log in.
#     Instructors are named in the roster and are the hub group "instructors"; their login takes their own
#     password only.
#   - Each person's server runs as their own system account (LocalProcessSpawner as root), never as root and
#     never as the hub's user, in their home (mode 0700), from a Python environment nobody but root can change;
#     its environment holds the person's own hub token and nothing of the hub's secrets.
#   - Students run the student release of the course (read-only) and pull their own copy of the notebooks with
#     nbgitpuller; instructors pull the instructors' copy (lessons/, class results, plans, answer keys),
#     which only the instructors' group can read.
#   - Hand-ins go over HTTP to the hand-in service (widgets/hubservice), run by the hub as its own account: it
#     asks the hub who sent each one and keeps it where only it and the instructors can read.
#   - The database, cookie secret, passwords and log are in <state>/private (root only); the proxy's and the
#     services' tokens live in those processes' environments, which other accounts cannot read.
#
# deploy/README.md says how to open it to a network (HTTPS), back it up and close a course, and what it does
# and does not isolate.
#
# Variables (`make hub` sets them):
#   VKP_HUB_STATE                  the hub's folder (default /srv/vkp-hub; see tools/local_hub.py for its layout)
#   VKP_HUB_ENV                    the servers' Python environment (a venv made by tools/local_hub.py)
#   VKP_HUB_ACCOUNT_PREFIX         prefix of the hub's groups and service account (default "vkp-")
#   VKP_HUB_IP / VKP_HUB_PORT      the address people open (default 127.0.0.1:8000)
#   VKP_HUB_SSL_KEY / VKP_HUB_SSL_CERT   serve HTTPS with this key and certificate (see deploy/README.md)
#   VKP_HUB_API_PORT               the hub's internal API port (default 8081)
#   VKP_HUB_PROXY_API_PORT         the proxy's internal API port (default 8001)
#   VKP_HUB_HANDIN_PORT            the hand-in service's port on 127.0.0.1 (default 10101)
#   VKP_COURSE_REPO / VKP_COURSE_BRANCH   the git repository students pull the course from, and its branch
#   VKP_INSTRUCTOR_REPO            the instructors' course repository
#   VKP_HUB_SPAWN_LIMIT            how many servers may be starting at once (default 40)
#   VKP_HUB_CULL_IDLE              stop a server after this many seconds without activity
#                                  (default 3600; 0 keeps servers running until the hub stops)
#   VKP_HUB_CULL_EVERY             how often, in seconds, to look for idle servers (default 300)

import os
import pwd
import sys
from pathlib import Path

from widgets.core.links import git_pull_path   # the same link tools/links.py prints (the hub runs in the course's .venv)
from widgets.hubservice.hub_layout import SERVICE, Layout, read_roster

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _env(name, default=None):
    value = os.environ.get(name, "").strip()
    return value or default


def _required(name, why):
    value = _env(name)
    if not value:
        sys.exit(f"deploy/local-hub/jupyterhub_config.py: set {name} ({why}); `make hub` sets it for you")
    return value


if os.geteuid() != 0:
    sys.exit("deploy/local-hub/jupyterhub_config.py: the class hub starts each person's server as their own "
             "system account, so it runs as root: sudo make hub")
layout = Layout(Path(_required("VKP_HUB_STATE", "the hub's folder")).resolve())
env = Path(_required("VKP_HUB_ENV", "the servers' Python environment"))
prefix = _env("VKP_HUB_ACCOUNT_PREFIX", "vkp-")
roster = read_roster(layout.roster)
instructors, students = set(roster.instructors), set(roster.students)

# ---------------------------------------------------------------- the hub and its proxy
ip = _env("VKP_HUB_IP", "127.0.0.1")
ssl_key, ssl_cert = _env("VKP_HUB_SSL_KEY"), _env("VKP_HUB_SSL_CERT")
c.JupyterHub.bind_url = f"{'https' if ssl_cert else 'http'}://{ip}:{_env('VKP_HUB_PORT', '8000')}/"
if ssl_key and ssl_cert:
    c.JupyterHub.ssl_key, c.JupyterHub.ssl_cert = ssl_key, ssl_cert
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{_env('VKP_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_env('VKP_HUB_PROXY_API_PORT', '8001')}"
chp = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if not chp.exists():
    sys.exit(f"deploy/local-hub/jupyterhub_config.py: {chp} is missing: run `npm ci` in deploy/local-hub "
             "(make hub does it)")
c.ConfigurableHTTPProxy.command = [str(chp)]
c.ConfigurableHTTPProxy.pid_file = str(layout.private / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{layout.private / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(layout.private / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(layout.private / "jupyterhub.pid")
# Stopping the hub stops the proxy and every server (and with them their kernels).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# ---------------------------------------------------------------- who may log in
c.JupyterHub.authenticator_class = "pam"               # each system account's own password
c.PAMAuthenticator.allowed_users = instructors | students
c.Authenticator.allow_existing_users = False            # someone taken off the roster can no longer log in
c.Authenticator.admin_users = set()                     # nobody may reach another's server
c.Authenticator.manage_groups = False
c.JupyterHub.load_groups = {"instructors": {"users": sorted(instructors)}}

# ---------------------------------------------------------------- each person's server, as their own account
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.notebook_dir = "~"                            # the file browser shows the person's home only
c.Spawner.cmd = [str(env / "bin" / "jupyterhub-singleuser")]
c.Spawner.env_keep = ["LANG", "LC_ALL", "TZ"]           # nothing else of the hub's environment
c.Spawner.args = [
    # Kernel culling: a kernel idle for an hour is shut down (checked every 5 minutes), even if its tab is
    # still open, so forgotten tabs give their memory back.  An hour is longer than any notebook's reading
    # time in widgets/content/course.yaml, so no student at work loses a kernel; quiz progress is on disk.
    "--MappingKernelManager.cull_idle_timeout=3600",
    "--MappingKernelManager.cull_interval=300",
    "--MappingKernelManager.cull_connected=True",
    "--MappingKernelManager.cull_busy=False",
    # Server extensions the course does not use (language servers, the classic notebook's shim): each server
    # starts without them, about 10 MB lighter per student (benchmarks/hub_load.py).
    "--ServerApp.jpserver_extensions=jupyter_lsp=False",
    "--ServerApp.jpserver_extensions=notebook_shim=False",
]
# A 2-core server starting a class's servers at once needs longer than JupyterHub's defaults (60 s, 30 s).
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 180
c.JupyterHub.concurrent_spawn_limit = int(_env("VKP_HUB_SPAWN_LIMIT", "40"))

# ---------------------------------------------------------------- the hand-in service and who may use it
handin_port = int(_env("VKP_HUB_HANDIN_PORT", "10101"))
handin_url = f"http://127.0.0.1:{handin_port}/services/{SERVICE}/"
services = [{
    "name": SERVICE,
    "url": f"http://127.0.0.1:{handin_port}",
    "command": [str(env / "bin" / "python"), "-m", "widgets.hubservice"],
    "user": f"{prefix}handin",                          # its own account: it alone writes the hand-in folder
    "cwd": str(layout.handin_state),
    "oauth_no_confirm": True,
    "environment": {"PYTHONPATH": str(layout.service_code), "PATH": f"{env / 'bin'}:/usr/bin:/bin",
                    "VKP_HANDIN_STORE": str(layout.handin),
                    "VKP_HANDIN_INDEX": str(layout.handin_state / "index.sqlite"),
                    "VKP_HANDIN_INSTRUCTORS_GROUP": "instructors"},
}]
roles = [
    # Everyone, and each server's own token, may use the hand-in service (which tells students from instructors
    # by the hub group); nothing more than JupyterHub's defaults otherwise.
    {"name": "user", "scopes": ["self", f"access:services!service={SERVICE}"]},
    {"name": "server", "scopes": ["users:activity!user", "access:servers!server",
                                  f"access:services!service={SERVICE}"]},
]

# ---------------------------------------------------------------- idle servers give their memory back
# JupyterHub's idle culler (the jupyterhub-idle-culler package, run by the hub as a service, as root, with only
# the permissions it needs) stops a server that has had no activity for an hour: a student who closed the laptop
# without logging out.  Files stay in the home folder, quiz progress is on disk and hand-ins are with the
# service, so nothing is lost: logging in again starts a new server.
cull_idle = int(_env("VKP_HUB_CULL_IDLE", "3600"))
if cull_idle > 0:
    services.append({
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull_idle}",
                    f"--cull-every={int(_env('VKP_HUB_CULL_EVERY', '300'))}"],
    })
    roles.append({"name": "idle-culler", "services": ["idle-culler"],
                  "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles

# Logging in (or following the course link) pulls the person's copy of the course and opens it: students the
# start notebook, instructors the class results.
course_repo = _required("VKP_COURSE_REPO", "the course repository students pull")
instructor_repo = _required("VKP_INSTRUCTOR_REPO", "the instructors' course repository")
branch = _env("VKP_COURSE_BRANCH", "main")
student_url = "/" + git_pull_path(course_repo, branch)
instructor_url = "/" + git_pull_path(instructor_repo, "main", notebook="lessons/class-results.ipynb")
c.Spawner.default_url = student_url


def _course_environment(spawner):
    """What a server needs, by who it is: its own course copy, where its progress and hand-ins go."""
    name = spawner.user.name
    home = Path(pwd.getpwnam(name).pw_dir)
    instructor = name in instructors
    course = home / "vkp-teaching"
    spawner.environment = {
        **spawner.environment,
        "PATH": f"{env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        # students import the read-only student release; instructors their own full copy in their home
        "PYTHONPATH": str(course if instructor else layout.release),
        "GIT_CONFIG_GLOBAL": str(layout.gitconfig),
        "MALLOC_ARENA_MAX": "2",                        # a server's and a kernel's few threads: fewer malloc arenas
        "VKP_PROGRESS_DIR": str(home / ".local" / "share" / "vkp-teaching"),
        "VKP_HANDIN_URL": handin_url,
    }
    if instructor:
        spawner.environment["VKP_CLASS_DIR"] = str(layout.handin)   # readable through the instructors' group
        spawner.environment["VKP_CLASS_URL"] = handin_url
    spawner.default_url = instructor_url if instructor else student_url


c.Spawner.pre_spawn_hook = _course_environment
