"""Reading the version-1 exports students handed in before the hand-in file, and CSV cells made safe.

Before every exercise wrote one hand-in file (:mod:`widgets.record.attempts`), the quiz exported
JSON (``"format": "vkp-quiz-export"``) or CSV, and the ordering test exported JSON
(``"format": "vkp-ordering-export"``).  Students still hand such files in, so the class results read
them, tolerantly:

* CSV as a spreadsheet saves it again: ``TRUE``/``FALSE`` (or ``1``/``0``, ``yes``/``no``), a
  byte-order mark, Windows line ends, ``;`` or tab between cells, columns in another order, extra
  columns, several students in one sheet, the apostrophe a spreadsheet keeps before a formula-like
  cell.  Missing columns are named.
* Only what the student answered is taken: the ``*_correct`` flags are kept only to report an
  edited file; the class results grade every answer again (:mod:`widgets.classroom.grading`).
* A version-1 answer has no id: one is derived from the student and the answer, so the same answer
  in a JSON and a CSV export, or in two copies of a file, counts once.

:func:`neutralise` protects a cell of a CSV the module writes (the instructor's gradebook, the needle
placement's own export): a cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so
a spreadsheet shows it as text instead of running it as a formula.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime, timezone

from widgets.candidacy.exercise import QUIZ
from widgets.procedures.exercise import STEP_ORDER
from widgets.record.identity import Identity, match_key, safe_slug, validate_name
from widgets.record.attempts import Attempt, FileProblem, is_iso

QUIZ_FORMAT = "vkp-quiz-export"
ORDERING_FORMAT = "vkp-ordering-export"
CSV_REQUIRED = ["student", "case_id", "vertebroplasty_answer", "kyphoplasty_answer", "reason_rule"]
CSV_HEADER = ["student", "case_id", "source", "answered_at", "vertebroplasty_answer",
              "vertebroplasty_correct", "kyphoplasty_answer", "kyphoplasty_correct", "reason_rule",
              "reason_correct", "deciding_rules", "correct"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TRUE = {"true", "1", "yes", "y", "t", "wahr", "vrai", "verdadero", "ja", "sí", "si"}
FALSE = {"false", "0", "no", "n", "f", "falsch", "faux", "falso", "nein"}


class ExportError(ValueError):
    """An export that cannot be made (no name, nothing to export, a folder not writable)."""


def validate_student(text: str | None) -> str:
    """A student's name or id for an export file, checked as every name is
    (:func:`widgets.record.identity.validate_name`); raises :class:`ExportError` saying what to fix.

    Kept for exercises that still write their own export files (the needle placement of issue 14);
    new exercises hand in through :mod:`widgets.record.handin` instead.
    """
    try:
        return validate_name(text, "name or student id")
    except ValueError as exc:
        raise ExportError(str(exc)) from None


def _slug(student: str) -> str:
    """A file-name part for a student's name (any script kept; see :func:`~widgets.record.identity.safe_slug`)."""
    return safe_slug(student)


def neutralise(cell: str) -> str:
    """Make a CSV cell safe from spreadsheet formula injection (leading apostrophe)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _restore(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def _legacy_id(student: str, parts: list) -> str:
    text = match_key(student) + "\n" + json.dumps(parts, default=str)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


def _when(text: str, row: int) -> str:
    """An answer time as ISO-8601: as written, or as a spreadsheet reformatted it, else by row order."""
    text = (text or "").strip()
    if text and is_iso(text):
        return text
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
        except ValueError:
            continue
    return datetime(1970, 1, 1, tzinfo=timezone.utc).replace(second=row % 60, minute=row // 60 % 60,
                                                              hour=row // 3600 % 24).isoformat().replace("+00:00", "Z")


def _quiz_attempt(student: str, item: dict, row: int) -> Attempt:
    """A v1 quiz answer (a dict of the v1 fields) as an attempt; the flags become its claimed grade."""
    def flag(name):
        value = item.get(name)
        return value if isinstance(value, bool) else None
    answer = {"vertebroplasty": flag("vertebroplasty_answer"), "kyphoplasty": flag("kyphoplasty_answer"),
              "reason": item.get("reason_rule") if isinstance(item.get("reason_rule"), str) else None}
    case_id = item.get("case_id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise FileProblem(f"answer {row} has no case id")
    when = _when(item.get("answered_at") if isinstance(item.get("answered_at"), str) else "", row)
    parts = {k: flag(f"{k}_correct") for k in ("vertebroplasty", "kyphoplasty", "reason")}
    claimed = flag("correct")
    grade = {"correct": bool(claimed), "parts": {k: v for k, v in parts.items() if v is not None}}
    return Attempt(id=_legacy_id(student, [case_id, when, answer]), exercise=QUIZ,
                   item=case_id[:120], answered_at=when, answer=answer, grades={"leaflet": grade},
                   context={"source": "generated" if case_id.startswith("gen-") else "bank", "legacy": True})


def read_legacy_json(data: dict) -> list[tuple[Identity, list[Attempt]]]:
    """A version-1 quiz or ordering export (already parsed JSON) as (identity, attempts)."""
    student = data.get("student")
    if not isinstance(student, str) or not student.strip():
        raise FileProblem("the export names no student")
    identity = Identity.from_dict({"name": student})
    if not identity.name:
        raise FileProblem("the student's name in the export cannot be used (control characters)")
    if data.get("format") == QUIZ_FORMAT:
        answers = data.get("answers")
        if not isinstance(answers, list):
            raise FileProblem("its 'answers' are not a list")
        return [(identity, [_quiz_attempt(identity.name, a if isinstance(a, dict) else {}, i)
                            for i, a in enumerate(answers, start=1)])]
    attempts = data.get("attempts")
    if not isinstance(attempts, list):
        raise FileProblem("its 'attempts' are not a list")
    out = []
    for i, a in enumerate(attempts, start=1):
        if not isinstance(a, dict) or not isinstance(a.get("misplaced"), list) \
                or not all(isinstance(m, str) for m in a["misplaced"]) or not isinstance(a.get("procedure"), str):
            raise FileProblem(f"ordering attempt {i} is damaged (it needs a procedure and a list of misplaced steps)")
        when = _when(a.get("answered_at") if isinstance(a.get("answered_at"), str) else "", i)
        misplaced = [m[:80] for m in a["misplaced"][:40]]
        out.append(Attempt(id=_legacy_id(identity.name, [a["procedure"], when, misplaced, a.get("attempt")]),
                           exercise=STEP_ORDER, item=a["procedure"][:120], answered_at=when,
                           answer={"misplaced": misplaced},
                           grades={"leaflet": {"correct": a.get("correct") is True}},
                           context={"legacy": True}))
    return [(identity, out)]


def read_legacy_csv(text: str) -> list[tuple[Identity, list[Attempt]]]:
    """A version-1 quiz CSV, as written or as a spreadsheet saved it again (one or more students)."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    if not rows:
        raise FileProblem("it is empty")
    header = [_restore(c).strip().lstrip("\ufeff").lower() for c in rows[0]]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        if len(missing) == len(CSV_REQUIRED):
            raise FileProblem("it is not a quiz export (its first line has none of the export's columns, such as "
                              "student, case_id, reason_rule)")
        raise FileProblem(f"its header lacks the column(s) {', '.join(missing)}")
    col = {name: header.index(name) for name in CSV_HEADER if name in header}
    by_student: dict[str, tuple[Identity, list[Attempt]]] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        cells = {name: _restore(row[i]).strip() if i < len(row) else "" for name, i in col.items()}
        item: dict = {}
        for name, value in cells.items():
            if name.endswith(("_answer", "_correct")) or name == "correct":
                low = value.lower()
                if low in TRUE or low in FALSE:
                    item[name] = low in TRUE
                elif name.endswith("_answer"):
                    raise FileProblem(f"line {n}: '{value[:20]}' in {name} is not true or false")
            else:
                item[name] = value
        identity = Identity.from_dict({"name": item.get("student", "")})
        if not identity.name:
            raise FileProblem(f"line {n} names no usable student")
        key = identity.key
        by_student.setdefault(key, (identity, []))[1].append(_quiz_attempt(identity.name, item, n))
    if not by_student:
        raise FileProblem("it has a header but no answers")
    return list(by_student.values())
