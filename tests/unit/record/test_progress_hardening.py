"""Issue 21, "Smaller": the student's progress file and hand-in under the attack scripts' cases (newer-version
attempts, colliding logins, a file past the reader's limit).  Each failed before its fix."""

from __future__ import annotations

import json

import pytest

from tests.classfolder import answer_cases, student_log
from widgets.record.attempts import MAX_FILE_BYTES, FileProblem, make_attempt, parse_export_text
from widgets.record.handin import append_attempts
from widgets.record.identity import Identity, login_tag
from widgets.core.settings import use_settings
from widgets.record.progress import ProgressError, ProgressFile, default_progress_path


def saved(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- newer-version and damaged answers

def test_an_answer_from_a_newer_version_is_kept_verbatim_through_every_save(tmp_path):
    """Issue 21: an attempt with a field a newer version adds was "kept" by the warning but erased by the next
    save.  It stays in the file exactly as it was; it is not shown or handed in, and the warning says so."""
    log = student_log(tmp_path / "home", "Ana", export_dir=tmp_path / "nb")
    answer_cases(log, [True, False])
    path = log.store.path
    data = saved(path)
    newer = {**data["attempts"][0], "id": "f" * 32, "confidence": 4}           # a field this version lacks
    damaged = {**data["attempts"][1], "id": "e" * 32, "answered_at": "yesterday"}
    data["attempts"] += [newer, damaged]
    path.write_text(json.dumps(data), encoding="utf-8")

    again = student_log(tmp_path / "home", export_dir=tmp_path / "nb")          # the student's next session
    assert len(again.attempts()) == 2
    assert "newer version" in again.store.warning and "damaged" in again.store.warning
    assert "kept as they are" in again.store.warning
    answer_cases(again, [True])                                                 # saves twice more
    again.set_identity("Ana Lima")
    kept = saved(path)["attempts"]
    assert newer in kept and damaged in kept, "both unreadable answers are in the file, unchanged"
    assert len(kept) == 5
    handed = parse_export_text(again.hand_in().content)
    assert {a.id for a in handed.attempts} == {a.id for a in again.attempts()} and len(handed.attempts) == 3


def test_an_unreadable_answer_another_session_wrote_is_kept_by_this_sessions_save(tmp_path):
    """A kernel that loaded the file before a newer version added an answer merges it in, as it is, when it saves."""
    log = student_log(tmp_path / "home", "Ana", export_dir=tmp_path / "nb")
    answer_cases(log, [True])
    path = log.store.path
    data = saved(path)
    newer = {**data["attempts"][0], "id": "d" * 32, "hint_used": True}
    data["attempts"].append(newer)
    path.write_text(json.dumps(data), encoding="utf-8")
    answer_cases(log, [False])                                                  # this kernel never read it
    assert newer in saved(path)["attempts"] and len(saved(path)["attempts"]) == 3


# ----------------------------------------------------------------------------- colliding logins

def test_logins_that_read_alike_never_share_a_progress_file(tmp_path, vkp_settings):
    """Issue 21: `john.smith` and `john_smith` shared one progress file in a shared folder (both were
    `vkp-john-smith.progress.json`).  The file name carries a digest of the exact login."""
    paths = {}
    for login in ("john.smith", "john_smith", "John.Smith"):
        with use_settings(vkp_settings.replace(progress_dir=tmp_path, hub_user=login)):
            paths[login] = default_progress_path()
            store = ProgressFile().load()
            store.append(make_attempt("aftercare-quiz", "q1", {"option": login}, {"course": {"correct": True}}))
    assert len(set(paths.values())) == 3 and all(p.name.startswith("vkp-john-smith-") for p in paths.values())
    for login, path in paths.items():
        (only,) = saved(path)["attempts"]
        assert only["answer"]["option"] == login, "each login reads back only its own answer"
    assert login_tag("john.smith") != login_tag("john_smith")


def test_a_students_file_from_an_earlier_release_is_read_into_the_new_one_and_left_as_it_was(tmp_path, vkp_settings):
    """Existing students keep their answers: the file an earlier release named `vkp-<user>.progress.json` is read
    once into the new file; the old file is not changed (another login may share it)."""
    with use_settings(vkp_settings.replace(progress_dir=tmp_path, hub_user="ana")):
        old = tmp_path / "vkp-ana.progress.json"
        before = ProgressFile(old).load()
        before.set_identity("Ana Lima")
        before.append(make_attempt("aftercare-quiz", "q1", {"option": "a"}, {"course": {"correct": True}}))
        old_bytes = old.read_bytes()

        store = ProgressFile().load()
        assert store.path == default_progress_path() != old
        assert [a.id for a in store.attempts] == [a.id for a in before.attempts] and store.identity.name == "Ana Lima"
        store.append(make_attempt("aftercare-quiz", "q2", {"option": "b"}, {"course": {"correct": True}}))
        assert len(saved(store.path)["attempts"]) == 2
        assert old.read_bytes() == old_bytes, "the earlier file is left as it was"
        assert len(ProgressFile().load().attempts) == 2, "later sessions read the new file"


# ----------------------------------------------------------------------------- no write past the reader's limit

def big_answer(n: int, size: int = 1_000_000):
    """An answer about ``size`` bytes long (a long typed text): a few of these fill a file."""
    return make_attempt("aftercare-quiz", f"q{n}", {"option": "a", "note": "x" * size}, {"course": {"correct": True}},
                        answered_at=f"2026-11-20T09:00:{n:02d}.000Z")


def test_a_progress_file_never_grows_past_what_it_can_read_back(tmp_path):
    """Issue 21: a progress file over 8 MB could not be read back, so every answer set aside another 8 MB copy
    and wrote the whole again.  The save that would pass the limit is refused (the answer kept in memory), the
    file stays readable, and nothing is set aside."""
    path = tmp_path / "vkp-ana.progress.json"
    store = ProgressFile(path).load()
    for n in range(8):
        store.append(big_answer(n))
    assert 8e6 < path.stat().st_size <= MAX_FILE_BYTES
    for n in range(8, 11):
        with pytest.raises(ProgressError, match="would pass 8 MB"):
            store.append(big_answer(n))
    assert len(store.attempts) == 11, "every answer is still held in the notebook"
    assert path.stat().st_size <= MAX_FILE_BYTES and not list(tmp_path.glob("*.corrupt-*"))
    assert len(ProgressFile(path).load().attempts) == 8


def test_a_progress_file_an_older_version_let_grow_past_the_limit_is_set_aside_once(tmp_path):
    path = tmp_path / "vkp-ana.progress.json"
    store = ProgressFile(path).load()
    store.attempts = [big_answer(n) for n in range(9)]
    path.write_text(store.as_text(), encoding="utf-8")                        # as an older version wrote it
    assert path.stat().st_size > MAX_FILE_BYTES
    again = ProgressFile(path).load()
    assert again.backup is not None and "too large" in again.warning
    for n in range(3):
        again.append(make_attempt("aftercare-quiz", "q1", {"option": "a"}, {"course": {"correct": True}}))
    assert len(list(tmp_path.glob("*.corrupt-*"))) == 1, "one copy kept aside, not one per answer"


def test_a_hand_in_file_never_grows_past_what_the_class_results_read(tmp_path):
    target = tmp_path / "vkp-ana.jsonl"
    identity = Identity("Ana", "", "0011223344556677")
    append_attempts(target, identity, "2026-11-20", [big_answer(n) for n in range(7)])
    size = target.stat().st_size
    with pytest.raises(FileProblem, match="would pass 8 MB"):
        append_attempts(target, identity, "2026-11-20", [big_answer(n) for n in range(7, 9)])
    assert target.stat().st_size == size, "nothing was written"
    log = student_log(tmp_path / "home", "Ana", export_dir=tmp_path / "nb")
    log.store.attempts = [big_answer(n) for n in range(9)]
    result = log.hand_in()
    assert result.problems and "would pass 8 MB" in result.problems[0]
    assert len(parse_export_text(result.content).attempts) == 9, "the download still holds every answer"
    assert not list((tmp_path / "nb").glob("*.jsonl")), "no empty or partial file is left beside the notebook"
