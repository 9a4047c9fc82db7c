"""The progress file: atomic, merged saves; where it lives; a corrupt file kept aside with a warning."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone

import pytest

from tests.classfolder import old_quiz_answer
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz
from widgets.core.settings import Settings, use_settings
from widgets.record.progress import LEGACY_NAME, ProgressError, ProgressFile, atomic_write_text, default_progress_path
from widgets.record.attempts import PROGRESS_FORMAT

FIXED = datetime(2026, 11, 25, 10, 30, 5, tzinfo=timezone.utc)


def answered_records(n: int):
    quiz = Quiz.from_bank(seed=3, clock=lambda: "2026-11-25T10:00:00Z")
    for i in range(n):
        if i:
            quiz.next()
        quiz.submit(i % 2 == 0, i % 3 == 0, "indication_met")
    return quiz.attempts


def test_default_location_follows_the_environment_variable_and_names_the_user(tmp_path):
    settings = Settings.from_environ({"VKP_PROGRESS_DIR": str(tmp_path / "p"), "JUPYTERHUB_USER": "Ana María"})
    assert settings.progress_dir == tmp_path / "p"
    # Issue 21: the login made readable, then a digest of the exact login (two logins never share a file).
    digest = hashlib.sha256("Ana María".encode("utf-8")).hexdigest()[:16]
    assert default_progress_path(settings).name == f"vkp-ana-maría-{digest}.progress.json"
    assert default_progress_path(settings).parent == tmp_path / "p"
    with use_settings(settings):
        assert ProgressFile().path == default_progress_path(settings), "the settings in use decide where"


def test_default_location_without_the_variable_is_the_user_data_dir():
    import platformdirs
    settings = Settings.from_environ({})
    assert str(settings.progress_dir) == platformdirs.user_data_dir("vkp-teaching", appauthor=False)


def test_missing_file_and_new_folder_start_fresh(tmp_path):
    store = ProgressFile(tmp_path / "new" / "deeper" / "q.progress.json").load()
    assert quiz_attempts(store.attempts) == [] and store.warning is None
    assert len(store.identity.install_id) == 16, "a random per-install id from the start"
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
        assert len(on_disk["attempts"]) == i, "saved as it is given, not at the end"
    assert quiz_attempts(ProgressFile(path).load().attempts) == records


def test_the_progress_file_is_private_to_the_student(tmp_path):
    path = tmp_path / "q.progress.json"
    ProgressFile(path).load().append(answered_records(1)[0])
    assert path.stat().st_mode & 0o077 == 0


def test_atomic_write_leaves_no_temp_files_and_replaces_whole(tmp_path):
    path = tmp_path / "f.json"
    atomic_write_text(path, "old")
    atomic_write_text(path, "new", mode=0o644)
    assert path.read_text() == "new" and path.stat().st_mode & 0o777 == 0o644
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


def test_save_failure_is_a_clear_progress_error_and_the_answer_is_kept(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    store = ProgressFile(blocker / "q.progress.json").load()
    with pytest.raises(ProgressError, match="cannot be written") as info:
        store.append(answered_records(1)[0])
    assert str(blocker) in str(info.value)
    assert len(quiz_attempts(store.attempts)) == 1, "the answer is kept in memory for the next save"


def test_move_to_saves_everything_held_in_another_folder(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    store = ProgressFile(blocker / "q.progress.json").load()
    for rec in answered_records(2):
        with pytest.raises(ProgressError):
            store.append(rec)
    new = store.move_to(tmp_path / "good")
    assert new == tmp_path / "good" / "q.progress.json"
    assert len(quiz_attempts(ProgressFile(new).load().attempts)) == 2


@pytest.mark.parametrize("content, problem", [
    (b"{ not json", "not valid JSON"),
    (b'{"format": "vkp-progress", "version": 2, "attempts": [', "not valid JSON"),
    (b"[1, 2, 3]", "not a progress file"),
    (b'{"format": "something-else"}', "not a vkp-progress file"),
    (b'{"format": "vkp-progress", "version": 9, "attempts": []}', "version"),
    (b'{"format": "vkp-progress", "version": 2, "attempts": {}}', "not a list"),
    (b"\xff\xfe\x00bad", "not valid JSON"),
    (b"\xc3\x28 bad", "not UTF-8"),
])
def test_corrupt_file_is_kept_aside_with_a_warning_and_a_fresh_start(tmp_path, content, problem):
    path = tmp_path / "q.progress.json"
    path.write_bytes(content)
    store = ProgressFile(path, now=lambda: FIXED).load()
    backup = tmp_path / "q.progress.corrupt-20261125-103005.json"
    assert store.backup == backup
    assert backup.read_bytes() == content, "nothing the student wrote is lost"
    assert quiz_attempts(store.attempts) == []
    assert problem in store.warning and str(backup) in store.warning and "fresh" in store.warning
    store.save()
    fresh = json.loads(path.read_text(encoding="utf-8"))
    assert fresh["format"] == PROGRESS_FORMAT and fresh["attempts"] == []
    assert fresh["saved_at"] == "2026-11-25T10:30:05.000Z", "the course's one time stamp (record.attempts.utc_stamp)"


def test_one_damaged_answer_is_left_out_and_named_the_others_kept(tmp_path):
    path = tmp_path / "q.progress.json"
    store = ProgressFile(path).load()
    store.extend(answered_records(3))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["attempts"][1]["answered_at"] = "yesterday"
    path.write_text(json.dumps(data), encoding="utf-8")
    again = ProgressFile(path).load()
    assert len(quiz_attempts(again.attempts)) == 2 and "answer 2" in again.warning


def test_two_corruptions_in_the_same_second_keep_both_backups(tmp_path):
    path = tmp_path / "q.progress.json"
    for text in (b"first bad", b"second bad"):
        path.write_bytes(text)
        ProgressFile(path, now=lambda: FIXED).load()
    backups = sorted(p.name for p in tmp_path.glob("*.corrupt-*"))
    assert backups == ["q.progress.corrupt-20261125-103005-2.json", "q.progress.corrupt-20261125-103005.json"]
    assert {(tmp_path / b).read_bytes() for b in backups} == {b"first bad", b"second bad"}


def test_the_students_name_and_id_are_saved_too(tmp_path):
    path = tmp_path / "q.progress.json"
    store = ProgressFile(path).load()
    store.set_identity("Sam  Lee", "s123")
    again = ProgressFile(path).load()
    assert (again.identity.name, again.identity.student_id) == ("Sam Lee", "s123")
    assert again.identity.install_id == store.identity.install_id, "the install id is kept"
    with pytest.raises(ValueError, match="control character"):
        store.set_identity("Sam\x07", "")


def test_an_old_quiz_progress_file_is_carried_over(tmp_path):
    """A student who answered with an earlier release keeps those answers (version 1, one file per folder)."""
    legacy = tmp_path / LEGACY_NAME
    originals = answered_records(2)
    answers = [old_quiz_answer(r) for r in originals]
    for a in answers:
        a.pop("id")
        a.pop("mode")
    legacy.write_text(json.dumps({"format": "vkp-quiz-progress", "version": 1, "student": "Sam Lee",
                                  "answers": answers}), encoding="utf-8")
    store = ProgressFile(tmp_path / "vkp-sam.progress.json").load()
    assert len(quiz_attempts(store.attempts)) == 2 and store.identity.name == "Sam Lee"
    carried = quiz_attempts(store.attempts)
    assert carried == [r.model_copy(update={"id": c.id}) for r, c in zip(originals, carried)], \
        "every answer and both standards' grades are carried over as they were; only the ids are new"
    again = ProgressFile(tmp_path / "vkp-sam.progress.json").load()
    assert [r.id for r in quiz_attempts(again.attempts)] == [r.id for r in carried], "the same ids every time"
    assert legacy.exists(), "the old file is left as it was"


def test_a_crashed_saves_temporary_files_never_hold_the_only_copy(tmp_path):
    path = tmp_path / "q.progress.json"
    ProgressFile(path).load().append(answered_records(1)[0])
    stale = tmp_path / ".q.progress.json.abc123.tmp"
    stale.write_text('{"half": ')
    store = ProgressFile(path).load()
    assert stale.exists(), "loading removes nothing (another kernel may be saving)"
    assert len(quiz_attempts(store.attempts)) == 1 and store.warning is None
    store.save()
    assert not stale.exists(), "the next save, holding the lock, removes it"
