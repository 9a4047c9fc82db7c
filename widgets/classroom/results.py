"""A class's results summed up for the debrief, from the hand-ins :mod:`widgets.classroom.reading` read.

The summaries show first-try and final results side by side, using the one score definition of
:func:`widgets.record.attempts.score` that the quiz widget shows: per student, per rule, per case
(a case is ranked only with at least :data:`MIN_ANSWERS` students' answers), which wrong reason
students chose (the misconception), the step order, and the multiple-choice exercises.  The class-wide
quiz statistics count one vote per student per case of the bank (:func:`class_votes`), so no single
student can move them.

The reader's entry points (:func:`read_class_folder`, :func:`class_folder`, :func:`class_secret`,
:class:`ClassResults`) are named here too, so that a notebook imports one module: read, then sum up.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from widgets.classroom import grading
from widgets.classroom.reading import (  # the reader's entry points, named here for the notebooks (see above)
    MAX_ANSWERS_PER_FILE, MAX_ANSWERS_PER_STUDENT, MAX_FILE_BYTES, SAMPLE_SECRET, SUFFIXES, ClassResults, Problem,
    Student, class_folder, class_secret, read_class_folder, sample_dir,
)
from widgets.record.attempts import Attempt, score
from widgets.core.loading import ContentError
from widgets.candidacy.practice import reason_title
from widgets.candidacy.rules import LEAFLET, PRACTICE, REASON_IDS  # the quiz's two standards
from widgets.candidacy.class_summary import write_rules_summary
from widgets.candidacy.exercise import QUIZ, bank_vignettes
from widgets.imaging.exercise import NEEDLE_PLACEMENT
from widgets.outcomes.exercise import PATIENT_QUESTIONS
from widgets.procedures.exercise import DECISION_POINTS, STEP_ORDER
from widgets.recovery.exercise import AFTERCARE_QUIZ

MIN_ANSWERS = 3
__all__ = ["ClassResults", "MAX_ANSWERS_PER_FILE", "MAX_ANSWERS_PER_STUDENT", "MAX_FILE_BYTES", "MIN_ANSWERS",
           "Problem", "SAMPLE_SECRET", "SUFFIXES", "Student", "class_folder", "class_secret", "read_class_folder",
           "sample_dir", "score_table", "rule_difficulty", "case_difficulty", "summary_csv", "rules_summary_csv"]


# --------------------------------------------------------------------------- summaries

def _score_of(attempts: list[Attempt], standard: str | None = None):
    """The one score over ``attempts``, graded by ``standard`` (default: each exercise's first)."""
    if standard is None:
        return score((a.item, a.correct) for a in attempts)
    return score((a.item, a.grades[standard].correct) for a in attempts if standard in a.grades)


def bank_ids(bank: str | None = None) -> set[str]:
    try:
        return set(bank_vignettes(bank))
    except ContentError:
        return set()


def score_table(results: ClassResults) -> list[dict]:
    """Per student (pseudonym): the quiz's first-try and final scores under current practice (``quiz_practice_*``,
    the score students see first) and under the leaflet (``quiz_first_*``, ``quiz_final_*``), bank completion,
    other exercises."""
    in_bank = bank_ids(results.bank)
    total = len(in_bank)
    rows = []
    for name, s in results.by_pseudonym():
        quiz = s.of(QUIZ)
        q = _score_of(quiz)
        qp = _score_of(quiz, "current_practice")
        orders = s.of(STEP_ORDER)
        o = _score_of(orders)
        row = {"student": name, "quiz_cases": q.items, "quiz_first_right": q.first_right,
               "quiz_first_percent": q.first_percent, "quiz_final_right": q.final_right,
               "quiz_final_percent": q.final_percent,
               "quiz_practice_first_right": qp.first_right, "quiz_practice_final_right": qp.final_right,
               "quiz_practice_first_percent": qp.first_percent, "quiz_practice_final_percent": qp.final_percent,
               "bank_completion_percent": round(100.0 * len({a.item for a in quiz} & in_bank) / total, 1)
               if total else 0.0,
               "ordering_attempts": len(orders), "ordering_first_right": o.first_right,
               "ordering_final_right": o.final_right, "ordering_procedures": o.items}
        for exercise in (DECISION_POINTS, PATIENT_QUESTIONS, AFTERCARE_QUIZ, NEEDLE_PLACEMENT):
            e = _score_of(s.of(exercise))
            row[f"{exercise}_answered"] = e.items
            row[f"{exercise}_first_right"] = e.first_right
            row[f"{exercise}_final_right"] = e.final_right
        rows.append(row)
    return rows


@dataclass
class Difficulty:
    key: str
    title: str
    answered: int = 0            # first tries: per case, the students who answered it; per rule, their cases
    first_missed: int = 0        # ... wrong at the first try
    final_missed: int = 0        # ... still wrong at the latest answer
    verdict_wrong: int = 0       # first tries with a wrong verdict (VP or KP)
    reason_wrong: int = 0        # first tries with both verdicts right but the wrong deciding rule
    wrong_reasons: Counter = field(default_factory=Counter)   # the rule chosen instead, on first tries
    other_followed: int = 0      # first tries wrong by this standard but right by the other (not plain misses)
    final_other_followed: int = 0   # ... the same at the latest answer

    @property
    def plain_missed(self) -> int:
        """Missed at the first try, and not by following the other standard."""
        return self.first_missed - self.other_followed

    @property
    def final_plain_missed(self) -> int:
        return self.final_missed - self.final_other_followed

    @property
    def plain_missed_percent(self) -> float:
        return round(100.0 * self.plain_missed / self.answered, 1) if self.answered else 0.0

    @property
    def first_missed_percent(self) -> float:
        return round(100.0 * self.first_missed / self.answered, 1) if self.answered else 0.0

    @property
    def final_missed_percent(self) -> float:
        return round(100.0 * self.final_missed / self.answered, 1) if self.answered else 0.0

    @property
    def ranked(self) -> bool:
        return self.answered >= MIN_ANSWERS

    def top_wrong_reason(self) -> str:
        return ", ".join(f"{r} ({n})" for r, n in self.wrong_reasons.most_common(2)) or "none"


def _first_and_final(attempts: list[Attempt]) -> dict[str, tuple[Attempt, Attempt]]:
    out: dict[str, list[Attempt]] = {}
    for a in attempts:
        out.setdefault(a.item, []).append(a)
    return {item: (xs[0], xs[-1]) for item, xs in out.items()}


OTHER_STANDARD = {LEAFLET: PRACTICE, PRACTICE: LEAFLET}


def followed_other_standard(a: Attempt, standard: str = LEAFLET) -> bool:
    """Wrong by ``standard`` but right by the other one (by current practice under the leaflet, by the leaflet
    under current practice): an answer that is never a plain miss."""
    other = OTHER_STANDARD.get(standard)
    return (other is not None and standard in a.grades and not a.grades[standard].correct and other in a.grades
            and a.grades[other].correct)


def _count(d: Difficulty, first: Attempt, final: Attempt, standard: str = LEAFLET) -> None:
    g = first.grade(standard)
    d.answered += 1
    d.first_missed += not g.correct
    d.final_missed += not final.grade(standard).correct
    d.final_other_followed += followed_other_standard(final, standard)
    if followed_other_standard(first, standard):
        d.other_followed += 1
    elif not g.correct:
        if not (g.parts.get("vertebroplasty", True) and g.parts.get("kyphoplasty", True)):
            d.verdict_wrong += 1
        elif not g.parts.get("reason", True):
            d.reason_wrong += 1
            d.wrong_reasons[str(first.answer.get("reason"))] += 1


def _quiz(s: Student, standard: str) -> list[Attempt]:
    return [a for a in s.of(QUIZ) if standard in a.grades]


def class_votes(results: ClassResults, standard: str = LEAFLET) -> list[dict[str, tuple[Attempt, Attempt]]]:
    """Per student, their vote on each case of the bank: (first answer, latest answer), graded by ``standard``.

    What every class-wide quiz statistic counts (the rule and case tables, the misconceptions, the rule summary
    students load): one vote per student per case, and bank cases only, so that no student moves them by
    answering often; a thousand generated practice cases, or one case answered a thousand times, weigh what one
    student's answers to the bank weigh.  Each student's own row (the score table) still counts everything."""
    in_bank = bank_ids(results.bank)
    return [{item: pair for item, pair in _first_and_final(_quiz(s, standard)).items() if item in in_bank}
            for s in results.students.values()]


def case_difficulty(results: ClassResults, standard: str = LEAFLET) -> list[Difficulty]:
    """Per quiz case: first-try and final misses, verdict vs reason, and the wrong reasons chosen.

    Ranked cases (at least :data:`MIN_ANSWERS` students) come first, most missed at the first try first (plain
    misses: an answer that followed the other standard does not make a case "most missed").
    """
    rows: dict[str, Difficulty] = {}
    for votes in class_votes(results, standard):
        for item, (first, final) in votes.items():
            d = rows.setdefault(item, Difficulty(item, _case_title(item, results.bank)))
            _count(d, first, final, standard)
    return sorted(rows.values(), key=lambda r: (not r.ranked, -r.plain_missed_percent, -r.plain_missed, r.key))


def _case_title(case_id: str, bank: str | None = None) -> str:
    try:
        return grading.quiz_vignette(case_id, bank).title if not case_id.startswith("gen-") else "practice case (generated)"
    except (grading.Ungradable, ContentError):
        return "unknown case"


def rule_difficulty(results: ClassResults, standard: str = LEAFLET) -> list[Difficulty]:
    """Per candidacy rule of ``standard``: first tries at the cases it decides, first-try and final misses,
    verdict vs reason."""
    rows: dict[str, Difficulty] = {}
    for votes in class_votes(results, standard):
        per_rule: dict[str, list[tuple[Attempt, Attempt]]] = defaultdict(list)
        for first, final in votes.values():
            for rule in first.grade(standard).expected.get("deciding_rules") or []:
                per_rule[str(rule)].append((first, final))
        for rule, pairs in per_rule.items():
            d = rows.setdefault(rule, Difficulty(rule, reason_title(rule)))
            for first, final in pairs:
                _count(d, first, final, standard)
    return sorted(rows.values(), key=lambda r: (-r.plain_missed_percent, -r.plain_missed, r.key))


def misconceptions(results: ClassResults, standard: str = LEAFLET) -> list[dict]:
    """When the verdicts were right but the reason wrong (first tries): which rule was chosen instead.

    One row per (deciding rule, rule chosen instead), most frequent first, with the cases it happened on.
    An answer that follows the other standard is not a misconception and is left out.
    """
    counts: Counter = Counter()
    cases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for votes in class_votes(results, standard):
        for first, _ in votes.values():
            g = first.grade(standard)
            if g.correct or not g.parts.get("vertebroplasty", True) or not g.parts.get("kyphoplasty", True) \
                    or followed_other_standard(first, standard):
                continue
            right = " / ".join(g.expected.get("deciding_rules") or ["?"])
            chosen = str(first.answer.get("reason"))
            counts[(right, chosen)] += 1
            cases[(right, chosen)].add(first.item)
    return [{"deciding": right, "deciding_title": " / ".join(reason_title(r) for r in right.split(" / ")),
             "chosen": chosen, "chosen_title": reason_title(chosen), "times": n,
             "cases": ", ".join(sorted(cases[(right, chosen)]))}
            for (right, chosen), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def verdict_mistakes(results: ClassResults, standard: str = LEAFLET) -> list[dict]:
    """First tries with a wrong verdict, by what was said: e.g. 'kyphoplasty: said candidate, is not'
    (answers that follow the other standard are left out: they are not mistakes)."""
    counts: Counter = Counter()
    for votes in class_votes(results, standard):
        for first, _ in votes.values():
            g = first.grade(standard)
            if followed_other_standard(first, standard):
                continue
            for proc in ("vertebroplasty", "kyphoplasty"):
                if g.parts.get(proc, True):
                    continue
                said = "candidate" if first.answer.get(proc) else "not a candidate"
                counts[(proc, said, " / ".join(g.expected.get("deciding_rules") or []))] += 1
    return [{"procedure": p, "said": said, "deciding": rules,
             "deciding_title": " / ".join(reason_title(r) for r in rules.split(" / ") if r), "times": n}
            for (p, said, rules), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def per_student_rules(results: ClassResults, standard: str = LEAFLET) -> tuple[list[str], list[dict]]:
    """(rules, rows): per student, for each rule, 'first-try right / cases' over the cases it decides."""
    rows = []
    used: set[str] = set()
    for name, s in results.by_pseudonym():
        cells: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for first, _ in _first_and_final(_quiz(s, standard)).values():
            g = first.grade(standard)
            for rule in g.expected.get("deciding_rules") or []:
                cells[rule][0] += g.correct
                cells[rule][1] += 1
                used.add(rule)
        if cells:
            rows.append({"student": name, **{r: f"{c[0]}/{c[1]}" for r, c in cells.items()}})
    return [r for r in REASON_IDS if r in used], rows


def standards_split(results: ClassResults) -> list[dict]:
    """On the cases where the leaflet and current practice give different verdicts: how students' first
    answers fell (the leaflet's verdicts, current practice's, or neither's), per case."""
    rows: dict[str, dict] = {}
    for votes in class_votes(results, PRACTICE):
        for item, (first, _) in votes.items():
            lg, pg = first.grades.get(LEAFLET), first.grades[PRACTICE]
            if lg is None:
                continue
            differ = any(lg.expected.get(p) != pg.expected.get(p) for p in ("vertebroplasty", "kyphoplasty"))
            if not differ:
                continue
            r = rows.setdefault(item, {"case": item, "title": _case_title(item, results.bank), "students": 0,
                                       "leaflet": 0, "practice": 0, "neither": 0})
            r["students"] += 1
            lv = lg.parts.get("vertebroplasty") and lg.parts.get("kyphoplasty")
            pv = pg.parts.get("vertebroplasty") and pg.parts.get("kyphoplasty")
            r["leaflet" if lv else "practice" if pv else "neither"] += 1
    return sorted(rows.values(), key=lambda r: (-r["students"], r["case"]))


def rules_summary_rows(results: ClassResults) -> list[dict]:
    """The class's misses per rule under both standards: what students may see (no student is in it).  A first
    try that followed the other standard is not counted as missed."""
    out = []
    for standard in (LEAFLET, PRACTICE):
        for d in rule_difficulty(results, standard):
            out.append({"standard": standard, "rule": d.key, "cases_answered": d.answered,
                        "first_missed": d.plain_missed, "first_missed_percent": d.plain_missed_percent})
    return out


def rules_summary_csv(results: ClassResults) -> str:
    """The class's most-missed rules as the file students may load in the quiz (aggregate only)."""
    return write_rules_summary(rules_summary_rows(results), students=len(results.students))


def needle_difficulty(results: ClassResults) -> list[dict]:
    """Per level of the needle-placement exercise: students, placements passed at the first and the latest
    attempt, and the problem most often behind a failed first attempt (the danger the class met)."""
    rows: dict[str, dict] = {}
    for s in results.students.values():
        for level, (first, final) in _first_and_final(s.of(NEEDLE_PLACEMENT)).items():
            r = rows.setdefault(level, {"level": level, "students": 0, "first_passed": 0, "final_passed": 0,
                                        "attempts": 0, "problems": Counter()})
            r["students"] += 1
            r["first_passed"] += first.correct
            r["final_passed"] += final.correct
            if not first.correct:
                r["problems"].update(str(p) for p in first.grade("geometry").expected.get("problems") or [])
        for a in s.of(NEEDLE_PLACEMENT):
            rows[a.item]["attempts"] += 1
    out = []
    for level, r in sorted(rows.items()):
        problem, n = (r.pop("problems").most_common(1) or [(None, 0)])[0]
        out.append({**r, "common_problem": problem or "none", "common_problem_times": n})
    return out


def choice_difficulty(results: ClassResults, exercise: str) -> list[dict]:
    """Per question of a multiple-choice exercise: students, first-try and final right, the wrong option chosen most."""
    rows: dict[str, dict] = {}
    for s in results.students.values():
        for item, (first, final) in _first_and_final(s.of(exercise)).items():
            r = rows.setdefault(item, {"question": item, "students": 0, "first_right": 0, "final_right": 0,
                                       "wrong": Counter()})
            r["students"] += 1
            r["first_right"] += first.correct
            r["final_right"] += final.correct
            if not first.correct:
                r["wrong"][str(first.answer.get("option"))] += 1
    out = []
    for item, r in rows.items():
        option, n = (r["wrong"].most_common(1) or [(None, 0)])[0]
        out.append({"exercise": exercise, "question": item,
                    "prompt": grading.question_text(exercise, item) or item,
                    "students": r["students"], "first_right": r["first_right"], "final_right": r["final_right"],
                    "common_wrong": (grading.option_text(exercise, item, option) or option) if option else "none",
                    "common_wrong_times": n,
                    "misconception": (grading.option_misconception(exercise, item, option) or "") if option else ""})
    return sorted(out, key=lambda r: (r["first_right"] / max(r["students"], 1), r["question"]))


def score_distribution(results: ClassResults, bin_width: int = 10, *, which: str = "final") -> list[tuple[str, int]]:
    """Counts of students per quiz score band (0-9 %, ..., 90-100 %): ``which`` is ``practice_first`` or
    ``practice_final`` (current practice, the score students see first), or ``first`` or ``final`` (the leaflet)."""
    bins = Counter()
    top = 100 // bin_width - 1
    for row in score_table(results):
        if row["quiz_cases"]:
            bins[min(int(row[f"quiz_{which}_percent"] // bin_width), top)] += 1
    return [(f"{b * bin_width}-{b * bin_width + bin_width - (0 if b == top else 1)} %", bins[b])
            for b in range(top + 1)]


def report_problems(results: ClassResults) -> str:
    """One line to project: how much was read and how many files had problems (no file names)."""
    n = len(results.students)
    exercises = Counter(a.exercise for s in results.students.values() for a in s.attempts)
    what = ", ".join(f"{k} {v}" for k, v in sorted(exercises.items())) or "no answers"
    line = (f"Read {len(results.files_read)} file(s): {n} student{'s' if n != 1 else ''}; answers by exercise: "
            f"{what}.")
    if results.problems:
        line += f" {len(results.problems)} file(s) or part(s) could not be used (listed below, folded: they name files)."
    if results.sample:
        line += " This is the sample class: its S01, S02, ... use a published secret."
    return line


#: The quiz's score under current practice first (the score students see first), then under the leaflet
#: (``quiz_first_*`` and ``quiz_final_*``: what the patient leaflet says).
SUMMARY_COLUMNS = ["student", "quiz_cases", "quiz_practice_first_right", "quiz_practice_first_percent",
                   "quiz_practice_final_right", "quiz_practice_final_percent", "quiz_first_right", "quiz_first_percent",
                   "quiz_final_right", "quiz_final_percent", "bank_completion_percent", "ordering_attempts", "ordering_first_right",
                   "ordering_final_right", "decision-points_final_right", "patient-questions_final_right",
                   "aftercare-quiz_final_right"]


def summary_csv(results: ClassResults) -> str:
    """The anonymised per-student summary as CSV text (pseudonyms, no names)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(score_table(results))
    return buf.getvalue()
