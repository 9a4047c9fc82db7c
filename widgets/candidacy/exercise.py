"""The candidacy quiz as an exercise (:class:`widgets.record.exercise.Exercise`): its id, how an answer is graded
under both standards, the attempt the quiz makes of it, and how a handed-in answer is graded again.

An answer is ``{"vertebroplasty": bool, "kyphoplasty": bool, "reason": <rule id>}`` about one case: a case of
the bank, or a practice case generated from its id (:data:`widgets.candidacy.vignettes.GENERATED_ID`).  It is
graded under the leaflet's rules (the first standard) and current practice.

A quiz answer is an :class:`~widgets.record.attempts.Attempt` from the moment it is graded (:func:`quiz_attempt`):
the item is the case id, the grades are ``{"leaflet": ..., "current_practice": ...}``, each with the parts
(``vertebroplasty``, ``kyphoplasty``, ``reason``) and what was expected (both verdicts and the deciding rules), and
the context says where the case came from (``source``) and how the student reached it (``mode``).  The quiz, its
review, flashcards, daily set and class comparison hold these same records the progress file saves and the hand-in
carries, and read them through :func:`right`, :func:`leaflet_right`, :func:`has_practice`, :func:`deciding`,
:func:`wrong_parts` and :func:`source`.  An answer saved before the quiz graded current practice has only the
leaflet's grade, which then stands in.  What is read back from a file is checked by :func:`check_quiz_attempt`
(:func:`quiz_attempts` keeps the answers that pass).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.practice import assess_practice
from widgets.candidacy.rules import (
    LEAFLET, LEAFLET_DECIDING_IDS, PRACTICE, PRACTICE_DECIDING_IDS, REASON_IDS, Assessment, assess,
)
from widgets.candidacy.vignettes import Vignette, generated_case
from widgets.record.attempts import Attempt, Grade, make_attempt
from widgets.record.exercise import Exercise, Ungradable, register

#: The exercise id of the candidacy quiz (notebook 06; an item is a case id).
QUIZ = "candidacy-quiz"
#: The grade a student sees first (current practice's); the leaflet's sits beside it.
FIRST = PRACTICE
#: What each standard grades in an answer.
PARTS = ("vertebroplasty", "kyphoplasty", "reason")
#: Where a case came from, and how the student reached it (an attempt's ``context``).
SOURCES = ("bank", "generated")
MODES = ("bank", "retry", "practice", "review", "daily")


def answer_grade(truth: Assessment, vertebroplasty: bool, kyphoplasty: bool, reason: str) -> Grade:
    """An answer's grade under one standard: each part right or not, and the verdicts and deciding rules expected."""
    deciding = list(truth.deciding_rules)
    parts = {"vertebroplasty": vertebroplasty == truth.vertebroplasty.eligible,
             "kyphoplasty": kyphoplasty == truth.kyphoplasty.eligible, "reason": reason in deciding}
    return Grade(correct=all(parts.values()), parts=parts,
                 expected={"vertebroplasty": truth.vertebroplasty.eligible,
                           "kyphoplasty": truth.kyphoplasty.eligible, "deciding_rules": deciding})


def grade_answer(vignette: Vignette, vertebroplasty: bool, kyphoplasty: bool, reason: str, *, rules=None,
                 practice_rules=None) -> tuple[Assessment, Assessment, dict[str, Grade]]:
    """Grade one answer under both standards: (leaflet, practice, the grades an attempt stores, the leaflet's
    first)."""
    leaflet = assess(vignette.patient, rules)
    practice = assess_practice(vignette.patient, practice_rules)
    return leaflet, practice, {LEAFLET: answer_grade(leaflet, vertebroplasty, kyphoplasty, reason),
                               PRACTICE: answer_grade(practice, vertebroplasty, kyphoplasty, reason)}


def quiz_attempt(vignette: Vignette, vertebroplasty: bool, kyphoplasty: bool, reason: str,
                 grades: dict[str, Grade], *, mode: str = "bank", answered_at: str | None = None) -> Attempt:
    """The attempt one graded answer is: what the progress file saves and the hand-in carries, as it is."""
    return make_attempt(QUIZ, vignette.id, {"vertebroplasty": vertebroplasty, "kyphoplasty": kyphoplasty,
                                            "reason": reason},
                        grades, context={"source": vignette.source, "mode": mode}, answered_at=answered_at)


# --------------------------------------------------------------------------- reading a quiz attempt

def has_practice(attempt: Attempt) -> bool:
    """Whether the answer was graded under current practice too (answers saved before that was graded were not)."""
    return PRACTICE in attempt.grades


def first_grade(attempt: Attempt) -> Grade:
    """The grade a student sees first: current practice's, or the leaflet's for an answer saved before current
    practice was graded."""
    return attempt.grades[FIRST] if has_practice(attempt) else attempt.grades[LEAFLET]


def right(attempt: Attempt) -> bool:
    """Right under the grade a student sees first (:func:`first_grade`)."""
    return first_grade(attempt).correct


def leaflet_right(attempt: Attempt) -> bool:
    """Right under the patient leaflet's rules."""
    return attempt.grades[LEAFLET].correct


def deciding(attempt: Attempt, standard: str | None = None) -> list[str]:
    """The rules that decided the case under ``standard`` (default: the grade a student sees first)."""
    grade = first_grade(attempt) if standard is None else attempt.grades[standard]
    return list(grade.expected["deciding_rules"])


def wrong_parts(attempt: Attempt, standard: str | None = None) -> list[str]:
    """The parts of the answer (``vertebroplasty``, ``kyphoplasty``, ``reason``) that were not right under
    ``standard`` (default: the grade a student sees first)."""
    grade = first_grade(attempt) if standard is None else attempt.grades[standard]
    return [part for part in PARTS if not grade.parts[part]]


def source(attempt: Attempt) -> str:
    """Where the case came from: ``bank`` or ``generated``."""
    return str(attempt.context.get("source", "bank"))


def check_quiz_attempt(attempt: Attempt) -> Attempt:
    """The attempt, when it is a complete and consistent quiz answer; else ValueError saying what is wrong.

    What a progress file or a log holds was written by this quiz, or edited by hand: the answer must name both
    verdicts and a known reason, each grade must give its three parts and the known rules that decided, be right
    exactly when all three parts are, and the grade under current practice must be complete or absent.
    """
    if attempt.exercise != QUIZ or LEAFLET not in attempt.grades:
        raise ValueError("not a candidacy-quiz answer graded against the leaflet")
    answer = attempt.answer
    for proc in ("vertebroplasty", "kyphoplasty"):
        if proc not in answer:
            raise ValueError(f"the quiz answer lacks '{proc}'")
        if not isinstance(answer[proc], bool):
            raise ValueError(f"the answer for {proc} must be true or false")
    if "reason" not in answer:
        raise ValueError("the quiz answer lacks 'reason'")
    if answer["reason"] not in REASON_IDS:
        raise ValueError(f"the reason '{answer['reason']}' is not one of the quiz's rules")
    if source(attempt) not in SOURCES:
        raise ValueError(f"the source must be one of {', '.join(SOURCES)}")
    if attempt.context.get("mode", "bank") not in MODES:
        raise ValueError(f"the mode must be one of {', '.join(MODES)}")
    for standard, known, name in ((LEAFLET, LEAFLET_DECIDING_IDS, "correct"),
                                  (PRACTICE, PRACTICE_DECIDING_IDS, "practice_correct")):
        grade = attempt.grades.get(standard)
        if grade is None:
            continue
        lacking = [p for p in PARTS if p not in grade.parts] + ["deciding_rules"] * ("deciding_rules" not in
                                                                                   grade.expected)
        if lacking and standard == PRACTICE:
            raise ValueError("the grade under current practice is incomplete: give all of "
                             + ", ".join(PARTS) + " and deciding_rules")
        if lacking:
            raise ValueError(f"the quiz answer lacks '{lacking[0]}'")
        rules = grade.expected["deciding_rules"]
        if not isinstance(rules, list) or not rules:
            raise ValueError(f"the deciding rules under {standard} must be a list of at least one rule")
        unknown = [r for r in rules if r not in known]
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not a rule that decides a case under {standard}")
        if grade.correct != all(grade.parts[p] for p in PARTS):
            under = " under current practice" if standard == PRACTICE else ""
            raise ValueError(f"'{name}' must be true exactly when both procedure answers and the reason are "
                             f"correct{under}")
    return attempt


def quiz_attempts(attempts: Iterable[Attempt]) -> list[Attempt]:
    """The quiz's answers among a student's stored attempts (a progress file's, a log's), in the order given; an
    attempt that is not a complete quiz answer (:func:`check_quiz_attempt`) is left out."""
    out = []
    for attempt in attempts:
        if attempt.exercise == QUIZ:
            try:
                out.append(check_quiz_attempt(attempt))
            except ValueError:
                continue
    return out


# --------------------------------------------------------------------------- grading again

@lru_cache(maxsize=4)
def bank_vignettes(path: str | None = None) -> dict[str, Vignette]:
    """The case bank's cases as vignettes, by id (``path``: another bank file; None: the course's)."""
    return {c.id: Vignette.from_case(c) for c in load_case_bank(path)}


def quiz_vignette(case_id: str, bank_path: str | None = None) -> Vignette:
    """The vignette a quiz answer was about: a bank case, or a practice case made again from its id."""
    bank = bank_vignettes(bank_path)
    if case_id in bank:
        return bank[case_id]
    generated = generated_case(case_id)
    if generated is not None:
        return generated
    raise Ungradable("the case is not in the case bank (a case from another bank, or an edited file)")


def regrade_quiz(attempt: Attempt, bank_path: str | None = None) -> dict[str, Grade]:
    """Both standards' grades of a quiz answer: the leaflet's (the first) and current practice's."""
    a = attempt.answer
    vp, kp, reason = a.get("vertebroplasty"), a.get("kyphoplasty"), a.get("reason")
    if not isinstance(vp, bool) or not isinstance(kp, bool) or reason not in REASON_IDS:
        raise Ungradable("the answer is incomplete (both verdicts and a rule are needed)")
    return grade_answer(quiz_vignette(attempt.item, bank_path), vp, kp, reason)[2]


CANDIDACY_QUIZ = register(Exercise(QUIZ, "Candidacy quiz (06)", LEAFLET, regrade_quiz))
