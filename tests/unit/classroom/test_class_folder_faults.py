"""Issue 11: a folder of students' files read as an attacker or a busy class would leave it.

Each test reproduces a defect of the issue (its number is in the docstring) and failed before the fix.
Reading a folder with a pipe or a link to ``/dev/zero`` runs in a child process with a memory limit
and a time-out, so that a reader that hangs or eats memory fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.classfolder import answer_cases, student_log
from tests.conftest import ROOT
from tests.faults import lock_from_reader, readable_by_others, run_as_other_user
from widgets.classroom import results as cr
from widgets.classroom import results_view as rv
from widgets.record.handin import ExerciseLog
from widgets.record.progress import ProgressFile
from widgets.procedures.steps import grade_order, load_procedure

LEGACY_ANSWER = {"case_id": "c01-osteoporotic-lumbar", "source": "bank", "answered_at": "2026-11-20T09:00:00Z",
                 "vertebroplasty_answer": True, "vertebroplasty_correct": True, "kyphoplasty_answer": True,
                 "kyphoplasty_correct": True, "reason_rule": "indication_met", "reason_correct": True,
                 "deciding_rules": ["indication_met"], "correct": True}


def legacy_quiz_export(folder: Path, file: str, student: str, answers: list[dict]) -> Path:
    """A version-1 quiz export, as the module wrote them before this change (students still hand these in)."""
    right = sum(a["correct"] for a in answers)
    data = {"format": "vkp-quiz-export", "version": 1, "student": student, "exported_at": "2026-11-20T10:00:00Z",
            "answers": answers, "summary": {"answered": len(answers), "correct": right,
                                            "score_percent": round(100 * right / len(answers), 1)}}
    path = folder / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def legacy_ordering_export(folder: Path, file: str, student: str, misplaced: list[str]) -> Path:
    data = {"format": "vkp-ordering-export", "version": 1, "student": student, "exported_at": "2026-11-20T09:40:00Z",
            "attempts": [{"procedure": "kyphoplasty", "attempt": 1, "correct": not misplaced,
                          "misplaced": misplaced, "answered_at": "2026-11-20T09:31:00Z"}]}
    path = folder / file
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def good_export(folder: Path, homes: Path, name: str = "Sam Lee") -> Path:
    """A real student's hand-in, from a home folder of their own (outside the class folder)."""
    log = student_log(homes / "homes" / name, name, export_dir=folder)
    answer_cases(log, [True, False, True])
    return log.hand_in().file


# ----------------------------------------------------------------------------- 11.4 ordering exports collide

def test_ordering_hand_ins_of_two_non_latin_names_and_two_times_never_overwrite(tmp_path):
    """11.4: no time stamp in the names, and every non-Latin name became student-<procedure>-ordering.json."""
    folder = tmp_path / "notebooks"
    kp = load_procedure("kyphoplasty")
    files = []
    for name in ("Мария Иванова", "Ольга Петрова", "مریم رضایی", "李雷"):
        log = student_log(tmp_path / name, name, export_dir=folder)
        for order in (list(reversed(kp.step_ids)), kp.step_ids):
            log.record_attempt("step-order", "kyphoplasty", {"order": order},
                               {"leaflet": {"correct": grade_order(kp, order).correct}})
            files.append(log.hand_in().file)     # handed in after each attempt: appended, not overwritten
    assert len(set(files)) == 4, "one file per student per session"
    results = cr.read_class_folder(folder)
    assert results.problems == []
    assert sorted(len(s.attempts) for s in results.students.values()) == [2, 2, 2, 2]


# ----------------------------------------------------------------------------- 11.5 one bad file stops the class

READ_IN_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
from widgets.classroom import results as cr
r = cr.read_class_folder(sys.argv[1])
print(json.dumps({"students": len(r.students), "problems": {p.file: p.problem for p in r.problems}}))
"""


def read_in_child(folder: Path, *, as_other_user: bool = False) -> dict:
    if as_other_user:
        done = run_as_other_user(READ_IN_CHILD, str(folder))
    else:
        done = subprocess.run([sys.executable, "-c", READ_IN_CHILD, str(folder)], capture_output=True, text=True,
                              timeout=90, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, f"read_class_folder stopped:\n{done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_hostile_files_are_named_and_skipped_never_a_stop_a_hang_or_a_memory_blowup(tmp_path, suffix):
    """11.5: a dangling link, deep nesting, a 5,000-digit number, a pipe or a link to /dev/zero stopped or hung it."""
    folder = tmp_path / "class"
    folder.mkdir()
    good_export(folder, tmp_path)
    (folder / f"dangling{suffix}").symlink_to(tmp_path / "gone")
    (folder / f"deep{suffix}").write_text("[" * 100_000 + "]" * 100_000)
    (folder / f"big-number{suffix}").write_text('{"format": "vkp-quiz-export", "version": ' + "7" * 5000 + "}")
    os.mkfifo(folder / f"pipe{suffix}")
    (folder / f"zero{suffix}").symlink_to("/dev/zero")
    (folder / f"empty{suffix}").write_bytes(b"")
    seen = read_in_child(folder)
    assert seen["students"] == 1, "the good export is still read"
    problems = seen["problems"]
    assert set(problems) == {f"dangling{suffix}", f"deep{suffix}", f"big-number{suffix}", f"pipe{suffix}",
                             f"zero{suffix}", f"empty{suffix}"}
    assert "missing" in problems[f"dangling{suffix}"]
    assert "pipe" in problems[f"pipe{suffix}"] and "device" in problems[f"zero{suffix}"]
    assert "empty" in problems[f"empty{suffix}"]


def test_a_file_the_instructor_may_not_read_is_named(tmp_path):
    """11.5: a permission error stopped read_class_folder."""
    folder = tmp_path / "class"
    folder.mkdir()
    good = good_export(folder, tmp_path)
    secret = folder / "locked.json"
    secret.write_text(good.read_text())
    readable_by_others(folder)
    for f in folder.iterdir():
        f.chmod(0o644)
    lock_from_reader(secret)
    seen = read_in_child(folder, as_other_user=True)
    assert seen["students"] == 1
    assert "permission" in seen["problems"]["locked.json"].lower()


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    with open(folder / "huge.json", "wb") as fh:
        fh.truncate(cr.MAX_FILE_BYTES + 1)           # sparse: no disk used
    results = cr.read_class_folder(folder)
    (problem,) = results.problems
    assert problem.file == "huge.json" and "too large" in problem.problem


# ----------------------------------------------------------------------------- 11.8 injection

PAYLOADS = ["<img src=x onerror=alert(document.domain)>", "<script>alert(1)</script>",
            "c01\n# Injected heading", "a | b", "[click](javascript:alert(1))"]


def rendered_outputs(results) -> str:
    """Everything the class-results notebook displays, as the HTML the browser would receive."""
    out = []
    for view in (rv.problems_view, rv.summary_table, rv.rule_table, rv.case_table, rv.misconception_table,
                 rv.per_student_rule_table, rv.exercise_table, rv.ordering_table):
        shown = view(results)
        bundle = shown._repr_html_() if hasattr(shown, "_repr_html_") else shown.data
        out.append(bundle)
    return "\n".join(out)


def test_a_students_export_cannot_put_markup_into_the_instructors_notebook(tmp_path):
    """11.8: case_id and misplaced were placed into Markdown escaping only '|': <script> and onerror ran."""
    folder = tmp_path / "class"
    answers = [dict(LEGACY_ANSWER, case_id=p, answered_at=f"2026-11-20T09:0{i}:00Z") for i, p in enumerate(PAYLOADS)]
    legacy_quiz_export(folder, "evil-quiz.json", "<script>alert('name')</script>", answers)
    legacy_ordering_export(folder, "evil-order.json", "<img src=x onerror=alert(2)>", PAYLOADS)
    good_export(folder, tmp_path)
    results = cr.read_class_folder(folder)
    html = rendered_outputs(results)
    for tag in ("<script", "<img", "onerror=", "javascript:"):
        assert tag not in html.lower().replace("&lt;script", "").replace("&lt;img", ""), tag
    assert "\n# Injected" not in html
    assert "<h1" not in html.lower()


def test_flags_edited_by_a_student_do_not_change_the_grade(tmp_path):
    """11.8: exports were taken at their word: a student could set every *_correct flag to true."""
    folder = tmp_path / "class"
    cheat = dict(LEGACY_ANSWER, vertebroplasty_answer=False, kyphoplasty_answer=False, reason_rule="no_fracture")
    legacy_quiz_export(folder, "cheat.json", "Cheat", [cheat])       # every flag still says "correct"
    results = cr.read_class_folder(folder)
    (row,) = cr.score_table(results)
    assert (row["quiz_cases"], row["quiz_final_right"], row["quiz_final_percent"]) == (1, 0, 0.0)
    assert any("flag" in n for n in results.notes), "the disagreement is reported"


# ----------------------------------------------------------------------------- 11.9 identities

def test_one_student_with_differently_typed_names_is_one_person(tmp_path):
    """11.9: exact string matching: case, NFC/NFD, double spaces and ordering-vs-quiz trimming made two people."""
    folder = tmp_path / "class"
    nfc = unicodedata.normalize("NFC", "José Núñez")
    nfd = unicodedata.normalize("NFD", "José Núñez")
    assert nfc != nfd
    legacy_quiz_export(folder, "a.json", nfc, [LEGACY_ANSWER])
    legacy_quiz_export(folder, "b.json", nfd.upper(), [dict(LEGACY_ANSWER, case_id="c02-trauma-ladder",
                                                            answered_at="2026-11-20T09:05:00Z")])
    legacy_ordering_export(folder, "c.json", "  josé   núñez ", [])
    results = cr.read_class_folder(folder)
    assert len(results.students) == 1, [s.display for s in results.students.values()]
    (row,) = cr.score_table(results)
    assert row["quiz_cases"] == 2 and row["ordering_attempts"] == 1
    assert not any(p.problem for p in results.problems)


def test_exports_in_sub_folders_are_read_and_hidden_files_named(tmp_path):
    """11.9: exports in sub-folders were skipped without a word."""
    folder = tmp_path / "class"
    good_export(folder / "group-a", tmp_path)
    good_export(folder / "group-b" / "late", tmp_path, name="Ana Ruiz")
    (folder / "group-a" / ".hidden.json").write_text("{}")
    results = cr.read_class_folder(folder)
    assert len(results.students) == 2
    assert [p.file for p in results.problems] == ["group-a/.hidden.json"]
    assert "hidden" in results.problems[0].problem


def test_the_same_export_handed_in_twice_and_renamed_counts_once(tmp_path):
    folder = tmp_path / "class"
    path = good_export(folder, tmp_path)
    (folder / "copy (1).jsonl").write_bytes(path.read_bytes())
    results = cr.read_class_folder(folder)
    (student,) = results.students.values()
    assert len(student.attempts) == 3
    assert any("same answers" in n for n in results.notes)


def test_a_progress_file_handed_in_instead_of_an_export_is_read(tmp_path):
    folder = tmp_path / "class"
    store = ProgressFile(folder / "vkp.progress.json").load()
    log = ExerciseLog(store, export_dir=folder)
    log.set_identity("Sam Lee", "")
    answer_cases(log, [True, False])
    results = cr.read_class_folder(folder)
    assert results.problems == []
    (student,) = results.students.values()
    assert len(student.attempts) == 2 and student.display == "Sam Lee"
