"""Saved quiz progress: a JSON file written atomically after every answer.

Where: ``$VKP_PROGRESS_DIR`` if set, else ``platformdirs.user_data_dir("vkp-teaching")``
(the folder is created when first needed).  The widget shows the path.

How: every save writes the whole file to a temporary file in the same folder,
flushes and ``fsync``s it, then ``os.replace``s it over the old one (and syncs
the folder), so a crash or a killed kernel mid-write leaves either the old or
the new file, never half of one.

A file that cannot be read (not JSON, not a progress file, a bad answer in it)
is never overwritten: it is renamed aside to
``<name>.corrupt-YYYYmmdd-HHMMSS.json``, :attr:`ProgressFile.warning` says so
in plain words, and a fresh file is started.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pydantic import ValidationError

from widgets.candidacy.quiz import AnswerRecord

PROGRESS_FORMAT = "vkp-quiz-progress"
PROGRESS_VERSION = 1
APP_NAME = "vkp-teaching"
ENV_VAR = "VKP_PROGRESS_DIR"


class ProgressError(OSError):
    """The progress file could not be written or moved aside (the message says where and why)."""


def default_progress_dir() -> Path:
    """``$VKP_PROGRESS_DIR`` if set, else the user's data folder for this module."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_progress_path(name: str = "candidacy-quiz") -> Path:
    return default_progress_dir() / f"{name}.progress.json"


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old or the new file, whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")


class ProgressFile:
    """The answers a student has given, kept on disk.

    ``ProgressFile(path).load()`` reads what is there (or starts fresh);
    :meth:`append` adds one answer and saves at once.
    """

    def __init__(self, path: Path | str | None = None, *, now: Callable[[], datetime] | None = None):
        self.path = Path(path) if path is not None else default_progress_path()
        self.records: list[AnswerRecord] = []
        self.student: str = ""
        self.warning: str | None = None
        self.backup: Path | None = None
        self._now = now or (lambda: datetime.now(timezone.utc))

    # ----------------------------------------------------------------- reading
    def load(self) -> "ProgressFile":
        """Read the file; a corrupt one is kept aside with a warning and a fresh file started."""
        self.records, self.student, self.warning, self.backup = [], "", None, None
        self._remove_stale_temp_files()
        if not self.path.exists():
            return self
        try:
            raw = self.path.read_bytes()
            problem = self._parse(raw)
        except OSError as exc:
            raise ProgressError(f"the progress file {self.path} cannot be read ({exc.strerror}); "
                                "check its permissions") from None
        if problem:
            self.records, self.student = [], ""
            self.backup = self._move_aside()
            self.warning = (f"Your progress file could not be read ({problem}). It has been kept, "
                            f"unchanged, as {self.backup}, and a fresh progress file was started at "
                            f"{self.path}. Your instructor can recover earlier answers from the kept copy.")
            self.save()
        return self

    def _parse(self, raw: bytes) -> str | None:
        """Fill records and student from ``raw``; return a problem in words, or None."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return "it is not UTF-8 text"
        except json.JSONDecodeError as exc:
            return f"it is not valid JSON: {exc.msg} at line {exc.lineno}"
        if not isinstance(data, dict) or data.get("format") != PROGRESS_FORMAT:
            return f"it is not a {PROGRESS_FORMAT} file"
        if data.get("version") != PROGRESS_VERSION:
            return f"its version {data.get('version')!r} is not {PROGRESS_VERSION}"
        answers = data.get("answers")
        if not isinstance(answers, list):
            return "its 'answers' are not a list"
        student = data.get("student", "")
        if not isinstance(student, str):
            return "its 'student' is not text"
        records = []
        for i, item in enumerate(answers):
            try:
                records.append(AnswerRecord.model_validate(item))
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"]) or "the answer"
                return f"answer {i + 1} has a bad '{where}': {err['msg']}"
        self.records, self.student = records, student
        return None

    def _move_aside(self) -> Path:
        stem = self.path.name[:-5] if self.path.name.endswith(".json") else self.path.name
        base = f"{stem}.corrupt-{_stamp(self._now())}"
        backup = self.path.with_name(base + ".json")
        n = 2
        while backup.exists():
            backup = self.path.with_name(f"{base}-{n}.json")
            n += 1
        try:
            os.replace(self.path, backup)
        except OSError as exc:
            raise ProgressError(f"the progress file {self.path} is unreadable and could not be moved "
                                f"aside to {backup} ({exc.strerror})") from None
        return backup

    def _remove_stale_temp_files(self) -> None:
        """Temporary files a crash left behind (they never hold the only copy of an answer)."""
        if not self.path.parent.is_dir():
            return
        for tmp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            try:
                tmp.unlink()
            except OSError:
                pass

    # ----------------------------------------------------------------- writing
    def as_dict(self) -> dict:
        return {"format": PROGRESS_FORMAT, "version": PROGRESS_VERSION, "student": self.student,
                "saved_at": self._now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                "answers": [r.to_dict() for r in self.records]}

    def save(self) -> None:
        try:
            atomic_write_text(self.path, json.dumps(self.as_dict(), indent=1, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise ProgressError(f"your answers could not be saved to {self.path} "
                                f"({exc.strerror or exc}); check that the folder exists and is writable, "
                                f"or set {ENV_VAR} to a folder you can write to") from None

    def append(self, record: AnswerRecord) -> None:
        """Add one answer and save at once (the answer is kept in memory even if saving fails)."""
        self.records.append(record)
        self.save()

    def set_student(self, student: str) -> None:
        self.student = student
        self.save()
