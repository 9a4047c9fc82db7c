"""The exercise log, the public API every exercise records through, and the hand-in box (kernel side)."""

from __future__ import annotations

import pytest

from tests.classfolder import answer_cases, student_log
from widgets.record.handin import append_attempts, record_attempt, session_filename
from widgets.record.handin_view import DownloadLink, HandInBox
from widgets.record.identity import Identity
from widgets.record.attempts import make_attempt, parse_export_text
from widgets.core.citations import Citations


def test_every_exercise_of_sessions_2_and_3_records_its_answers(tmp_path):
    """12.8: decision points, patient questions and the after-care quiz could not be exported."""
    from widgets.outcomes.views import LeafletView
    from widgets.recovery.views import aftercare_quiz
    log = student_log(tmp_path, "Ana")
    leaflet = LeafletView(Citations(), log=log)
    card = leaflet.cards[0]
    right = next(o.id for o in card.question.options if o.correct)
    card.choice.value = right
    card.check.click()
    after = aftercare_quiz(Citations(), log=log)
    q = after.questions[0]
    after.choices[q.id].value = q.answer.id
    after.buttons[q.id].click()
    got = {(a.exercise, a.item, a.correct) for a in log.attempts()}
    assert got == {("patient-questions", card.question.id, True), ("aftercare-quiz", q.id, True)}
    handed = parse_export_text(log.hand_in().content)
    assert {a.exercise for a in handed.attempts} == {"patient-questions", "aftercare-quiz"}


def test_record_attempt_checks_what_it_records(tmp_path):
    log = student_log(tmp_path, "Ana")
    a = record_attempt("needle-placement", "L1-left", {"angle_deg": 15.0}, {"leaflet": {"correct": True}}, log=log)
    assert a.exercise == "needle-placement" and log.attempts()[0].id == a.id, "a new exercise needs no format change"
    with pytest.raises(ValueError):
        record_attempt("Bad Name!", "x", {}, {"leaflet": {"correct": True}}, log=log)
    with pytest.raises(ValueError):
        record_attempt("step-order", "x", {}, {}, log=log)       # no grade at all
    two = make_attempt("candidacy-quiz", "c01", {"reason": "x"},
                       {"leaflet": {"correct": True}, "current_practice": {"correct": False}})
    assert two.correct and not two.grade("current_practice").correct, "a second standard fits beside the first"


def test_hand_in_appends_one_file_per_student_per_session_and_never_overwrites(tmp_path):
    log = student_log(tmp_path / "home", "Ana", export_dir=tmp_path / "nb")
    answer_cases(log, [True])
    first = log.hand_in()
    before = first.file.read_text(encoding="utf-8")
    answer_cases(log, [False, True])
    second = log.hand_in()
    after = second.file.read_text(encoding="utf-8")
    assert second.file == first.file and after.startswith(before), "appended: the old lines stay as they were"
    assert len(parse_export_text(after).attempts) == 3
    again = log.hand_in()
    assert again.file.read_text(encoding="utf-8") == after, "nothing new, nothing written twice"
    assert first.file.name == session_filename(log.identity, log.today())


def test_a_cut_short_hand_in_file_is_continued_on_a_new_line(tmp_path):
    identity = Identity("Ana", "", "0123456789abcdef")
    path = tmp_path / "vkp-ana.jsonl"
    one, two = (make_attempt("step-order", "vertebroplasty", {"order": []}, {"leaflet": {"correct": False}})
                for _ in range(2))
    append_attempts(path, identity, "2026-11-20", [one])
    path.write_bytes(path.read_bytes() + b'{"id": "cut')         # a copy that stopped mid-line
    append_attempts(path, identity, "2026-11-20", [one, two])
    export = parse_export_text(path.read_text(encoding="utf-8"))
    assert [a.id for a in export.attempts] == [one.id, two.id]
    assert len(export.bad_lines) == 1 and "line 3" in export.bad_lines[0]


def test_a_hub_login_is_the_identity_and_names_the_file(tmp_path):
    log = student_log(tmp_path, hub_user="slee")
    answer_cases(log, [True])
    result = log.hand_in()            # no typed name needed on a hub
    assert result.file.name.startswith("vkp-slee-")
    assert parse_export_text(result.content).identity.hub_user == "slee"


def test_the_hand_in_box_refuses_a_bad_name_and_keeps_the_download_current(tmp_path):
    log = student_log(tmp_path / "home", export_dir=tmp_path / "nb")
    box = HandInBox(log)
    assert isinstance(box.download, DownloadLink) and box.download.disabled
    assert box.download.label == "Download my answers (none yet)"
    answer_cases(log, [True, False])
    box.refresh()
    assert box.download.label == "Download my answers (2)" and not box.download.disabled
    assert len(parse_export_text(box.download.content).attempts) == 2
    box.name.value = "Sam\x07"
    assert 'role="alert"' in box.status.value and "control character" in box.status.value
    box.name.value = "مهسا"
    assert box.status.value == "" and log.identity.name == "مهسا"
    box.button.click()
    assert "Handed in 2 answers" in box.status.value
    assert box.download.filename.startswith("vkp-مهسا-")
