"""The progress file: atomic saves, where it lives, and a corrupt file kept aside with a warning."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import pytest

from widgets.classroom.progress import (
    ENV_VAR, PROGRESS_FORMAT, ProgressError, ProgressFile, atomic_write_text, default_progress_dir,
    default_progress_path,
)
from widgets.candidacy.quiz import Quiz

FIXED = datetime(2026, 11, 25, 10, 30, 5, tzinfo=timezone.utc)


def answered_records(n: int):
    quiz = Quiz.from_bank(seed=3, clock=lambda: "2026-11-25T10:00:00Z")
    for i in range(n):
        if i:
            quiz.next()
        quiz.submit(i % 2 == 0, i % 3 == 0, "indication_met")
    return quiz.records


def test_default_location_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "p"))
    assert default_progress_dir() == tmp_path / "p"
    assert default_progress_path().name == "candidacy-quiz.progress.json"


def test_default_location_without_the_variable_is_the_user_data_dir(monkeypatch):
    import platformdirs
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert str(default_progress_dir()) == platformdirs.user_data_dir("vkp-teaching", appauthor=False)


def test_missing_file_and_new_folder_start_fresh(tmp_path):
    store = ProgressFile(tmp_path / "new" / "deeper" / "q.progress.json").load()
    assert store.records == [] and store.warning is None
    store.append(answered_records(1)[0])
    assert store.path.exists(), "the folder is created when first needed"


def test_each_answer_is_saved_at_once_and_reloads_equal(tmp_path):
    path = tmp_path / "q.progress.json"
    records = answered_records(4)
    store = ProgressFile(path).load()
    for i, rec in enumerate(records, start=1):
        store.append(rec)
        on_disk = json.loads(path.read_text(encoding="utf-8"))
        assert on_disk["format"] == PROGRESS_FORMAT
        assert len(on_disk["answers"]) == i, "saved as it is given, not at the end"
    assert ProgressFile(path).load().records == records


def test_atomic_write_leaves_no_temp_files_and_replaces_whole(tmp_path):
    path = tmp_path / "f.json"
    atomic_write_text(path, "old")
    atomic_write_text(path, "new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "f.json"
    atomic_write_text(path, "saved answers")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(path, "half")
    assert path.read_text() == "saved answers"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"], "the temp file is cleaned up"


def test_save_failure_is_a_clear_progress_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    store = ProgressFile(blocker / "q.progress.json")
    with pytest.raises(ProgressError, match="could not be saved") as info:
        store.append(answered_records(1)[0])
    assert ENV_VAR in str(info.value)
    assert len(store.records) == 1, "the answer is kept in memory for the next save"


@pytest.mark.parametrize("content, problem", [
    (b"{ not json", "not valid JSON"),
    (b'{"format": "vkp-quiz-progress", "version": 1, "answers": [', "not valid JSON"),
    (b"[1, 2, 3]", "not a vkp-quiz-progress file"),
    (b'{"format": "something-else"}', "not a vkp-quiz-progress file"),
    (b'{"format": "vkp-quiz-progress", "version": 9, "answers": []}', "version"),
    (b'{"format": "vkp-quiz-progress", "version": 1, "answers": [{"case_id": "x"}]}', "answer 1"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
])
def test_corrupt_file_is_kept_aside_with_a_warning_and_a_fresh_start(tmp_path, content, problem):
    path = tmp_path / "q.progress.json"
    path.write_bytes(content)
    store = ProgressFile(path, now=lambda: FIXED).load()
    backup = tmp_path / "q.progress.corrupt-20261125-103005.json"
    assert store.backup == backup
    assert backup.read_bytes() == content, "nothing the student wrote is lost"
    assert store.records == []
    assert problem in store.warning and str(backup) in store.warning and "fresh" in store.warning
    fresh = json.loads(path.read_text(encoding="utf-8"))
    assert fresh["format"] == PROGRESS_FORMAT and fresh["answers"] == []


def test_two_corruptions_in_the_same_second_keep_both_backups(tmp_path):
    path = tmp_path / "q.progress.json"
    for text in (b"first bad", b"second bad"):
        path.write_bytes(text)
        ProgressFile(path, now=lambda: FIXED).load()
    backups = sorted(p.name for p in tmp_path.glob("*.corrupt-*"))
    assert backups == ["q.progress.corrupt-20261125-103005-2.json", "q.progress.corrupt-20261125-103005.json"]
    assert {(tmp_path / b).read_bytes() for b in backups} == {b"first bad", b"second bad"}


def test_student_name_is_saved_too(tmp_path):
    path = tmp_path / "q.progress.json"
    store = ProgressFile(path).load()
    store.set_student("Sam Lee")
    assert ProgressFile(path).load().student == "Sam Lee"


def test_stale_temp_files_from_a_crash_are_removed(tmp_path):
    path = tmp_path / "q.progress.json"
    ProgressFile(path).load().append(answered_records(1)[0])
    stale = tmp_path / ".q.progress.json.abc123.tmp"
    stale.write_text('{"half": ')
    store = ProgressFile(path).load()
    assert not stale.exists() and len(store.records) == 1 and store.warning is None
