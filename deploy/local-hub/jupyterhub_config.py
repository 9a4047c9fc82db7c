# JupyterHub on one machine for this course: a small class on one server, and the hub the tests and the
# load benchmark run against.  Start and stop it with one command from the repository's root:
#
#     make hub          # Ctrl+C stops the hub, the proxy and every student's server
#
# `make hub` installs configurable-http-proxy (npm, deploy/local-hub/package.json), makes the course
# repository that nbgitpuller pulls, sets the variables below and runs `jupyterhub -f` on this file.
# For a class on Kubernetes use deploy/z2jh/values.yaml instead (Zero to JupyterHub).
#
# What it is
#   - JupyterHub (pip, in the project's .venv) behind configurable-http-proxy (npm), on loopback by default.
#   - A local-process spawner: each student's Jupyter server is a process on this machine whose home folder,
#     and the root of its file browser, is  <homes>/<username>.  Students never see each other's files
#     in JupyterLab, and the hub lets no student open another's server (tests/hub proves both).
#   - A test authenticator (JupyterHub's SharedPasswordAuthenticator): any username with the students'
#     password; the instructors' password puts the user in the "instructors" group.
#
# What it is not: isolated.  The simple local-process spawner runs every server as the hub's own OS user
# (JupyterHub's docs call it insecure), and a shared password lets anyone log in as any student.  Keep it on
# loopback or a trusted network for a trial or a supervised lab session.  For a class that must be kept apart,
# give each student a Linux account and swap two lines (JupyterHub's defaults, each server as its own user):
#     c.JupyterHub.spawner_class = "localprocess"      # and drop home_dir_template below
#     c.JupyterHub.authenticator_class = "pam"          # the students' own Linux passwords
# or, better for more than one server, Zero to JupyterHub (deploy/z2jh/).
#
# Variables (all optional except the passwords; `make hub` fills them in):
#   VKP_HUB_STATE                  folder for the hub's database, cookie secret and logs (default build/hub)
#   VKP_HUB_HOMES                  where students' home folders go (default $VKP_HUB_STATE/homes)
#   VKP_HUB_HANDIN                 the shared hand-in folder (default $VKP_HUB_STATE/handin)
#   VKP_HUB_IP / VKP_HUB_PORT      the address students open (default 127.0.0.1:8000)
#   VKP_HUB_API_PORT               the hub's internal API port (default 8081)
#   VKP_HUB_PROXY_API_PORT         the proxy's internal API port (default 8001)
#   VKP_HUB_PASSWORD               the students' password (8 characters or more)
#   VKP_HUB_INSTRUCTOR_PASSWORD    the instructors' password (another one, 8 characters or more)
#   VKP_COURSE_REPO / VKP_COURSE_BRANCH / VKP_COURSE_TARGET
#                                  the git repository nbgitpuller pulls the course from, its branch, and the
#                                  folder it lands in; with them set, logging in opens the start notebook
#   VKP_HUB_SPAWN_LIMIT            how many servers may be starting at once (default 40)
#   VKP_HUB_CULL_IDLE              stop a student's server after this many seconds without activity
#                                  (default 3600; 0 keeps servers running until the hub stops)
#   VKP_HUB_CULL_EVERY             how often, in seconds, to look for idle servers (default 300)

import os
import sys
from pathlib import Path

from widgets.core.links import git_pull_path   # the same link tools/links.py prints (the hub runs in the course's .venv)

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


state = Path(_env("VKP_HUB_STATE", ROOT / "build" / "hub")).resolve()
homes = Path(_env("VKP_HUB_HOMES", state / "homes")).resolve()
handin = Path(_env("VKP_HUB_HANDIN", state / "handin")).resolve()
for folder in (state, homes):
    folder.mkdir(parents=True, exist_ok=True)
# The hand-in folder is shared by the class: group-writable, and new files keep its group (setgid), so
# with Linux accounts in one group every student can hand in.  Instructors read it (VKP_CLASS_DIR).
handin.mkdir(parents=True, exist_ok=True)
handin.chmod(0o2770)

# ---------------------------------------------------------------- the hub and its proxy, on loopback
ip = _env("VKP_HUB_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{ip}:{_env('VKP_HUB_PORT', '8000')}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{_env('VKP_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_env('VKP_HUB_PROXY_API_PORT', '8001')}"
chp = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if not chp.exists():
    sys.exit(f"deploy/local-hub/jupyterhub_config.py: {chp} is missing: run `npm ci` in deploy/local-hub "
             "(make hub does it)")
c.ConfigurableHTTPProxy.command = [str(chp)]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
# Stopping the hub stops the proxy and every student's server (and with it their kernels).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# ---------------------------------------------------------------- who may log in
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = _required("VKP_HUB_PASSWORD", "the students' password")
c.SharedPasswordAuthenticator.manage_groups = True
c.SharedPasswordAuthenticator.password_groups = {
    _required("VKP_HUB_INSTRUCTOR_PASSWORD", "the instructors' password"): ["instructors"]}
c.Authenticator.allow_all = True

# ---------------------------------------------------------------- each student's server
c.JupyterHub.spawner_class = "simple"                      # a local process, home folder per student
c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
c.Spawner.notebook_dir = "~"                               # the file browser shows the student's home only
# The Jupyter server from the same Python as the hub (the project's .venv, where the module, nbgitpuller and
# the course's JupyterLab settings, with no news prompt, are installed).
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.args = [
    # Kernel culling: a kernel idle for an hour is shut down (checked every 5 minutes), even if its tab is
    # still open, so forgotten tabs give their memory back.  An hour is longer than any notebook's reading
    # time in widgets/content/course.yaml, so no student at work loses a kernel; quiz progress is on disk.
    "--MappingKernelManager.cull_idle_timeout=3600",
    "--MappingKernelManager.cull_interval=300",
    "--MappingKernelManager.cull_connected=True",
    "--MappingKernelManager.cull_busy=False",
]
if os.geteuid() == 0:                                      # CI and containers run as root
    c.Spawner.args.append("--allow-root")
# A 2-core server starting a class's servers at once needs longer than JupyterHub's defaults (60 s, 30 s).
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 180
c.JupyterHub.concurrent_spawn_limit = int(_env("VKP_HUB_SPAWN_LIMIT", "40"))

# ---------------------------------------------------------------- idle servers give their memory back
# JupyterHub's idle culler (the jupyterhub-idle-culler package, run by the hub as a service with only the
# permissions it needs) stops a student's server that has had no activity for an hour: a student who closed
# the laptop without logging out.  Their files stay in their home folder, quiz progress is on disk and
# hand-ins are in the shared folder, so nothing is lost: logging in again starts a new server.
cull_idle = int(_env("VKP_HUB_CULL_IDLE", "3600"))
if cull_idle > 0:
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull_idle}",
                    f"--cull-every={int(_env('VKP_HUB_CULL_EVERY', '300'))}"],
    }]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }]

# Logging in (or following the course link) pulls the course and opens the start notebook.
course_repo = _env("VKP_COURSE_REPO")
if course_repo:
    c.Spawner.default_url = "/" + git_pull_path(course_repo, _env("VKP_COURSE_BRANCH", "main"),
                                                _env("VKP_COURSE_TARGET"))
else:
    c.Spawner.default_url = "/lab"


def _course_environment(spawner):
    """Where a student's quiz progress and hand-ins go; instructors also get the class's hand-ins to read."""
    home = Path(spawner.home_dir)
    env = {
        "VKP_PROGRESS_DIR": str(home / ".local" / "share" / "vkp-teaching"),
        "VKP_HANDIN_DIR": str(handin),
    }
    if any(group.name == "instructors" for group in spawner.user.groups):
        env["VKP_CLASS_DIR"] = str(handin)
    spawner.environment = {**spawner.environment, **env}


c.Spawner.pre_spawn_hook = _course_environment
