"""Learning gain from the pre-test and the post-test: each student's and the class's normalised gain.

Scores are on each student's *first* answer to each item of their form (the test gives one answer per
item anyway), right under either standard (the tests' own ``accepted`` grade: the leaflet's verdicts and
rule, or current practice's), in per cent of the items the student answered.

* A student's normalised gain (Hake): g = (post - pre) / (100 - pre).  Undefined when the pre-test was
  100 % (nothing left to gain): shown as such, never as 0 or 1.
* The class's average normalised gain <g> (Hake 1998, the measure his benchmarks use): from the class's
  average scores, <g> = (<post> - <pre>) / (100 - <pre>), over the students who took *both* tests
  ("matched"); the mean of the students' own g is given beside it (the two differ in general).
* Per rule: for the case items a leaflet rule decides (and the decision points, per procedure), the
  matched students' pre-test and post-test per cent right over those items, and the gain between them.

Students who took only one test are listed with which one is missing and are left out of the gain.  The
benchmarks (:func:`load_benchmarks`) come from ``widgets/content/learning_gain.yaml``, every number with
the source it was read at.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from statistics import mean

from pydantic import Field, StrictFloat, StrictInt

from widgets.assessment.exercise import POST, PRE
from widgets.assessment.forms import ACCEPTED, form_of, parse_key
from widgets.assessment.prepost import normalised_gain
from widgets.candidacy.practice import reason_title
from widgets.classroom import results as cr
from widgets.core.loading import ContentModel, load_content
from widgets.record.attempts import Attempt


# --------------------------------------------------------------------------- benchmarks (content)

class GainSource(ContentModel):
    id: str
    citation: str = Field(min_length=20)
    url_seen: str = Field(pattern=r"^https?://")
    url_seen_alt: str | None = None
    read: str = Field(min_length=10)


class Benchmark(ContentModel):
    id: str
    label: str
    courses: StrictInt = Field(gt=0)
    students: StrictInt = Field(gt=0)
    mean_g: StrictFloat = Field(ge=-1, le=1)
    sd_g: StrictFloat = Field(ge=0, le=1)


class GainBenchmarks(ContentModel):
    source: GainSource
    measure: str = Field(min_length=20)
    benchmarks: list[Benchmark] = Field(min_length=1)
    caution: str = Field(min_length=20)


@lru_cache(maxsize=2)
def load_benchmarks(path: str | None = None) -> GainBenchmarks:
    return load_content(path or "learning_gain.yaml", GainBenchmarks)


# --------------------------------------------------------------------------- per student

def _firsts(attempts: list[Attempt], exercise: str) -> dict[str, Attempt]:
    out: dict[str, Attempt] = {}
    for a in attempts:
        if a.exercise == exercise and ACCEPTED in a.grades:
            out.setdefault(a.item, a)
    return out


class _PrePost:
    """What a pre/post count shows: the two percentages, whether both tests have answers, and Hake's g (the
    fields ``pre_right``, ``pre_items``, ``post_right``, ``post_items`` are the dataclass's)."""

    @property
    def pre_percent(self) -> float | None:
        return round(100.0 * self.pre_right / self.pre_items, 1) if self.pre_items else None

    @property
    def post_percent(self) -> float | None:
        return round(100.0 * self.post_right / self.post_items, 1) if self.post_items else None

    @property
    def matched(self) -> bool:
        return bool(self.pre_items and self.post_items)

    @property
    def g(self) -> float | None:
        if not self.matched:
            return None
        return normalised_gain(100.0 * self.pre_right / self.pre_items, 100.0 * self.post_right / self.post_items)


@dataclass
class StudentGain(_PrePost):
    student: str                   # pseudonym
    pre_right: int = 0
    pre_items: int = 0
    post_right: int = 0
    post_items: int = 0
    pre_form: str | None = None
    post_form: str | None = None
    repeated: int = 0              # items answered in both tests (should be none)

    @property
    def note(self) -> str:
        if not self.pre_items:
            return "no pre-test handed in"
        if not self.post_items:
            return "no post-test handed in"
        if self.g is None:
            return "pre-test 100 %: no gain to measure"
        if self.repeated:
            return f"{self.repeated} item(s) in both tests"
        return ""


def student_gains(results: cr.ClassResults) -> list[StudentGain]:
    """One row per student who took either test (S01, S02, ... order)."""
    rows = []
    for name, s in results.by_pseudonym():
        pre, post = _firsts(s.attempts, PRE), _firsts(s.attempts, POST)
        if not pre and not post:
            continue
        rows.append(StudentGain(name, sum(a.grade(ACCEPTED).correct for a in pre.values()), len(pre),
                                sum(a.grade(ACCEPTED).correct for a in post.values()), len(post),
                                form_of(pre.values()), form_of(post.values()), len(set(pre) & set(post))))
    return rows


# --------------------------------------------------------------------------- the class

@dataclass
class ClassGain:
    matched: int                      # students with both tests
    pre_only: int
    post_only: int
    pre_mean: float | None            # class average, per cent (matched students)
    post_mean: float | None
    g_class: float | None             # Hake's <g> from the class averages
    g_mean_of_students: float | None  # mean of the students' own g (those defined)
    g_students: int                   # how many students' g are defined


def class_gain(rows: list[StudentGain]) -> ClassGain:
    matched = [r for r in rows if r.matched]
    pre = mean(100.0 * r.pre_right / r.pre_items for r in matched) if matched else None
    post = mean(100.0 * r.post_right / r.post_items for r in matched) if matched else None
    defined = [r.g for r in matched if r.g is not None]
    return ClassGain(len(matched), sum(1 for r in rows if r.pre_items and not r.post_items),
                     sum(1 for r in rows if r.post_items and not r.pre_items),
                     round(pre, 1) if pre is not None else None, round(post, 1) if post is not None else None,
                     round(normalised_gain(pre, post), 3) if matched and normalised_gain(pre, post) is not None else None,
                     round(mean(defined), 3) if defined else None, len(defined))


# --------------------------------------------------------------------------- per rule

@dataclass
class RuleGain(_PrePost):
    key: str                 # a leaflet rule id, or "decision:<procedure>"
    title: str
    pre_right: int = 0
    pre_items: int = 0       # first answers of matched students to items of this rule, in the pre-test
    post_right: int = 0
    post_items: int = 0


def _groups(a: Attempt) -> list[tuple[str, str]]:
    kind, _ = parse_key(a.item)
    if kind == "case":
        leaflet = a.grades.get(cr.LEAFLET)
        rules = (leaflet.expected.get("deciding_rules") if leaflet else None) or []
        return [(str(r), reason_title(str(r))) for r in rules]
    proc = str(a.grade(ACCEPTED).expected.get("procedure") or "")
    return [(f"decision:{proc}", f"Decision points ({proc})" if proc else "Decision points")]


def rule_gains(results: cr.ClassResults) -> list[RuleGain]:
    """Per leaflet rule (case items) and per procedure (decision points), over matched students; rules
    first, in order of their pre-test per cent (lowest first)."""
    rows: dict[str, RuleGain] = {}
    for _, s in results.by_pseudonym():
        pre, post = _firsts(s.attempts, PRE), _firsts(s.attempts, POST)
        if not pre or not post:
            continue
        for phase, answers in (("pre", pre), ("post", post)):
            for a in answers.values():
                try:
                    groups = _groups(a)
                except ValueError:
                    continue
                for key, title in groups:
                    r = rows.setdefault(key, RuleGain(key, title))
                    if phase == "pre":
                        r.pre_items += 1
                        r.pre_right += a.grade(ACCEPTED).correct
                    else:
                        r.post_items += 1
                        r.post_right += a.grade(ACCEPTED).correct
    return sorted(rows.values(), key=lambda r: (r.key.startswith("decision:"),
                                                r.pre_percent if r.pre_percent is not None else 101.0, r.key))
