"""Grading a handed-in answer again from the course content: the class results never trust an export.

A student can edit a file before handing it in, so :func:`regrade` ignores the ``grades`` written
in it and grades the ``answer`` again: the quiz through both of its standards, the leaflet's rules and
current practice, and the case bank (or the seeded generator for practice cases), so an answer handed
in before the quiz had a second standard is graded by both too; the step order through the procedure's steps, the
multiple-choice exercises through their question files.  An answer that cannot be graded (an
unknown case or question, a malformed answer) raises :class:`Ungradable` saying why.

To add an exercise (issue 14's needle placement, say), write a function ``Attempt -> dict of
standard -> Grade`` and :func:`register` it under the exercise id.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from widgets.core.course import PROCEDURES
from widgets.record.attempts import Attempt, Grade
from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.vignettes import Vignette, generate
from widgets.candidacy.quiz import grade_answer
from widgets.candidacy.rules import LEAFLET, PRACTICE, REASON_IDS
from widgets.procedures.steps import grade_order, load_procedure, load_questions
from widgets.outcomes.model import load_patient_questions
from widgets.recovery.model import quiz_questions
from widgets.imaging.attempts import GRADE_STANDARD, UngradableAnswer, needle_grades, regrade_answer
from widgets.assessment.forms import POST, PRE, grade_item as grade_test_item

_GEN_ID = re.compile(r"^gen-(-?\d{1,9})-(\d{1,6})$")


class Ungradable(ValueError):
    """An answer the content cannot grade (the message says why)."""


Regrader = Callable[[Attempt], dict]
_REGRADERS: dict[str, Regrader] = {}


def register(exercise: str, regrader: Regrader) -> None:
    _REGRADERS[exercise] = regrader


def regrade(attempt: Attempt) -> dict[str, Grade]:
    """Every standard's grade for ``attempt``, from the content (never from the file)."""
    try:
        regrader = _REGRADERS[attempt.exercise]
    except KeyError:
        raise Ungradable(f"this module cannot grade the exercise '{attempt.exercise}' (a newer version "
                         "may); it is left out") from None
    return regrader(attempt)


# --------------------------------------------------------------------------- the candidacy quiz

@lru_cache(maxsize=4)
def _bank(path: str | None):
    return {c.id: Vignette.from_case(c) for c in load_case_bank(path)}


def quiz_vignette(case_id: str, bank_path: str | None = None):
    """The vignette a quiz answer was about: a bank case, or a practice case regenerated from its id."""
    bank = _bank(bank_path)
    if case_id in bank:
        return bank[case_id]
    m = _GEN_ID.match(case_id)
    if m:
        return generate(int(m.group(1)), 1, start=int(m.group(2)))[0]
    raise Ungradable("the case is not in the case bank (a case from another bank, or an edited file)")


def regrade_quiz(attempt: Attempt, bank_path: str | None = None) -> dict[str, Grade]:
    """Both standards' grades of a quiz answer: the leaflet's (the first) and current practice's."""
    a = attempt.answer
    vp, kp, reason = a.get("vertebroplasty"), a.get("kyphoplasty"), a.get("reason")
    if not isinstance(vp, bool) or not isinstance(kp, bool) or reason not in REASON_IDS:
        raise Ungradable("the answer is incomplete (both verdicts and a rule are needed)")
    leaflet, practice, fields = grade_answer(quiz_vignette(attempt.item, bank_path), vp, kp, reason)
    grades = {}
    for standard, prefix, truth in ((LEAFLET, "", leaflet), (PRACTICE, "practice_", practice)):
        parts = {"vertebroplasty": fields[f"{prefix}vertebroplasty_correct"],
                 "kyphoplasty": fields[f"{prefix}kyphoplasty_correct"], "reason": fields[f"{prefix}reason_correct"]}
        grades[standard] = Grade(correct=fields[f"{prefix}correct"], parts=parts,
                                 expected={"vertebroplasty": truth.vertebroplasty.eligible,
                                           "kyphoplasty": truth.kyphoplasty.eligible,
                                           "deciding_rules": list(truth.deciding_rules)})
    return grades


# --------------------------------------------------------------------------- the step order

def regrade_order(attempt: Attempt) -> dict[str, Grade]:
    if attempt.item not in PROCEDURES:
        raise Ungradable("the procedure is not one of the course's")
    proc = load_procedure(attempt.item)
    order = attempt.answer.get("order")
    if isinstance(order, list):
        try:
            result = grade_order(proc, order)
        except ValueError:
            raise Ungradable("the submitted order is not the procedure's steps, each once") from None
        parts = {s: s not in result.misplaced for s in order}
        return {"leaflet": Grade(correct=result.correct, parts=parts, expected={"misplaced": list(result.misplaced)})}
    misplaced = attempt.answer.get("misplaced")     # version-1 ordering exports kept only this
    if isinstance(misplaced, list) and all(m in proc.step_ids for m in misplaced) and len(set(misplaced)) == len(misplaced):
        return {"leaflet": Grade(correct=not misplaced, parts={s: s not in misplaced for s in proc.step_ids},
                                 expected={"misplaced": list(misplaced)})}
    raise Ungradable("the answer names steps that are not the procedure's")


# --------------------------------------------------------------------------- multiple choice

@lru_cache(maxsize=1)
def _choice_questions() -> dict[str, dict]:
    return {"decision-points": {q.id: q for q in load_questions().questions},
            "aftercare-quiz": {q.id: q for q in quiz_questions()},
            "patient-questions": {q.id: q for q in load_patient_questions()}}


def option_text(exercise: str, question_id: str, option_id: str) -> str | None:
    """The text of an option, for the debrief (None when unknown)."""
    q = _choice_questions().get(exercise, {}).get(question_id)
    for o in getattr(q, "options", []):
        if o.id == option_id:
            return o.text
    return None


def option_misconception(exercise: str, question_id: str, option_id: str) -> str | None:
    """The misconception a wrong option reveals, for the debrief (None when it names none)."""
    q = _choice_questions().get(exercise, {}).get(question_id)
    for o in getattr(q, "options", []):
        if o.id == option_id:
            return getattr(o, "misconception", None)
    return None


def question_text(exercise: str, question_id: str) -> str | None:
    q = _choice_questions().get(exercise, {}).get(question_id)
    return getattr(q, "prompt", None) if q is not None else None


def _regrade_choice(standard: str) -> Regrader:
    def regrade_choice(attempt: Attempt) -> dict[str, Grade]:
        q = _choice_questions()[attempt.exercise].get(attempt.item)
        if q is None:
            raise Ungradable("the question is not one of the course's")
        chosen = attempt.answer.get("option")
        option = next((o for o in q.options if o.id == chosen), None)
        if option is None:
            raise Ungradable("the chosen option is not one of the question's")
        right = next(o for o in q.options if o.correct)
        return {standard: Grade(correct=option.correct, expected={"option": right.id})}
    return regrade_choice


# --------------------------------------------------------------------------- needle placement

def regrade_needle(attempt: Attempt) -> dict[str, Grade]:
    """Grade a needle placement again from where the answer puts the needle, on the spine it was placed
    in (the model or the real CT): the four checks and the metrics (:func:`widgets.imaging.attempts.regrade_answer`)."""
    try:
        g = regrade_answer(attempt.item, attempt.answer)
    except UngradableAnswer as exc:
        raise Ungradable(str(exc)) from None
    spec = needle_grades(g)[GRADE_STANDARD]
    return {GRADE_STANDARD: Grade(correct=spec["correct"], parts=spec["parts"], expected=spec["expected"])}


# --------------------------------------------------------------------------- the pre-test and the post-test

def regrade_test(attempt: Attempt, bank_path: str | None = None) -> dict[str, Grade]:
    """A pre-test or post-test answer graded again: a case under both standards and 'accepted' (either),
    a decision point under 'course' (see widgets.assessment.forms.grade_item)."""
    try:
        grades = grade_test_item(attempt.item, attempt.answer, bank_path)
    except ValueError as exc:
        raise Ungradable(str(exc)) from None
    return {standard: Grade(**grade) for standard, grade in grades.items()}


register("candidacy-quiz", regrade_quiz)
register("step-order", regrade_order)
register("decision-points", _regrade_choice("course"))
register("aftercare-quiz", _regrade_choice("course"))
register("patient-questions", _regrade_choice("evidence"))
register("needle-placement", regrade_needle)
register(PRE, regrade_test)
register(POST, regrade_test)
