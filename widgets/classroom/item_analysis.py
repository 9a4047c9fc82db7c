"""Item analysis on first attempts, as LMS quiz reports do it (Moodle's quiz statistics report is the model).

For every item (a quiz case, a decision point, an item of the pre-test or the post-test) and every
student who answered it, only the student's *first* answer counts (a retry cannot change it).  Then:

* **Facility** (Moodle's "facility index"): the share of those first answers that were right, in per cent.
* **Criterion**: for each student, the share of their *other* items of the same exercise right at the first
  try (the rest score, in per cent; the item itself is left out so it does not correlate with itself).
  Students who answered no other item of the exercise have no criterion and are left out of the next two.
* **Discrimination index** D = p(upper) - p(lower): the students are ranked by their criterion; the upper
  group is the top 27 % of them and the lower group the bottom 27 % (k = round(0.27 n), at least 1; students
  tied on the criterion at a group's edge share the group's remaining places equally, each counting in part,
  so D does not depend on any order among them); p is the share of a group right on the item.  D runs from
  -1 to +1.
* **Point-biserial** r_pb: the Pearson correlation between the item's 0/1 score and the criterion, equal to
  (M1 - M0) / s * sqrt(p q) with s the criterion's standard deviation over the n students (divided by n),
  M1 and M0 the mean criterion of those right and wrong, p the share right and q = 1 - p.
* **Distractors**: how often each answer was chosen at the first try (the key marked).
* A **flag** for a negative discrimination index: the students who did better elsewhere did worse here,
  so check the key or the wording.

For quiz cases the analysis is made under each standard (the leaflet, current practice); the first answers that are wrong by
that standard but right by the other are counted in their own column ("followed current practice" under the
leaflet, "followed the leaflet" under current practice), never as plain misses, and a negative
discrimination that disappears when either standard counts says the stronger students followed the other.  Discrimination and the point-biserial need
at least :data:`MIN_FOR_DISCRIMINATION` students with a criterion; with fewer they are not computed.

The needle exercise (notebook 04) is summed up per level: breach rate (a pedicle wall breached or the
medial-wall rule broken) at the first attempt and at the best attempt, and every numeric measure the
attempts carry (tip error, fluoroscopy shots, time ...: the known ones named in :data:`NEEDLE_MEASURES`,
any other number shown under its own field name), first attempt against best.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import mean, median
from typing import Callable, Iterable

from widgets.candidacy.practice import reason_title
from widgets.imaging.attempts import METRICS, PROCESS
from widgets.imaging.exercise import GRADE_STANDARD, HEIGHT_KEYS, NEEDLE_PLACEMENT
from widgets.imaging.placement import SETTINGS
from widgets.candidacy.exercise import QUIZ
from widgets.classroom import grading
from widgets.classroom import results as cr
from widgets.core.course import PROCEDURES
from widgets.procedures.exercise import DECISION_POINTS, STEP_ORDER
from widgets.procedures.steps import load_procedure, shuffled_ids
from widgets.record.attempts import Attempt

UPPER_LOWER = 0.27
MIN_FOR_DISCRIMINATION = 10     # below it the upper and lower groups hold two students or fewer
NEGATIVE_FLAG = "negative discrimination: check the key or the wording"
#: Under one standard, when the stronger students followed the other: counting either standard right, the
#: discrimination is not negative, so the key is not at fault.
OTHER_STANDARD_FLAG = {
    cr.LEAFLET: "negative under the leaflet only: the stronger students followed current practice "
                "(not negative when either standard counts)",
    cr.PRACTICE: "negative under current practice only: the stronger students followed the leaflet "
                 "(not negative when either standard counts)"}
PRACTICE_FLAG = OTHER_STANDARD_FLAG[cr.LEAFLET]


# --------------------------------------------------------------------------- the statistics

def facility(scores: Iterable[int]) -> float | None:
    """Per cent of 0/1 scores that are 1 (None with no scores)."""
    xs = list(scores)
    return round(100.0 * sum(xs) / len(xs), 1) if xs else None


def group_size(n: int, fraction: float = UPPER_LOWER) -> int:
    """Students in the upper (and in the lower) group: round(fraction x n), at least 1, at most n // 2."""
    return max(1, min(n // 2, int(math.floor(fraction * n + 0.5))))


def _group_share(pairs: list[tuple[float, int]], k: int, top: bool) -> float:
    """The share right in the ``k`` students with the highest (``top``) or lowest criterion; students tied at
    the group's edge each count in part, equally, so the result does not depend on any order among them."""
    ranked = sorted(pairs, key=lambda p: -p[0] if top else p[0])
    edge = ranked[k - 1][0]
    inside = [x for c, x in ranked if (c > edge if top else c < edge)]
    tied = [x for c, x in ranked if c == edge]
    weight = (k - len(inside)) / len(tied)
    return (sum(inside) + weight * sum(tied)) / k


def discrimination_index(pairs: list[tuple[float, int]], fraction: float = UPPER_LOWER) -> tuple[float, int] | None:
    """(D, k) from (criterion, score) pairs; None below the minimum.  See :func:`_group_share` for ties."""
    n = len(pairs)
    if n < MIN_FOR_DISCRIMINATION:
        return None
    k = group_size(n, fraction)
    return round(_group_share(pairs, k, True) - _group_share(pairs, k, False), 3), k


def point_biserial(pairs: list[tuple[float, int]]) -> float | None:
    """Pearson correlation of the 0/1 score with the criterion; None below the minimum or with no spread."""
    n = len(pairs)
    if n < MIN_FOR_DISCRIMINATION:
        return None
    crit = [c for c, _ in pairs]
    right = [c for c, x in pairs if x]
    wrong = [c for c, x in pairs if not x]
    if not right or not wrong:
        return None
    m = sum(crit) / n
    s = math.sqrt(sum((c - m) ** 2 for c in crit) / n)
    if s == 0:
        return None
    p = len(right) / n
    return round((mean(right) - mean(wrong)) / s * math.sqrt(p * (1 - p)), 3)


def rest_scores(table: dict[str, dict[str, int]], item: str) -> dict[str, float]:
    """Per student who answered ``item``: the per cent of their other items right (students with none left out)."""
    out = {}
    for student, scores in table.items():
        if item not in scores:
            continue
        others = [v for k, v in scores.items() if k != item]
        if others:
            out[student] = 100.0 * sum(others) / len(others)
    return out


@dataclass
class ItemStats:
    exercise: str
    item: str
    title: str
    students: int                         # first answers to the item
    right: int
    facility: float | None                # per cent right at the first try
    discrimination: float | None = None   # D = p(upper) - p(lower), -1 .. +1
    group: int = 0                        # k, students in each of the upper and the lower group
    point_biserial: float | None = None
    choices: list[tuple[str, int, bool]] = field(default_factory=list)   # (answer, first tries, is the key)
    other_followed: int = 0               # wrong by this standard, right by the other (quiz cases; test cases:
                                          # wrong by the leaflet, right by current practice)
    standard: str = cr.LEAFLET
    key: str = ""                         # the right answer, in words
    either_discrimination: float | None = None   # quiz cases: D counting either standard right

    @property
    def flag(self) -> str:
        if self.discrimination is None or self.discrimination >= 0:
            return ""
        if self.either_discrimination is not None and self.either_discrimination >= 0 and self.other_followed \
                and self.standard in OTHER_STANDARD_FLAG:
            return OTHER_STANDARD_FLAG[self.standard]
        return NEGATIVE_FLAG

    @property
    def plain_missed(self) -> int:
        return self.students - self.right - self.other_followed


def analyse(table: dict[str, dict[str, int]], item: str, *, exercise: str = "", title: str = "") -> ItemStats:
    """The statistics of one item over ``table`` (student -> item -> 0/1 first-try score)."""
    xs = [scores[item] for scores in table.values() if item in scores]
    crit = rest_scores(table, item)
    pairs = [(crit[s], table[s][item]) for s in table if s in crit]
    d = discrimination_index(pairs)
    return ItemStats(exercise, item, title or item, len(xs), sum(xs), facility(xs),
                     d[0] if d else None, d[1] if d else 0, point_biserial(pairs))


# --------------------------------------------------------------------------- first attempts from the class

def first_attempts(results: cr.ClassResults, exercise: str, keep: Callable[[Attempt], bool] = lambda a: True
                   ) -> dict[str, dict[str, Attempt]]:
    """Pseudonym -> item -> the student's first attempt (students in S01, S02, ... order)."""
    out: dict[str, dict[str, Attempt]] = {}
    for name, s in results.by_pseudonym():
        firsts: dict[str, Attempt] = {}
        for a in s.of(exercise):
            if keep(a):
                firsts.setdefault(a.item, a)
        if firsts:
            out[name] = firsts
    return out


def score_table(firsts: dict[str, dict[str, Attempt]], standard: str) -> dict[str, dict[str, int]]:
    return {s: {i: int(a.grades[standard].correct) for i, a in items.items() if standard in a.grades}
            for s, items in firsts.items()}


def _verdicts(answer: dict) -> str:
    def said(proc):
        return {True: "yes", False: "no"}.get(answer.get(proc), "?")
    return f"VP {said('vertebroplasty')}, KP {said('kyphoplasty')}"


def short_rule(rule: str) -> str:
    """A rule's short title (before its explanation), e.g. 'Indication met'."""
    return reason_title(rule).split(" (")[0].split(":")[0]


def _case_choice(answer: dict) -> str:
    return f"{_verdicts(answer)}; {short_rule(str(answer.get('reason')))}"


def _case_items(results: cr.ClassResults, exercise: str, standard: str, keep: Callable[[Attempt], bool],
                title: Callable[[str], str]) -> list[ItemStats]:
    firsts = first_attempts(results, exercise, keep)
    table = score_table(firsts, standard)
    either = {s: {i: int(a.grades[cr.LEAFLET].correct or (cr.PRACTICE in a.grades and a.grades[cr.PRACTICE].correct))
                  for i, a in items.items() if cr.LEAFLET in a.grades} for s, items in firsts.items()}
    items = sorted({i for row in table.values() for i in row})
    out = []
    for item in items:
        stats = analyse(table, item, exercise=exercise, title=title(item))
        stats.standard = standard
        stats.either_discrimination = analyse(either, item).discrimination
        chosen: Counter = Counter()
        key = ""
        for row in firsts.values():
            a = row.get(item)
            if a is None or standard not in a.grades:
                continue
            chosen[_case_choice(a.answer)] += 1
            g = a.grades[standard]
            if not key:
                rules = g.expected.get("deciding_rules") or []
                key = (f"{_verdicts({'vertebroplasty': g.expected.get('vertebroplasty'), 'kyphoplasty': g.expected.get('kyphoplasty')})}; "
                       + " or ".join(short_rule(str(r)) for r in rules))
            stats.other_followed += cr.followed_other_standard(a, standard)
        stats.key = key
        stats.choices = [(c, n, _is_key(c, key)) for c, n in chosen.most_common()]
        out.append(stats)
    return out


def _is_key(choice: str, key: str) -> bool:
    verdicts, _, rule = choice.partition("; ")
    kv, _, rules = key.partition("; ")
    return verdicts == kv and rule in rules.split(" or ")


def quiz_items(results: cr.ClassResults, standard: str = cr.PRACTICE) -> list[ItemStats]:
    """Per quiz case (bank and generated), first tries, under ``standard`` (current practice unless asked)."""
    return _case_items(results, QUIZ, standard, lambda a: True,
                       lambda item: cr._case_title(item, results.bank))


def choice_items(results: cr.ClassResults, exercise: str = DECISION_POINTS) -> list[ItemStats]:
    """Per question of a multiple-choice exercise (decision points by default), first tries."""
    firsts = first_attempts(results, exercise)
    standard = next((st for row in firsts.values() for a in row.values() for st in a.grades), "course")
    table = score_table(firsts, standard)
    out = []
    for item in sorted({i for row in table.values() for i in row}):
        stats = analyse(table, item, exercise=exercise, title=grading.question_text(exercise, item) or item)
        stats.standard = standard
        counts = Counter(str(row[item].answer.get("option")) for row in firsts.values() if item in row)
        right = next((str(row[item].grades[standard].expected.get("option")) for row in firsts.values()
                      if item in row and standard in row[item].grades), "")
        options = _options(exercise, item) or sorted(counts)
        stats.choices = [(grading.option_text(exercise, item, o) or o, counts.get(o, 0), o == right) for o in options]
        stats.key = grading.option_text(exercise, item, right) or right
        out.append(stats)
    return out


def _options(exercise: str, item: str) -> list[str]:
    return grading.choice_options(exercise, item)


def test_items(results: cr.ClassResults, exercise: str, title: Callable[[str], str]) -> list[ItemStats]:
    """Per item of the pre-test or the post-test, under its own standard (right under either standard);
    a case's choices and its practice-followed count come from its leaflet grade."""
    firsts = first_attempts(results, exercise)
    table = score_table(firsts, "accepted")
    out = []
    for item in sorted({i for row in table.values() for i in row}):
        stats = analyse(table, item, exercise=exercise, title=title(item))
        stats.standard = "accepted"
        answers = [row[item] for row in firsts.values() if item in row]
        if item.startswith("case:"):
            counts = Counter(_case_choice(a.answer) for a in answers)
            g = answers[0].grades.get(cr.LEAFLET)
            if g is not None:
                stats.key = (f"{_verdicts({'vertebroplasty': g.expected.get('vertebroplasty'), 'kyphoplasty': g.expected.get('kyphoplasty')})}; "
                             + " or ".join(short_rule(str(r)) for r in g.expected.get("deciding_rules") or []))
            stats.other_followed = sum(1 for a in answers if cr.LEAFLET in a.grades
                                          and not a.grades[cr.LEAFLET].correct and a.grade("accepted").correct)
            stats.choices = [(c, n, _is_key(c, stats.key)) for c, n in counts.most_common()]
        else:
            ref = item.partition(":")[2]
            counts = Counter(str(a.answer.get("option")) for a in answers)
            right = str(answers[0].grade("accepted").expected.get("option", ""))
            options = _options(DECISION_POINTS, ref) or sorted(counts)
            stats.choices = [(grading.option_text(DECISION_POINTS, ref, o) or o, counts.get(o, 0), o == right)
                             for o in options]
            stats.key = grading.option_text(DECISION_POINTS, ref, right) or right
        out.append(stats)
    return out


def flagged(items: Iterable[ItemStats]) -> list[ItemStats]:
    """The items with a negative discrimination index."""
    return [s for s in items if s.flag]


# --------------------------------------------------------------------------- the step order

#: A Check pressed on the order as dealt (no step moved) is a look at the task, not an attempt at the order.
#: The notebooks deal with seeds 2 (VP) and 3 (KP), and "Shuffle and try again" adds one each time.
DEALT_SEEDS = range(0, 200)


def dealt_unmoved(procedure: str, order: list[str]) -> bool:
    """Whether ``order`` is an order the ordering test deals (so the student moved no step before Check)."""
    if procedure not in PROCEDURES or not isinstance(order, list):
        return False
    return tuple(order) in _dealt_orders(procedure)


def _dealt_orders(procedure: str) -> frozenset:
    if procedure not in _DEALT:
        proc = load_procedure(procedure)
        _DEALT[procedure] = frozenset(tuple(shuffled_ids(proc, s)) for s in DEALT_SEEDS)
    return _DEALT[procedure]


_DEALT: dict[str, frozenset] = {}


@dataclass
class StepRow:
    procedure: str
    step: str
    title: str
    students: int          # students with an ordering attempt after moving a step
    first_out: int         # ... whose first such attempt had this step out of place
    attempts: int          # attempts in all (after moving a step)
    all_out: int


@dataclass
class StepOrder:
    rows: list[StepRow]
    checked_unmoved: dict[str, int]      # procedure -> students who pressed Check before moving a step
    only_unmoved: dict[str, int]         # procedure -> students whose every Check was before moving a step


def step_order(results: cr.ClassResults) -> StepOrder:
    """Per procedure step, by its name: out of place at the student's first real attempt and in all
    attempts.  A Check on the order as dealt is not an attempt at ordering (see :data:`DEALT_SEEDS`): such
    Checks are counted apart, per procedure, and left out of the rows."""
    first_out, all_out, students, attempts = Counter(), Counter(), Counter(), Counter()
    unmoved, only = Counter(), Counter()
    for s in results.students.values():
        by_proc: dict[str, list[Attempt]] = {}
        for a in s.of(STEP_ORDER):
            by_proc.setdefault(a.item, []).append(a)
        for proc, tries in by_proc.items():
            real = [a for a in tries if not dealt_unmoved(proc, a.answer.get("order"))]
            if len(real) < len(tries):
                unmoved[proc] += 1
            if not real:
                only[proc] += 1
                continue
            students[proc] += 1
            first_out.update((proc, m) for m in real[0].grade("leaflet").expected.get("misplaced") or [])
            for a in real:
                attempts[proc] += 1
                all_out.update((proc, m) for m in a.grade("leaflet").expected.get("misplaced") or [])
    rows = []
    for proc, step in set(first_out) | set(all_out):
        rows.append(StepRow(proc, step, _step_title(proc, step), students[proc], first_out[(proc, step)],
                            attempts[proc], all_out[(proc, step)]))
    rows.sort(key=lambda r: (-r.first_out, -r.all_out, r.procedure, r.title))
    return StepOrder(rows, dict(unmoved), dict(only))


def _step_title(procedure: str, step: str) -> str:
    try:
        return load_procedure(procedure).step(step).title
    except (KeyError, ValueError):
        return "a step this version does not know"


# --------------------------------------------------------------------------- the needle exercise

#: Measures a needle attempt may carry (the metrics its geometry grade recomputes, and the shots, redirects and
#: time in its answer: widgets.imaging.attempts), with a label, a unit and whether less is better.  Others that
#: are numbers are shown under their own field name.
NEEDLE_MEASURES = {
    "tip_error_mm": ("Tip error", "mm", True),
    "tip_to_target_mm": ("Tip to target", "mm", True),
    "closest_medial_mm": ("Closest approach to the medial wall", "mm", False),
    "shots_ap": ("Shots, front (AP) view", "", True),
    "shots_lateral": ("Shots, side (lateral) view", "", True),
    "time_s": ("Time", "s", True),
    "redirects": ("Redirections", "", True),
}
assert set(METRICS) | set(PROCESS) <= set(NEEDLE_MEASURES), "every measure the exercise records has a label"
#: The needle's settings and the fracture drawn: what the student did, not a measure of how it went.
NEEDLE_SETTINGS = set(SETTINGS) | set(HEIGHT_KEYS) | {"attempt"}
#: A breach: through a wall of the pedicle (medially before the posterior wall included) or the body's front wall.
BREACH_PARTS = ("pedicle", "medial_wall_rule", "front_cortex")


def needle_measures(a: Attempt) -> dict[str, float]:
    """The numeric measures an attempt carries (beyond the needle's settings): the metrics of its (regraded)
    geometry grade, then the numbers in its answer and context."""
    out = {}
    for source in (a.grade(GRADE_STANDARD).expected, a.answer, a.context):
        for k, v in source.items():
            if k in NEEDLE_SETTINGS or isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            if math.isfinite(float(v)):
                out.setdefault(k, float(v))
    return out


def measure_label(name: str) -> tuple[str, str]:
    """(label, unit) of a measure: the known ones named, others from their field name ('tip_gap_mm' -> 'tip gap', 'mm')."""
    if name in NEEDLE_MEASURES:
        label, unit, _ = NEEDLE_MEASURES[name]
        return label, unit
    m = re.match(r"^(.*?)_(mm|s|deg|ms|count)$", name)
    words = (m.group(1) if m else name).replace("_", " ")
    return words[:1].upper() + words[1:], (m.group(2) if m else "")


def _breached(a: Attempt) -> bool:
    parts = a.grade("geometry").parts
    return any(parts.get(p) is False for p in BREACH_PARTS)


def _checks(a: Attempt) -> int:
    return sum(1 for v in a.grade("geometry").parts.values() if v)


def best_attempt(tries: list[Attempt]) -> Attempt:
    """The student's best attempt at a level: most checks passed, then the smallest tip error (when the
    attempts carry one), then the earliest."""
    def rank(i_a):
        i, a = i_a
        tip = needle_measures(a).get("tip_error_mm", math.inf)
        return (-_checks(a), tip, i)
    return min(enumerate(tries), key=rank)[1]


@dataclass
class NeedleLevel:
    level: str
    students: int
    attempts: int
    first_passed: int
    best_passed: int
    first_breached: int
    best_breached: int
    median_attempts: float
    measures: list[dict] = field(default_factory=list)   # per measure: name, label, unit, first mean, best mean, n


def needle_levels(results: cr.ClassResults) -> list[NeedleLevel]:
    """Per level: breach rate and passes at the first and the best attempt, attempts, and each measure's
    mean at the first and at the best attempt (over the students whose attempts carry it)."""
    per: dict[str, list[list[Attempt]]] = {}
    for s in results.students.values():
        tries: dict[str, list[Attempt]] = {}
        for a in s.of(NEEDLE_PLACEMENT):
            tries.setdefault(a.item, []).append(a)
        for level, xs in tries.items():
            per.setdefault(level, []).append(xs)
    out = []
    for level in sorted(per):
        studs = per[level]
        firsts = [xs[0] for xs in studs]
        bests = [best_attempt(xs) for xs in studs]
        names = sorted({k for a in firsts + bests for k in needle_measures(a)})
        measures = []
        for name in names:
            f = [needle_measures(a)[name] for a in firsts if name in needle_measures(a)]
            b = [needle_measures(a)[name] for a in bests if name in needle_measures(a)]
            label, unit = measure_label(name)
            measures.append({"name": name, "label": label, "unit": unit, "first": round(mean(f), 2) if f else None,
                             "best": round(mean(b), 2) if b else None, "students": len(f)})
        out.append(NeedleLevel(level, len(studs), sum(len(xs) for xs in studs), sum(a.correct for a in firsts),
                               sum(a.correct for a in bests), sum(_breached(a) for a in firsts),
                               sum(_breached(a) for a in bests), float(median(len(xs) for xs in studs)), measures))
    return out
