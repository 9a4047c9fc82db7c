"""The pre-test and the post-test: two parallel forms, which form a student takes, and how an item is graded.

Parallel forms
--------------
The items are bank cases (``case:<case id>``: both verdicts and the deciding rule, as in the quiz) and
decision points (``decision:<question id>``: one option, as in notebooks 02 and 03).  :func:`parallel_forms`
groups the bank's cases by the leaflet rules that decide them and the decision points by procedure,
shuffles each group with the spec's ``form_seed`` and deals its items in pairs; the pairs are then taken
a group at a time in turn, so the first pairs cover as many rules as there are.  Form A holds the first
item of each pair and form B the second: position k of both forms is decided by the same rule (or asks
about the same procedure), and no item is in both forms.  The instructor chooses the length in
``widgets/content/pre_post_test.yaml`` (:class:`TestSpec`); a form cannot be longer than the pairs there are.

Who takes which form
--------------------
Half the class takes form A first and half form B (counterbalanced: a hash of the student's hub login or
install id decides, :func:`first_form`), so a harder form does not make the class's gain.  The post-test
is the other form, and :func:`widgets.assessment.exercise.items_for` also leaves out any item the student's own pre-test answered
(should the spec change between the sessions), so a student never meets a pre-test item again.

Grading
-------
:func:`grade_item` grades one answer from the content, the same way for the student's test and the
class results: a case under the leaflet and under current practice (the quiz's two standards, with the
same grade records as the quiz's), and the test's own standard, ``accepted``: right under either
standard, so an answer that follows current practice is never a plain miss; a decision point under
``course`` (and ``accepted`` the same).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

from pydantic import Field, StrictInt

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.exercise import grade_answer
from widgets.candidacy.rules import LEAFLET, PRACTICE, REASON_IDS, assess
from widgets.candidacy.vignettes import Vignette
from widgets.core.loading import ContentError, ContentModel, content_path, load_content
from widgets.core.settings import current_settings
from widgets.procedures.steps import load_questions
from widgets.record.attempts import Attempt

ACCEPTED = "accepted"                       # the test's standard: right under the leaflet or current practice
COURSE = "course"                           # the decision points' standard
FORMS = ("A", "B")


class TestSpec(ContentModel):
    """The instructor's choice of length (see ``widgets/content/pre_post_test.yaml``)."""

    cases_per_form: StrictInt = Field(ge=1, le=40)
    decision_points_per_form: StrictInt = Field(ge=0, le=20)
    form_seed: StrictInt


def spec_path_in_use(path: Path | str | None = None) -> Path:
    """``path``, else the settings' ``$VKP_TEST_SPEC`` (an instructor's own), else the shipped ``pre_post_test.yaml``."""
    return Path(path) if path else (current_settings().test_spec or content_path("pre_post_test.yaml"))


def load_test_spec(path: Path | str | None = None) -> TestSpec:
    """The spec: ``path``, else ``$VKP_TEST_SPEC``, else the shipped ``pre_post_test.yaml``."""
    return load_content(spec_path_in_use(path), TestSpec)


@dataclass(frozen=True)
class TestItem:
    """One item of a form: ``key`` is what the hand-in records as the attempt's item."""

    kind: Literal["case", "decision"]
    ref: str          # the case id or the question id
    group: str        # what makes it parallel: the leaflet's deciding rules, or the procedure

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"


@dataclass(frozen=True)
class Forms:
    """The two parallel forms, each a list of items in the order students meet them."""

    a: tuple[TestItem, ...]
    b: tuple[TestItem, ...]
    available_case_pairs: int
    available_decision_pairs: int

    def form(self, name: str) -> tuple[TestItem, ...]:
        return self.a if name == "A" else self.b


def parse_key(key: str) -> tuple[str, str]:
    """``'case:c05-x'`` -> ('case', 'c05-x'); ValueError for anything else."""
    kind, _, ref = str(key).partition(":")
    if kind not in ("case", "decision") or not ref:
        raise ValueError(f"'{str(key)[:60]}' is not a test item (case:<id> or decision:<id>)")
    return kind, ref


# --------------------------------------------------------------------------- content

@lru_cache(maxsize=4)
def _bank(path: str | None) -> dict[str, Vignette]:
    return {c.id: Vignette.from_case(c) for c in load_case_bank(path).cases}


@lru_cache(maxsize=1)
def _questions() -> dict:
    return {q.id: q for q in load_questions().questions}


def vignette(case_id: str, bank: str | None = None) -> Vignette:
    try:
        return _bank(bank)[case_id]
    except KeyError:
        raise ValueError(f"the case '{case_id[:60]}' is not in the case bank") from None


def question(question_id: str):
    try:
        return _questions()[question_id]
    except KeyError:
        raise ValueError(f"the decision point '{question_id[:60]}' is not one of the course's") from None


def item_title(key: str, bank: str | None = None) -> str:
    """What the debrief calls an item: the case's title or the question's prompt."""
    try:
        kind, ref = parse_key(key)
        return vignette(ref, bank).title if kind == "case" else question(ref).prompt
    except ValueError:
        return "unknown item"


# --------------------------------------------------------------------------- the forms

def _pairs(groups: dict[str, list[TestItem]], seed: str) -> list[tuple[TestItem, TestItem]]:
    """Deal each group's items in pairs (shuffled by the seed), then take the pairs a group at a time in turn."""
    dealt: dict[str, list[tuple[TestItem, TestItem]]] = {}
    for name in sorted(groups):
        items = sorted(groups[name], key=lambda i: i.ref)
        random.Random(f"{seed}:{name}").shuffle(items)
        dealt[name] = list(zip(items[0::2], items[1::2]))
    order = sorted(n for n in dealt if dealt[n])
    random.Random(f"{seed}:groups").shuffle(order)
    out: list[tuple[TestItem, TestItem]] = []
    for rank in range(max((len(v) for v in dealt.values()), default=0)):
        out += [dealt[name][rank] for name in order if rank < len(dealt[name])]
    return out


def case_items(bank: str | None = None) -> list[TestItem]:
    """Every bank case as a test item, grouped by the leaflet rules that decide it."""
    return [TestItem("case", v.id, " + ".join(assess(v.patient).deciding_rules)) for v in _bank(bank).values()]


def decision_items() -> list[TestItem]:
    return [TestItem("decision", q.id, q.procedures[0]) for q in _questions().values()]


def parallel_forms(spec: TestSpec | None = None, *, bank: str | None = None,
                   spec_path: Path | str | None = None) -> Forms:
    """Forms A and B for ``spec`` (ContentError naming the spec file when it asks for more than there is)."""
    spec = spec or load_test_spec(spec_path)
    where = spec_path_in_use(spec_path)
    groups: dict[str, list[TestItem]] = {}
    for item in case_items(bank):
        groups.setdefault(item.group, []).append(item)
    cases = _pairs(groups, f"{spec.form_seed}:cases")
    groups = {}
    for item in decision_items():
        groups.setdefault(item.group, []).append(item)
    decisions = _pairs(groups, f"{spec.form_seed}:decisions")
    if spec.cases_per_form > len(cases):
        raise ContentError(where, f"cases_per_form is {spec.cases_per_form}, but the case bank gives only "
                                  f"{len(cases)} pairs of cases decided by the same rules", field="cases_per_form",
                           fix=f"ask for at most {len(cases)}")
    if spec.decision_points_per_form > len(decisions):
        raise ContentError(where, f"decision_points_per_form is {spec.decision_points_per_form}, but there are only "
                                  f"{len(decisions)} pairs of decision points on the same procedure",
                           field="decision_points_per_form", fix=f"ask for at most {len(decisions)}")
    chosen = cases[:spec.cases_per_form] + decisions[:spec.decision_points_per_form]
    return Forms(tuple(p[0] for p in chosen), tuple(p[1] for p in chosen), len(cases), len(decisions))


def first_form(order_seed: str) -> str:
    """The form a student takes first: A or B, by a hash of their identity (half the class each way)."""
    return FORMS[int(hashlib.sha256(str(order_seed).encode("utf-8")).hexdigest()[:8], 16) % 2]


def form_of(attempts: Iterable[Attempt]) -> str | None:
    """The form the given attempts were answered on (their context says), if any."""
    for a in attempts:
        if a.context.get("form") in FORMS:
            return str(a.context["form"])
    return None


# --------------------------------------------------------------------------- grading

def _case_grades(case_id: str, answer: dict, bank: str | None) -> dict[str, dict]:
    vp, kp, reason = answer.get("vertebroplasty"), answer.get("kyphoplasty"), answer.get("reason")
    if not isinstance(vp, bool) or not isinstance(kp, bool) or reason not in REASON_IDS:
        raise ValueError("the answer is incomplete (both verdicts and a rule are needed)")
    leaflet, _, graded = grade_answer(vignette(case_id, bank), vp, kp, reason)
    grades: dict[str, dict] = {standard: grade.model_dump() for standard, grade in graded.items()}
    lg, pg = grades[LEAFLET]["correct"], grades[PRACTICE]["correct"]
    grades = {ACCEPTED: {"correct": lg or pg, "parts": {LEAFLET: lg, PRACTICE: pg},
                         "expected": {"deciding_rules": list(leaflet.deciding_rules)}}, **grades}
    return grades


def _decision_grades(question_id: str, answer: dict) -> dict[str, dict]:
    q = question(question_id)
    chosen = answer.get("option")
    option = next((o for o in q.options if o.id == chosen), None)
    if option is None:
        raise ValueError("the chosen option is not one of the question's")
    grade = {"correct": option.correct, "expected": {"option": q.answer.id, "procedure": q.procedures[0]}}
    return {ACCEPTED: grade, COURSE: grade}


def grade_item(key: str, answer: dict, bank: str | None = None) -> dict[str, dict]:
    """Every standard's grade of one test answer, from the content (ValueError saying why it cannot be)."""
    kind, ref = parse_key(key)
    return _case_grades(ref, answer, bank) if kind == "case" else _decision_grades(ref, answer)
