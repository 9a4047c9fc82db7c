"""The procedures' exercises (:class:`widgets.record.exercise.Exercise`): putting a procedure's steps in order
(notebooks 02, 03; an item is a procedure), and its decision points, multiple-choice questions (an item is a
question id).

A step order is an :class:`~widgets.record.attempts.Attempt` from the first check on (:func:`order_attempt`): the
order in ``answer["order"]``, the grade against the leaflet with the misplaced steps in ``expected["misplaced"]``,
its number in the session in ``context["attempt"]``.  The session's attempts (:class:`AttemptHistory`) are the
same records the hand-in holds, read back by :func:`attempt_number`, :func:`misplaced_steps` and
:func:`steps_in_place`.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from widgets.core.course import PROCEDURES
from widgets.procedures.steps import OrderResult, grade_order, load_procedure, load_questions
from widgets.record.attempts import Attempt, Grade, make_attempt, utc_stamp
from widgets.record.exercise import ChoiceExercise, Exercise, Ungradable, register

#: The exercise ids: the step order, and the decision points.
STEP_ORDER = "step-order"
DECISION_POINTS = "decision-points"
#: The standard both are graded against first: the step order against the leaflet, the decision points the course's.
STEP_ORDER_STANDARD = "leaflet"


def order_grades(result: OrderResult) -> dict[str, Grade]:
    """A step order's grade against the leaflet: each step submitted in place or not, and the misplaced steps."""
    parts = {s: s not in result.misplaced for s in result.submitted}
    return {STEP_ORDER_STANDARD: Grade(correct=result.correct, parts=parts,
                                       expected={"misplaced": list(result.misplaced)})}


def order_attempt(result: OrderResult, number: int, answered_at: str | None = None) -> Attempt:
    """The attempt a checked order is: the order submitted, its grade, and its ``number`` among the session's tries
    at that procedure."""
    return make_attempt(STEP_ORDER, result.procedure, {"order": list(result.submitted)}, order_grades(result),
                        context={"attempt": number}, answered_at=answered_at)


def attempt_number(attempt: Attempt) -> int:
    """The attempt's number among the session's tries at its procedure (1 for the first)."""
    return int(attempt.context["attempt"])


def misplaced_steps(attempt: Attempt) -> tuple[str, ...]:
    """The steps the attempt put out of place."""
    return tuple(attempt.grade(STEP_ORDER_STANDARD).expected["misplaced"])


def steps_in_place(attempt: Attempt) -> tuple[int, int]:
    """(steps in place, steps in all) of the order submitted."""
    n = len(attempt.answer["order"])
    return n - len(misplaced_steps(attempt)), n


@dataclass
class AttemptHistory:
    """The step orders one student checked in this session, in order: the attempts the hand-in records."""

    attempts: list[Attempt] = field(default_factory=list)
    clock: Callable[[], str] = utc_stamp     # the course's one time stamp, as every answer is stamped

    def record(self, result: OrderResult) -> Attempt:
        n = sum(a.item == result.procedure for a in self.attempts) + 1
        a = order_attempt(result, n, self.clock())
        self.attempts.append(a)
        return a

    def progress(self) -> str:
        """One line per attempt, e.g. 'Attempt 2: 9 of 9 in place (correct)'."""
        if not self.attempts:
            return "No attempts yet."
        return "\n".join(
            f"Attempt {attempt_number(a)}: {steps_in_place(a)[0]} of {steps_in_place(a)[1]} in place"
            + (" (correct)" if a.correct else "") for a in self.attempts)


def regrade_order(attempt: Attempt) -> dict[str, Grade]:
    """The step order graded again from the order handed in (or, from a version-1 export, its misplaced steps)."""
    if attempt.item not in PROCEDURES:
        raise Ungradable("the procedure is not one of the course's")
    proc = load_procedure(attempt.item)
    order = attempt.answer.get("order")
    if isinstance(order, list):
        try:
            result = grade_order(proc, order)
        except ValueError:
            raise Ungradable("the submitted order is not the procedure's steps, each once") from None
        return order_grades(result)
    misplaced = attempt.answer.get("misplaced")     # version-1 ordering exports kept only this
    if isinstance(misplaced, list) and all(m in proc.step_ids for m in misplaced) and len(set(misplaced)) == len(misplaced):
        return {STEP_ORDER_STANDARD: Grade(correct=not misplaced, parts={s: s not in misplaced for s in proc.step_ids},
                                           expected={"misplaced": list(misplaced)})}
    raise Ungradable("the answer names steps that are not the procedure's")


def _decision_points():
    return load_questions().questions


STEP_ORDER_EXERCISE = register(Exercise(STEP_ORDER, "Step order (02, 03)", STEP_ORDER_STANDARD, regrade_order,
                                        lambda: PROCEDURES))
DECISION_EXERCISE = register(ChoiceExercise(DECISION_POINTS, "Decision point (02, 03)", "course",
                                            questions=_decision_points))
