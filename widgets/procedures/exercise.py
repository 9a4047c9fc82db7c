"""The procedures' exercises (:class:`widgets.record.exercise.Exercise`): putting a procedure's steps in order
(notebooks 02, 03; an item is a procedure), and its decision points, multiple-choice questions (an item is a
question id).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from widgets.core.course import PROCEDURES
from widgets.procedures.steps import grade_order, load_procedure, load_questions
from widgets.record.attempts import Attempt, Grade
from widgets.record.exercise import ChoiceExercise, Exercise, Ungradable, register

#: The exercise ids: the step order, and the decision points.
STEP_ORDER = "step-order"
DECISION_POINTS = "decision-points"
#: The standard both are graded against first: the step order against the leaflet, the decision points the course's.
STEP_ORDER_STANDARD = "leaflet"


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
        parts = {s: s not in result.misplaced for s in order}
        return {STEP_ORDER_STANDARD: Grade(correct=result.correct, parts=parts,
                                           expected={"misplaced": list(result.misplaced)})}
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
