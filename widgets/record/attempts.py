"""Attempts at exercises, the hand-in file format (version 2), one score definition, careful file reading.

One record per answer, the same for every exercise
--------------------------------------------------
An :class:`Attempt` is one answer a student gave to one item of one exercise::

    {"id": "5f0c...e1",                      # 32 hex digits, unique: copies of one answer are merged by it
     "exercise": "candidacy-quiz",           # which exercise (widgets.record.exercise)
     "item": "c05-breast-metastasis",        # which case, question, or procedure
     "answered_at": "2026-11-20T09:31:12.345Z",
     "answer": {"vertebroplasty": true, "kyphoplasty": false, "reason": "kp_cause_excluded"},
     "grades": {"leaflet": {"correct": true,  # one grade per standard; more standards can be added
                            "parts": {"vertebroplasty": true, "kyphoplasty": true, "reason": true},
                            "expected": {"deciding_rules": ["kp_cause_excluded"]}}},
     "context": {"source": "bank", "mode": "bank"}}

``answer`` holds what the student chose, ``grades`` what the module made of it against each
standard (``"leaflet"`` for the quiz and the step order; issue 15 adds ``"current_practice"``
beside it), ``context`` where the item came from.  The class results never trust ``grades``:
they grade ``answer`` again from the content (:mod:`widgets.classroom.grading`).

The hand-in file
----------------
A student's hand-in is JSON Lines (``.jsonl``), one file per student per session, appended to and
never overwritten.  Its first line names the format and the student, every other line is an
attempt::

    {"format": "vkp-class-export", "version": 2, "session": "2026-11-20", "created_at": "...",
     "student": {"name": "Sam Lee", "student_id": "", "install_id": "9f2c4e1a0b7d3e55", "hub_user": ""}}
    {"id": ..., "exercise": "candidacy-quiz", ...}
    {"id": ..., "exercise": "step-order", ...}

A line that a crash cut short, or that someone edited into nonsense, is reported by its number and
the other lines are still read.

One score definition
--------------------
:func:`score` is used by the quiz widget, the hand-in and the class results alike: over the
items a student answered, the share whose *latest* answer is right (final) and the share right at
the *first* answer (first try).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Literal, Optional, Union

from pydantic import Field, StrictBool, StrictFloat, StrictInt, ValidationError, field_validator

from widgets.record.identity import Identity
from widgets.core.loading import ContentModel

EXPORT_FORMAT = "vkp-class-export"
EXPORT_VERSION = 2
PROGRESS_FORMAT = "vkp-progress"
PROGRESS_VERSION = 2
#: Each registered exercise's id and the standard it is graded against first, filled by
#: :func:`widgets.record.exercise.register` when a topic's exercise module is imported (the ids are written once,
#: in ``widgets/<topic>/exercise.py``).  An exercise not registered is graded by the first standard given.
EXERCISES: dict[str, str] = {}
#: No export or progress file is larger (a full quiz with a thousand answers is about 600 kB).
MAX_FILE_BYTES = 8 * 1024 * 1024
#: The most answers the class results read from one file, and keep of one student: a whole course is about a
#: thousand, so these leave room for much practice while bounding the instructor's memory (an answer read and
#: graded again holds about 9 kB: ``benchmarks/handin_memory.py``).  The class hub's hand-in service takes no more
#: (widgets.hubservice.store).
MAX_ANSWERS_PER_FILE = 5_000
MAX_ANSWERS_PER_STUDENT = 10_000

Scalar = Union[StrictBool, StrictInt, StrictFloat, str, None]
Value = Union[Scalar, list[str]]


def utc_stamp(moment: datetime | None = None) -> str:
    """ISO-8601 UTC with milliseconds, e.g. ``2026-11-20T09:31:12.345Z`` (orders answers within a second)."""
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def is_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def answered_at(value: str) -> str:
    """The check of every answer's time stamp: an ISO-8601 time (ValueError otherwise)."""
    if not is_iso(value):
        raise ValueError("answered_at must be an ISO-8601 time such as 2026-11-25T10:53:35Z")
    return value


def new_id() -> str:
    return uuid.uuid4().hex


class Grade(ContentModel):
    """How one answer fared against one standard."""

    correct: StrictBool
    parts: dict[str, StrictBool] = Field(default_factory=dict)
    expected: dict[str, Value] = Field(default_factory=dict)


class Attempt(ContentModel):
    """One answer to one item of one exercise (see the module docstring)."""

    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    exercise: str = Field(pattern=r"^[a-z][a-z0-9-]{0,40}$")
    item: str = Field(min_length=1, max_length=120)
    answered_at: str = Field(max_length=40)
    answer: dict[str, Value] = Field(max_length=40)
    grades: dict[str, Grade] = Field(min_length=1, max_length=8)
    context: dict[str, Scalar] = Field(default_factory=dict, max_length=20)

    _iso = field_validator("answered_at")(lambda value: answered_at(value))

    @field_validator("grades")
    @classmethod
    def _standards(cls, value: dict) -> dict:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", name):
                raise ValueError(f"'{name[:30]}' is not a standard's name")
        return value

    def grade(self, standard: str | None = None) -> Grade:
        """The grade against ``standard`` (default: the exercise's first standard, else the first given)."""
        name = standard or EXERCISES.get(self.exercise) or next(iter(self.grades))
        return self.grades[name] if name in self.grades else next(iter(self.grades.values()))

    @property
    def correct(self) -> bool:
        return self.grade().correct

    def to_dict(self) -> dict:
        return self.model_dump()


def make_attempt(exercise: str, item: str, answer: dict, grades: dict, *, context: dict | None = None,
                 answered_at: str | None = None, attempt_id: str | None = None) -> Attempt:
    """Build (and check) one attempt; ``grades`` maps a standard to a :class:`Grade` or a dict."""
    return Attempt(id=attempt_id or new_id(), exercise=exercise, item=item, answered_at=answered_at or utc_stamp(),
                   answer=answer, grades=grades, context=context or {})


# --------------------------------------------------------------------------- the one score definition

@dataclass(frozen=True)
class Score:
    """Over the items answered: right at the first answer, and right at the latest answer."""

    items: int
    first_right: int
    final_right: int
    answers: int

    @staticmethod
    def _pct(n: int, d: int) -> float:
        return round(100.0 * n / d, 1) if d else 0.0

    @property
    def final_percent(self) -> float:
        return self._pct(self.final_right, self.items)

    @property
    def first_percent(self) -> float:
        return self._pct(self.first_right, self.items)

    def text(self, noun: str = "case") -> str:
        nouns = noun + ("s" if self.items != 1 else "")
        return (f"Score: {self.final_right} of {self.items} {nouns} right ({self.final_percent:g} %); "
                f"right at the first try: {self.first_right} of {self.items} ({self.first_percent:g} %)")


def score(answers: Iterable[tuple[str, bool]]) -> Score:
    """The score of ``(item, correct)`` pairs given in the order they were answered."""
    first: dict[str, bool] = {}
    final: dict[str, bool] = {}
    n = 0
    for item, ok in answers:
        n += 1
        first.setdefault(item, bool(ok))
        final[item] = bool(ok)
    return Score(len(final), sum(first.values()), sum(final.values()), n)


def attempt_digest(attempt: Attempt) -> str:
    """A digest of one answer's whole content: two copies of one answer have the same digest, and the same id
    with a different digest is an edited or forged answer."""
    text = json.dumps(attempt.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def in_answer_order(attempts: Iterable[Attempt]) -> list[Attempt]:
    """Attempts sorted by the time they were answered (stable: ties keep their order)."""
    def when(a: Attempt) -> datetime:
        moment = datetime.fromisoformat(a.answered_at.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return sorted(attempts, key=when)


# --------------------------------------------------------------------------- reading files with care

class FileProblem(ValueError):
    """A file that cannot be read as asked; the message says why in plain words."""


def read_limited(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is a :class:`FileProblem`.

    Links to missing files, folders, pipes, devices (``/dev/zero``) and sockets are refused before
    anything is read, a pipe cannot make it wait, and no more than ``limit`` bytes are ever read.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileProblem("it is a link to a missing file") from None
        raise FileProblem("it does not exist") from None
    except PermissionError:
        raise FileProblem("permission denied: the file cannot be read by this account") from None
    except OSError as exc:
        raise FileProblem(f"it cannot be read ({exc.strerror or exc})") from None
    _check_kind(info.st_mode)
    if info.st_size > limit:
        raise FileProblem(f"it is too large ({info.st_size / 1e6:.1f} MB; no export is larger than "
                          f"{limit / 1e6:.0f} MB)")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise FileProblem("permission denied: the file cannot be read by this account") from None
    except OSError as exc:
        raise FileProblem(f"it cannot be opened ({exc.strerror or exc})") from None
    try:
        _check_kind(os.fstat(fd).st_mode)      # the file opened is the file checked
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileProblem(f"it cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if size > limit:
        raise FileProblem(f"it is too large (more than {limit / 1e6:.0f} MB)")
    return b"".join(chunks)


def _check_kind(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = ("a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    raise FileProblem(f"it is {kind}, not a file")


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), or UTF-16 with a BOM (a spreadsheet's "Unicode text")."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise FileProblem("it starts like UTF-16 text but is not") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FileProblem(f"it is not UTF-8 text (line {line} has a character in another encoding)") from None


def json_loads(text: str):
    """``json.loads`` whose failures on hostile input (deep nesting, 5,000-digit numbers) are plain problems."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"it is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise FileProblem("it is not usable JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise FileProblem(f"it is not usable JSON ({str(exc).split(':')[0]})") from None


def dumps(obj) -> str:
    """One line of JSON, readable (non-ASCII kept) unless that would not encode as UTF-8."""
    text = json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True, separators=(", ", ": "))
    return text


# --------------------------------------------------------------------------- the hand-in file

class ExportHeader(ContentModel):
    format: Literal["vkp-class-export"]
    version: Literal[2]
    session: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    created_at: Optional[str] = Field(default=None, max_length=40)
    student: dict[str, Optional[str]] = Field(default_factory=dict, max_length=10)
    #: The class hub's hand-in service's stamp (widgets.hubservice.store): the login the hub vouched for.
    received: Optional[dict[str, Optional[str]]] = Field(default=None, max_length=10)


@dataclass
class ExportFile:
    """A hand-in file as read: who, which session, the attempts, and lines that could not be read."""

    identity: Identity
    session: str
    attempts: list[Attempt] = field(default_factory=list)
    bad_lines: list[str] = field(default_factory=list)
    received: dict | None = None          # the hand-in service's stamp, when it came through the class hub
    unread: int = 0                       # lines past the ``limit`` it was read with: not read


def header_line(identity: Identity, session: str, created_at: str | None = None) -> str:
    return dumps({"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "session": session,
                  "created_at": created_at or utc_stamp(), "student": identity.as_dict()})


def export_text(identity: Identity, session: str, attempts: Iterable[Attempt], created_at: str | None = None) -> str:
    """A whole hand-in file (what the browser download holds)."""
    lines = [header_line(identity, session, created_at)] + [dumps(a.to_dict()) for a in attempts]
    return "\n".join(lines) + "\n"


def looks_like_export(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("{") and f'"{EXPORT_FORMAT}"' in head


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg'].removeprefix('Value error, ')}" if where else err["msg"]


def _lines(text: str):
    """(number, line, whether it ends the text without a line end) of every line of ``text``, one at a time (no
    list of a large file's lines is made)."""
    pos, n = 0, 0
    while pos < len(text):
        cut = text.find("\n", pos)
        end = len(text) if cut < 0 else cut
        n += 1
        yield n, text[pos:end].removesuffix("\r"), cut < 0
        pos = end + 1


def parse_export_text(text: str, limit: int | None = None) -> ExportFile:
    """Read a hand-in file's text; a bad header is a :class:`FileProblem`, bad lines are listed.

    With ``limit``, no more than that many answers are read; the lines past it are counted in
    :attr:`ExportFile.unread`, not parsed (so a file of tiny answers cannot fill the reader's memory).
    """
    lines = _lines(text)
    first = next(((n, line) for n, line, _ in lines if line.strip()), None)
    if first is None:
        raise FileProblem("it is empty")
    try:
        header = ExportHeader.model_validate(json_loads(first[1]))
    except FileProblem as exc:
        raise FileProblem(f"its first line is not a hand-in header ({exc})") from None
    except ValidationError as exc:
        raise FileProblem(f"its first line is not a usable hand-in header ({_first_problem(exc)})") from None
    out = ExportFile(Identity.from_dict(header.student), header.session, received=header.received)
    for n, line, unended in lines:
        if not line.strip():
            continue
        if limit is not None and len(out.attempts) >= limit:
            out.unread += 1
            continue
        try:
            data = json_loads(line)
            if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
                continue            # a header repeated by a merge of two copies: nothing to read
            out.attempts.append(Attempt.model_validate(data))
        except FileProblem as exc:
            out.bad_lines.append(f"line {n} " + ("was cut short (the copy stopped mid-line)" if unended
                                                 else f"is damaged: {exc}"))
        except ValidationError as exc:
            out.bad_lines.append(f"line {n} is not an answer ({_first_problem(exc)})")
    return out
