"""Real faults for the tests: a folder nobody may write, a reader without permission, hostile files.

Nothing here is a mock: the folder is really unwritable (``chmod`` for an ordinary user; the
immutable attribute when the tests run as root, who ignores permission bits), a permission error is
raised by the kernel for a process running as ``nobody``, and pipes and device links are real.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@contextlib.contextmanager
def unwritable_folder(path: Path):
    """``path`` as an existing folder in which no file can be created, for the duration of the block."""
    path.mkdir(parents=True, exist_ok=True)
    if _is_root():
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True) \
            if shutil.which("chattr") else None
        if done is None or done.returncode != 0:
            raise RuntimeError("cannot make an unwritable folder as root here (chattr +i failed: "
                               f"{done.stderr.strip() if done else 'chattr is missing'})")
        try:
            probe = path / "probe"
            try:
                probe.write_text("x")
            except OSError:
                pass
            else:  # pragma: no cover - a file system that ignores the attribute
                probe.unlink()
                raise RuntimeError(f"{path} is still writable after chattr +i")
            yield path
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=False)
    else:
        path.chmod(0o500)
        try:
            yield path
        finally:
            path.chmod(0o700)


def run_as_other_user(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -c code args`` as a user who does not own the test's files.

    As root that is ``nobody`` (through ``setpriv``); otherwise the caller's own user, for whom
    the tests remove the permission bits instead.
    """
    cmd = [sys.executable, "-c", code, *args]
    if _is_root():
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOME="/tmp")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/", env=env)


def readable_by_others(path: Path) -> None:
    """Let the other user of :func:`run_as_other_user` reach ``path`` (folders searchable)."""
    import tempfile
    top = Path(tempfile.gettempdir()).resolve()
    for parent in [path, *path.parents]:
        if parent == top or top not in parent.parents:
            break
        try:
            mode = parent.stat().st_mode
            parent.chmod(mode | 0o005 if parent.is_dir() else mode | 0o004)
        except OSError:
            break
