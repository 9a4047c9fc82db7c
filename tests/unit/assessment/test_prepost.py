"""The pre-test and the post-test (issue 24): parallel forms the instructor sizes, counterbalanced, never the
same item twice for a student, one answer per item, handed in like every exercise."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.classfolder import student_log
from widgets.assessment import forms as f
from widgets.assessment.exercise import POST, PRE
from widgets.assessment.prepost import PrePostTest, PrePostError, normalised_gain
from widgets.assessment.views import PrePostTestView
from widgets.candidacy.rules import assess
from widgets.classroom import results as cr
from widgets.core.loading import ContentError
from widgets.record.attempts import EXERCISES, Grade


def spec(tmp_path, cases: int, decisions: int, seed: int = 2026):
    path = tmp_path / f"spec-{cases}-{decisions}.yaml"
    path.write_text(f"cases_per_form: {cases}\ndecision_points_per_form: {decisions}\nform_seed: {seed}\n",
                    encoding="utf-8")
    return path


def test_the_forms_are_parallel_disjoint_and_as_long_as_the_instructor_chose(tmp_path):
    for cases, decisions in ((6, 2), (10, 4), (1, 0)):
        forms = f.parallel_forms(spec_path=spec(tmp_path, cases, decisions))
        assert len(forms.a) == len(forms.b) == cases + decisions
        assert [i.group for i in forms.a] == [i.group for i in forms.b], "the same rule at the same place"
        assert not {i.key for i in forms.a} & {i.key for i in forms.b}, "no item in both forms"
        assert [i.kind for i in forms.a] == ["case"] * cases + ["decision"] * decisions
    # The group of a case is the leaflet rules that decide it (what the per-rule gain reports).
    for item in f.parallel_forms().a:
        if item.kind == "case":
            assert item.group == " + ".join(assess(f.vignette(item.ref).patient).deciding_rules)
    # A longer form covers more rules first: the first pairs come one group at a time.
    long = f.parallel_forms(spec_path=spec(tmp_path, 12, 0))
    first = [i.group for i in long.a[:len({i.group for i in long.a})]]
    assert len(set(first)) == len(first)


def test_asking_for_more_than_the_bank_can_pair_names_the_file_the_field_and_the_limit(tmp_path):
    path = spec(tmp_path, 40, 2)
    with pytest.raises(ContentError) as err:
        f.parallel_forms(spec_path=path)
    message = str(err.value)
    assert str(path) in message and "cases_per_form" in message and "ask for at most" in message
    with pytest.raises(ContentError, match="decision_points_per_form"):
        f.parallel_forms(spec_path=spec(tmp_path, 2, 9))
    bad = tmp_path / "bad.yaml"
    bad.write_text("cases_per_form: six\ndecision_points_per_form: 2\nform_seed: 1\n", encoding="utf-8")
    with pytest.raises(ContentError, match="line 1.*cases_per_form"):
        f.load_test_spec(bad)


def test_half_the_class_takes_each_form_first():
    firsts = Counter(f.first_form(f"install:{i:016x}") for i in range(400))
    assert abs(firsts["A"] - firsts["B"]) < 60, firsts


def test_no_student_meets_a_pre_test_item_in_the_post_test(tmp_path):
    for n in range(12):
        log = student_log(tmp_path / f"s{n}", f"S{n}")
        pre = PrePostTest(PRE, log.order_seed, log.attempts())
        while pre.current is not None:
            item = pre.current
            answer = ({"option": f.question(item.ref).answer.id} if item.kind == "decision" else
                      {"vertebroplasty": True, "kyphoplasty": True, "reason": "indication_met"})
            log.record(pre.answer(answer))
        post = PrePostTest(POST, log.order_seed, log.attempts())
        assert post.form != pre.form
        assert not {i.key for i in post.items} & {a.item for a in log.attempts(PRE)}


def test_even_when_the_spec_changes_between_the_sessions(tmp_path, monkeypatch):
    log = student_log(tmp_path / "s", "S")
    short = f.parallel_forms(spec_path=spec(tmp_path, 6, 2))
    pre = PrePostTest(PRE, log.order_seed, forms=short)
    for _ in range(len(pre.items)):
        item = pre.current
        answer = ({"option": f.question(item.ref).answer.id} if item.kind == "decision" else
                  {"vertebroplasty": False, "kyphoplasty": False, "reason": "no_fracture"})
        log.record(pre.answer(answer))
    changed = f.parallel_forms(spec_path=spec(tmp_path, 6, 2, seed=7))    # another seed: other pairs
    post = PrePostTest(POST, log.order_seed, log.attempts(), forms=changed)
    assert not {i.key for i in post.items} & {a.item for a in log.attempts(PRE)}


def test_one_answer_per_item_resumed_where_the_student_left_and_graded_by_either_standard(tmp_path):
    log = student_log(tmp_path / "s", "S")
    test = PrePostTest(PRE, log.order_seed, log.attempts())
    with pytest.raises(PrePostError, match="please answer"):
        test.answer({"vertebroplasty": True})
    first = test.current
    v = f.vignette(first.ref)
    truth = assess(v.patient)
    attempt = test.answer({"vertebroplasty": truth.vertebroplasty.eligible, "kyphoplasty": truth.kyphoplasty.eligible,
                           "reason": truth.deciding_rules[0]})
    log.record(attempt)
    assert attempt.exercise == "pre-test" and attempt.item == first.key and attempt.correct
    assert set(attempt.grades) == {"accepted", "leaflet", "current_practice"}
    assert attempt.context == {"form": test.form, "position": 1, "kind": "case"}
    again = PrePostTest(PRE, log.order_seed, log.attempts())
    assert again.current != first and again.position == 2, "resumes at the first item not yet answered"
    assert EXERCISES["pre-test"] == EXERCISES["post-test"] == "accepted"


def test_normalised_gain_is_undefined_from_a_perfect_pre_test():
    assert normalised_gain(40.0, 70.0) == 0.5
    assert normalised_gain(25.0, 70.0) == pytest.approx(0.6)
    assert normalised_gain(100.0, 90.0) is None
    assert normalised_gain(50.0, 25.0) == -0.5


def test_the_class_results_grade_test_answers_again_and_ignore_an_edited_grade(tmp_path):
    folder = tmp_path / "class"
    log = student_log(tmp_path / "s", "S", export_dir=folder)
    test = PrePostTest(PRE, log.order_seed, log.attempts())
    item = test.current
    # "No fracture" never goes with "candidate": wrong under both standards, whatever the case.
    attempt = test.answer({"vertebroplasty": True, "kyphoplasty": True, "reason": "no_fracture"})
    assert not attempt.correct
    forged = attempt.model_copy(update={"grades": {"accepted": Grade(correct=True)}})
    log.record(forged)
    log.hand_in()
    results = cr.read_class_folder(folder, secret=b"s")
    (a,) = next(iter(results.students.values())).of("pre-test")
    assert a.item == item.key and a.grades["accepted"].correct is False and "leaflet" in a.grades
    assert any("a flag that a fresh grading does not give" in n for n in results.notes)


def test_the_test_widget_asks_without_feedback_and_hands_in(tmp_path):
    folder = tmp_path / "class"
    log = student_log(tmp_path / "s", "Sam", export_dir=folder)
    view = PrePostTestView.for_notebook("pre-test", log=log)
    n = len(view.test.items)
    assert "question 1 of" in view.status.value and "No feedback" in view.status.value
    view.save.click()                                        # nothing chosen: a problem, not a traceback
    assert "please answer" in view.error.value and not log.attempts()
    for _ in range(n):
        item = view.test.current
        if item.kind == "case":
            view.vp.value, view.kp.value, view.reason.value = "candidate", "candidate", "indication_met"
            assert view.option.layout.display == "none"
        else:
            view.option.value = f.question(item.ref).answer.id
            assert view.case_controls.layout.display == "none"
        view.save.click()
        assert "right" not in view.error.value and "wrong" not in view.status.value.lower()
    assert len(log.attempts("pre-test")) == n and "The pre-test is done" in view.status.value
    assert f"All {n} questions answered" in view.status.value
    view.handin.button.click()
    assert list(folder.glob("vkp-sam-*.jsonl")), "handed in like every exercise"
    post = PrePostTestView.for_notebook("post-test", log=log)
    assert post.test.form != view.test.form
