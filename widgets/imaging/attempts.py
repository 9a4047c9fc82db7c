"""Needle-placement attempts over time, and their export for the instructor.

An attempt is a plain record: the exercise id, the attempt number, the three grades (stayed
within the pedicle, medial wall not crossed before the posterior wall, tip in the target zone),
what went wrong (problem codes and plain sentences, no citation keys), the needle's settings and
a UTC timestamp.  :class:`AttemptHistory` numbers them and summarises progress.

Exports use the module's export helpers (:mod:`widgets.classroom.export`): the same name check,
the same protection of CSV cells against spreadsheet formulas, the same atomic write.  JSON::

    {"format": "vkp-needle-export", "version": 1, "student": str, "exported_at": ISO-8601 UTC,
     "attempts": [AttemptRecord...], "summary": {"attempts": int, "passed": int, "first_pass": int | null,
                                                  "best_score": int}}

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Literal

from widgets.classroom.export import ExportError, _slug, neutralise, validate_student
from widgets.classroom.progress import atomic_write_text
from widgets.core.citations import CITE_RE
from widgets.imaging.grading import Grade

EXERCISE_ID = "needle-placement"
EXPORT_FORMAT = "vkp-needle-export"
EXPORT_VERSION = 1
CSV_HEADER = ["student", "exercise", "attempt", "level", "pedicle", "medial_wall_rule", "target", "passed",
              "problems", "what_went_wrong", "entry_lateral_mm", "entry_up_mm", "medial_deg", "caudal_deg",
              "depth_mm", "attempted_at"]


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def plain(text: str) -> str:
    """A feedback sentence without its citation keys (for an export read outside the notebook)."""
    return " ".join(CITE_RE.sub("", text).replace(" .", ".").split())


@dataclass(frozen=True)
class AttemptRecord:
    exercise: str
    attempt: int
    level: str
    pedicle: bool
    medial_wall_rule: bool
    target: bool
    problems: tuple[str, ...]
    what_went_wrong: tuple[str, ...]
    entry_lateral_mm: float
    entry_up_mm: float
    medial_deg: float
    caudal_deg: float
    depth_mm: float
    attempted_at: str

    @property
    def passed(self) -> bool:
        return self.pedicle and self.medial_wall_rule and self.target

    @property
    def score(self) -> int:
        return int(self.pedicle) + int(self.medial_wall_rule) + int(self.target)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["problems"] = list(self.problems)
        out["what_went_wrong"] = list(self.what_went_wrong)
        out["passed"] = self.passed
        return out


@dataclass
class AttemptHistory:
    """One student's attempts at one exercise, in order."""

    exercise: str = EXERCISE_ID
    attempts: list[AttemptRecord] = field(default_factory=list)
    clock: Callable[[], str] = utc_now

    def record(self, grade: Grade, entry_lateral_mm: float, entry_up_mm: float) -> AttemptRecord:
        n = grade.needle
        rec = AttemptRecord(self.exercise, len(self.attempts) + 1, grade.level, grade.pedicle_ok, grade.medial_rule_ok,
                            grade.target_ok, tuple(p.code for p in grade.problems),
                            tuple(plain(p.text) for p in grade.problems), round(float(entry_lateral_mm), 2),
                            round(float(entry_up_mm), 2), round(n.medial_deg, 2), round(n.caudal_deg, 2),
                            round(n.depth, 2), self.clock())
        self.attempts.append(rec)
        return rec

    def summary(self) -> dict:
        passed = [a.attempt for a in self.attempts if a.passed]
        return {"attempts": len(self.attempts), "passed": len(passed), "first_pass": passed[0] if passed else None,
                "best_score": max((a.score for a in self.attempts), default=0)}

    def progress(self) -> str:
        """One plain line about progress over the attempts."""
        s = self.summary()
        if not s["attempts"]:
            return "No attempts yet."
        first = f"first passed on attempt {s['first_pass']}" if s["first_pass"] else "not passed yet"
        return (f"{s['attempts']} attempt{'s' if s['attempts'] != 1 else ''}, {s['passed']} passed, {first}; "
                f"best {s['best_score']} of 3 checks.")


def export_dict(history: AttemptHistory, student: str, *, exported_at: str | None = None) -> dict:
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "student": validate_student(student),
            "exported_at": exported_at or utc_now(), "exercise": history.exercise,
            "attempts": [a.to_dict() for a in history.attempts], "summary": history.summary()}


def to_json_text(history: AttemptHistory, student: str, *, exported_at: str | None = None) -> str:
    return json.dumps(export_dict(history, student, exported_at=exported_at), indent=1, ensure_ascii=False) + "\n"


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def to_csv_text(history: AttemptHistory, student: str) -> str:
    student = validate_student(student)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for a in history.attempts:
        row = {"student": student, **a.to_dict()}
        writer.writerow([neutralise(_cell(row[name])) for name in CSV_HEADER])
    return buf.getvalue()


def export_filename(student: str, fmt: str, moment: datetime) -> str:
    return f"vkp-needle-{_slug(student)}-{moment.strftime('%Y%m%d-%H%M%S')}.{fmt}"


def export_attempts(history: AttemptHistory, student: str, folder: Path | str, fmt: Literal["csv", "json"], *,
                    now: datetime | None = None) -> Path:
    """Write the attempts as CSV or JSON into ``folder``; raises :class:`ExportError` saying what to fix."""
    student = validate_student(student)
    if not history.attempts:
        raise ExportError("there are no attempts to export yet; grade at least one needle placement first")
    if fmt not in ("csv", "json"):
        raise ExportError(f"unknown export format '{fmt}'; use csv or json")
    moment = now or datetime.now(timezone.utc)
    path = Path(folder) / export_filename(student, fmt, moment)
    stamp = moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    text = to_csv_text(history, student) if fmt == "csv" else to_json_text(history, student, exported_at=stamp)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ExportError(f"the export could not be written to {path} ({exc.strerror or exc}); "
                          "check that the folder is writable") from None
    return path


def read_json_export(text: str) -> dict:
    """Parse a JSON export back (for tests and the instructor); raises ValueError if it is not one."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ValueError(f"not a needle-placement export (no \"format\": \"{EXPORT_FORMAT}\")")
    if not re.match(r"^\d{4}-\d{2}-\d{2}T", str(data.get("exported_at", ""))):
        raise ValueError("exported_at is not an ISO-8601 time")
    return data
