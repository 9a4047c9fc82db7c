"""A debrief safe to project (issue 24): every hand-in has a gradebook row; spreadsheet re-saves, .txt and an
LMS's bulk .zip are read as they come; same-name students told apart; the step order by name; the
gradebook files in the formats Canvas and Moodle import.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from tests.classfolder import answer_cases, student_log
from widgets.classroom import gradebook as gb
from widgets.classroom import gradebook_view as gv
from widgets.classroom import intake
from widgets.classroom import item_analysis as ia
from widgets.classroom import measures_view as mv
from widgets.classroom import results as cr
from widgets.classroom import results_view as rv
from widgets.procedures.steps import grade_order, load_procedure, shuffled_ids
from widgets.record.attempts import MAX_FILE_BYTES

SECRET = b"intake secret"


def read(folder):
    return cr.read_class_folder(folder, secret=SECRET)


def handed_in(tmp_path, name: str, sid: str = "", plan=(True, False, True), *, folder=None, hub_user=None):
    folder = folder or tmp_path / "class"
    log = student_log(tmp_path / f"home-{name}-{sid}", name, sid, export_dir=folder, hub_user=hub_user)
    # Right and wrong under current practice: the gradebook's score (its column says so), whichever cases the
    # student's own order draws.
    answer_cases(log, list(plan), standard="practice")
    return log, log.hand_in().file


def excel_resave(text: str, *, delimiter: str = ",", split: bool = True) -> bytes:
    """A hand-in opened in a spreadsheet and saved as CSV: each line split at its commas (or kept in one
    cell), cells with quotation marks quoted, rows padded to the widest, CRLF, the spreadsheet's code page."""
    rows = [line.split(",") if split else [line] for line in text.splitlines() if line]
    width = max(len(r) for r in rows)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in rows:
        writer.writerow(r + [""] * (width - len(r)))
    return buf.getvalue().encode("cp1252")


# ----------------------------------------------------------------------------- spreadsheets, .txt

@pytest.mark.parametrize("delimiter, split", [(",", True), (";", True), (";", False), ("\t", True)])
def test_a_hand_in_resaved_by_a_spreadsheet_is_read_with_an_accurate_message(tmp_path, delimiter, split):
    _, path = handed_in(tmp_path, "José Núñez", "s1")
    original = read(path.parent)
    resaved = path.with_name("my answers.csv")
    resaved.write_bytes(excel_resave(path.read_text(encoding="utf-8"), delimiter=delimiter, split=split))
    path.unlink()
    results = read(path.parent)
    assert not results.problems, results.problems
    (student,) = results.students.values()
    assert student.display == "José Núñez" and student.student_id == "s1"
    assert cr.score_table(results) == cr.score_table(original), "the same answers, the same scores"
    (note,) = [n for n in results.notes if "my answers.csv" in n]
    assert "re-saved by a spreadsheet" in note and "all 3 answer line(s) survived and were read" in note
    assert "columns" not in note, "the old message blamed missing columns"


def test_a_resave_that_broke_a_line_reads_the_rest_and_counts_what_did_not_survive(tmp_path):
    _, path = handed_in(tmp_path, "Ana", plan=(True, True, True, False))
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:40]                                     # a cell the spreadsheet cut short
    (path.parent / "ana.csv").write_bytes(excel_resave("\n".join(lines)))
    path.unlink()
    results = read(path.parent)
    (note,) = [n for n in results.notes if "ana.csv" in n]
    assert "3 of 4 answer line(s) survived and were read, 1 did not" in note
    assert any(p.file == "ana.csv" and p.problem.startswith("line 3") for p in results.problems)
    assert cr.score_table(results)[0]["quiz_cases"] == 3


def test_a_txt_is_read_when_it_holds_a_hand_in_and_named_when_it_does_not(tmp_path):
    _, path = handed_in(tmp_path, "Bea")
    path.rename(path.with_name("my answers.txt"))
    (path.parent / "notes.txt").write_text("I could not find the hand-in button.\n", encoding="utf-8")
    results = read(path.parent)
    assert "my answers.txt" in results.files_read and len(results.students) == 1
    (problem,) = [p for p in results.problems if p.file == "notes.txt"]
    assert "a text file that is not a hand-in" in problem.problem and "Download" in problem.problem


# ----------------------------------------------------------------------------- an LMS's bulk download

def test_a_canvas_bulk_download_is_read_as_it_is(tmp_path):
    src = tmp_path / "src"
    logs = [handed_in(tmp_path, name, sid, folder=src) for name, sid in (("Ada Okafor", "s1"), ("Ben Ng", ""))]
    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "submissions.zip", "w", zipfile.ZIP_DEFLATED) as z:
        # As Canvas names them (lib/content_zipper.rb): sortable name, LATE, user id, attachment id, file name.
        z.writestr(f"okaforada_104206_3001_{logs[0][1].name}", logs[0][1].read_bytes())
        z.writestr(f"ngben_LATE_104207_3002_{logs[1][1].name}", logs[1][1].read_bytes())
        z.writestr("__MACOSX/._okaforada_104206_3001_x.jsonl", b"\x00\x05resource fork")
    results = read(folder)
    assert not results.problems and len(results.students) == 2
    rows = {r.name: r for r in gb.gradebook_rows(results)}
    assert (rows["Ada Okafor"].lms, rows["Ada Okafor"].lms_id) == ("canvas", "104206")
    assert rows["Ben Ng"].lms_id == "104207", "a late submission keeps its user id"
    assert not (tmp_path / "class" / "okaforada_104206_3001_x.jsonl").exists(), "nothing is unpacked"


def test_a_moodle_download_in_folders_is_read_and_names_its_students(tmp_path):
    _, path = handed_in(tmp_path, "Chen Wei", "s3", folder=tmp_path / "src")
    folder = tmp_path / "class"
    folder.mkdir()
    # As Moodle names them (mod/assign/classes/downloader.php), "download submissions in folders".
    with zipfile.ZipFile(folder / "Course-Assignment-42.zip", "w") as z:
        z.writestr(f"Chen Wei_77_assignsubmission_file/{path.name}", path.read_bytes())
        z.writestr("Dara Murphy_78_assignsubmission_file/essay.pdf", b"%PDF-1.4")
    results = read(folder)
    assert len(results.students) == 1
    rows = {r.name: r for r in gb.gradebook_rows(results)}
    assert rows["Chen Wei"].lms == "moodle"
    assert "Dara Murphy" in rows and "not an export" in rows["Dara Murphy"].problem, "a row for the PDF's author"


def test_a_zip_is_bounded_and_nothing_in_it_escapes(tmp_path, monkeypatch):
    _, path = handed_in(tmp_path, "Eve", folder=tmp_path / "src")
    folder = tmp_path / "class"
    folder.mkdir()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("x.jsonl", path.read_bytes())
    with zipfile.ZipFile(folder / "all.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("../../escape.jsonl", path.read_bytes())
        z.writestr("/etc/passwd.jsonl", path.read_bytes())
        z.writestr("C:/evil.jsonl", path.read_bytes())
        z.writestr("nested.zip", inner.getvalue())
        z.writestr("bomb.jsonl", b"\x00" * (MAX_FILE_BYTES + 1))      # 8 MB of zeros, a few kB compressed
        z.writestr("ok/vkp-eve.jsonl", path.read_bytes())
    results = read(folder)
    problems = {p.file: p.problem for p in results.problems}
    assert "climbs out of the zip" in problems["all.zip/../../escape.jsonl"]
    assert "absolute path" in problems["all.zip//etc/passwd.jsonl"] and "absolute path" in problems["all.zip/C:/evil.jsonl"]
    assert "a zip inside the zip" in problems["all.zip/nested.zip"]
    assert "too large" in problems["all.zip/bomb.jsonl"]
    assert "all.zip/ok/vkp-eve.jsonl" in results.files_read and len(results.students) == 1
    assert sorted(p.name for p in tmp_path.rglob("*escape*")) == [] and not (tmp_path / "etc").exists()
    # The whole zip is bounded too: past the total, the rest is named, not read.
    monkeypatch.setattr(intake, "MAX_ZIP_TOTAL", 10)
    members, named = intake.zip_members((folder / "all.zip").read_bytes(), cr.SUFFIXES)
    assert not members and any("add up to more than" in p for _, p in named)


def test_a_damaged_zip_is_named_and_the_folder_still_read(tmp_path):
    _, path = handed_in(tmp_path, "Fay")
    (path.parent / "submissions.zip").write_bytes(b"PK\x03\x04 cut short")
    results = read(path.parent)
    assert "not a zip file" in {p.file: p.problem for p in results.problems}["submissions.zip"]
    assert len(results.students) == 1


def test_lms_names_are_read_from_both_lmss_and_the_course():
    assert intake.lms_name("leesam_LATE_12345_678_vkp-sam-lee-9f2c4e1a-2026-11-20.jsonl") == intake.LmsName(
        "canvas", "leesam", "12345", True, "vkp-sam-lee-9f2c4e1a-2026-11-20.jsonl")
    assert intake.lms_name("Sam Lee_991_assignsubmission_file_answers.jsonl").lms_id == "991"
    assert intake.lms_name("x.zip/Sam Lee_991_assignsubmission_file/sub/answers.jsonl").original == "answers.jsonl"
    assert intake.lms_name("vkp-sam-lee-9f2c4e1a-2026-11-20.jsonl") == intake.LmsName(
        "course", "Sam Lee", "9f2c4e1a", False, "vkp-sam-lee-9f2c4e1a-2026-11-20.jsonl")
    assert intake.lms_name("download (1).jsonl") is None


# ----------------------------------------------------------------------------- the gradebook

def test_every_student_who_handed_anything_in_has_a_gradebook_row(tmp_path):
    folder = tmp_path / "class"
    handed_in(tmp_path, "Gil", "s7")
    _, empty = handed_in(tmp_path, "Hana Kimura", "s8")
    empty.write_bytes(b"")                                       # arrived empty
    _, cut = handed_in(tmp_path, "Ivo", "s9")
    cut.write_text(cut.read_text(encoding="utf-8")[:60], encoding="utf-8")   # its header cut short
    (folder / "essay.pdf").write_bytes(b"%PDF-1.4")              # the wrong file
    (folder / ".DS_Store").write_bytes(b"\x00")                  # not anyone's hand-in
    results = read(folder)
    rows = gb.gradebook_rows(results)
    names = {r.name: r for r in rows}
    assert set(names) == {"Gil", "Hana Kimura", "Ivo", "unknown student (file essay.pdf)"}, names
    assert names["Gil"].quiz_practice_score_percent == 66.7 and not names["Gil"].problem
    assert names["Gil"].quiz_leaflet_score_percent is not None, "both standards' scores, current practice first"
    assert "empty" in names["Hana Kimura"].problem and names["Hana Kimura"].quiz_practice_score_percent is None
    assert "hand-in header" in names["Ivo"].problem
    assert "not an export" in names["unknown student (file essay.pdf)"].problem
    text = gb.gradebook_csv(rows)
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + len(rows)


def test_a_student_whose_answers_cannot_be_graded_keeps_a_row_with_the_problem(tmp_path):
    log, path = handed_in(tmp_path, "Jo", "s10")
    text = path.read_text(encoding="utf-8").replace('"item": "c', '"item": "zz-not-a-case-c')
    path.write_text(text, encoding="utf-8")
    (row,) = gb.gradebook_rows(read(path.parent))
    assert row.name == "Jo" and "could not be graded" in row.problem


def test_same_name_students_are_told_apart_by_their_install_id(tmp_path):
    a, _ = handed_in(tmp_path, "Sam Lee", plan=(True,))
    b = student_log(tmp_path / "other-home", "Sam Lee", export_dir=tmp_path / "class")
    answer_cases(b, [False])
    b.hand_in()
    rows = [r for r in gb.gradebook_rows(read(tmp_path / "class")) if r.name == "Sam Lee"]
    assert len(rows) == 2
    tags = {r.told_apart_by for r in rows}
    assert tags == {f"install {a.identity.install_id[:8]}", f"install {b.identity.install_id[:8]}"}
    table = gv.gradebook_table(read(tmp_path / "class")).data
    assert all(t in table for t in tags)


#: What Canvas's importer requires of the header (app/models/gradebook_importer.rb, instructure/canvas-lms):
#: Student, ID, then SIS User ID and SIS Login ID, then Section as the last student column; and the column
#: names its importer drops as "not an assignment".
CANVAS_NON_ASSIGNMENT = ["Current Score", "Current Points", "Current Grade", "Final Score", "Final Points",
                         "Final Grade", "Override Score", "Override Grade", "Override Status"]


def test_the_canvas_file_has_the_header_and_rows_canvas_imports(tmp_path):
    src = tmp_path / "src"
    _, path = handed_in(tmp_path, "Ada Okafor", "s1", plan=(True, False), folder=src)
    # Kai hands in on the class hub: the hand-in service stamps the login the hub vouched for (issue 21: a login
    # a file merely claims is not trusted, so only a stamped hand-in is keyed by its hub login).
    from widgets.hubservice.store import HandInStore
    (tmp_path / "class").mkdir()
    kai, _ = handed_in(tmp_path, "Kai", hub_user="kai23", plan=(True,), folder=tmp_path / "kai-home")
    HandInStore(tmp_path / "class", tmp_path / "index.sqlite").receive("kai23", kai.hand_in().content.encode())
    with zipfile.ZipFile(tmp_path / "class" / "submissions.zip", "w") as z:
        z.writestr(f"okaforada_104206_3001_{path.name}", path.read_bytes())
    rows = gb.gradebook_rows(read(tmp_path / "class"))
    table = list(csv.reader(io.StringIO(gb.canvas_csv(rows).text)))
    header = table[0]
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", gb.SCORE_TITLE]
    assert "Student" in header[0] and "ID" in header[1] and re.match(r"SIS\s+User\s+ID", header[2])
    assert re.match(r"SIS\s+Login\s+ID", header[3]) and "Section" in header[4]
    assert not re.search("|".join(CANVAS_NON_ASSIGNMENT), gb.SCORE_TITLE), "Canvas would drop the column"
    assert not re.search(r"\(\d+\)$", gb.SCORE_TITLE), "a '(number)' title would be read as an assignment id"
    assert "self-reported" in gb.SCORE_TITLE and "current practice" in gb.SCORE_TITLE, "the column says which score"
    assert table[1] == ["Points Possible", "", "", "", "", "100"]
    assert ["Ada Okafor", "104206", "s1", "", "", "50"] in table
    assert ["Kai", "", "", "kai23", "", "100"] in table


def test_the_moodle_file_has_one_identifier_column_and_leaves_out_rows_moodle_cannot_match(tmp_path):
    handed_in(tmp_path, "Lea", "s11", plan=(True, False))
    handed_in(tmp_path, "Max", "", plan=(True,))
    rows = gb.gradebook_rows(read(tmp_path / "class"))
    assert gb.moodle_key(rows) == "idnumber"
    out = gb.moodle_csv(rows)
    table = list(csv.reader(io.StringIO(out.text)))
    assert table[0] == ["ID number", "Full name", gb.SCORE_TITLE]
    assert table[1:] == [["s11", "Lea", "50"]] and out.left_out == ["Max"]
    # With hub logins the identifier is the username; a row with no score says "-" (Moodle's no grade).
    rows = [gb.GradebookRow("Nia", hub_user="nia1"), gb.GradebookRow("Oto", hub_user="oto2", quiz_practice_score_percent=75.0)]
    table = list(csv.reader(io.StringIO(gb.moodle_csv(rows).text)))
    assert table == [["Username", "Full name", gb.SCORE_TITLE], ["nia1", "Nia", "-"], ["oto2", "Oto", "75"]]


def test_the_lms_files_are_private_and_their_note_names_no_student(tmp_path):
    handed_in(tmp_path, "Pia Quist", "", plan=(True,))
    box = gv.save_lms_buttons(read(tmp_path / "class"))
    (canvas, moodle, note) = box.children
    assert "Pia" not in note.value and "1 row(s) of the gradebook are not in the Moodle file" in note.value
    for part, name in ((canvas, "canvas.csv"), (moodle, "moodle.csv")):
        row, status = part.children
        path_box, button = row.children
        path_box.value = str(tmp_path / name)
        button.click()
        assert (tmp_path / name).stat().st_mode & 0o077 == 0


# ----------------------------------------------------------------------------- projecting

def test_the_projected_views_show_no_student_and_the_rows_are_instructor_only(tmp_path):
    handed_in(tmp_path, "Zebedee Quartermaine", "s99")
    results = read(tmp_path / "class")
    for view in (mv.gain_summary, mv.rule_gain_table, mv.flagged_list, mv.quiz_item_table, mv.decision_item_table,
                 mv.needle_levels_table, rv.rule_table, rv.case_table, rv.misconception_table):
        assert "Zebedee" not in view(results).data and "s99" not in view(results).data
    folded = mv.instructor_only("the gradebook", gv.gradebook_table(results)).data
    assert folded.startswith('<details class="vkp-instructor-only"><summary><strong>Instructor only</strong>')
    assert "<details open" not in folded and "Zebedee" in folded


# ----------------------------------------------------------------------------- the step order

def test_the_step_order_debrief_names_steps_and_leaves_out_a_check_before_moving_anything(tmp_path):
    folder = tmp_path / "class"
    kp = load_procedure("kyphoplasty")
    dealt = shuffled_ids(kp, 3)                                 # as notebook 03 deals the steps
    for i in range(3):
        log = student_log(tmp_path / f"s{i}", f"Student {i}", export_dir=folder)
        orders = [dealt] if i < 2 else []                       # two press Check before moving anything
        fixed = list(kp.step_ids)
        fixed[0], fixed[1] = fixed[1], fixed[0]                 # then one try with two steps swapped
        for order in orders + [fixed, list(kp.step_ids)]:
            log.record_attempt("step-order", "kyphoplasty", {"order": order},
                               {"leaflet": {"correct": grade_order(kp, order).correct,
                                            "expected": {"misplaced": list(grade_order(kp, order).misplaced)}}})
        log.hand_in()
    results = read(folder)
    order = ia.step_order(results)
    assert order.checked_unmoved == {"kyphoplasty": 2} and order.only_unmoved == {}
    first = {r.title: r.first_out for r in order.rows}
    assert first == {kp.step(kp.step_ids[0]).title: 3, kp.step(kp.step_ids[1]).title: 3}, \
        "the first real attempt had two steps out of place, for every student; nothing else"
    shown = rv.ordering_table(results).data
    assert "kp_" not in shown and kp.step(kp.step_ids[0]).title in shown
    assert "pressed Check before moving any step: 2 on the kyphoplasty steps" in shown
