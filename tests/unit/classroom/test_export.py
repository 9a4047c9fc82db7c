"""Real-life files (issue 12): old exports, spreadsheets that saved them again, empty files, copies,
paths with ``~``, and hand-ins an instructor on a shared folder can read."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.classfolder import answer_cases, student_log
from widgets.classroom import gradebook as gb
from widgets.classroom import results as cr
from widgets.core.settings import Settings, use_settings
from widgets.classroom.export import CSV_HEADER, neutralise

ROWS = [  # version-1 quiz rows as the module wrote them: c01 right, c02 verdict wrong, c03 reason wrong
    ["Ana María", "c01-osteoporotic-lumbar", "bank", "2026-11-20T09:00:00Z", "true", "true", "true", "true",
     "indication_met", "true", "indication_met", "true"],
    ["Ana María", "c02-trauma-ladder", "bank", "2026-11-20T09:01:00Z", "false", "false", "false", "false",
     "no_fracture", "false", "indication_met", "false"],
    ["Ana María", "c03-steroid-fracture", "bank", "2026-11-20T09:02:00Z", "true", "true", "true", "true",
     "pain_relieved", "false", "indication_met", "false"],
]


def v1_csv(rows=ROWS, header=CSV_HEADER) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    return buf.getvalue()


def spreadsheet_resave(text: str, *, delimiter: str = ",", extra: bool = True, reorder: bool = True) -> str:
    """What a spreadsheet writes back: TRUE/FALSE, another column order, an extra column, CRLF."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    order = list(range(len(header)))[::-1] if reorder else list(range(len(header)))
    out = [[header[i] for i in order] + (["Notes"] if extra else [])]
    for r in body:
        cells = [{"true": "TRUE", "false": "FALSE"}.get(r[i], r[i]) for i in order]
        out.append(cells + (["checked by TA"] if extra else []))
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(out)
    return buf.getvalue()


def only_student(results):
    (row,) = cr.score_table(results)
    return row


def test_a_csv_saved_again_by_a_spreadsheet_is_read(tmp_path):
    """12.6: a CSV re-saved from a spreadsheet was refused ('TRUE' is not true or false)."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ana.csv").write_bytes(b"\xef\xbb\xbf" + spreadsheet_resave(v1_csv()).encode("utf-8"))
    results = cr.read_class_folder(folder)
    assert results.problems == []
    row = only_student(results)
    assert (row["quiz_cases"], row["quiz_final_right"]) == (3, 1), "graded again: only c01 is right"


def test_a_european_spreadsheet_with_semicolons_and_a_unicode_text_file_are_read(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "semi.csv").write_text(spreadsheet_resave(v1_csv(), delimiter=";"), encoding="utf-8")
    tabbed = spreadsheet_resave(v1_csv([[c.replace("Ana María", "Ben Ode") for c in r] for r in ROWS]),
                                delimiter="\t", extra=False)
    (folder / "unicode-text.csv").write_bytes(tabbed.encode("utf-16"))
    results = cr.read_class_folder(folder)
    assert results.problems == [] and len(results.students) == 2


def test_a_csv_missing_a_column_names_it(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    header = [c for c in CSV_HEADER if c != "reason_rule"]
    rows = [[c for i, c in enumerate(r) if CSV_HEADER[i] != "reason_rule"] for r in ROWS]
    (folder / "cut.csv").write_text(v1_csv(rows, header), encoding="utf-8")
    (folder / "lms.csv").write_text("Name,Grade\nSomeone,A\n", encoding="utf-8")
    problems = {p.file: p.problem for p in cr.read_class_folder(folder).problems}
    assert "lacks the column(s) reason_rule" in problems["cut.csv"]
    assert "not a quiz export" in problems["lms.csv"]


@pytest.mark.parametrize("name", ["empty.json", "empty.csv", "empty.jsonl", "blank.json"])
def test_an_empty_file_gets_a_message_about_being_empty(tmp_path, name):
    """12.6: an empty .json got a message about CSV headers."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / name).write_text("" if name.startswith("empty") else "  \n\n", encoding="utf-8")
    (problem,) = cr.read_class_folder(folder).problems
    assert problem.file == name and "empty" in problem.problem and "header" not in problem.problem


def test_a_folder_given_with_a_tilde_is_found(tmp_path, monkeypatch):
    """12.6: '~/exports' was "not found"."""
    monkeypatch.setenv("HOME", str(tmp_path))
    log = student_log(tmp_path / "home", "Ana", export_dir=tmp_path / "exports")
    answer_cases(log, [True])
    log.hand_in()
    results = cr.read_class_folder("~/exports")
    assert len(results.students) == 1
    monkeypatch.setenv("VKP_CLASS_DIR", "~/exports")
    with use_settings(Settings.from_environ()):
        assert cr.class_folder("sample-exports") == tmp_path / "exports"


def test_duplicate_and_renamed_files_count_once_and_are_named(tmp_path):
    folder = tmp_path / "class"
    log = student_log(tmp_path / "home", "Ana", export_dir=folder)
    answer_cases(log, [True, False])
    first = log.hand_in().file
    answer_cases(log, [True])
    second = log.hand_in().file
    assert first == second, "one file per student per session, appended"
    (folder / "vkp-ana (1).jsonl").write_bytes(second.read_bytes())          # a second download, renamed
    (folder / "renamed-by-lms-4711.jsonl").write_bytes(second.read_bytes())  # renamed on the way in
    results = cr.read_class_folder(folder)
    row = only_student(results)
    assert row["quiz_cases"] == 3
    copies = [n for n in results.notes if "same answers" in n]
    assert copies and "renamed-by-lms-4711.jsonl" in copies[0]


def test_a_hand_in_copy_is_group_readable_and_the_local_file_readable(tmp_path):
    """12.6: exports were created 0600, so an instructor on a shared hub folder could not read them."""
    log = student_log(tmp_path / "home", "Ana", export_dir=tmp_path / "notebooks", handin_dir=tmp_path / "handin")
    answer_cases(log, [True])
    result = log.hand_in()
    assert result.copy.parent == tmp_path / "handin" and result.copy.name == result.file.name
    assert result.copy.stat().st_mode & 0o040, "the instructor's group can read the hand-in copy"
    assert result.copy.stat().st_mode & 0o007 == 0, "other students cannot"
    assert result.file.stat().st_mode & 0o444 == 0o444
    assert result.copy.read_bytes() == result.file.read_bytes(), "the same file in both places"


def test_a_hand_in_never_overwrites_someone_elses_file_of_the_same_name(tmp_path):
    from widgets.record.handin import session_filename
    folder = tmp_path / "handin"
    bob = student_log(tmp_path / "bob", "Bob", export_dir=folder)
    answer_cases(bob, [False])
    ana = student_log(tmp_path / "ana", "Ana", export_dir=folder)
    taken = folder / session_filename(ana.identity, ana.today())
    bob.hand_in().file.rename(taken)              # Bob's file sits where Ana's would go
    answer_cases(ana, [True])
    mine = ana.hand_in().file
    assert mine != taken and mine.name.endswith("-2.jsonl")
    results = cr.read_class_folder(folder)
    assert sorted(s.display for s in results.students.values()) == ["Ana", "Bob"]


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx",
                                   '=HYPERLINK("http://evil","click")'])
def test_formula_cells_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Sam", "s1234567", "O'Neil", "", "a=b"])
def test_ordinary_cells_are_left_alone(value):
    assert neutralise(value) == value


def test_the_gradebook_names_students_and_no_cell_can_start_a_formula(tmp_path):
    folder = tmp_path / "class"
    log = student_log(tmp_path / "home", '=HYPERLINK("http://evil","x")', "s1", export_dir=folder)
    answer_cases(log, [True, False])
    log.hand_in()
    text = gb.gradebook_csv(gb.gradebook_rows(cr.read_class_folder(folder)))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == gb.GRADEBOOK_COLUMNS
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows[1][1] == "s1" and rows[1][gb.GRADEBOOK_COLUMNS.index("quiz_leaflet_score_percent")] == "50"
    practice = gb.GRADEBOOK_COLUMNS.index("quiz_practice_score_percent")
    assert practice < gb.GRADEBOOK_COLUMNS.index("quiz_leaflet_score_percent"), "current practice's score first"
    assert rows[1][practice] != "", "both standards' scores are kept"


def test_a_legacy_json_quiz_export_and_its_csv_twin_count_once(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    answers = [dict(zip(CSV_HEADER[1:], r[1:])) for r in ROWS]
    for a in answers:
        for k, v in list(a.items()):
            if v in ("true", "false"):
                a[k] = v == "true"
        a["deciding_rules"] = [a["deciding_rules"]]
    (folder / "ana.json").write_text(json.dumps({
        "format": "vkp-quiz-export", "version": 1, "student": "Ana María", "exported_at": "2026-11-20T10:00:00Z",
        "answers": answers, "summary": {"answered": 3, "correct": 1, "score_percent": 33.3}}), encoding="utf-8")
    (folder / "ana.csv").write_text(v1_csv(), encoding="utf-8")
    results = cr.read_class_folder(folder)
    assert results.problems == [] and only_student(results)["quiz_cases"] == 3


def test_the_export_helpers_other_exercises_use_check_names_as_the_hand_in_does():
    """The needle placement (issue 14) writes its own export with these helpers: same name rules, safe file names."""
    from widgets.classroom.export import ExportError, _slug, validate_student
    assert validate_student("  Chen   Wei ") == "Chen Wei"
    assert validate_student("\u0645\u0647\u200c\u0633\u0627") == "\u0645\u0647\u200c\u0633\u0627", "ZWNJ is fine"
    for bad, words in (("", "name"), ("Sam\x00", "control characters"), ("x" * 81, "characters long")):
        with pytest.raises(ExportError, match=words):
            validate_student(bad)
    assert _slug("Chen Wei") == "chen-wei" and _slug("Мария") != _slug("Ольга")
