"""The patient questions as an exercise (:class:`widgets.record.exercise.ChoiceExercise`; notebook 05): a
patient's question, answered by choosing an option, graded against the evidence.  An item is a question id.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from widgets.outcomes.model import load_patient_questions
from widgets.record.exercise import ChoiceExercise, register

#: The exercise id of the patient questions, and the standard they are graded against.
PATIENT_QUESTIONS = "patient-questions"
STANDARD = "evidence"

PATIENT_EXERCISE = register(ChoiceExercise(PATIENT_QUESTIONS, "Patient question (05)", STANDARD,
                                           questions=load_patient_questions))
