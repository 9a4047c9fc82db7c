"""One Exercise per topic in one registry (widgets.record.exercise): every exercise id a hand-in holds is declared
once, in its topic's exercise.py, and the class results grade every answer through the registry."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT
from widgets.classroom import grading            # imports every topic's exercise module, as the class results do
from widgets.record.attempts import EXERCISES, make_attempt, parse_export_text
from widgets.record.exercise import (
    ChoiceExercise, Exercise, Ungradable, UnknownExercise, all_exercises, exercise, register,
)

SAMPLE = ROOT / "lessons" / "sample-exports"
WIDGETS = ROOT / "widgets"
#: Where an exercise id may be written: the topics' exercise modules, and the old progress format's reader (the
#: record layer cannot import a topic; it reads version-1 quiz answers, which are the candidacy quiz's).
ALLOWED = {p for p in WIDGETS.glob("*/exercise.py")} | {WIDGETS / "record" / "progress.py"}


def sample_hand_ins():
    out = []
    for path in sorted(SAMPLE.rglob("*.jsonl")):
        text = path.read_text(encoding="utf-8")
        if text.strip():
            out.append((path, parse_export_text(text)))
    return out


def test_every_exercise_a_hand_in_holds_is_registered_exactly_once():
    ids = [e.id for e in all_exercises()]
    assert len(ids) == len(set(ids)), ids
    assert set(EXERCISES) == set(ids), "the hand-in's first standards are the registry's"
    assert all(EXERCISES[e.id] == e.standard for e in all_exercises())
    handed = {a.exercise for _, f in sample_hand_ins() for a in f.attempts}
    assert handed and handed <= set(ids), f"handed in but not registered: {sorted(handed - set(ids))}"
    # Each topic declares its own; the instructor's side imports every topic's exercise module.
    topics = {p.parent.name for p in WIDGETS.glob("*/exercise.py")} - {"record"}
    assert {m.__name__.split(".")[1] for m in grading.TOPICS} == topics
    for e in all_exercises():
        assert exercise(e.id) is e


def test_an_id_cannot_be_registered_twice():
    taken = all_exercises()[0]
    other = Exercise(taken.id, "Another exercise", "course", lambda attempt: {})
    with pytest.raises(ValueError, match=f"'{taken.id}' is registered twice"):
        register(other)
    assert exercise(taken.id) is taken, "the first stays registered"


def test_the_registry_grades_the_sample_class_as_the_widgets_did():
    """The sample hand-ins were written by the real widgets (tools/make_sample_exports.py): grading every answer
    again through the registry gives, under every standard the widget wrote, the grade the student saw."""
    n = 0
    for path, f in sample_hand_ins():
        for a in f.attempts:
            fresh = grading.regrade(a)
            assert set(a.grades) <= set(fresh), (path.name, a.exercise)
            for standard, written in a.grades.items():
                assert fresh[standard].correct == written.correct, (path.name, a.exercise, a.item, standard)
            assert fresh == exercise(a.exercise).regrade(a)
            n += 1
    assert n > 1000


def test_an_unknown_exercise_is_refused_saying_a_newer_version_may_grade_it():
    a = make_attempt("knee-injection", "k1", {"option": "a"}, {"course": {"correct": True}})
    with pytest.raises(Ungradable, match="cannot grade the exercise 'knee-injection' \\(a newer version may\\)"):
        grading.regrade(a)
    with pytest.raises(UnknownExercise):
        exercise("knee-injection")


def test_an_exercise_refuses_an_answer_to_another():
    quiz, order = exercise("candidacy-quiz"), exercise("step-order")
    a = make_attempt(order.id, "kyphoplasty", {"order": []}, {"leaflet": {"correct": True}})
    with pytest.raises(Ungradable, match="the answer is to 'step-order', not to 'candidacy-quiz'"):
        quiz.regrade(a)


def test_every_question_a_multiple_choice_exercise_lists_is_graded_by_its_right_option():
    choices = [e for e in all_exercises() if isinstance(e, ChoiceExercise)]
    assert {e.id for e in choices} == {"decision-points", "patient-questions", "aftercare-quiz"}
    for e in choices:
        assert e.items()
        for item in e.items():
            q = e.question(item)
            right = next(o.id for o in q.options if o.correct)
            wrong = next(o.id for o in q.options if not o.correct)
            graded = e.regrade(make_attempt(e.id, item, {"option": right}, {e.standard: {"correct": False}}))
            assert graded[e.standard].correct and graded[e.standard].expected == {"option": right}
            assert not e.regrade(make_attempt(e.id, item, {"option": wrong}, {e.standard: {"correct": True}}))[
                e.standard].correct
        with pytest.raises(Ungradable, match="not one of the course's"):
            e.regrade(make_attempt(e.id, "q_no_such_question", {"option": "a"}, {e.standard: {"correct": True}}))


def _string_constants(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_exercise_id_is_written_outside_the_exercise_modules():
    ids = {e.id for e in all_exercises()}
    found = [f"{path.relative_to(ROOT)}:{line}: '{value}'" for path in sorted(WIDGETS.rglob("*.py"))
             if path not in ALLOWED for line, value in _string_constants(path) if value in ids]
    assert not found, "use the constant from the topic's exercise.py: " + "; ".join(found)
    declared = {}
    for path in ALLOWED - {WIDGETS / "record" / "progress.py"}:
        for _, value in _string_constants(path):
            if value in ids:
                declared.setdefault(value, []).append(path.relative_to(ROOT).as_posix())
    assert set(declared) == ids and all(len(where) == 1 for where in declared.values()), declared


def test_one_pattern_for_a_generated_case_id():
    """The quiz and its grading again name a generated practice case by one pattern (candidacy.vignettes)."""
    compiled = [f"{path.relative_to(ROOT)}:{line}" for path in sorted(WIDGETS.rglob("*.py"))
                for line, value in _string_constants(path) if value.startswith("^gen-")]
    assert len(compiled) == 1 and compiled[0].startswith("widgets/candidacy/vignettes.py:"), compiled
