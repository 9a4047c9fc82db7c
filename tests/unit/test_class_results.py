"""The class-results logic: reads a folder, names bad files, counts what the class missed."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT
from widgets.classroom import results as cr
from widgets.core.loading import ContentError
from widgets.classroom.export import export_results
from widgets.candidacy.quiz import AnswerRecord

SAMPLE = ROOT / "lessons" / "sample-exports"


def record(case_id, *, vp_ok=True, kp_ok=True, reason_ok=True, rules=("indication_met",),
           at="2026-11-20T09:00:00Z"):
    return AnswerRecord(case_id=case_id, source="bank", answered_at=at,
                        vertebroplasty_answer=True, vertebroplasty_correct=vp_ok,
                        kyphoplasty_answer=True, kyphoplasty_correct=kp_ok,
                        reason_rule="indication_met", reason_correct=reason_ok,
                        deciding_rules=list(rules), correct=vp_ok and kp_ok and reason_ok)


def test_sample_folder_reads_and_names_the_bad_files():
    results = cr.read_class_folder(SAMPLE)
    assert len(results.quiz) == 10
    assert sorted(u.file for u in results.unreadable) == ["gradebook-from-lms.csv", "vkp-quiz-karl-truncated.json"]
    assert results.superseded == ["vkp-quiz-ben-lindqvist-20261120-100000.json"]
    assert set(results.ordering) == {"Ada Okafor", "Dara Murphy"}
    report = cr.report_problems(results)
    assert "Skipped vkp-quiz-karl-truncated.json: this is not valid JSON" in report


def test_counts_by_rule_and_case(tmp_path):
    export_results([record("c05", kp_ok=False, rules=("kp_cause_excluded",)),
                    record("c01")], "Student One", tmp_path, "json")
    export_results([record("c05", rules=("kp_cause_excluded",)),
                    record("c09", reason_ok=False, rules=("vertebral_infection", "kp_cause_excluded"))],
                   "Student Two", tmp_path, "csv")
    results = cr.read_class_folder(tmp_path)
    rules = {r.key: (r.answers, r.missed) for r in cr.rule_difficulty(results)}
    # kp_cause_excluded decided c05 twice (one miss) and c09 once (a miss): 3 answers, 2 missed
    assert rules == {"kp_cause_excluded": (3, 2), "indication_met": (1, 0), "vertebral_infection": (1, 1)}
    top = cr.rule_difficulty(results)[0]
    assert top.key == "vertebral_infection" and top.miss_percent == 100.0
    cases = {r.key: (r.answers, r.missed) for r in cr.case_difficulty(results)}
    assert cases == {"c05": (2, 1), "c01": (1, 0), "c09": (1, 1)}
    scores = sorted((r["cases"], r["correct"], r["score_percent"]) for r in cr.score_table(results))
    assert scores == [(2, 1, 50.0), (2, 1, 50.0)]


def test_latest_answer_to_a_case_counts(tmp_path):
    export_results([record("c05", kp_ok=False, at="2026-11-20T09:00:00Z"),
                    record("c05", at="2026-11-20T09:05:00Z")], "Retry Student", tmp_path, "json")
    (row,) = cr.score_table(cr.read_class_folder(tmp_path))
    assert (row["cases"], row["correct"]) == (1, 1)


def test_summary_is_anonymised():
    results = cr.read_class_folder(SAMPLE)
    text = cr.summary_csv(results)
    assert text.splitlines()[0] == "student,cases,correct,score_percent,ordering_attempts,ordering_correct"
    for name in results.students:
        for part in name.split():
            assert part not in text
    assert sorted(results.pseudonyms().values()) == [f"S{i:02d}" for i in range(1, 11)]


def test_damaged_ordering_export_is_named(tmp_path):
    (tmp_path / "order.json").write_text(json.dumps(
        {"format": "vkp-ordering-export", "version": 1, "student": "X", "exported_at": "2026-11-20T09:00:00Z",
         "attempts": [{"procedure": "kyphoplasty", "attempt": 0, "correct": True, "misplaced": [],
                       "answered_at": "2026-11-20T09:00:00Z"}]}))
    (tmp_path / "notes.txt").write_text("hello")
    results = cr.read_class_folder(tmp_path)
    problems = {u.file: u.problem for u in results.unreadable}
    assert "ordering export is damaged" in problems["order.json"]
    assert "not an export" in problems["notes.txt"]


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ContentError, match="does not exist"):
        cr.read_class_folder(tmp_path / "nowhere")


def test_save_button_writes_the_summary_and_reports_failure(tmp_path):
    from widgets.classroom.results_view import save_summary_button
    box = save_summary_button(cr.read_class_folder(SAMPLE), default=str(tmp_path / "summary.csv"))
    row, status = box.children
    path_box, button = row.children
    button.click()
    assert (tmp_path / "summary.csv").read_text().startswith("student,cases")
    assert "Saved" in status.value
    path_box.value = str(tmp_path / "summary.csv" / "x.csv")  # its "folder" is a file
    button.click()
    assert "Could not save" in status.value and 'role="alert"' in status.value
