"""Real faults for the tests: a folder nobody may write, a reader without permission, hostile files.

Nothing here is a mock: the folder is really unwritable (``chmod`` for an ordinary user; the
immutable attribute when the tests run as root, who ignores permission bits), a permission error is
raised by the kernel for a process that cannot override file permissions (as root: the checkout's owner with
every capability dropped, so it works wherever the checkout lives), and pipes and device links are real.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
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


def _reader() -> tuple[int, int]:
    """(uid, gid) of the reader :func:`run_as_other_user` starts: the checkout's owner, so that it can run this
    checkout's Python and import its modules wherever the checkout lives (inside root's 0700 home, a private
    temporary folder, a class hub's checkout made private)."""
    info = ROOT.stat()
    return info.st_uid, info.st_gid


def run_as_other_user(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -c code args`` as a reader who cannot override file permissions.

    As root that is the checkout's owner with every capability dropped (``setpriv``): for uid 0 that is root
    stripped of the power to read what its mode bits refuse; a file :func:`lock_from_reader` locked is then
    really unreadable, while the checkout itself still is.  Otherwise the caller's own user, for whom the tests
    remove the permission bits instead.
    """
    cmd = [sys.executable, "-c", code, *args]
    if _is_root():
        uid, gid = _reader()
        cmd = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--inh-caps=-all",
               "--ambient-caps=-all", "--bounding-set=-all", *cmd]
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOME=tempfile.gettempdir())
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/", env=env)


def lock_from_reader(path: Path) -> None:
    """Make ``path`` unreadable for the reader of :func:`run_as_other_user` (mode 0600, and as root owned by an
    account that is not the reader's)."""
    path.chmod(0o600)
    if _is_root():
        uid, _ = _reader()
        other = 65534 if uid != 65534 else 65533
        os.chown(path, other, other)
    else:
        path.chmod(0o000)


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
