"""Issue 11, "lost work" and "some progress files break the quiz": every answer survives.

Each test reproduces a defect of the issue (its number is in the docstring) and failed before the fix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT
from tests.faults import unwritable_folder
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz
from widgets.candidacy.quiz_view import QuizView
from widgets.core.settings import Settings
from widgets.record.progress import ProgressFile, default_progress_path
from widgets.record.attempts import parse_export_text


def choose(view, vp, kp, reason):
    view.form.choose(vp, kp, reason)
    view.form.submit_button.click()


def answer_current_right(view):
    """Answer the case on screen correctly (the rules engine knows the answer), then go on."""
    from widgets.candidacy.practice import assess_practice
    truth = assess_practice(view.quiz.current.patient)
    choose(view, truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, truth.deciding_rules[0])
    assert view.error.value == "", view.error.value
    view.form.next_button.click()


def stored_quiz_answers(path: Path) -> list:
    return quiz_attempts(ProgressFile(path).load().attempts)


# ----------------------------------------------------------------------------- 11.1 two sessions, one file

KERNEL = """
import sys, time, random
from pathlib import Path
from widgets.record.progress import ProgressFile
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz

path, count, seed, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
store = ProgressFile(path).load()
quiz = Quiz.from_bank(seed=seed, attempts=quiz_attempts(store.attempts))
while not go.exists():
    time.sleep(0.005)
rng = random.Random(seed)
for i in range(count):
    grade = quiz.submit(i % 2 == 0, True, "indication_met")
    store.append(grade.attempt)
    quiz.next()
    time.sleep(rng.random() * 0.01)
print("done", len(quiz_attempts(store.attempts)))
"""


def test_two_kernels_answering_at_once_keep_all_answers(tmp_path):
    """11.1: two kernels answering 10 each on one progress file left 10; now all 20 are kept."""
    path, go = tmp_path / "shared.progress.json", tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    kernels = [subprocess.Popen([sys.executable, "-c", KERNEL, str(path), "10", str(seed), str(go)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for seed in (1, 2)]
    time.sleep(1.0)  # both have loaded the (empty) file before either answers
    go.write_text("go")
    for k in kernels:
        out, err = k.communicate(timeout=120)
        assert k.returncode == 0, err
    answers = stored_quiz_answers(path)
    assert len(answers) == 20, f"{len(answers)} of 20 answers kept"
    assert len({a.id for a in answers}) == 20


def test_two_views_of_the_quiz_in_one_kernel_keep_all_answers(tmp_path):
    """11.1: the quiz cell run twice (two views, 3 answers) left 1 answer; now all 3 are kept."""
    path = tmp_path / "q.progress.json"
    first = QuizView.for_notebook(progress=path, export_dir=tmp_path)
    second = QuizView.for_notebook(progress=path, export_dir=tmp_path)
    answer_current_right(first)
    answer_current_right(second)
    answer_current_right(first)
    assert len(stored_quiz_answers(path)) == 3


def test_a_shared_progress_folder_gives_each_student_their_own_file(tmp_path):
    """11.1: the file name did not include the user, so students sharing VKP_PROGRESS_DIR shared one file."""
    alice, bob = (default_progress_path(Settings.from_environ({"VKP_PROGRESS_DIR": str(tmp_path), "JUPYTERHUB_USER": who}))
                  for who in ("alice", "bob"))
    assert alice != bob and alice.parent == bob.parent == tmp_path
    assert "alice" in alice.name and "bob" in bob.name


HOLD = """
import sys, time
from pathlib import Path
from widgets.record.progress import file_lock
path, tmp = Path(sys.argv[1]), Path(sys.argv[2])
with file_lock(path):
    tmp.write_text('{"half": ')      # a save in progress: its temporary file
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_loading_leaves_another_kernels_save_in_progress_alone(tmp_path):
    """11.1: one kernel's load() deleted another kernel's half-written temporary file, so that save failed."""
    path = tmp_path / "q.progress.json"
    ProgressFile(path).load().append(Quiz.from_bank().submit(True, True, "indication_met").attempt)
    tmp = tmp_path / f".{path.name}.other.tmp"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(tmp)], cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        store = ProgressFile(path).load()
        assert tmp.exists(), "the other kernel's temporary file was deleted"
        assert len(quiz_attempts(store.attempts)) == 1
    finally:
        holder.communicate("\n", timeout=30)


def test_a_crashed_saves_temporary_file_is_cleaned_up_by_the_next_save(tmp_path):
    path = tmp_path / "q.progress.json"
    store = ProgressFile(path).load()
    orphan = tmp_path / f".{path.name}.dead.tmp"
    orphan.write_text('{"half": ')
    store.append(Quiz.from_bank().submit(True, True, "indication_met").attempt)
    assert not orphan.exists() and len(stored_quiz_answers(path)) == 1


# ----------------------------------------------------------------------------- 11.2 unwritable folder

def test_an_unwritable_folder_says_so_once_and_offers_the_answers_as_a_download(tmp_path):
    """11.2: every save failed, Export failed too, and the fix needed a restart that dropped the answers."""
    with unwritable_folder(tmp_path / "locked") as locked:
        view = QuizView.for_notebook(progress=locked / "q.progress.json", export_dir=locked)
        assert isinstance(view, QuizView), "the quiz starts even though nothing can be saved"
        answer_current_right(view)
        alert = view.saving.saved_to.value
        assert alert.count('role="alert"') == 1 and "cannot be saved" in alert and str(locked) in alert
        answer_current_right(view)
        assert view.saving.saved_to.value.count('role="alert"') == 1, "said once, not once per answer"
        assert view.error.value == ""
        # The answers reach the student at once, as a browser download.
        link = view.saving.handin.download
        assert link.filename.endswith(".jsonl") and not link.disabled
        export = parse_export_text(link.content)
        assert len(export.attempts) == 2
        # Handing in beside the notebook fails too (same folder), and says the download still works.
        view.saving.handin.name.value = "Sam Lee"
        view.saving.handin.button.click()
        assert "could not be written" in view.saving.handin.status.value
        assert "Download" in view.saving.handin.status.value
        # Another folder, without a restart: everything held in memory is saved there.
        elsewhere = tmp_path / "elsewhere"
        view.saving.folder_box.value = str(elsewhere)
        view.saving.folder_button.click()
        saved = list(elsewhere.glob("*.progress.json"))
        assert len(saved) == 1 and len(stored_quiz_answers(saved[0])) == 2
        assert "Saved" in view.saving.saved_to.value and str(elsewhere) in view.saving.saved_to.value
        answer_current_right(view)
        assert len(stored_quiz_answers(saved[0])) == 3, "later answers go to the new folder"


# ----------------------------------------------------------------------------- 11.3 loads but cannot be saved

def test_a_lone_surrogate_in_the_student_name_does_not_stop_later_saves(tmp_path):
    """11.3: a lone surrogate in the name made every later save fail behind a generic message."""
    path = tmp_path / "q.progress.json"
    ProgressFile(path).load().append(Quiz.from_bank().submit(True, True, "indication_met").attempt)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["student"] = {"name": "Sam\ud800"} if isinstance(data.get("student"), dict) else "Sam\ud800"
    path.write_text(json.dumps(data), encoding="utf-8")     # json.dumps escapes it as \\ud800
    store = ProgressFile(path).load()
    assert len(quiz_attempts(store.attempts)) == 1
    quiz = Quiz.from_bank(attempts=quiz_attempts(store.attempts))
    store.append(quiz.submit(True, True, "indication_met").attempt)
    assert len(stored_quiz_answers(path)) == 2


def test_a_progress_file_resaved_with_a_bom_is_read_not_thrown_away(tmp_path):
    """11.3: a valid file with a UTF-8 BOM (re-saved in a text editor) was moved aside: the student restarted at 0."""
    path = tmp_path / "q.progress.json"
    store = ProgressFile(path).load()
    quiz = Quiz.from_bank()
    for _ in range(2):
        store.append(quiz.submit(True, True, "indication_met").attempt)
        quiz.next()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    again = ProgressFile(path).load()
    assert again.warning is None and len(quiz_attempts(again.attempts)) == 2
    assert not list(tmp_path.glob("*.corrupt-*"))


# ----------------------------------------------------------------------------- 11.6 files that break the quiz

def test_a_very_deep_progress_file_is_moved_aside_and_the_quiz_starts(tmp_path):
    """11.6: 100,000-deep JSON gave a traceback and stayed, failing on every run."""
    path = tmp_path / "q.progress.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    view = QuizView.for_notebook(progress=path, export_dir=tmp_path)
    assert isinstance(view, QuizView)
    assert "could not be read" in view.saving.saved_to.value
    assert len(list(tmp_path.glob("*.corrupt-*"))) == 1
    again = QuizView.for_notebook(progress=path, export_dir=tmp_path)
    assert isinstance(again, QuizView) and "could not be read" not in again.saving.saved_to.value


def test_a_huge_number_in_the_progress_file_is_moved_aside_and_the_quiz_starts(tmp_path):
    """11.6: a huge number gave "quiz could not start" on every run."""
    path = tmp_path / "q.progress.json"
    path.write_text('{"format": "vkp-progress", "version": ' + "9" * 5000 + "}", encoding="utf-8")
    view = QuizView.for_notebook(progress=path, export_dir=tmp_path)
    assert isinstance(view, QuizView)
    assert "could not be read" in view.saving.saved_to.value
    backups = list(tmp_path.glob("*.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text().endswith("9}"), "kept unchanged"
