"""Exports for the instructor: the contract formats, formula-safe CSV, and reading back."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest

from widgets.core.loading import ContentError
from widgets.classroom.export import (
    CSV_HEADER, ExportError, export_results, neutralise, read_export, to_csv_text, validate_student,
)
from widgets.candidacy.quiz import AnswerRecord, Quiz

WHEN = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)


def records():
    """Three answers to the first bank cases: right, wrong verdict, right verdict but wrong reason."""
    quiz = Quiz.from_bank(seed=1, clock=lambda: "2026-11-25T11:00:00Z")
    quiz.submit(True, True, "indication_met")          # c01: a candidate for both -> correct
    quiz.next()
    quiz.submit(False, False, "no_fracture")           # c02: a candidate for both -> wrong
    quiz.next()
    quiz.submit(True, True, "pain_relieved")           # c03: verdicts right, reason wrong
    return quiz.records


def test_json_export_has_the_contract_shape(tmp_path):
    path = export_results(records(), "Sam Lee", tmp_path, "json", now=WHEN)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == ["format", "version", "student", "exported_at", "answers", "summary"]
    assert (data["format"], data["version"], data["student"]) == ("vkp-quiz-export", 1, "Sam Lee")
    assert data["exported_at"] == "2026-11-25T12:00:00Z"
    assert set(data["answers"][0]) == {
        "case_id", "source", "answered_at", "vertebroplasty_answer", "vertebroplasty_correct",
        "kyphoplasty_answer", "kyphoplasty_correct", "reason_rule", "reason_correct", "deciding_rules", "correct"}
    assert [a["correct"] for a in data["answers"]] == [True, False, False]
    assert data["answers"][2]["vertebroplasty_correct"] and not data["answers"][2]["reason_correct"]
    assert data["summary"] == {"answered": 3, "correct": 1, "score_percent": 33.3}


def test_csv_export_has_the_contract_header_and_values(tmp_path):
    path = export_results(records(), "Sam Lee", tmp_path, "csv", now=WHEN)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == CSV_HEADER
    assert ",".join(CSV_HEADER) == ("student,case_id,source,answered_at,vertebroplasty_answer,"
                                    "vertebroplasty_correct,kyphoplasty_answer,kyphoplasty_correct,reason_rule,"
                                    "reason_correct,deciding_rules,correct")
    first = dict(zip(rows[0], rows[1]))
    assert first["student"] == "Sam Lee" and first["case_id"] == "c01-osteoporotic-lumbar"
    assert first["vertebroplasty_answer"] == "true" and first["correct"] == "true"
    assert dict(zip(rows[0], rows[2]))["correct"] == "false"
    assert path.name == "vkp-quiz-sam-lee-20261125-120000.csv"


def test_deciding_rules_joined_with_semicolons(tmp_path):
    quiz = Quiz.from_bank(seed=1)
    while quiz.current.id != "c09-osteomyelitis-fracture":
        quiz.next()
    quiz.submit(False, False, "vertebral_infection")
    rows = list(csv.DictReader(io.StringIO(to_csv_text(quiz.records, "Sam"))))
    assert rows[0]["deciding_rules"] == "vertebral_infection;kp_cause_excluded"


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx",
                                   '=HYPERLINK("http://evil","click")'])
def test_formula_cells_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Sam", "s1234567", "O'Neil", "", "a=b"])
def test_ordinary_cells_are_left_alone(value):
    assert neutralise(value) == value


def test_no_cell_in_a_csv_export_can_start_a_formula(tmp_path):
    name = '=HYPERLINK("http://evil","x")'
    path = export_results(records(), name, tmp_path, "csv", now=WHEN)
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert read_export(path).student == name, "the reader restores the name"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip(tmp_path, fmt):
    recs = records()
    back = read_export(export_results(recs, "  Ana   María  ", tmp_path, fmt, now=WHEN))
    assert back.student == "Ana María"
    assert back.answers == recs
    assert (back.summary.answered, back.summary.correct) == (3, 1)


@pytest.mark.parametrize("bad, why", [("", "empty"), ("   ", "blank"), ("x" * 81, "too long"),
                                      ("Sam\x00", "control"), ("Sam\nLee", None)])
def test_student_name_is_validated(bad, why):
    if why is None:  # a newline is whitespace: folded into one space
        assert validate_student(bad) == "Sam Lee"
        return
    with pytest.raises(ExportError):
        validate_student(bad)


def test_nothing_to_export_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match="no answers"):
        export_results([], "Sam", tmp_path, "csv")


def reject(tmp_path, name: str, text: str, fragment: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        read_export(path)
    assert str(path) in str(info.value) and fragment in str(info.value)


def test_read_export_refuses_foreign_and_corrupt_files(tmp_path):
    good = json.loads(export_results(records(), "Sam", tmp_path, "json", now=WHEN).read_text())
    reject(tmp_path, "a.json", "{ broken", "not valid JSON")
    reject(tmp_path, "b.json", json.dumps({"format": "other"}), "not a quiz export")
    reject(tmp_path, "c.csv", "name,score\nSam,3\n", "not a quiz export")
    reject(tmp_path, "d.json", json.dumps({**good, "summary": {**good["summary"], "correct": 3}}),
           "summary does not match")
    broken = dict(good, answers=[dict(good["answers"][0], reason_rule="made_up")])
    reject(tmp_path, "e.json", json.dumps(broken), "reason_rule")
    wrong_total = dict(good, answers=[dict(good["answers"][1], correct=True)])
    reject(tmp_path, "f.json", json.dumps(wrong_total), "correct")
    header = ",".join(CSV_HEADER)
    reject(tmp_path, "g.csv", header + "\nSam,c01,bank,2026-11-25T11:00:00Z,yes,true,true,true,"
           "indication_met,true,indication_met,true\n", "not true or false")
    reject(tmp_path, "h.csv", header + "\nSam,c01\n", "cells")
    reject(tmp_path, "i.csv", header + "\n", "no answers")
    (tmp_path / "j.bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ContentError, match="not UTF-8"):
        read_export(tmp_path / "j.bin")


def test_a_csv_with_two_students_is_refused(tmp_path):
    one = to_csv_text(records(), "Sam")
    two = to_csv_text(records(), "Lee").split("\r\n", 1)[1]
    path = tmp_path / "mixed.csv"
    path.write_text(one + two, encoding="utf-8")
    with pytest.raises(ContentError, match="mixes 2 students"):
        read_export(path)


def test_answer_record_refuses_inconsistent_correct():
    data = records()[0].to_dict()
    data["reason_correct"] = False
    with pytest.raises(ValueError):
        AnswerRecord.model_validate(data)
