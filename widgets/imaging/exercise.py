"""The needle placement as an exercise (:class:`widgets.record.exercise.Exercise`): its id, the grade a placement
is recorded with, and how a handed-in placement is placed and graded again from where the answer puts the needle,
on the spine it was placed in (the model or the real CT).  What the hand-in records is described in
:mod:`widgets.imaging.attempts`.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import math

from widgets.imaging.grading import NeedleGrade
from widgets.imaging.placement import SETTINGS, SPINES, grade_placement, levels
from widgets.record.attempts import Attempt, Grade
from widgets.record.exercise import Exercise, Ungradable, register

#: The exercise id of the needle placement (notebook 04; an item is a level; the four geometric checks).
NEEDLE_PLACEMENT = "needle-placement"
#: The one standard a placement is graded against: the geometry of the pedicle and body.
GRADE_STANDARD = "geometry"
#: The treated body's heights a placement on the model spine records.
HEIGHT_KEYS = ("height_anterior_mm", "height_middle_mm", "height_posterior_mm")


def needle_grades(grade: NeedleGrade) -> dict:
    """The grade for the hand-in: one standard, the placement's geometry, with its four checks, its
    problems and its metrics."""
    return {GRADE_STANDARD: {"correct": grade.passed, "parts": dict(grade.results),
                             "expected": {"problems": [p.code for p in grade.problems], **grade.metrics}}}


class UngradableAnswer(Ungradable):
    """A handed-in placement that cannot be placed again (the message says why)."""


def regrade_answer(item: str, answer: dict) -> NeedleGrade:
    """Grade a handed-in placement again from its ``answer`` (see the module docstring); raises
    :class:`UngradableAnswer` naming what is wrong.  Older answers without ``spine`` or ``approach``
    were placed on the model spine through one pedicle."""
    spine = answer.get("spine", "model")
    approach = answer.get("approach", "unilateral")
    if spine not in SPINES:
        raise UngradableAnswer(f"the answer's spine '{spine}' is not one the course draws")
    if approach not in ("unilateral", "bilateral"):
        raise UngradableAnswer(f"the answer's approach '{approach}' is not one the course grades")
    if item not in levels(spine):
        raise UngradableAnswer("the level is not one the course draws")
    keys = SETTINGS + (HEIGHT_KEYS if spine == "model" else ())
    values = {}
    for key in keys:
        value = answer.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise UngradableAnswer(f"the answer's '{key}' is not a number")
        values[key] = float(value)
    heights = None
    if spine == "model":
        heights = tuple(values[k] for k in HEIGHT_KEYS)
        if not all(5.0 <= h <= 60.0 for h in heights):
            raise UngradableAnswer("the fracture's heights are outside what the course draws")
    try:
        return grade_placement(spine, item, values, heights, approach)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise UngradableAnswer("the needle's settings cannot be placed in the drawing") from None


def regrade_needle(attempt: Attempt) -> dict[str, Grade]:
    """Grade a needle placement again from where the answer puts the needle: the four checks and the metrics."""
    spec = needle_grades(regrade_answer(attempt.item, attempt.answer))[GRADE_STANDARD]
    return {GRADE_STANDARD: Grade(correct=spec["correct"], parts=spec["parts"], expected=spec["expected"])}


NEEDLE_EXERCISE = register(Exercise(NEEDLE_PLACEMENT, "Needle placement (04)", GRADE_STANDARD, regrade_needle))
