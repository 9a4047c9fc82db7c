"""Needle-placement attempts as plain records over time, exported like the module's other exercises."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest

from widgets.classroom.export import ExportError
from widgets.imaging.attempts import (CSV_HEADER, AttemptHistory, export_attempts, export_dict, plain,
                                      read_json_export, to_csv_text)
from widgets.imaging.grading import grade, needle_at, planned_needle
from widgets.imaging.segment import segment

SEG = segment("L1", (20.0, 23.0, 26.3))


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


def test_citation_keys_are_stripped_for_the_export():
    assert plain("Breach [@an_x]. Rule [@a; @b].") == "Breach. Rule."


def test_csv_has_one_row_per_attempt_and_neutralises_formulas():
    rows = list(csv.reader(io.StringIO(to_csv_text(history(), "+Ben"))))
    assert rows[0] == CSV_HEADER and len(rows) == 3
    assert rows[1][0] == "'+Ben" and rows[1][CSV_HEADER.index("passed")] == "false"
    assert rows[2][CSV_HEADER.index("problems")] == ""


def test_json_export_round_trips(tmp_path):
    when = datetime(2026, 11, 26, 10, 30, tzinfo=timezone.utc)
    path = export_attempts(history(), "Chen Wei", tmp_path, "json", now=when)
    assert path.name == "vkp-needle-chen-wei-20261126-103000.json"
    data = read_json_export(path.read_text(encoding="utf-8"))
    assert data["exported_at"] == "2026-11-26T10:30:00Z" and data["student"] == "Chen Wei"
    assert [a["attempt"] for a in data["attempts"]] == [1, 2] and data["summary"]["first_pass"] == 2
    assert export_dict(history(), "Chen Wei", exported_at="x")["attempts"] == data["attempts"]
    with pytest.raises(ValueError, match="not a needle-placement export"):
        read_json_export('{"format": "vkp-quiz-export"}')


def test_bad_exports_are_refused_with_a_reason(tmp_path):
    with pytest.raises(ExportError, match="no attempts"):
        export_attempts(AttemptHistory(), "Ada", tmp_path, "csv")
    with pytest.raises(ExportError, match="name"):
        export_attempts(history(), "  ", tmp_path, "csv")
    with pytest.raises(ExportError, match="control characters"):
        export_attempts(history(), "Ada\x07", tmp_path, "csv")
    with pytest.raises(ExportError, match="unknown export format"):
        export_attempts(history(), "Ada", tmp_path, "xlsx")
