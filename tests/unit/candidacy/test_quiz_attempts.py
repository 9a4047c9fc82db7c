"""The quiz holds its answers as the attempts the progress file saves and the hand-in carries
(widgets.candidacy.exercise): an answer saved before the quiz kept one attempt type is read back and scored the
same, a new answer is stored byte for byte as before, and a malformed or forged quiz answer read from a file is
refused with a message saying what is wrong."""

from __future__ import annotations

import copy
import json
from datetime import timezone

import pytest

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.class_summary import own_rule_misses
from widgets.candidacy.exercise import (
    check_quiz_attempt, deciding, has_practice, leaflet_right, quiz_attempts, right, source, wrong_parts,
)
from widgets.candidacy.quiz import Quiz
from widgets.record.attempts import PROGRESS_FORMAT, PROGRESS_VERSION, Attempt, dumps
from widgets.record.progress import ProgressFile

BANK = load_case_bank()
#: Four answers as the quiz stored them before it held attempts (written by that version, ids set by hand), in the
#: order answered: one saved before the quiz graded current practice (the leaflet's grade alone); the leaflet right
#: and current practice wrong; a red flag; a retry, right under current practice only.
STORED = [
    '{"id": "00000000000000000000000000000004", "exercise": "candidacy-quiz", "item": "c07-haemangioma", "answered_at": "2026-11-19T08:00:00.000Z", "answer": {"vertebroplasty": true, "kyphoplasty": true, "reason": "kp_cause_excluded"}, "grades": {"leaflet": {"correct": false, "parts": {"vertebroplasty": true, "kyphoplasty": false, "reason": true}, "expected": {"vertebroplasty": true, "kyphoplasty": false, "deciding_rules": ["kp_cause_excluded"]}}}, "context": {"source": "bank", "mode": "bank"}}',
    '{"id": "00000000000000000000000000000001", "exercise": "candidacy-quiz", "item": "c05-breast-metastasis", "answered_at": "2026-11-20T09:00:00.000Z", "answer": {"vertebroplasty": true, "kyphoplasty": false, "reason": "kp_cause_excluded"}, "grades": {"leaflet": {"correct": true, "parts": {"vertebroplasty": true, "kyphoplasty": true, "reason": true}, "expected": {"vertebroplasty": true, "kyphoplasty": false, "deciding_rules": ["kp_cause_excluded"]}}, "current_practice": {"correct": false, "parts": {"vertebroplasty": true, "kyphoplasty": false, "reason": false}, "expected": {"vertebroplasty": true, "kyphoplasty": true, "deciding_rules": ["indication_met"]}}}, "context": {"source": "bank", "mode": "bank"}}',
    '{"id": "00000000000000000000000000000002", "exercise": "candidacy-quiz", "item": "c50-myeloma-cord-compression", "answered_at": "2026-11-20T09:01:00.000Z", "answer": {"vertebroplasty": false, "kyphoplasty": false, "reason": "urgent_referral"}, "grades": {"leaflet": {"correct": true, "parts": {"vertebroplasty": true, "kyphoplasty": true, "reason": true}, "expected": {"vertebroplasty": false, "kyphoplasty": false, "deciding_rules": ["urgent_referral"]}}, "current_practice": {"correct": true, "parts": {"vertebroplasty": true, "kyphoplasty": true, "reason": true}, "expected": {"vertebroplasty": false, "kyphoplasty": false, "deciding_rules": ["urgent_referral"]}}}, "context": {"source": "bank", "mode": "bank"}}',
    '{"id": "00000000000000000000000000000003", "exercise": "candidacy-quiz", "item": "c05-breast-metastasis", "answered_at": "2026-11-21T10:00:00.000Z", "answer": {"vertebroplasty": true, "kyphoplasty": true, "reason": "indication_met"}, "grades": {"leaflet": {"correct": false, "parts": {"vertebroplasty": true, "kyphoplasty": false, "reason": false}, "expected": {"vertebroplasty": true, "kyphoplasty": false, "deciding_rules": ["kp_cause_excluded"]}}, "current_practice": {"correct": true, "parts": {"vertebroplasty": true, "kyphoplasty": true, "reason": true}, "expected": {"vertebroplasty": true, "kyphoplasty": true, "deciding_rules": ["indication_met"]}}}, "context": {"source": "bank", "mode": "retry"}}',
]
CLOCK = ["2026-11-20T09:00:00.000Z", "2026-11-20T09:01:00.000Z", "2026-11-21T10:00:00.000Z"]


def stored_attempts() -> list[Attempt]:
    return [Attempt.model_validate(json.loads(line)) for line in STORED]


def progress_file(tmp_path, items: list) -> ProgressFile:
    path = tmp_path / "p.progress.json"
    path.write_text(json.dumps({"format": PROGRESS_FORMAT, "version": PROGRESS_VERSION, "attempts": items}),
                    encoding="utf-8")
    return ProgressFile(path).load()


def test_a_new_answer_is_stored_byte_for_byte_as_before():
    q = Quiz.from_bank(BANK, seed=5, clock=iter(CLOCK).__next__)

    def go(case_id):
        while q.current.id != case_id:
            q.next()
    go("c05-breast-metastasis")
    made = [q.submit(True, False, "kp_cause_excluded").attempt]
    go("c50-myeloma-cord-compression")
    made.append(q.submit(False, False, "urgent_referral").attempt)
    q.start_retry()
    made.append(q.submit(True, True, "indication_met").attempt)
    assert q.attempts == made, "the quiz holds the very attempts it hands to the log"
    for i, attempt in enumerate(made):
        assert dumps(attempt.model_copy(update={"id": f"{i + 1:032x}"}).to_dict()) == STORED[i + 1]


def test_an_answer_saved_before_is_read_back_and_scored_the_same(tmp_path):
    store = progress_file(tmp_path, [json.loads(line) for line in STORED])
    attempts = quiz_attempts(store.attempts)
    assert attempts == stored_attempts() and store.warning is None
    assert [right(a) for a in attempts] == [False, False, True, True]
    assert [leaflet_right(a) for a in attempts] == [False, True, True, False]
    assert [has_practice(a) for a in attempts] == [False, True, True, True]
    assert deciding(attempts[1]) == ["indication_met"] and deciding(attempts[1], "leaflet") == ["kp_cause_excluded"]
    assert deciding(attempts[0]) == ["kp_cause_excluded"], "the leaflet's rules stand in without practice's grade"
    assert wrong_parts(attempts[1]) == ["kyphoplasty", "reason"] and wrong_parts(attempts[0]) == ["kyphoplasty"]
    assert {source(a) for a in attempts} == {"bank"}
    # What the quiz made of these answers before it held attempts (that version's numbers, text and tables).
    q = Quiz.from_bank(BANK, seed=5, attempts=attempts, clock=lambda: "2026-11-23T12:00:00.000Z", tz=timezone.utc)
    assert (q.score.items, q.score.first_right, q.score.final_right, q.score.answers) == (3, 1, 2, 4)
    assert (q.leaflet_score.first_right, q.leaflet_score.final_right) == (2, 1)
    assert (q.practice_score.items, q.practice_score.first_right, q.practice_score.final_right) == (2, 1, 2)
    assert q.correct == 2
    assert q.progress_text() == ("3 of 73 bank cases answered. Score (current practice): 2 of 3 cases right (66.7 %); "
                                 "right at the first try: 1 of 3 (33.3 %). What the patient leaflet says: 1 of 3 "
                                 "right (33.3 %)")
    assert q.missed_rows() == [
        ("Bernadette Brooks, 48", "kyphoplasty",
         "Fracture caused by a vascular problem, a tumour or an infection (kyphoplasty not recommended)"),
        ("Zofia Fischer, 61", "kyphoplasty, reason",
         "Indication met: severe fracture pain not eased by medication and bed rest")]
    assert q.due_text() == "Due for review today: 2 (1 case, 1 rule)."
    assert [v.id for v in q.still_missed()] == ["c07-haemangioma"]
    assert dict(q.missed_rules()) == {"kp_cause_excluded": 1, "indication_met": 1}
    assert own_rule_misses(q.attempts, "leaflet") == {"kp_cause_excluded": (1, 2), "urgent_referral": (0, 1)}
    assert own_rule_misses(q.attempts, "current_practice") == {"indication_met": (1, 1), "urgent_referral": (0, 1)}
    cards = q.flashcards().rstrip("\n").splitlines()
    assert [c.rsplit("\t", 1)[1] for c in cards[-2:]] == ["vkp-c07-haemangioma", "vkp-c05-breast-metastasis"]
    assert cards[-1].split("\t")[2] == "vkp-candidacy rule::kp_cause_excluded rule::indication_met standards-differ"
    assert q.current.id == "c01-osteoporotic-lumbar"


def _forge(change) -> dict:
    data = copy.deepcopy(json.loads(STORED[1]))
    change(data)
    return data


def _set(path: str, value):
    def change(data):
        *head, last = path.split(".")
        for key in head:
            data = data[key]
        data[last] = value
    return change


def _drop(path: str):
    def change(data):
        *head, last = path.split(".")
        for key in head:
            data = data[key]
        del data[last]
    return change


@pytest.mark.parametrize("change, message", [
    (_set("grades.leaflet.correct", False),
     "'correct' must be true exactly when both procedure answers and the reason are correct"),
    (_set("grades.current_practice.correct", True),
     "'practice_correct' must be true exactly when both procedure answers and the reason are correct under current "
     "practice"),
    (_drop("grades.current_practice.parts.reason"), "the grade under current practice is incomplete"),
    (_drop("grades.current_practice.expected.deciding_rules"), "the grade under current practice is incomplete"),
    (_set("answer.reason", "made_up"), "the reason 'made_up' is not one of the quiz's rules"),
    (_set("grades.leaflet.expected.deciding_rules", ["made_up"]),
     "'made_up' is not a rule that decides a case under leaflet"),
    (_set("grades.current_practice.expected.deciding_rules", ["made_up"]),
     "'made_up' is not a rule that decides a case under current_practice"),
    (_set("grades.leaflet.expected.deciding_rules", []), "must be a list of at least one rule"),
    (_set("grades.leaflet.expected.deciding_rules", "kp_cause_excluded"), "must be a list of at least one rule"),
    (_set("answer.vertebroplasty", "yes"), "the answer for vertebroplasty must be true or false"),
    (_drop("answer.kyphoplasty"), "the quiz answer lacks 'kyphoplasty'"),
    (_drop("answer.reason"), "the quiz answer lacks 'reason'"),
    (_drop("grades.leaflet.parts.vertebroplasty"), "the quiz answer lacks 'vertebroplasty'"),
    (_drop("grades.leaflet.expected.deciding_rules"), "the quiz answer lacks 'deciding_rules'"),
    (_set("context.source", "elsewhere"), "the source must be one of bank, generated"),
    (_set("context.mode", "cheat"), "the mode must be one of"),
    (_drop("grades.leaflet"), "not a candidacy-quiz answer graded against the leaflet"),
])
def test_a_malformed_or_forged_quiz_answer_is_refused_with_a_clear_message(tmp_path, change, message):
    forged = _forge(change)                         # the leaflet right, current practice wrong
    with pytest.raises(ValueError) as info:
        check_quiz_attempt(Attempt.model_validate(forged))
    assert message in str(info.value)
    # Read from a progress file, it is left out of the quiz; the other answers are kept.
    store = progress_file(tmp_path, [json.loads(STORED[0]), forged] + [json.loads(line) for line in STORED[2:]])
    assert len(store.attempts) == 4, "a valid attempt all the same, kept in the file"
    kept = [a.id for a in stored_attempts()]
    assert [a.id for a in quiz_attempts(store.attempts)] == kept[:1] + kept[2:]


def test_an_answer_to_another_exercise_is_not_a_quiz_answer():
    other = _forge(_set("exercise", "step-order"))
    with pytest.raises(ValueError, match="not a candidacy-quiz answer"):
        check_quiz_attempt(Attempt.model_validate(other))
    assert quiz_attempts([Attempt.model_validate(other)]) == []
