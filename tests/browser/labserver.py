"""Start a throw-away JupyterLab on a free loopback port (used by the browser tests and benchmarks)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("VKP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class LabError(RuntimeError):
    pass


@dataclass
class Lab:
    base: str
    token: str
    root: Path
    proc: subprocess.Popen

    def url(self, path: str) -> str:
        return f"{self.base}lab/tree/{path}?token={self.token}&reset"

    def api(self, path: str):
        with urllib.request.urlopen(f"{self.base}api/{path}?token={self.token}", timeout=5) as r:
            return json.loads(r.read())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_course(root: Path, with_harness: bool = False) -> None:
    for folder in ("notebooks", "lessons"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, root / folder,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.progress.json"))
    if with_harness:
        # Deliberately faulty notebooks that prove the checks catch what they claim to.
        shutil.copytree(ROOT / "tests" / "browser" / "fixtures", root / "_harness")


@contextlib.contextmanager
def running_lab(work: Path, *, with_harness: bool = False, startup_timeout: float = 90, env: dict | None = None):
    """Yield a :class:`Lab` serving a copy of the course under ``work``; stop it afterwards.

    ``env`` adds to (or, with a value of None, removes from) the server's environment, which its
    kernels inherit: e.g. a student's own ``HOME`` and ``VKP_HANDIN_DIR``.
    """
    root = work / "course"
    copy_course(root, with_harness)
    settings = work / "settings" / "@jupyterlab"
    # No news prompt is set here: the module's own settings override (config/jupyterlab/) must keep it away.
    # Every cell stays in the page, so checks see all outputs, not only those scrolled into view.
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    env_ = dict(os.environ, JUPYTER_CONFIG_DIR=str(work / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"),
               VKP_PROGRESS_DIR=str(work / "progress"))
    for name, value in (env or {}).items():
        if value is None:
            env_.pop(name, None)
        else:
            env_[name] = str(value)
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}/course/"
    log_path = work / "lab.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             "--ServerApp.port_retries=0", "--allow-root", f"--IdentityProvider.token={token}",
             "--ServerApp.base_url=/course/", f"--ServerApp.root_dir={root}",
             "--LabApp.expose_app_in_browser=True"],
            stdout=log, stderr=subprocess.STDOUT, env=env_)
        try:
            deadline = time.monotonic() + startup_timeout
            while True:
                if proc.poll() is not None:
                    raise LabError(f"jupyter lab exited with {proc.returncode}; log:\n"
                                   + log_path.read_text()[-3000:])
                try:
                    with urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2) as r:
                        if r.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise LabError(f"jupyter lab did not answer within {startup_timeout:.0f} s; log:\n"
                                   + log_path.read_text()[-3000:])
                time.sleep(0.3)
            yield Lab(base, token, root, proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def kernel_pids(lab: Lab) -> dict[str, int]:
    """Kernel id -> process id of the kernels this server runs (Linux /proc)."""
    ids = {k["id"] for k in lab.api("kernels")}
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        for kid in ids:
            if f"kernel-{kid}.json" in cmd:
                found[kid] = int(proc.name)
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LabError(f"no VmRSS for process {pid}")
