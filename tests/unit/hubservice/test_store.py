"""The hand-in service's store (widgets/hubservice/store.py, issue 21): the login is the hub's, never the file's;
forged, replayed and oversized hand-ins are refused and the refusal kept; nothing a student plants can block a
hand-in.  (tests/hub/test_handin_service.py runs the same service behind a real JupyterHub, as real accounts.)"""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.classfolder import answer_cases, student_log
from widgets.classroom import results as cr
from widgets.record.attempts import parse_export_text
from widgets.hubservice import store as hs
from widgets.hubservice.store import HandInStore, Refused, login_folder


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "handin"
    folder.mkdir()
    return HandInStore(folder, tmp_path / "index.sqlite")


def hand_in_text(tmp_path, name: str, plan=(True, False), hub_user: str = "") -> str:
    log = student_log(tmp_path / name, name, export_dir=tmp_path / name, hub_user=hub_user)
    answer_cases(log, list(plan))
    return log.hand_in().content


def kept(store: HandInStore, rel: str):
    return parse_export_text((store.folder / rel).read_text())


def test_the_login_is_the_hubs_whatever_the_file_says(store, tmp_path):
    text = hand_in_text(tmp_path, "Mallory", hub_user="bob")              # the file claims to be bob's
    receipt = store.receive("alice", text.encode())
    assert receipt.new == 2 and receipt.file.startswith("alice/")
    export = kept(store, receipt.file)
    assert export.identity.hub_user == "alice"
    assert export.received["hub_user"] == "alice" and export.received["claimed_hub_user"] == "bob"
    assert export.received["by"] == "vkp-handin"
    results = cr.read_class_folder(store.folder, secret=b"s")
    (student,) = results.students.values()
    assert student.hub_user == "alice"
    mode = (store.folder / receipt.file).stat().st_mode
    assert stat.S_IMODE(mode) == 0o640, "a kept hand-in is readable by the service and the instructors' group only"


def test_the_same_hand_in_again_keeps_nothing_new(store, tmp_path):
    text = hand_in_text(tmp_path, "Ada")
    first = store.receive("ada", text.encode())
    again = store.receive("ada", text.encode())
    assert (again.new, again.already, again.file) == (0, 2, "")
    assert [f["file"] for f in store.listing("ada")] == [first.file]


def test_anothers_answer_ids_are_a_conflict_and_nothing_is_kept(store, tmp_path):
    """Issue 21: a file sorting first with Bob's attempt ids replaced his answers."""
    bob = hand_in_text(tmp_path, "Bob", plan=(False, False))
    store.receive("bob", bob.encode())
    # alice replays bob's file, then the same ids with "better" answers
    with pytest.raises(Refused) as replay:
        store.receive("alice", bob.encode())
    assert replay.value.status == 409 and "another student" in str(replay.value)
    lines = bob.splitlines()
    forged = [lines[0]] + [json.dumps({**json.loads(line), "answered_at": "2020-01-01T00:00:00.000Z"})
                           for line in lines[1:]]
    with pytest.raises(Refused):
        store.receive("alice", ("\n".join(forged) + "\n").encode())
    assert store.listing("alice") == []
    assert [r["status"] for r in store.refusals("alice")] == [409, 409]
    results = cr.read_class_folder(store.folder, secret=b"s")
    (student,) = results.students.values()
    assert student.hub_user == "bob" and len(student.attempts) == 2


def test_an_answer_changed_after_it_was_handed_in_is_a_conflict(store, tmp_path):
    """Deleting or rewriting a wrong first attempt does not rewrite what the service kept."""
    text = hand_in_text(tmp_path, "Cy", plan=(False,))
    store.receive("cy", text.encode())
    header, line = text.splitlines()[:2]
    attempt = json.loads(line)
    attempt["grades"]["leaflet"]["correct"] = True
    with pytest.raises(Refused, match="before with different content") as exc:
        store.receive("cy", f"{header}\n{json.dumps(attempt)}\n".encode())
    assert exc.value.status == 409
    doubled = f"{header}\n{json.dumps(attempt)}\n{line}\n"
    (tmp_path / "other").mkdir()
    with pytest.raises(Refused, match="twice in this hand-in"):
        HandInStore(tmp_path / "other", tmp_path / "other.sqlite").receive("dee", doubled.encode())


@pytest.mark.parametrize("body, status, words", [
    (b"not a hand-in", 400, "not a hand-in"),
    (b"\xff\xfe\x00junk", 400, "not a hand-in"),
    (b'{"format": "vkp-class-export", "version": 2, "session": "2026-11-20", "student": {}}\n', 400, "no answers"),
])
def test_what_is_not_a_hand_in_is_refused_in_plain_words(store, body, status, words):
    with pytest.raises(Refused, match=words) as exc:
        store.receive("ada", body)
    assert exc.value.status == status and store.listing() == []


def test_a_damaged_line_refuses_the_whole_hand_in(store, tmp_path):
    text = hand_in_text(tmp_path, "Ada")
    with pytest.raises(Refused, match="damaged line") as exc:
        store.receive("ada", (text + '{"id": "cut short\n').encode())
    assert exc.value.status == 400


def test_caps_per_upload_and_per_student(store, tmp_path, monkeypatch):
    text = hand_in_text(tmp_path, "Ada", plan=(True, True, False))
    with pytest.raises(Refused) as big:
        store.receive("ada", text.encode() + b" " * hs.MAX_UPLOAD_BYTES)
    assert big.value.status == 413 and "at most 4 MB" in str(big.value)
    monkeypatch.setattr(hs, "MAX_ANSWERS_PER_UPLOAD", 2)
    with pytest.raises(Refused, match="holds 3 answers") as many:
        store.receive("ada", text.encode())
    assert many.value.status == 413
    monkeypatch.setattr(hs, "MAX_ANSWERS_PER_UPLOAD", 5000)
    monkeypatch.setattr(hs, "MAX_ANSWERS_PER_STUDENT", 4)
    store.receive("ada", text.encode())
    more = hand_in_text(tmp_path, "Ada2", plan=(True, True))
    with pytest.raises(Refused, match="at most 4 answers") as quota:
        store.receive("ada", more.encode())
    assert quota.value.status == 429
    assert store.receive("bob", more.encode()).new == 2, "one student's quota is not another's"


def test_a_pipe_planted_at_the_next_name_cannot_block_a_hand_in(tmp_path):
    """Issue 21: a FIFO at a classmate's next hand-in name hung their Hand in.  Only the service writes in its
    folder; even a pipe at the very name it would choose is stepped over, never opened."""
    folder = tmp_path / "handin"
    folder.mkdir()
    store = HandInStore(folder, tmp_path / "index.sqlite", clock=lambda: "2026-11-20T09:31:12.123Z")
    text = hand_in_text(tmp_path, "Bob")
    sha = __import__("hashlib").sha256(text.encode()).hexdigest()
    (folder / "bob").mkdir()
    os.mkfifo(folder / "bob" / f"20261120T093112123000Z-{sha[:12]}.jsonl")
    receipt = store.receive("bob", text.encode())
    assert receipt.file == f"bob/20261120T093112123000Z-{sha[:12]}-2.jsonl"
    assert kept(store, receipt.file).identity.hub_user == "bob"


def test_an_index_lost_is_rebuilt_from_the_hand_ins(store, tmp_path):
    text = hand_in_text(tmp_path, "Bob")
    store.receive("bob", text.encode())
    store.db.close()
    store.index.unlink()
    again = HandInStore(store.folder, store.index)
    assert [f["hub_user"] for f in again.listing()] == ["bob"]
    with pytest.raises(Refused, match="another student"):
        again.receive("alice", text.encode())


def test_odd_logins_get_a_folder_name_that_cannot_escape():
    assert login_folder("alice") == "alice"
    for login in ("..", "../x", "a/b", "Élodie", ".hidden", "x" * 80):
        name = login_folder(login)
        assert name.startswith("u-") and "/" not in name and len(name) == 18
