"""Grading a handed-in answer again from the course content: the class results never trust an export.

A student can edit a file before handing it in, so :func:`regrade` ignores the ``grades`` written in it and
grades the ``answer`` again through the exercise it answers (:mod:`widgets.record.exercise`): each topic
declares its exercises in its own ``exercise.py`` and registers them when imported, and this module imports
every topic's.  The quiz is graded under both of its standards, the leaflet's rules and current practice, so an
answer handed in before the quiz had a second standard is graded by both too; the step order through the
procedure's steps, the multiple-choice exercises through their question files, the needle placement from where
the needle went, the pre-test and post-test through their forms.  An answer that cannot be graded (an unknown
exercise, case or question, a malformed answer) raises :class:`Ungradable` saying why.

To add an exercise, declare it in its topic's ``exercise.py`` and import that module here.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

# Importing each topic's exercise module registers its exercises.
from widgets.assessment import exercise as assessment_exercise
from widgets.candidacy import exercise as candidacy_exercise
from widgets.imaging import exercise as imaging_exercise
from widgets.outcomes import exercise as outcomes_exercise
from widgets.procedures import exercise as procedures_exercise
from widgets.recovery import exercise as recovery_exercise
from widgets.candidacy.exercise import quiz_vignette, regrade_quiz
from widgets.record.attempts import Attempt, Grade
from widgets.record.exercise import ChoiceExercise, Ungradable, UnknownExercise, all_exercises, exercise

__all__ = ["TOPICS", "Ungradable", "UnknownExercise", "choice_options", "option_misconception", "option_text", "question_text",
           "quiz_vignette", "regrade", "regrade_quiz"]

#: The topics' exercise modules, each registering its exercises.
TOPICS = (assessment_exercise, candidacy_exercise, imaging_exercise, outcomes_exercise, procedures_exercise,
          recovery_exercise)


def regrade(attempt: Attempt) -> dict[str, Grade]:
    """Every standard's grade for ``attempt``, from the content (never from the file)."""
    return exercise(attempt.exercise).regrade(attempt)


def _choice(exercise_id: str) -> ChoiceExercise | None:
    found = next((e for e in all_exercises() if e.id == exercise_id), None)
    return found if isinstance(found, ChoiceExercise) else None


def option_text(exercise_id: str, question_id: str, option_id: str) -> str | None:
    """The text of an option, for the debrief (None when unknown)."""
    ex = _choice(exercise_id)
    option = ex.option(question_id, option_id) if ex is not None else None
    return option.text if option is not None else None


def option_misconception(exercise_id: str, question_id: str, option_id: str) -> str | None:
    """The misconception a wrong option reveals, for the debrief (None when it names none)."""
    ex = _choice(exercise_id)
    option = ex.option(question_id, option_id) if ex is not None else None
    return getattr(option, "misconception", None) if option is not None else None


def question_text(exercise_id: str, question_id: str) -> str | None:
    ex = _choice(exercise_id)
    q = ex.question(question_id) if ex is not None else None
    return getattr(q, "prompt", None) if q is not None else None


def choice_options(exercise_id: str, question_id: str) -> list[str]:
    """The option ids of a multiple-choice question, in order (empty when unknown)."""
    ex = _choice(exercise_id)
    q = ex.question(question_id) if ex is not None else None
    return [o.id for o in q.options] if q is not None else []
