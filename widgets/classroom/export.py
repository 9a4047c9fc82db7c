"""Export quiz results for the instructor (CSV and JSON) and read them back.

The formats are a contract: the class-results notebook reads them with
:func:`read_export`.

JSON::

    {"format": "vkp-quiz-export", "version": 1, "student": str, "exported_at": ISO-8601 UTC,
     "answers": [AnswerRecord...], "summary": {"answered": int, "correct": int, "score_percent": float}}

CSV: the header :data:`CSV_HEADER`, one row per answer, booleans as
``true``/``false``, ``deciding_rules`` joined with ``;``.  Every CSV cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe, so a spreadsheet shows it as text instead of running it as
a formula; :func:`read_export` removes that apostrophe again.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Literal, Optional

from pydantic import Field, StrictFloat, StrictInt, ValidationError, field_validator

from widgets.core.loading import ContentError, ContentModel
from widgets.classroom.progress import atomic_write_text
from widgets.candidacy.quiz import AnswerRecord, _is_iso

EXPORT_FORMAT = "vkp-quiz-export"
EXPORT_VERSION = 1
CSV_HEADER = ["student", "case_id", "source", "answered_at", "vertebroplasty_answer",
              "vertebroplasty_correct", "kyphoplasty_answer", "kyphoplasty_correct", "reason_rule",
              "reason_correct", "deciding_rules", "correct"]
_BOOL_FIELDS = {"vertebroplasty_answer", "vertebroplasty_correct", "kyphoplasty_answer",
                "kyphoplasty_correct", "reason_correct", "correct"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_STUDENT = 80


class ExportError(ValueError):
    """The export could not be made (bad name or id, nothing to export, a folder not writable)."""


def validate_student(text: str | None) -> str:
    """A student's name or id, trimmed; raises :class:`ExportError` saying what to fix."""
    if text is None or not str(text).strip():
        raise ExportError("please type your name or student id before exporting")
    name = " ".join(str(text).split())
    if len(name) > MAX_STUDENT:
        raise ExportError(f"the name or id is {len(name)} characters long; keep it to {MAX_STUDENT}")
    bad = [c for c in name if unicodedata.category(c)[0] == "C"]
    if bad:
        raise ExportError("the name or id contains control characters; use letters, digits, spaces and punctuation")
    return name


def neutralise(cell: str) -> str:
    """Make a CSV cell safe from spreadsheet formula injection (leading apostrophe)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _restore(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def _now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def summary(records: Iterable[AnswerRecord]) -> dict:
    records = list(records)
    correct = sum(r.correct for r in records)
    return {"answered": len(records), "correct": correct,
            "score_percent": round(100.0 * correct / len(records), 1) if records else 0.0}


def export_dict(records: Iterable[AnswerRecord], student: str, *, exported_at: str | None = None) -> dict:
    records = list(records)
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "student": validate_student(student),
            "exported_at": exported_at or _now_iso(),
            "answers": [r.to_dict() for r in records], "summary": summary(records)}


def to_json_text(records: Iterable[AnswerRecord], student: str, *, exported_at: str | None = None) -> str:
    return json.dumps(export_dict(records, student, exported_at=exported_at), indent=1, ensure_ascii=False) + "\n"


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def to_csv_text(records: Iterable[AnswerRecord], student: str) -> str:
    student = validate_student(student)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in records:
        row = {"student": student, **r.to_dict()}
        writer.writerow([neutralise(_cell(row[name])) for name in CSV_HEADER])
    return buf.getvalue()


def _slug(student: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", unicodedata.normalize("NFKD", student).encode("ascii", "ignore")
                  .decode("ascii")).strip("-").lower()
    return slug[:40] or "student"


def export_results(records: Iterable[AnswerRecord], student: str, folder: Path | str,
                   fmt: Literal["csv", "json"], *, now: datetime | None = None) -> Path:
    """Write the export file into ``folder`` and return its path."""
    records = list(records)
    student = validate_student(student)
    if not records:
        raise ExportError("there are no answers to export yet; answer at least one case first")
    if fmt not in ("csv", "json"):
        raise ExportError(f"unknown export format '{fmt}'; use csv or json")
    moment = now or datetime.now(timezone.utc)
    stamp = moment.strftime("%Y%m%d-%H%M%S")
    path = Path(folder) / f"vkp-quiz-{_slug(student)}-{stamp}.{fmt}"
    text = (to_csv_text(records, student) if fmt == "csv" else
            to_json_text(records, student,
                         exported_at=moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")))
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ExportError(f"the export could not be written to {path} ({exc.strerror or exc}); "
                          "check that the folder is writable") from None
    return path


# --------------------------------------------------------------------------- reading back

class ExportSummary(ContentModel):
    answered: StrictInt = Field(ge=0)
    correct: StrictInt = Field(ge=0)
    score_percent: StrictFloat | StrictInt


class ExportData(ContentModel):
    format: Literal["vkp-quiz-export"]
    version: Literal[1]
    student: str
    exported_at: Optional[str] = None
    answers: list[AnswerRecord]
    summary: ExportSummary

    @field_validator("student")
    @classmethod
    def _student(cls, value: str) -> str:
        return validate_student(value)

    @field_validator("exported_at")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and not _is_iso(value):
            raise ValueError("exported_at must be an ISO-8601 time")
        return value


def read_export(path: Path | str) -> ExportData:
    """Read a CSV or JSON export; a foreign or corrupt file raises ``ContentError`` naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ContentError(path, "the file does not exist", fix="check the path") from None
    except UnicodeDecodeError:
        raise ContentError(path, "the file is not UTF-8 text, so it is not a quiz export") from None
    except OSError as exc:
        raise ContentError(path, f"the file cannot be read ({exc.strerror})") from None
    if text.lstrip().startswith("{"):
        return _read_json(path, text)
    return _read_csv(path, text)


def _model_error(path: Path, exc: ValidationError, where: str) -> ContentError:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    return ContentError(path, f"{where}: {msg}", field=field or None,
                        fix="export the results again from the quiz")


def _read_json(path: Path, text: str) -> ExportData:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentError(path, f"this is not valid JSON ({exc.msg})", line=exc.lineno,
                           fix="export the results again from the quiz") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ContentError(path, f"this JSON file is not a quiz export (no \"format\": \"{EXPORT_FORMAT}\")",
                           fix="use a file exported by the candidacy quiz")
    try:
        out = ExportData.model_validate(data)
    except ValidationError as exc:
        raise _model_error(path, exc, "the export is damaged") from None
    want = summary(out.answers)
    if (out.summary.answered, out.summary.correct) != (want["answered"], want["correct"]) \
            or abs(float(out.summary.score_percent) - want["score_percent"]) > 0.05:
        raise ContentError(path, "the summary does not match the answers", field="summary",
                           fix="export the results again from the quiz")
    return out


def _read_csv(path: Path, text: str) -> ExportData:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or [c.strip() for c in rows[0]] != CSV_HEADER:
        raise ContentError(path, "this is not a quiz export: the first line must be the header "
                           + ",".join(CSV_HEADER), line=1, fix="use a file exported by the candidacy quiz")
    answers, students = [], set()
    for n, row in enumerate(rows[1:], start=2):
        if not row or all(not c for c in row):
            continue
        if len(row) != len(CSV_HEADER):
            raise ContentError(path, f"this row has {len(row)} cells, not {len(CSV_HEADER)}", line=n,
                               fix="export the results again from the quiz")
        cells = {name: _restore(value) for name, value in zip(CSV_HEADER, row)}
        item: dict = {}
        for name, value in cells.items():
            if name == "student":
                continue
            if name in _BOOL_FIELDS:
                if value not in ("true", "false"):
                    raise ContentError(path, f"'{value}' is not true or false", line=n, field=name,
                                       fix="export the results again from the quiz")
                item[name] = value == "true"
            elif name == "deciding_rules":
                item[name] = [v for v in value.split(";") if v]
            else:
                item[name] = value
        try:
            answers.append(AnswerRecord.model_validate(item))
        except ValidationError as exc:
            raise _model_error(path, exc, f"row {n} is damaged") from None
        students.add(cells["student"])
    if len(students) > 1:
        raise ContentError(path, f"the file mixes {len(students)} students; one export holds one student",
                           field="student", fix="export each student's results separately")
    if not students:
        raise ContentError(path, "the export has a header but no answers", line=2,
                           fix="export again after answering at least one case")
    try:
        return ExportData(format=EXPORT_FORMAT, version=EXPORT_VERSION, student=students.pop(),
                          exported_at=None, answers=answers, summary=ExportSummary(**summary(answers)))
    except ValidationError as exc:
        raise _model_error(path, exc, "the export is damaged") from None
