"""The class's most-missed rules, as a file an instructor shares and a student loads in the quiz.

The instructor saves it from the class-results notebook (**Save the class's rule summary for
students**); it holds only counts per rule and standard, never a student, a pseudonym or a file
name.  It counts one vote per student per case of the bank (their first answer), as the debrief's rule
table does (:func:`widgets.classroom.results.class_votes`), so no student can move it by answering often
(a thousand generated practice cases count nothing here); the student's own column beside it counts
their own first answers to bank cases the same way (:func:`own_rule_misses`)::

    # vkp-class-rules-summary, version 1: the class's first tries per rule, one per student per bank case; no
    #   student appears in it    (one line in the file)
    # students: 12
    standard,rule,cases_answered,first_missed,first_missed_percent
    leaflet,kp_cause_excluded,41,17,41.5
    current_practice,outside_evidence,12,9,75.0

:func:`read_rules_summary` reads it back for the quiz, with care: a file of any size is read no
further than :data:`~widgets.record.attempts.MAX_FILE_BYTES`; a file that is not this summary
(the gradebook with names, a hand-in, anything else) is refused with a message saying what it is and
which file to ask for; a damaged line is named by its number and the others are read; a rule the
quiz does not know is left out and counted.  What the quiz shows comes from the course's own rule
titles and the numbers parsed here, so nothing written in the file (a name, markup, a formula) can
reach the page.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from widgets.record.attempts import Attempt, FileProblem, decode_text, read_limited
from widgets.candidacy.exercise import deciding, has_practice, leaflet_right, source
from widgets.candidacy.practice import reason_title
from widgets.candidacy.rules import LEAFLET, PRACTICE, REASON_IDS, STANDARDS

MAGIC = "# vkp-class-rules-summary"
VERSION = 1
COLUMNS = ["standard", "rule", "cases_answered", "first_missed", "first_missed_percent"]
DEFAULT_NAME = "class-rules-summary.csv"


def write_rules_summary(rows: list[dict], *, students: int) -> str:
    """The shared file's text (rows: dicts with the keys of :data:`COLUMNS`)."""
    buf = io.StringIO()
    buf.write(f"{MAGIC}, version {VERSION}: the class's first tries per rule, one per student per bank case; "
              "no student appears in it\n")
    buf.write(f"# students: {int(students)}\n")
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


@dataclass(frozen=True)
class RuleLine:
    standard: str
    rule: str
    cases_answered: int
    first_missed: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.first_missed / self.cases_answered, 1) if self.cases_answered else 0.0


@dataclass
class RulesSummary:
    path: Path
    students: int | None
    lines: list[RuleLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)     # damaged lines, unknown rules (shown folded)

    def for_standard(self, standard: str) -> list[RuleLine]:
        """The rules of one standard, most missed at the first try first."""
        rows = [r for r in self.lines if r.standard == standard]
        return sorted(rows, key=lambda r: (-r.percent, -r.first_missed, r.rule))


def _whole(value: str, what: str) -> int:
    text = value.strip()
    if not text.isdigit() or len(text) > 9:
        raise ValueError(f"{what} is not a whole number")
    return int(text)


def read_rules_summary(path: Path | str, known_rules=None) -> RulesSummary:
    """Read a shared class rules summary (FileProblem says why a file cannot be used)."""
    known = set(known_rules or REASON_IDS)
    path = Path(str(path).strip() or DEFAULT_NAME).expanduser()
    text = decode_text(read_limited(path))
    if not text.strip():
        raise FileProblem("it is empty")
    lines = text.splitlines()
    if not lines[0].startswith(MAGIC):
        head = lines[0][:200].lower()
        if "name" in head and ("student" in head or "grade" in head or "pseudonym" in head):
            raise FileProblem("it is a gradebook or a list of students, not the class's rule summary; it may hold "
                              "names, so it is not read. Ask your instructor for " + DEFAULT_NAME)
        if head.lstrip().startswith("{"):
            raise FileProblem("it is a hand-in or progress file, not the class's rule summary; ask your instructor "
                              "for " + DEFAULT_NAME)
        raise FileProblem("it is not the class's rule summary (its first line is not the summary's heading); ask "
                          "your instructor for " + DEFAULT_NAME)
    summary = RulesSummary(path, None)
    body_start = 1
    for n, line in enumerate(lines[1:], start=2):
        if not line.startswith("#"):
            body_start = n - 1
            break
        if line.lower().startswith("# students:"):
            try:
                summary.students = _whole(line.split(":", 1)[1], "the number of students")
            except ValueError:
                summary.problems.append(f"line {n}: the number of students is not a whole number")
    else:
        body_start = len(lines)
    reader = csv.reader(lines[body_start:])
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != COLUMNS:
        raise FileProblem("its columns are not the summary's (" + ", ".join(COLUMNS) + "); ask your instructor "
                          "to save it again from the class-results notebook")
    unknown = 0
    for n, row in enumerate(reader, start=body_start + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            summary.problems.append(f"line {n} has {len(row)} values instead of {len(COLUMNS)}; it was left out")
            continue
        standard, rule = row[0].strip(), row[1].strip()
        if standard not in STANDARDS:
            summary.problems.append(f"line {n} names no standard this quiz knows; it was left out")
            continue
        if rule not in known:
            unknown += 1
            continue
        try:
            answered = _whole(row[2], "cases_answered")
            missed = _whole(row[3], "first_missed")
        except ValueError as exc:
            summary.problems.append(f"line {n}: {exc}; it was left out")
            continue
        if missed > answered:
            summary.problems.append(f"line {n}: more misses than cases answered; it was left out")
            continue
        summary.lines.append(RuleLine(standard, rule, answered, missed))
    if unknown:
        summary.problems.append(f"{unknown} line{'s' if unknown != 1 else ''} named rules this version of the quiz "
                                "does not know; left out")
    if not summary.lines:
        raise FileProblem("it holds no rule this quiz knows" + (f" ({'; '.join(summary.problems)})"
                                                                if summary.problems else ""))
    return summary


def own_rule_misses(attempts: Iterable[Attempt], standard: str) -> dict[str, tuple[int, int]]:
    """A student's own first tries per rule: rule -> (missed, cases), over the quiz's attempts, counted as the
    class's summary counts them: the first answer to each case of the bank (generated practice is left out)."""
    firsts: dict[str, Attempt] = {}
    for a in attempts:
        if source(a) == "bank":
            firsts.setdefault(a.item, a)
    out: dict[str, list[int]] = {}
    for a in firsts.values():
        if standard == LEAFLET:
            rules, right = deciding(a, LEAFLET), leaflet_right(a)
        elif has_practice(a):
            rules, right = deciding(a, PRACTICE), a.grades[PRACTICE].correct
        else:
            continue
        for rule in rules:
            cell = out.setdefault(rule, [0, 0])
            cell[0] += not right
            cell[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def compare_rows(summary: RulesSummary, attempts: Iterable[Attempt], standard: str,
                 top: int = 6) -> list[tuple[str, str, str]]:
    """The class's most-missed rules under ``standard`` beside the student's own first tries, as
    (rule in plain words, the class, the student) rows (for the table Compare with my class shows)."""
    from_class = summary.for_standard(standard)[:top]
    mine = own_rule_misses(attempts, standard)
    rows = []
    for line in from_class:
        m = mine.get(line.rule)
        rows.append((reason_title(line.rule), f"{line.first_missed} of {line.cases_answered} ({line.percent:g} %)",
                     f"{m[0]} of {m[1]} missed" if m else "not met yet"))
    return rows
