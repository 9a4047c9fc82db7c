"""The after-care quiz as an exercise (:class:`widgets.record.exercise.ChoiceExercise`; notebook 07):
multiple-choice questions about recovery, graded against the course.  An item is a question id.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from widgets.recovery.model import quiz_questions
from widgets.record.exercise import ChoiceExercise, register

#: The exercise id of the after-care quiz.
AFTERCARE_QUIZ = "aftercare-quiz"

AFTERCARE_EXERCISE = register(ChoiceExercise(AFTERCARE_QUIZ, "After-care (07)", "course", questions=quiz_questions))
