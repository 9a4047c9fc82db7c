"""Recording answers and handing them in: the public API every exercise uses.

An exercise (the candidacy quiz, the step-order test, decision points, patient questions, the
after-care quiz, and later the needle placement of issue 14) records each answer the moment it is
graded, then the student hands in everything at once::

    from widgets.record.handin import default_log

    log = default_log()                      # one per kernel: this student's progress file
    log.record_attempt(
        "step-order", "kyphoplasty",         # exercise, item
        {"order": ["kp_fluoroscopy", ...]},  # what the student answered
        {"leaflet": {"correct": False,       # its grade per standard (more standards may follow)
                     "parts": {"kp_fluoroscopy": True, ...}}},
        context={"attempt": 2})
    result = log.hand_in()                   # writes the session file; result.content is for a download

* :meth:`ExerciseLog.record_attempt` (or :meth:`ExerciseLog.record` with an
  :class:`~widgets.record.attempts.Attempt` the exercise made, such as the quiz's) saves to the progress file
  at once (:mod:`widgets.record.progress`: merged, locked, never overwritten).  If that fails the
  answer is still kept in memory and :class:`~widgets.record.progress.ProgressError` says why; the
  view then offers the download and another folder.
* :meth:`ExerciseLog.hand_in` appends every answer recorded so far to ``vkp-<name>-<install>-<date>.jsonl``
  beside the notebook (one file per student per session, appended, never overwritten; lines already
  in it are not written twice) and, when the admin sets ``VKP_HANDIN_DIR`` (a hub's shared volume; the
  settings' :attr:`~widgets.core.settings.Settings.handin_dir`),
  to the same file name there, group-readable.  It returns the file's whole text for the browser
  download (:class:`widgets.record.handin_view.DownloadLink`), which works even when no folder
  can be written.
* Who the student is: ``JUPYTERHUB_USER`` on a hub; elsewhere the name (and optional student id)
  typed once, kept in the progress file with a random per-install id
  (:class:`~widgets.record.identity.Identity`).

To add an exercise: declare it in the topic's ``exercise.py`` (an id ``[a-z][a-z0-9-]*``, its first standard
and how an answer is graded again: :class:`widgets.record.exercise.Exercise`), register it there, and record
attempts as above with its id; the class results grade it through the registry (:mod:`widgets.classroom.grading`).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from widgets.core.settings import Settings, current_settings
from widgets.record.identity import Identity
from widgets.record.progress import ProgressError, ProgressFile, default_progress_path, sync_folder
from widgets.record.attempts import (
    MAX_FILE_BYTES, Attempt, FileProblem, decode_text, dumps, export_text, header_line, in_answer_order,
    make_attempt, parse_export_text, utc_stamp,
)
from widgets.record import hub_client

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: appends are still never overwrites
    fcntl = None

EXPORT_MODE = 0o644      # beside the notebook: the student's own file, readable as any notebook is
HANDIN_MODE = 0o640      # in the admin's hand-in folder: the instructor's group can read it, others cannot


def session_today(now: datetime | None = None) -> str:
    """The session a hand-in belongs to: today's local date, e.g. ``2026-11-20``."""
    return (now or datetime.now()).astimezone().strftime("%Y-%m-%d")


def session_filename(identity: Identity, session: str) -> str:
    """``vkp-<name>-<first 8 of the install id>-<date>.jsonl``: never the same for two students."""
    tag = identity.install_id[:8] if identity.install_id else hashlib.sha256(
        identity.key.encode("utf-8", "replace")).hexdigest()[:8]
    return f"vkp-{identity.slug}-{tag}-{session}.jsonl"


def append_attempts(path: Path, identity: Identity, session: str, attempts: list[Attempt], *,
                    mode: int = EXPORT_MODE, created_at: str | None = None) -> tuple[Path, int]:
    """Append the attempts not yet in ``path`` (created with its header); returns (file, lines added).

    Never overwrites: the file is opened for appending and locked while it is read and written.  If
    the file there is not this student's hand-in of this session (another student's, or damaged), or
    not a regular file at all (a pipe planted there would make a write wait forever), the attempts go
    to ``<name>-2.jsonl`` (``-3``, ...) instead, and that file is named.  A file would never grow past
    :data:`~widgets.record.attempts.MAX_FILE_BYTES`, the most the instructor's reader takes: that is a
    :class:`~widgets.record.attempts.FileProblem` and nothing is written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 100):
        target = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
                         | getattr(os, "O_NOFOLLOW", 0), mode)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EWOULDBLOCK):
                continue            # a link, a folder, a socket or a pipe at that name: not ours to write into
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size > MAX_FILE_BYTES:
                continue            # no hand-in of ours is larger: someone else's file, never read whole
            existing = os.pread(fd, size, 0) if size else b""
            if existing:
                try:
                    old = parse_export_text(decode_text(existing))
                except FileProblem:
                    continue
                if old.identity.key != identity.key or old.session != session:
                    continue
                have = {a.id for a in old.attempts}
                prefix = "" if existing.endswith(b"\n") else "\n"
            else:
                have, prefix = set(), header_line(identity, session, created_at) + "\n"
            new = [a for a in attempts if a.id not in have]
            if new or prefix:
                data = (prefix + "".join(dumps(a.to_dict()) + "\n" for a in new)).encode("utf-8")
                if size + len(data) > MAX_FILE_BYTES:
                    if not size:
                        os.unlink(target)       # made by this open: leave no empty file behind
                    raise FileProblem(f"{target.name} would pass {MAX_FILE_BYTES / 2**20:.0f} MB, the most your "
                                      "instructor's class results read; download your answers and hand them to your "
                                      "instructor")
                os.write(fd, data)
                os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        sync_folder(target.parent)
        return target, len(new)
    raise OSError(f"no free file name for {path.name} in {path.parent}")


@dataclass
class HandIn:
    """What a hand-in did: the files written, the download's name and text, and any problem."""

    filename: str
    content: str
    answers: int
    file: Path | None = None
    copy: Path | None = None
    problems: list[str] = field(default_factory=list)
    receipt: dict | None = None       # the class hub's hand-in service's receipt (widgets.record.hub_client)


class ExerciseLog:
    """One student's answers to every exercise: recorded at once, handed in on request."""

    def __init__(self, store: ProgressFile, *, export_dir: Path | str | None = None,
                 handin_dir: Path | str | None = None, hub_user: str | None = None,
                 today: Callable[[], str] = session_today, clock: Callable[[], str] = utc_stamp,
                 settings: Settings | None = None):
        settings = settings or current_settings()
        self.store = store
        self._export_dir = Path(export_dir) if export_dir is not None else None
        self.handin_dir = Path(handin_dir).expanduser() if handin_dir else None
        self.hub_user = settings.hub_user if hub_user is None else hub_user
        #: The class hub's hand-in service this log hands in to ("" off a hub), and this server's hub token.
        self.handin_url, self.hub_token = settings.handin_url, settings.hub_token
        self.today = today
        self.clock = clock
        self.save_problem: str | None = None

    @classmethod
    def open(cls, progress: Path | str | None = None, *, settings: Settings | None = None, **kwargs) -> "ExerciseLog":
        """This student's log: the progress file (the settings' progress folder unless ``progress`` is given) and
        the settings' hand-in folder."""
        settings = settings or current_settings()
        store = ProgressFile(progress if progress is not None else default_progress_path(settings)).load()
        kwargs.setdefault("handin_dir", settings.handin_dir)
        log = cls(store, settings=settings, **kwargs)
        try:
            store.save()        # keep the new install id (and any merged old file) from the start
        except ProgressError as exc:
            log.save_problem = str(exc)
        return log

    @property
    def export_dir(self) -> Path:
        """Where the hand-in file is written: the folder given, else the notebook's (the kernel's) folder."""
        return self._export_dir if self._export_dir is not None else Path.cwd()

    @export_dir.setter
    def export_dir(self, folder: Path | str | None) -> None:
        self._export_dir = Path(folder) if folder is not None else None

    # ----------------------------------------------------------------- who
    @property
    def identity(self) -> Identity:
        i = self.store.identity
        return Identity(i.name, i.student_id, i.install_id, self.hub_user)

    def set_identity(self, name: str = "", student_id: str = "") -> Identity:
        """Keep the typed name and student id (checked: ValueError says what to fix)."""
        try:
            self.store.set_identity(name, student_id)
        except ProgressError as exc:
            self.save_problem = str(exc)
        return self.identity

    @property
    def order_seed(self) -> str:
        """What a student's own case order is seeded by: the hub login, else the install id."""
        i = self.identity
        return f"hub:{i.hub_user}" if i.hub_user else f"install:{i.install_id}"

    @property
    def quiz_seed(self) -> int:
        return int(hashlib.sha256(self.order_seed.encode("utf-8")).hexdigest()[:8], 16) % 1_000_000

    # ----------------------------------------------------------------- what
    def record(self, attempt: Attempt) -> Attempt:
        """Save one answer at once (kept in memory when that fails; then ProgressError is raised)."""
        try:
            attempt = self.store.append(attempt)
        except ProgressError as exc:
            self.save_problem = str(exc)
            raise
        self.save_problem = None
        return attempt

    def record_attempt(self, exercise: str, item: str, answer: dict, grades: dict, *,
                       context: dict | None = None) -> Attempt:
        """Build, check and save one attempt (see the module docstring)."""
        attempt = make_attempt(exercise, item, answer, grades, context=context, answered_at=self.clock())
        try:
            return self.record(attempt)
        except ProgressError:
            return attempt

    def attempts(self, exercise: str | None = None) -> list[Attempt]:
        return [a for a in in_answer_order(self.store.attempts) if exercise is None or a.exercise == exercise]

    def move_progress(self, folder: Path | str) -> Path:
        path = self.store.move_to(folder)
        self.save_problem = None
        return path

    # ----------------------------------------------------------------- hand-in
    def download(self) -> tuple[str, str]:
        """(file name, text) of everything recorded, for a browser download (needs no folder)."""
        identity, session = self.identity, self.today()
        return session_filename(identity, session), export_text(identity, session, self.attempts(), self.clock())

    def hand_in(self, *, require_name: bool = True) -> HandIn:
        """Append every answer recorded so far to this session's file beside the notebook and,
        when set, in the hand-in folder.  Raises ValueError when there is nothing to hand in or
        no name; a folder that cannot be written is a problem in the result, not an exception."""
        identity, session = self.identity, self.today()
        attempts = self.attempts()
        if not attempts:
            raise ValueError("there is nothing to hand in yet: answer at least one question first")
        if require_name and not (identity.hub_user or identity.name):
            raise ValueError("please type your name (and your student id, if your course uses them) first")
        filename = session_filename(identity, session)
        created = self.clock()
        result = HandIn(filename, export_text(identity, session, attempts, created), len(attempts))
        try:
            result.file, _ = append_attempts(self.export_dir / filename, identity, session, attempts,
                                             mode=EXPORT_MODE, created_at=created)
            result.content = decode_text((result.file).read_bytes())
            result.filename = result.file.name
        except (OSError, FileProblem) as exc:
            result.problems.append(f"the file could not be written to {self.export_dir} "
                                   f"({getattr(exc, 'strerror', None) or exc})")
        if self.handin_dir is not None:
            try:
                result.copy, _ = append_attempts(self.handin_dir / filename, identity, session, attempts,
                                                 mode=HANDIN_MODE, created_at=created)
            except (OSError, FileProblem) as exc:
                result.problems.append(f"the copy for your instructor could not be written to {self.handin_dir} "
                                       f"({getattr(exc, 'strerror', None) or exc}); tell your instructor")
        if self.handin_url:                     # on a class hub: to its hand-in service, as the hub's login
            try:
                result.receipt = hub_client.post_hand_in(result.content, self.handin_url, self.hub_token)
            except hub_client.HandInRefused as exc:
                result.problems.append(str(exc))
        return result


_DEFAULT: list[tuple[Settings, ExerciseLog]] = []


def default_log() -> ExerciseLog:
    """The kernel's one log, for its settings (so a name typed in one exercise is there for the next); when the
    settings change (a test gives each test its own), the log of the new settings."""
    settings = current_settings()
    if not _DEFAULT or _DEFAULT[0][0] is not settings:
        _DEFAULT[:] = [(settings, ExerciseLog.open(settings=settings))]
    return _DEFAULT[0][1]


def record_attempt(exercise: str, item: str, answer: dict, grades: dict, *, context: dict | None = None,
                   log: ExerciseLog | None = None) -> Attempt:
    """Record one attempt in ``log`` (default: :func:`default_log`)."""
    return (log or default_log()).record_attempt(exercise, item, answer, grades, context=context)
