"""Needle-placement attempts: the course's one attempt record over time, with the simulator's metrics, handed in
like every other exercise, and graded again from the geometry by the class results (never from the file), on the
model spine and on the real CT."""

from __future__ import annotations

import re

import pytest

from tests.classfolder import student_log
from widgets.classroom import grading
from widgets.classroom import results as cr
from widgets.record.attempts import EXERCISES, Attempt, make_attempt, parse_export_text
from widgets.core.citations import Citations
from widgets.imaging import grading as needle_grading
from widgets.imaging.attempts import (
    AttemptHistory, attempt_number, check_held, checks_held, metric, needle_answer, passed, problems, process,
    settings_of, shots,
)
from widgets.imaging.exercise import needle_grades
from widgets.imaging.grading import grade
from widgets.imaging.placement import SETTINGS, grade_placement, taught_settings
from widgets.anatomy.needle_path import needle_at
from widgets.anatomy.segment import segment

HEIGHTS = (20.2, 25.5, 30.8)
SEG = segment("L1", HEIGHTS)
BAD = {"entry_lateral_mm": 16.0, "entry_up_mm": 19.0, "medial_deg": 40.0, "caudal_deg": 0.0, "depth_mm": 40.0}


def history() -> AttemptHistory:
    ticks = iter(["2026-11-26T09:00:00Z", "2026-11-26T09:01:00Z", "2026-11-26T09:02:00Z"])
    h = AttemptHistory(clock=lambda: next(ticks))
    h.record(grade(SEG, needle_at(SEG, *BAD.values())), BAD, HEIGHTS, shots_ap=3, shots_lateral=1, redirects=0,
             time_s=41.26)
    good = taught_settings("model", "L1", HEIGHTS)
    h.record(grade(SEG, needle_at(SEG, *good.values())), good, HEIGHTS, shots_ap=2, shots_lateral=4, redirects=1,
             time_s=63.0)
    return h


def test_each_attempt_is_the_record_handed_in_with_its_four_checks_and_metrics():
    h = history()
    first, second = h.attempts
    assert isinstance(first, Attempt), "the session's attempts are the records the progress file and hand-in keep"
    assert (first.exercise, attempt_number(first), first.item, first.answer["spine"], first.answer["approach"]) == (
        "needle-placement", 1, "L1", "model", "unilateral")
    assert [check_held(first, c) for c in ("pedicle", "medial_wall_rule", "target", "front_cortex")] + [
        passed(first)] == [False, False, False, True, False]
    assert problems(first) == ("breach_medial", "medial_wall_first", "short")
    assert "[@" not in " ".join(map(str, first.grade().expected.values())), "no sentence, no citation is stored"
    assert first.answered_at == "2026-11-26T09:00:00Z" and first.answer["medial_deg"] == 40
    assert first.answer["depth_mm"] == 40 and settings_of(first) == BAD
    # the simulator's metrics: the needle went through the medial wall, so its closest approach is beyond it
    assert metric(first, "breach") and not metric(first, "front_breach") and metric(first, "closest_medial_mm") < 0
    assert metric(first, "tip_error_mm") > metric(first, "tip_to_target_mm") > 0
    assert [process(first, k) for k in ("shots_ap", "shots_lateral", "redirects", "time_s")] + [shots(first)] == [
        3, 1, 0, 41.3, 4]
    assert passed(second) and problems(second) == () and attempt_number(second) == 2
    assert metric(second, "tip_to_target_mm") == 0 and checks_held(second) == 4 and checks_held(first) == 1
    assert metric(second, "closest_medial_mm") > 0 and metric(second, "tip_error_mm") < metric(first, "tip_error_mm")
    assert h.summary() == {"attempts": 2, "passed": 1, "first_pass": 2, "best_score": 4}
    assert h.progress() == "2 attempts, 1 passed, first passed on attempt 2; best 4 of 4 checks."
    assert h.curve() == {"attempt": [1, 2], "tip_error_mm": [metric(first, "tip_error_mm"),
                                                             metric(second, "tip_error_mm")],
                         "shots": [4, 6], "passed": [False, True], "level": ["L1", "L1"]}
    assert AttemptHistory().progress() == "No attempts yet."


def test_a_placement_on_the_model_spine_is_not_recorded_without_the_fracture_it_was_placed_in():
    good = taught_settings("model", "L1", HEIGHTS)
    with pytest.raises(ValueError, match="heights"):
        AttemptHistory().record(grade(SEG, needle_at(SEG, *good.values())), good)


def test_an_attempt_is_stamped_with_the_time_stamp_every_answer_has():
    """The course's one clock (widgets.record.attempts.utc_stamp): UTC with milliseconds, as the hand-in stamps."""
    good = taught_settings("model", "L1", HEIGHTS)
    rec = AttemptHistory().record(grade(SEG, needle_at(SEG, *good.values())), good, HEIGHTS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rec.answered_at), rec.answered_at


def test_the_hand_in_fields_are_the_ones_the_docstring_names():
    """The class results' item analysis reads these plain names; the module docstring lists each one."""
    from widgets.imaging import attempts
    rec = history().attempts[0]
    answer = rec.answer
    grades = needle_grades(grade(SEG, needle_at(SEG, *BAD.values())))["geometry"]
    names = [*answer, *grades["parts"], *grades["expected"]]
    assert {"spine", "approach", *SETTINGS, "shots_ap", "shots_lateral", "redirects", "time_s"} <= set(answer)
    assert set(grades["parts"]) == {"pedicle", "medial_wall_rule", "target", "front_cortex"}
    assert {"problems", "tip_error_mm", "tip_to_target_mm", "closest_medial_mm", "breach", "front_breach"} == set(
        grades["expected"])
    for name in names:
        assert f"``{name}``" in attempts.__doc__, f"{name} is not documented"


def test_grading_the_needle_records_it_for_the_hand_in(tmp_path):
    """Every graded placement lands in the student's exercise log and in the handed-in file."""
    from widgets.imaging.views import NeedleExercise
    log = student_log(tmp_path, "Chen Wei")
    ex = NeedleExercise(Citations(), level="L1", spine="model", heights=HEIGHTS, log=log, seed=3)
    ex.medial.value, ex.depth.value = 40, 40
    ex.shoot("AP")
    ex.grade()
    ex.new_attempt(level="L1")
    for slider, value in zip(ex.sliders, taught_settings("model", "L1", HEIGHTS).values()):
        slider.value = value
    ex.shoot("lateral")
    second = ex.grade()
    got = [(a.exercise, a.item, a.correct, a.context.get("attempt")) for a in log.attempts()]
    assert got == [("needle-placement", "L1", False, 1), ("needle-placement", "L1", second.passed, 2)]
    assert second.passed
    first = log.attempts()[0]
    assert first.grade("geometry").parts == {"pedicle": False, "medial_wall_rule": False,
                                             "target": check_held(ex.history.attempts[0], "target"),
                                             "front_cortex": True}
    assert (first.answer["shots_ap"], first.answer["shots_lateral"], first.answer["spine"]) == (1, 0, "model")
    assert first.grade("geometry").expected["tip_error_mm"] == metric(ex.history.attempts[0], "tip_error_mm")
    assert log.attempts() == ex.history.attempts, "the session's attempts are the ones handed in"
    handed = parse_export_text(log.hand_in().content)
    assert [a.exercise for a in handed.attempts] == ["needle-placement", "needle-placement"]
    assert EXERCISES["needle-placement"] == "geometry"


def test_class_results_grade_a_placement_again_from_the_geometry():
    """A student who edits the file to claim a pass is graded on where the needle really went."""
    rec = history().attempts[0]
    answer = rec.answer
    forged = make_attempt("needle-placement", "L1", answer,
                          {"geometry": {"correct": True, "parts": {"pedicle": True},
                                        "expected": {"tip_error_mm": 0.0}}}, answered_at="2026-11-26T09:00:00Z")
    regraded = grading.regrade(forged)["geometry"]
    assert regraded.correct is False and regraded.parts["pedicle"] is False
    assert regraded.expected["problems"] == ["breach_medial", "medial_wall_first", "short"]
    assert regraded.expected["tip_error_mm"] == metric(rec, "tip_error_mm"), "the metrics are measured again, not read"
    good = history().attempts[1]
    assert grading.regrade(make_attempt("needle-placement", "L1", good.answer,
                                        {"geometry": {"correct": False}},
                                        answered_at="2026-11-26T09:01:00Z"))["geometry"].correct is True


def test_class_results_grade_a_real_ct_placement_again_from_the_mask():
    t = taught_settings("ct", "T12")
    g = grade_placement("ct", "T12", t)
    rec = AttemptHistory().record(g, t, shots_ap=1, shots_lateral=2)
    answer = rec.answer
    assert answer == needle_answer(g, t, shots_ap=1, shots_lateral=2)
    assert answer["spine"] == "ct" and "height_anterior_mm" not in answer
    again = grading.regrade(make_attempt("needle-placement", "T12", answer, {"geometry": {"correct": False}},
                                         answered_at="2026-11-26T09:01:00Z"))["geometry"]
    assert again.correct is g.passed is True and again.expected["tip_error_mm"] == metric(rec, "tip_error_mm")
    medial = {**answer, "entry_lateral_mm": answer["entry_lateral_mm"] - 5}
    worse = grading.regrade(make_attempt("needle-placement", "T12", medial, {"geometry": {"correct": True}},
                                         answered_at="2026-11-26T09:02:00Z"))["geometry"]
    assert worse.correct is False and not worse.parts["pedicle"]


@pytest.mark.parametrize("change, why", [
    ({"item": "T4"}, "level"),
    ({"answer": {"spine": "mri"}}, "spine"),
    ({"answer": {"depth_mm": "deep"}}, "depth_mm"),
    ({"answer": {"medial_deg": float("nan")}}, "medial_deg"),
    ({"answer": {"height_anterior_mm": 900.0}}, "heights"),
])
def test_a_placement_the_geometry_cannot_grade_is_left_out_with_a_reason(change, why):
    rec = history().attempts[0]
    answer = {**rec.answer, **change.get("answer", {})}
    attempt = make_attempt("needle-placement", change.get("item", "L1"), answer,
                           {"geometry": {"correct": False}}, answered_at="2026-11-26T09:00:00Z")
    with pytest.raises(grading.Ungradable, match=why):
        grading.regrade(attempt)


def test_every_problem_the_grader_can_name_has_plain_words_for_the_debrief():
    import inspect
    source = inspect.getsource(needle_grading)
    codes = {"medial_wall_first", "short", "beside_target", "not_in_body", "through_front", "front_cortex",
             "breach_lateral"}
    codes |= {f"breach_{w}" for w in ("medial", "lateral", "superior", "inferior")}
    codes |= {code for code, _, _ in needle_grading.MISSED_BODY.values()}
    assert codes <= set(needle_grading.PROBLEM_NAMES), codes - set(needle_grading.PROBLEM_NAMES)
    for code in codes:
        assert f'"{code}"' in source or code.startswith("breach_") or code in {
            c for c, _, _ in needle_grading.MISSED_BODY.values()}


def test_the_debrief_table_counts_first_and_latest_attempts_per_level(tmp_path):
    results = cr.read_class_folder(_class_with_needles(tmp_path))
    (row,) = cr.needle_difficulty(results)
    assert (row["level"], row["students"], row["first_passed"], row["final_passed"], row["attempts"]) == \
        ("L1", 2, 0, 2, 4)
    assert row["common_problem"] == "breach_medial" and row["common_problem_times"] == 2


def _class_with_needles(folder):
    for name in ("Ana", "Ben"):
        log = student_log(folder / name, name)
        for rec in history().attempts:
            g = grade(SEG, needle_at(SEG, *settings_of(rec).values()))
            log.record_attempt("needle-placement", "L1", rec.answer, needle_grades(g),
                               context={"attempt": attempt_number(rec)})
        hand = folder / "class"
        hand.mkdir(exist_ok=True)
        handed = log.hand_in()
        (hand / handed.filename).write_text(handed.content, encoding="utf-8")
    return folder / "class"
