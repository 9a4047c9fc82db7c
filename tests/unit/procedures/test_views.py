"""The stepper, the ordering test and the decision quiz, driven as a student would (kernel side)."""

from __future__ import annotations

import re

import ipywidgets as ipw
import pytest

from tests.classfolder import student_log
from widgets.record.progress import ProgressFile
from widgets.procedures.balloon import balloon_bounds
from widgets.core.citations import Citations
from widgets.core.controls import ListBox
from widgets.procedures.views import DecisionQuiz, OrderingView, StepperView
from widgets.procedures.steps import load_procedure, questions_for, shuffled_ids

VP = load_procedure("vertebroplasty")
KP = load_procedure("kyphoplasty")


def text(html_value: str) -> str:
    return re.sub(r"<[^>]+>", "", html_value)


# ----------------------------------------------------------------------------- stepper

def test_stepper_walks_every_step_with_next_and_stops_at_the_end():
    s = StepperView(VP, Citations())
    assert text(s.status.value).startswith(f"Step 1 of {len(VP.steps)}: {VP.steps[0].title}")
    for k in range(2, len(VP.steps) + 1):
        s.next.click()
        assert text(s.status.value).startswith(f"Step {k} of {len(VP.steps)}: {VP.steps[k - 1].title}")
        assert VP.steps[k - 1].title in s.card.value
    renders = s.drawing.view.render_count
    s.next.click()
    assert s.index == len(VP.steps) - 1
    assert "already the last step" in s.status.value
    assert s.drawing.view.render_count == renders, "nothing changed, so nothing is redrawn"


def test_previous_stops_at_the_first_step():
    s = StepperView(KP, Citations())
    s.prev.click()
    assert s.index == 0 and "already the first step" in s.status.value
    s.next.click(); s.next.click(); s.prev.click()
    assert s.index == 1


def test_one_render_per_step_and_the_figure_is_not_rebuilt():
    s = StepperView(KP, Citations())
    fig = s.drawing.view.figure
    start = s.drawing.view.render_count
    # built and drawn once, or shown from the shipped first picture and not rendered at all (tests/unit/core/test_pictures.py)
    assert start == (0 if s.drawing.view.stored else 1)
    for k in range(1, len(KP.steps)):
        s.next.click()
        assert s.drawing.view.render_count == start + k
    assert s.drawing.view.figure is fig


def test_the_drawing_follows_the_step_in_both_views():
    s = StepperView(KP, Citations())
    seen = {}
    for i, step in enumerate(KP.steps):
        s.go(i)
        d = s.drawing
        shown = {kind: (len(a.needle.get_xdata()) > 0, a.balloon.get_visible(), a.cavity.get_visible(),
                        a.cement.get_visible()) for kind, a in d.art.items()}
        assert shown["AP"] == shown["lateral"], f"{step.id}: the two views disagree: {shown}"
        seen[step.phase] = (*shown["AP"], d.view.alt)
    assert seen["fluoroscopy"][:4] == (False, False, False, False)
    assert seen["needle"][:4] == (True, False, False, False)
    assert seen["balloon_inflate"][:4] == (True, True, False, False) and "balloon" in seen["balloon_inflate"][4]
    assert seen["balloon_deflate"][:4] == (True, False, True, False) and "empty cavity" in seen["balloon_deflate"][4]
    assert seen["cement_inject"][:4] == (True, False, True, True) and "liquid cement" in seen["cement_inject"][4]
    assert seen["cement_set"][0] is False and "hardened cement" in seen["cement_set"][4]
    assert len({v[4] for v in seen.values()}) == len(seen), "the alt text changes with the picture"


def test_the_balloon_lifts_the_endplate_no_more_than_the_evidence():
    s = StepperView(KP, Citations())
    before = s.heights_at(0)
    lifted = s.heights_at(KP.step_ids.index("kp_balloon_inflate"))
    bound = balloon_bounds()
    assert 0 < lifted.anterior - before.anterior <= float(bound.anterior) + 1e-9
    assert lifted.anterior < s.geometry.expected.anterior, "never the full height"
    assert lifted.posterior == before.posterior
    vp = StepperView(VP, Citations())
    assert all(vp.heights_at(i) == vp.geometry.fractured for i in range(len(VP.steps))), "VP lifts nothing"


def test_stepper_card_cites_with_the_notebooks_numbers():
    cites = Citations(keys=["kochan2015", "pf_approach_and_imaging"])
    s = StepperView(VP, cites)
    assert "Sources: [1, 2]" in text(s.card.value)
    assert 'href="#ref-1"' in s.card.value and 'href="#ref-2"' in s.card.value   # each number links to its reference
    assert "What happens:" in s.card.value and "Why:" in s.card.value and "What can go wrong:" in s.card.value


def test_stepper_is_keyboard_and_screen_reader_ready():
    s = StepperView(VP, Citations())
    assert isinstance(s.prev, ipw.Button) and isinstance(s.next, ipw.Button)
    assert s.prev.description == "Previous step" and s.next.description == "Next step"
    assert s.prev.tooltip and s.next.tooltip
    assert 'role="status"' in s.status.value and 'aria-live="polite"' in s.status.value
    assert re.search(r'<progress max="7" value="1" aria-label="[^"]+"', s.status.value)
    assert 'alt="Two simulated fluoroscopic views of L5' in s.drawing.widget.value
    with pytest.raises(ValueError, match="start must be a step index"):
        StepperView(VP, Citations(), start=7)


# ----------------------------------------------------------------------------- ordering

def solve(view: OrderingView) -> None:
    """Reorder with the same controls a student uses: select, then Move up."""
    for target, step_id in enumerate(view.procedure.step_ids):
        view.select.value = step_id
        while view.order.index(step_id) > target:
            view.up.click()
            assert view.select.value == step_id, "the moved step stays selected"


def test_ordering_starts_from_the_seeded_shuffle():
    view = OrderingView(KP, seed=3)
    assert view.order == shuffled_ids(KP, 3)
    assert [v for _, v in view.select.options] == view.order
    assert view.select.rows == len(KP.steps)


def test_check_marks_the_misplaced_steps_then_a_solved_order_is_correct(tmp_path):
    view = OrderingView(VP, seed=2, log=student_log(tmp_path))
    first = view.grade()
    assert not first.correct
    labels = dict((v, lbl) for lbl, v in view.select.options)
    for step_id in first.misplaced:
        assert labels[step_id].startswith("\u2717 out of place: ")
    assert "not yet" in text(view.feedback.value)
    solve(view)
    assert not any(lbl.startswith(("\u2713", "\u2717")) for lbl, _ in view.select.options), "moving clears marks"
    second = view.grade()
    assert second.correct
    assert "Attempt 2: correct" in text(view.feedback.value)
    assert all(lbl.startswith("\u2713 ") for lbl, _ in view.select.options)
    assert text(view.progress.value).count("correct") == 1 and "not yet" in text(view.progress.value)


def test_choosing_a_step_is_confirmed_in_the_status_line():
    view = OrderingView(VP, seed=2)
    view.select.value = view.order[3]
    title = VP.step(view.order[3]).title
    assert f"Selected: {title}, position 4 of 7." in view.feedback.value
    view.up.click()
    assert "moved to position 3" in view.feedback.value, "a move is not announced as a new selection"


def test_move_without_a_selection_explains_what_to_do():
    view = OrderingView(VP, seed=1)
    view.select.value = None
    order = list(view.order)
    view.up.click()
    assert view.order == order and "Select a step first" in view.feedback.value


def test_moving_past_the_top_says_so():
    view = OrderingView(VP, seed=1)
    view.select.value = view.order[0]
    view.up.click()
    assert "already first" in view.feedback.value


def test_retry_reshuffles_and_keeps_the_history():
    view = OrderingView(KP, seed=3)
    view.grade()
    view.retry.click()
    assert view.order == shuffled_ids(KP, 4) and len(view.history.attempts) == 1
    assert "Shuffled again" in view.feedback.value


def test_every_check_is_recorded_for_the_hand_in(tmp_path):
    log = student_log(tmp_path, "Ann Lee")
    view = OrderingView(VP, seed=2, log=log)
    first = view.grade()
    solve(view)
    view.grade()
    attempts = log.attempts("step-order")
    assert [(a.item, a.correct, a.context["attempt"]) for a in attempts] == [
        ("vertebroplasty", False, 1), ("vertebroplasty", True, 2)]
    assert attempts[0].answer["order"] == shuffled_ids(VP, 2)
    assert attempts[0].grade().expected["misplaced"] == list(first.misplaced)
    assert len(ProgressFile(log.store.path).load().of("step-order")) == 2, "saved at once"
    same = lambda a: (a.exercise, a.item, a.answer, a.grades, a.context)  # noqa: E731
    assert [same(a) for a in view.history.attempts] == [same(a) for a in attempts], "the session's attempts are the hand-in's"


def test_ordering_controls_have_visible_labels():
    view = OrderingView(VP)
    assert isinstance(view.select, ListBox), "a native list box whose arrow keys JupyterLab leaves alone"
    assert view.select.description and "data-lm-suppress-shortcuts" in str(ListBox._esm)
    for b in (view.up, view.down, view.check, view.retry):
        assert b.description and b.tooltip


# ----------------------------------------------------------------------------- decision quiz

def test_quiz_feedback_per_answer_and_score():
    questions = questions_for("kyphoplasty")
    quiz = DecisionQuiz(questions, Citations())
    q = questions[0]
    quiz.buttons[q.id].click()
    assert "Choose an answer first" in quiz.feedback[q.id].value
    wrong = next(o for o in q.options if not o.correct)
    quiz.choices[q.id].value = wrong.id
    assert f"Chosen: {wrong.text}. Press Check answer 1." in quiz.feedback[q.id].value
    quiz.buttons[q.id].click()
    assert text(quiz.feedback[q.id].value).startswith("Not quite.")
    assert wrong.feedback.split()[0] in quiz.feedback[q.id].value
    assert f"The misconception behind this answer: {wrong.misconception}" in text(quiz.feedback[q.id].value)
    assert f"Score: 0 of {len(questions)} correct" in quiz.score_html.value
    quiz.choices[q.id].value = q.answer.id
    quiz.buttons[q.id].click()
    assert text(quiz.feedback[q.id].value).startswith("Correct.")
    assert f"Score: 1 of {len(questions)} correct; 1 of {len(questions)} answered; 2 attempts" in quiz.score_html.value
    assert "right first time: 0" in quiz.score_html.value
    assert "Sources: [" in quiz.feedback[q.id].value


def test_decision_answers_are_recorded_for_the_hand_in(tmp_path):
    log = student_log(tmp_path, "Ann Lee")
    questions = questions_for("kyphoplasty")
    quiz = DecisionQuiz(questions, Citations(), log=log)
    q = questions[0]
    wrong = next(o for o in q.options if not o.correct)
    for option in (wrong.id, q.answer.id):
        quiz.choices[q.id].value = option
        quiz.buttons[q.id].click()
    recorded = log.attempts("decision-points")
    assert [(a.item, a.answer["option"], a.correct) for a in recorded] == [(q.id, wrong.id, False),
                                                                         (q.id, q.answer.id, True)]


def test_the_class_results_read_the_hand_in_of_an_ordering_test(tmp_path):
    from widgets.classroom import results as cr
    log = student_log(tmp_path / "home", "Ann Lee", export_dir=tmp_path / "class")
    view = OrderingView(KP, seed=3, log=log)
    view.grade()
    solve(view)
    view.grade()
    log.hand_in()
    results = cr.read_class_folder(tmp_path / "class")
    assert results.problems == []
    (row,) = cr.score_table(results)
    assert (row["ordering_attempts"], row["ordering_first_right"], row["ordering_final_right"]) == (2, 0, 1)
