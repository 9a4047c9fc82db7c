"""Saved progress: every answer a student gives, kept on disk at once, merged, never overwritten.

Where: the settings' progress folder (``$VKP_PROGRESS_DIR`` if set, else ``platformdirs.user_data_dir("vkp-teaching")``:
:attr:`widgets.core.settings.Settings.progress_dir`); the file
is ``vkp-<user>-<hash>.progress.json``, where ``<user>`` is the hub login or the account name made
readable and ``<hash>`` a digest of the exact login (:func:`~widgets.record.identity.login_tag`), so
students whose progress folders are one shared volume have a file each, even ``john.smith`` and
``john_smith``.  The widgets show the path.  A student whose file still has an earlier release's name
(``vkp-<user>.progress.json``, which such logins shared) has it read once into the new file; the old
file is left as it was.

How answers are never lost
--------------------------
* Every answer is an :class:`~widgets.record.attempts.Attempt` with its own random id.
* A save takes a lock (``.<file>.lock`` beside the file), reads what is on disk, adds what this
  session holds (the union by id), and writes the whole to a temporary file that is flushed,
  ``fsync``-ed and renamed over the old one.  Any number of quiz views, kernels or processes
  saving to one file therefore keep every answer, and a crash or a killed kernel mid-write leaves
  the old or the new file, never half of one.
* Temporary files of a crashed save are removed only by a later save, under the lock, so a
  session never deletes another session's save in progress.
* A file that cannot be read (not JSON, nested 100,000 deep, a 5,000-digit number, a pipe, a
  foreign file) is never overwritten: it is renamed aside to ``<name>.corrupt-<time>.json``,
  :attr:`ProgressFile.warning` says so in plain words, and a fresh file is started.  A file that is
  fine apart from a byte-order mark or Windows line ends (saved again in a text editor) is read.
* When nothing can be written, :meth:`ProgressFile.append` raises :class:`ProgressError` but keeps
  the answer in memory; :meth:`ProgressFile.move_to` saves everything held to another folder.
* No save writes a file larger than :data:`~widgets.record.attempts.MAX_FILE_BYTES`, the most the
  reader takes (a larger file would be unreadable, set aside, and written again at every answer): the
  save is refused with a :class:`ProgressError` and the answer kept in memory.
* An answer this version cannot read (damaged, or written by a newer version with a field this one
  does not know) is left out of what the widgets show and what is handed in, and kept in the file
  exactly as it was at every save (:attr:`ProgressFile.unread`).

The file also keeps who the student said they are (:class:`~widgets.record.identity.Identity`),
including the random per-install id that tells two students of the same name apart.

A version-1 file (the quiz's own, before every exercise was saved) is read here too, as the format it
was (:class:`LegacyQuizAnswer`): its answers become attempts, without this layer importing the quiz.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Callable, Iterable, Literal, Optional

from pydantic import Field, StrictBool, ValidationError, field_validator, model_validator

from widgets.core.loading import ContentModel
from widgets.core.settings import Settings, current_settings
from widgets.record.identity import Identity, login_tag, new_install_id, user_tag, validate_name
from widgets.record.attempts import (
    MAX_FILE_BYTES, PROGRESS_FORMAT, PROGRESS_VERSION, Attempt, FileProblem, answered_at, decode_text, dumps,
    in_answer_order, json_loads, read_limited, utc_stamp,
)

LEGACY_FORMAT = "vkp-quiz-progress"
LEGACY_NAME = "candidacy-quiz.progress.json"
LOCK_TIMEOUT_S = 15.0


class ProgressError(OSError):
    """The progress file could not be written or moved aside (the message says where and why)."""


def default_progress_path(settings: Settings | None = None) -> Path:
    """This user's progress file: ``vkp-<login>-<hash of the login>.progress.json`` in the settings' progress
    folder (``$VKP_PROGRESS_DIR``, else the user's data folder)."""
    settings = settings or current_settings()
    return settings.progress_dir / f"vkp-{login_tag(settings=settings)}.progress.json"


def earlier_progress_paths(path: Path | None = None, settings: Settings | None = None) -> list[Path]:
    """Where earlier releases kept this user's answers, read when :func:`default_progress_path` (or ``path``, a
    file named ``vkp-...``) does not exist yet: ``vkp-<user>.progress.json``, then the quiz's version-1 file."""
    if path is None:
        settings = settings or current_settings()
        folder = settings.progress_dir
        return [folder / f"vkp-{user_tag(settings)}.progress.json", folder / LEGACY_NAME]
    return [path.with_name(LEGACY_NAME)] if path.name.startswith("vkp-") else []


# --------------------------------------------------------------------------- writing safely

def atomic_write_text(path: Path | str, text: str, *, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old or the new file, whole.

    ``mode`` sets the permissions of the new file (0o600 private; exports use group-readable modes).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (best effort)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def file_lock(path: Path | str, timeout: float = LOCK_TIMEOUT_S):
    """Hold an exclusive lock for ``path`` (on ``.<name>.lock`` beside it) across processes."""
    path = Path(path)
    lock_path = path.parent / f".{path.name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                _lock(fd)
                break
            except (BlockingIOError, PermissionError):
                if time.monotonic() > deadline:
                    raise ProgressError(f"another session has held the lock on {path} for {timeout:.0f} s; "
                                        "try again in a moment") from None
                time.sleep(0.01)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


try:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise BlockingIOError from None

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


# --------------------------------------------------------------------------- reading

def parse_progress(text: str) -> tuple[Identity, list[Attempt], list[str]]:
    """Identity, attempts and skipped-answer notes from a progress file's text (v2, or the quiz's v1).

    Raises :class:`FileProblem` when the file as a whole is not a progress file.
    """
    identity, attempts, notes, _ = read_progress(text)
    return identity, attempts, notes


def read_progress(text: str) -> tuple[Identity, list[Attempt], list[str], list]:
    """As :func:`parse_progress`, and the answers that could not be read, as they were in the file (JSON values)."""
    data = json_loads(text)
    if not isinstance(data, dict):
        raise FileProblem("it is not a progress file (no JSON object)")
    kind, version = data.get("format"), data.get("version")
    if kind == LEGACY_FORMAT and version == 1:
        return _parse_legacy(data)
    if kind != PROGRESS_FORMAT:
        raise FileProblem(f"it is not a {PROGRESS_FORMAT} file")
    if version != PROGRESS_VERSION:
        raise FileProblem(f"its version {str(version)[:20]!r} is not {PROGRESS_VERSION}")
    items = data.get("attempts")
    if not isinstance(items, list):
        raise FileProblem("its 'attempts' are not a list")
    attempts, notes, unread = [], [], []
    for i, item in enumerate(items, start=1):
        try:
            attempts.append(Attempt.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            what = ("written by a newer version" if err["type"] == "extra_forbidden" else "damaged")
            notes.append(f"answer {i} was {what} ({'.'.join(map(str, err['loc'])) or 'the answer'}: {err['msg']})")
            unread.append(item)
    return Identity.from_dict(data.get("identity")), attempts, notes, unread


#: The one exercise a version-1 progress file held, and the standard its answers were graded against.
LEGACY_EXERCISE = "candidacy-quiz"
LEGACY_STANDARD = "leaflet"
LEGACY_PRACTICE = "current_practice"
_RULE_ID = r"^[a-z][a-z0-9_]{0,60}$"
RuleId = Annotated[str, Field(pattern=_RULE_ID)]


class LegacyQuizAnswer(ContentModel):
    """One answer of a version-1 quiz progress file, in the fields it was written with (no id).

    The record layer reads its own old format without knowing the quiz: the shape is checked here; whether
    a rule id is one the quiz knows is checked where the quiz reads its answers back.
    """

    case_id: str = Field(min_length=1, max_length=120)
    source: Literal["bank", "generated"]
    mode: Literal["bank", "retry", "practice", "review"] = "bank"
    answered_at: str
    vertebroplasty_answer: StrictBool
    vertebroplasty_correct: StrictBool
    kyphoplasty_answer: StrictBool
    kyphoplasty_correct: StrictBool
    reason_rule: RuleId
    reason_correct: StrictBool
    deciding_rules: list[RuleId] = Field(min_length=1)
    correct: StrictBool
    practice_vertebroplasty_correct: Optional[StrictBool] = None
    practice_kyphoplasty_correct: Optional[StrictBool] = None
    practice_reason_correct: Optional[StrictBool] = None
    practice_deciding_rules: Optional[list[RuleId]] = Field(None, min_length=1)
    practice_correct: Optional[StrictBool] = None

    _iso = field_validator("answered_at")(lambda value: answered_at(value))

    @model_validator(mode="after")
    def _consistent(self):
        if self.correct != (self.vertebroplasty_correct and self.kyphoplasty_correct and self.reason_correct):
            raise ValueError("'correct' must be true exactly when both procedure answers and the reason are correct")
        practice = (self.practice_vertebroplasty_correct, self.practice_kyphoplasty_correct,
                    self.practice_reason_correct, self.practice_deciding_rules, self.practice_correct)
        if any(v is not None for v in practice) and not all(v is not None for v in practice):
            raise ValueError("the grade under current practice is incomplete")
        if self.practice_correct is not None and self.practice_correct != (
                self.practice_vertebroplasty_correct and self.practice_kyphoplasty_correct
                and self.practice_reason_correct):
            raise ValueError("'practice_correct' must be true exactly when both procedure answers and the reason "
                             "are correct under current practice")
        return self

    def to_attempt(self, attempt_id: str) -> Attempt:
        """The answer as the attempt version 2 stores: its grade per standard, with what was expected."""
        def grade(vp_ok: bool, kp_ok: bool, reason_ok: bool, correct: bool, deciding: list[str]) -> dict:
            return {"correct": correct,
                    "parts": {"vertebroplasty": vp_ok, "kyphoplasty": kp_ok, "reason": reason_ok},
                    "expected": {"vertebroplasty": self.vertebroplasty_answer == vp_ok,
                                 "kyphoplasty": self.kyphoplasty_answer == kp_ok, "deciding_rules": list(deciding)}}
        grades = {LEGACY_STANDARD: grade(self.vertebroplasty_correct, self.kyphoplasty_correct,
                                         self.reason_correct, self.correct, self.deciding_rules)}
        if self.practice_correct is not None:
            grades[LEGACY_PRACTICE] = grade(self.practice_vertebroplasty_correct, self.practice_kyphoplasty_correct,
                                            self.practice_reason_correct, self.practice_correct,
                                            self.practice_deciding_rules)
        return Attempt(id=attempt_id, exercise=LEGACY_EXERCISE, item=self.case_id, answered_at=self.answered_at,
                       answer={"vertebroplasty": self.vertebroplasty_answer, "kyphoplasty": self.kyphoplasty_answer,
                               "reason": self.reason_rule},
                       grades=grades, context={"source": self.source, "mode": self.mode})


def legacy_attempt(data: object, *, salt: str = "") -> Attempt:
    """A version-1 quiz answer (no id) as an attempt; its id is derived from its content, so copies merge."""
    if not isinstance(data, dict) or "id" in data:
        raise ValueError("not a version-1 quiz answer")
    digest = hashlib.sha256((salt + "\n" + json.dumps(data, sort_keys=True, default=str)).encode(
        "utf-8", "replace")).hexdigest()[:32]
    return LegacyQuizAnswer.model_validate(data).to_attempt(digest)


def _parse_legacy(data: dict) -> tuple[Identity, list[Attempt], list[str], list]:
    """A version-1 quiz progress file (before every exercise was saved): its answers become attempts."""
    answers = data.get("answers")
    if not isinstance(answers, list):
        raise FileProblem("its 'answers' are not a list")
    student = data.get("student") if isinstance(data.get("student"), str) else ""
    identity = Identity.from_dict({"name": student})
    attempts, notes, unread = [], [], []
    for i, item in enumerate(answers, start=1):
        try:
            attempts.append(legacy_attempt(item, salt=student))
        except (ValidationError, ValueError, TypeError) as exc:
            notes.append(f"answer {i} was damaged ({str(exc).splitlines()[0][:80]})")
            unread.append(item)
    return identity, attempts, notes, unread


# --------------------------------------------------------------------------- the store

class ProgressFile:
    """The attempts a student has made, and who they are, kept on disk.

    ``ProgressFile(path).load()`` reads what is there (or starts fresh; it never raises for what
    is in the file); :meth:`append` adds one answer and saves at once.
    """

    def __init__(self, path: Path | str | None = None, *, now: Callable[[], datetime] | None = None):
        self.path = Path(path).expanduser() if path is not None else default_progress_path()
        #: Files an earlier release kept these answers in, read (never changed) while ``path`` does not exist.
        self.earlier = earlier_progress_paths(self.path if path is not None else None)
        self.attempts: list[Attempt] = []
        #: Answers this version cannot read (damaged, or from a newer version), kept verbatim at every save.
        self.unread: list = []
        self.identity = Identity()
        self.warning: str | None = None
        self.backup: Path | None = None
        self._identity_changed = False
        self._now = now or (lambda: datetime.now(timezone.utc))

    # ----------------------------------------------------------------- reading
    def load(self) -> "ProgressFile":
        """Read the file; a corrupt one is kept aside with a warning and a fresh file started."""
        self.attempts, self.unread, self.identity, self.warning, self.backup = [], [], Identity(), None, None
        self._identity_changed = False
        notes: list[str] = []
        source: Path | None = self.path
        if not self.path.exists() and not self.path.is_symlink():
            source = next((p for p in self.earlier if p.is_file()), None)
        if source is not None:
            try:
                identity, attempts, notes, unread = read_progress(decode_text(read_limited(source)))
            except FileProblem as exc:
                if source == self.path:
                    self._set_aside(str(exc))
                else:   # an unreadable earlier file stays where it is, untouched
                    self.warning = f"The earlier progress file {source} could not be read ({exc}); it is kept."
            else:
                self.identity, self.attempts, self.unread = identity, in_answer_order(attempts), unread
                if source != self.path:
                    self._identity_changed = True     # the earlier file's answers and name move into the new file
        if notes:
            self.warning = ("Some saved answers could not be read, so they are not shown or handed in: "
                            + "; ".join(notes[:3]) + ("; ..." if len(notes) > 3 else "")
                            + f". They are kept as they are in {self.path} (a newer version of the course may read "
                            "them).")
        if not self.identity.install_id:
            self.identity = Identity(self.identity.name, self.identity.student_id, new_install_id())
            self._identity_changed = True
        return self

    def _set_aside(self, problem: str) -> None:
        try:
            self.backup = self._move_aside()
        except ProgressError as exc:
            self.warning = (f"Your progress file could not be read ({problem}), and it could not be kept "
                            f"aside either ({exc}). Your answers from now on are kept in this notebook; "
                            "download them or save them to another folder.")
            self._blocked = str(exc)
            return
        self.warning = (f"Your progress file could not be read ({problem}). It has been kept, unchanged, as "
                        f"{self.backup}, and a fresh progress file was started at {self.path}. Your "
                        "instructor can recover earlier answers from the kept copy.")

    _blocked: str | None = None

    def _move_aside(self) -> Path:
        stem = self.path.name[:-5] if self.path.name.endswith(".json") else self.path.name
        base = f"{stem}.corrupt-{_stamp(self._now())}"
        backup = self.path.with_name(base + ".json")
        n = 2
        while backup.exists() or backup.is_symlink():
            backup = self.path.with_name(f"{base}-{n}.json")
            n += 1
        try:
            os.replace(self.path, backup)
        except OSError as exc:
            raise ProgressError(f"the progress file {self.path} is unreadable and could not be moved "
                                f"aside to {backup} ({exc.strerror})") from None
        return backup

    def of(self, exercise: str) -> list[Attempt]:
        return [a for a in self.attempts if a.exercise == exercise]

    # ----------------------------------------------------------------- writing
    def as_dict(self) -> dict:
        return {"format": PROGRESS_FORMAT, "version": PROGRESS_VERSION, "identity": self.identity.as_dict(),
                "saved_at": utc_stamp(self._now()),
                "attempts": [a.to_dict() for a in self.attempts] + list(self.unread)}

    def as_text(self) -> str:
        """The file's text: one line per key."""
        return "{\n" + ",\n".join(f" {dumps(k)}: {dumps(v)}" for k, v in self.as_dict().items()) + "\n}\n"

    def save(self) -> None:
        """Merge with what is on disk (under the lock) and write the whole atomically, never past the reader's
        limit (:data:`~widgets.record.attempts.MAX_FILE_BYTES`: then :class:`ProgressError`, nothing written)."""
        if self._blocked:
            raise ProgressError(f"{self.path} cannot be written: {self._blocked}")
        try:
            with file_lock(self.path):
                self._merge_from_disk()
                self._remove_orphan_temp_files()
                data = self.as_text()
                if len(data.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
                    raise ProgressError(
                        f"your progress file would pass {MAX_FILE_BYTES / 2**20:.0f} MB ({len(self.attempts)} "
                        "answers), the most the course reads back, so it was not written; your answers are kept in "
                        "this notebook: hand them in or download them, and ask your instructor")
                atomic_write_text(self.path, data)
        except ProgressError:
            raise
        except OSError as exc:
            raise ProgressError(f"the folder {self.path.parent} cannot be written "
                                f"({exc.strerror or exc})") from None
        self._identity_changed = False

    def _merge_from_disk(self) -> None:
        if not (self.path.exists() or self.path.is_symlink()):
            return
        try:
            identity, attempts, _, unread = read_progress(decode_text(read_limited(self.path)))
        except FileProblem as exc:
            self._set_aside(str(exc))          # someone else's junk: kept, then ours is written
            if self._blocked:
                raise ProgressError(self._blocked) from None
            return
        ours = {a.id for a in self.attempts}
        self.attempts = in_answer_order(self.attempts + [a for a in attempts if a.id not in ours])
        kept = {json.dumps(u, sort_keys=True, default=str) for u in self.unread}
        self.unread += [u for u in unread if json.dumps(u, sort_keys=True, default=str) not in kept]
        install = identity.install_id or self.identity.install_id
        if self._identity_changed:
            self.identity = Identity(self.identity.name, self.identity.student_id, install)
        else:
            self.identity = Identity(identity.name, identity.student_id, install)

    def _remove_orphan_temp_files(self) -> None:
        """Temporary files a crashed save left (the lock is held, so no save is in progress)."""
        for tmp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            try:
                tmp.unlink()
            except OSError:
                pass

    def append(self, attempt: Attempt) -> Attempt:
        """Add one answer and save at once.

        The answer is kept in memory even if saving fails (then :class:`ProgressError` is raised).
        """
        self.attempts.append(attempt)
        self.save()
        return attempt

    def extend(self, attempts: Iterable[Attempt]) -> None:
        self.attempts.extend(attempts)
        self.save()

    def set_identity(self, name: str = "", student_id: str = "") -> Identity:
        """Record who the student says they are (checked; raises ValueError), then save."""
        name = validate_name(name, "name", required=False)
        student_id = validate_name(student_id, "student id", required=False, limit=40)
        if (name, student_id) != (self.identity.name, self.identity.student_id):
            self.identity = Identity(name, student_id, self.identity.install_id or new_install_id())
            self._identity_changed = True
            self.save()
        return self.identity

    def move_to(self, folder: Path | str) -> Path:
        """Keep saving in ``folder`` instead (everything held in memory is saved there at once)."""
        folder = Path(str(folder).strip()).expanduser()
        if not str(folder).strip():
            raise ProgressError("type the folder to save your answers in")
        old, blocked = self.path, self._blocked
        self.path, self._blocked = folder / old.name, None
        self._identity_changed = True
        try:
            self.save()
        except ProgressError:
            self.path, self._blocked = old, blocked
            raise
        return self.path
