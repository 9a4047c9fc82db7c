"""Reading a class's exports: scores, per-case and per-rule difficulty, an anonymised summary.

The instructor puts every student's export (quiz JSON or CSV from
``widgets.classroom.export``, ordering-test JSON from ``widgets.procedures.steps``) into one
folder.  :func:`read_class_folder` reads them all; a file it cannot read (corrupt,
foreign, empty) is reported by name with the reason, and the rest are still read.
When one student exported more than once, the newest quiz export counts and the
older ones are listed as superseded.  Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from widgets.candidacy.rules import load_case_bank, load_rules
from widgets.core.loading import ContentError, ContentModel
from widgets.classroom.export import ExportData, read_export

ORDERING_FORMAT = "vkp-ordering-export"


class OrderingAttempt(ContentModel):
    procedure: Literal["vertebroplasty", "kyphoplasty"]
    attempt: int = Field(ge=1)
    correct: bool
    misplaced: list[str]
    answered_at: str


class OrderingExport(ContentModel):
    format: Literal["vkp-ordering-export"]
    version: Literal[1]
    student: str = Field(min_length=1)
    exported_at: str
    attempts: list[OrderingAttempt]


@dataclass(frozen=True)
class Unreadable:
    file: str
    problem: str


@dataclass
class ClassResults:
    folder: Path
    quiz: dict[str, ExportData] = field(default_factory=dict)       # student -> newest export
    quiz_files: dict[str, str] = field(default_factory=dict)        # student -> file name
    ordering: dict[str, list[OrderingExport]] = field(default_factory=dict)
    unreadable: list[Unreadable] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return sorted(set(self.quiz) | set(self.ordering))

    def pseudonyms(self) -> dict[str, str]:
        """Student -> S01, S02, ...: stable for the same class, in an order that does not follow the names."""
        order = sorted(self.students, key=lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest())
        return {s: f"S{i:02d}" for i, s in enumerate(order, start=1)}


def _read_ordering(path: Path) -> OrderingExport | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("format") != ORDERING_FORMAT:
        return None
    try:
        return OrderingExport.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ContentError(path, f"the ordering export is damaged: {err['msg']}", field=where,
                           fix="export the ordering results again") from None


def read_class_folder(folder: Path | str) -> ClassResults:
    """Read every export in ``folder``; never stops at a bad file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ContentError(folder, "this folder does not exist",
                           fix="put the students' export files in one folder and give its path")
    results = ClassResults(folder)
    stamps: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix.lower() not in {".json", ".csv"}:
            results.unreadable.append(Unreadable(path.name, "not an export (expected a .json or .csv file)"))
            continue
        try:
            ordering = _read_ordering(path) if path.suffix.lower() == ".json" else None
            if ordering is not None:
                results.ordering.setdefault(ordering.student, []).append(ordering)
                continue
            export = read_export(path)
        except ContentError as exc:
            results.unreadable.append(Unreadable(path.name, exc.problem))
            continue
        stamp = export.exported_at or (max(a.answered_at for a in export.answers) if export.answers else "")
        previous = results.quiz_files.get(export.student)
        if previous is None or stamp >= stamps[export.student]:
            if previous is not None:
                results.superseded.append(previous)
            results.quiz[export.student] = export
            results.quiz_files[export.student] = path.name
            stamps[export.student] = stamp
        else:
            results.superseded.append(path.name)
    return results


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    answers: int
    missed: int

    @property
    def miss_percent(self) -> float:
        return 100.0 * self.missed / self.answers if self.answers else 0.0


def _latest_answers(export: ExportData):
    """One answer per case: the student's last attempt at it."""
    latest = {}
    for a in sorted(export.answers, key=lambda a: a.answered_at):
        latest[a.case_id] = a
    return list(latest.values())


def score_table(results: ClassResults) -> list[dict]:
    """Per student (pseudonymised): cases answered, correct, score %."""
    names = results.pseudonyms()
    rows = []
    for student, export in sorted(results.quiz.items(), key=lambda kv: names[kv[0]]):
        answers = _latest_answers(export)
        correct = sum(a.correct for a in answers)
        orderings = results.ordering.get(student, [])
        attempts = [t for o in orderings for t in o.attempts]
        rows.append({
            "student": names[student], "cases": len(answers), "correct": correct,
            "score_percent": round(100.0 * correct / len(answers), 1) if answers else 0.0,
            "ordering_attempts": len(attempts),
            "ordering_correct": sum(t.correct for t in attempts),
        })
    return rows


def case_difficulty(results: ClassResults) -> list[Row]:
    """Per case: how many students answered it and how many missed it, most missed first."""
    answers, missed = Counter(), Counter()
    for export in results.quiz.values():
        for a in _latest_answers(export):
            answers[a.case_id] += 1
            missed[a.case_id] += not a.correct
    titles = {}
    try:
        titles = {c.id: c.title for c in load_case_bank()}
    except ContentError:
        pass
    rows = [Row(k, titles.get(k, "generated case" if k.startswith("gen-") else k), answers[k], missed[k])
            for k in answers]
    return sorted(rows, key=lambda r: (-r.miss_percent, -r.missed, r.key))


def rule_difficulty(results: ClassResults) -> list[Row]:
    """Per candidacy rule: answers to cases that the rule decided, and how many of those were missed."""
    answers, missed = Counter(), Counter()
    for export in results.quiz.values():
        for a in _latest_answers(export):
            for rule in set(a.deciding_rules):
                answers[rule] += 1
                missed[rule] += not a.correct
    rules = load_rules()
    titles = {r.id: r.title for r in rules}
    rows = [Row(k, titles.get(k, k), answers[k], missed[k]) for k in answers]
    return sorted(rows, key=lambda r: (-r.miss_percent, -r.missed, r.key))


def ordering_difficulty(results: ClassResults) -> list[Row]:
    """Per procedure step: in how many ordering attempts it was out of place."""
    placed, misplaced = defaultdict(int), Counter()
    for exports in results.ordering.values():
        for export in exports:
            for attempt in export.attempts:
                placed[attempt.procedure] += 1
                misplaced.update(attempt.misplaced)
    rows = []
    for step, n in misplaced.items():
        procedure = "kyphoplasty" if step.startswith("kp_") else "vertebroplasty"
        rows.append(Row(step, procedure, placed[procedure], n))
    return sorted(rows, key=lambda r: (-r.missed, r.key))


def score_distribution(results: ClassResults, bin_width: int = 10) -> list[tuple[str, int]]:
    """Counts of students per score band (0-9 %, 10-19 %, ..., 90-100 %)."""
    bins = Counter()
    for row in score_table(results):
        band = min(int(row["score_percent"] // bin_width), 100 // bin_width - 1)
        bins[band] += 1
    return [(f"{b * bin_width}-{b * bin_width + bin_width - (0 if b == 100 // bin_width - 1 else 1)} %",
             bins[b]) for b in range(100 // bin_width)]


def markdown_table(rows: list[dict] | list[Row], columns: list[tuple[str, str]]) -> str:
    """A Markdown table of ``rows`` with (attribute or key, heading) columns."""
    def get(row, name):
        value = row[name] if isinstance(row, dict) else getattr(row, name)
        return f"{value:.1f}" if isinstance(value, float) else str(value)
    head = "| " + " | ".join(h for _, h in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(get(r, n).replace("|", "\\|") for n, _ in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body]) if rows else "_Nothing to show: no readable quiz exports._"


def report_problems(results: ClassResults) -> str:
    """Plain text naming every file that could not be read, and superseded exports."""
    lines = [f"Read {len(results.quiz)} quiz export(s) and {sum(map(len, results.ordering.values()))} "
             f"ordering export(s) from {results.folder.name}/."]
    for bad in results.unreadable:
        lines.append(f"  Skipped {bad.file}: {bad.problem}")
    for old in results.superseded:
        lines.append(f"  Older export not counted (the same student exported again later): {old}")
    return "\n".join(lines)


def summary_csv(results: ClassResults) -> str:
    """The anonymised per-student summary as CSV text (no names)."""
    rows = score_table(results)
    buf = io.StringIO()
    columns = ["student", "cases", "correct", "score_percent", "ordering_attempts", "ordering_correct"]
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
