"""Needle-placement attempts: plain records over time, handed in like every other exercise, and graded
again from the geometry by the class results (never from the file)."""

from __future__ import annotations

import pytest

from tests.classfolder import student_log
from widgets.classroom import grading
from widgets.classroom import results as cr
from widgets.record.attempts import EXERCISES, make_attempt, parse_export_text
from widgets.core.citations import Citations
from widgets.imaging import grading as needle_grading
from widgets.core.citations import strip_citations
from widgets.imaging.attempts import AttemptHistory, needle_answer, needle_grades
from widgets.imaging.grading import grade
from widgets.anatomy.needle_path import needle_at, planned_needle
from widgets.anatomy.segment import segment

HEIGHTS = (20.0, 23.0, 26.3)
SEG = segment("L1", HEIGHTS)


def history() -> AttemptHistory:
    ticks = iter(["2026-11-26T09:00:00Z", "2026-11-26T09:01:00Z", "2026-11-26T09:02:00Z"])
    h = AttemptHistory(clock=lambda: next(ticks))
    bad = needle_at(SEG, 16, 19, 40, 0, 40)
    h.record(grade(SEG, bad), 16, 19)
    plan = planned_needle(SEG)
    h.record(grade(SEG, plan), abs(plan.entry[0]), plan.entry[2])
    return h


def test_each_attempt_is_a_plain_record_with_its_three_grades_and_what_went_wrong():
    h = history()
    first, second = h.attempts
    assert (first.exercise, first.attempt, first.level) == ("needle-placement", 1, "L1")
    assert (first.pedicle, first.medial_wall_rule, first.target, first.passed) == (False, False, False, False)
    assert first.problems == ("breach_medial", "medial_wall_first", "short")
    assert "spinal canal" in first.what_went_wrong[0] and "[@" not in " ".join(first.what_went_wrong)
    assert first.attempted_at == "2026-11-26T09:00:00Z" and first.medial_deg == 40 and first.depth_mm == 40
    assert second.passed and second.problems == () and second.attempt == 2
    assert h.summary() == {"attempts": 2, "passed": 1, "first_pass": 2, "best_score": 3}
    assert h.progress() == "2 attempts, 1 passed, first passed on attempt 2; best 3 of 3 checks."
    assert AttemptHistory().progress() == "No attempts yet."


def test_citation_keys_are_stripped_from_what_went_wrong():
    assert strip_citations("Breach [@an_x]. Rule [@a; @b].") == "Breach. Rule."


def test_grading_the_needle_records_it_for_the_hand_in(tmp_path):
    """Every graded placement lands in the student's exercise log and in the handed-in file."""
    from widgets.imaging.views import NeedleExercise
    log = student_log(tmp_path, "Chen Wei")
    ex = NeedleExercise(Citations(), level="L1", heights=HEIGHTS, log=log, prepare=False)
    ex.medial.value, ex.depth.value = 40, 40
    ex.grade()
    plan = planned_needle(ex.seg)
    ex.entry_lateral.value, ex.entry_up.value = round(abs(plan.entry[0]) * 2) / 2, round(plan.entry[2] * 2) / 2
    ex.medial.value, ex.caudal.value, ex.depth.value = round(plan.medial_deg), round(plan.caudal_deg), round(plan.depth)
    second = ex.grade()
    got = [(a.exercise, a.item, a.correct, a.context.get("attempt")) for a in log.attempts()]
    assert got == [("needle-placement", "L1", False, 1), ("needle-placement", "L1", second.passed, 2)]
    assert log.attempts()[0].grade("geometry").parts == {"pedicle": False, "medial_wall_rule": False,
                                                         "target": ex.history.attempts[0].target}
    handed = parse_export_text(log.hand_in().content)
    assert [a.exercise for a in handed.attempts] == ["needle-placement", "needle-placement"]
    assert EXERCISES["needle-placement"] == "geometry"


def test_class_results_grade_a_placement_again_from_the_geometry():
    """A student who edits the file to claim a pass is graded on where the needle really went."""
    rec = history().attempts[0]
    answer = needle_answer(rec, HEIGHTS)
    forged = make_attempt("needle-placement", "L1", answer,
                          {"geometry": {"correct": True, "parts": {"pedicle": True}}}, answered_at="2026-11-26T09:00:00Z")
    regraded = grading.regrade(forged)["geometry"]
    assert regraded.correct is False and regraded.parts["pedicle"] is False
    assert regraded.expected["problems"] == ["breach_medial", "medial_wall_first", "short"]
    good = history().attempts[1]
    assert grading.regrade(make_attempt("needle-placement", "L1", needle_answer(good, HEIGHTS),
                                        needle_grades(grade(SEG, planned_needle(SEG))),
                                        answered_at="2026-11-26T09:01:00Z"))["geometry"].correct is True


@pytest.mark.parametrize("change, why", [
    ({"item": "T4"}, "level"),
    ({"answer": {"depth_mm": "deep"}}, "depth_mm"),
    ({"answer": {"medial_deg": float("nan")}}, "medial_deg"),
    ({"answer": {"height_anterior_mm": 900.0}}, "heights"),
])
def test_a_placement_the_geometry_cannot_grade_is_left_out_with_a_reason(change, why):
    rec = history().attempts[0]
    answer = {**needle_answer(rec, HEIGHTS), **change.get("answer", {})}
    attempt = make_attempt("needle-placement", change.get("item", "L1"), answer,
                           {"geometry": {"correct": False}}, answered_at="2026-11-26T09:00:00Z")
    with pytest.raises(grading.Ungradable, match=why):
        grading.regrade(attempt)


def test_every_problem_the_grader_can_name_has_plain_words_for_the_debrief():
    import inspect
    source = inspect.getsource(needle_grading)
    codes = {"medial_wall_first", "short", "not_in_body", "through_front", "breach_lateral"}
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
            g = grade(SEG, needle_at(SEG, rec.entry_lateral_mm, rec.entry_up_mm, rec.medial_deg, rec.caudal_deg,
                                     rec.depth_mm))
            log.record_attempt("needle-placement", "L1", needle_answer(rec, HEIGHTS), needle_grades(g),
                               context={"attempt": rec.attempt})
        hand = folder / "class"
        hand.mkdir(exist_ok=True)
        handed = log.hand_in()
        (hand / handed.filename).write_text(handed.content, encoding="utf-8")
    return folder / "class"
