"""Quiz state: grading against the rules, score, resuming, review and the weighted retry pool."""

from __future__ import annotations

import pytest

from widgets.candidacy.rules import assess, load_case_bank
from widgets.candidacy.quiz import Quiz, QuizError
from widgets.candidacy.vignettes import Vignette

BANK = load_case_bank()


def quiz(**kw) -> Quiz:
    return Quiz.from_bank(BANK, clock=lambda: "2026-11-25T11:00:00Z", **kw)


def go_to(q: Quiz, case_id: str) -> None:
    while q.current.id != case_id:
        q.next()


def test_starts_at_the_first_bank_case():
    q = quiz()
    assert q.current.id == BANK.cases[0].id and q.mode == "bank"
    assert q.progress_text() == f"0 of {len(BANK)} cases answered, 0 correct"


def test_tumour_case_graded_vp_yes_kp_no_reason_kp_cause():
    q = quiz()
    go_to(q, "c05-breast-metastasis")
    g = q.submit(True, False, "kp_cause_excluded")
    assert g.correct and g.record.deciding_rules == ["kp_cause_excluded"]
    assert "kp_cause_excluded" in g.summary()


def test_a_verdict_right_but_the_reason_wrong_is_not_correct():
    q = quiz()
    g = q.submit(True, True, "pain_relieved")
    assert g.record.vertebroplasty_correct and g.record.kyphoplasty_correct
    assert not g.record.reason_correct and not g.correct


def test_any_listed_deciding_rule_counts():
    for reason in ("vertebral_infection", "kp_cause_excluded"):
        q = quiz()
        go_to(q, "c09-osteomyelitis-fracture")
        assert q.submit(False, False, reason).correct


def test_each_procedure_is_graded_on_its_own():
    q = quiz()
    go_to(q, "c07-haemangioma")
    g = q.submit(True, True, "kp_cause_excluded")
    assert g.record.vertebroplasty_correct and not g.record.kyphoplasty_correct and not g.correct


@pytest.mark.parametrize("vp, kp, reason, words", [
    (None, True, "indication_met", "vertebroplasty"),
    (True, None, "indication_met", "kyphoplasty"),
    (True, True, None, "deciding reason"),
    (True, True, "made_up_rule", "not one of the rules"),
    ("yes", True, "indication_met", "candidate"),
])
def test_incomplete_or_bad_answers_are_refused_with_a_message(vp, kp, reason, words):
    q = quiz()
    with pytest.raises(QuizError, match=words):
        q.submit(vp, kp, reason)
    assert q.records == []


def test_a_case_cannot_be_answered_twice():
    q = quiz()
    q.submit(True, True, "indication_met")
    with pytest.raises(QuizError, match="already answered"):
        q.submit(True, True, "indication_met")


def test_score_and_progress_text():
    q = quiz()
    q.submit(True, True, "indication_met")      # right
    q.next()
    q.submit(False, False, "no_fracture")       # wrong
    assert (q.answered, q.correct, q.score_percent) == (2, 1, 50.0)
    assert q.progress_text() == f"2 of {len(BANK)} cases answered, 1 correct"


def test_resumes_after_the_answered_cases():
    q = quiz()
    q.submit(True, True, "indication_met")
    q.next()
    q.submit(True, True, "indication_met")
    again = quiz(records=q.records)
    assert again.current.id == BANK.cases[2].id
    assert again.bank_done == 2


def test_after_the_bank_come_generated_cases_without_end():
    q = quiz()
    for _ in range(len(BANK) + 5):
        a = assess(q.current.patient)
        q.submit(a.vertebroplasty.eligible, a.kyphoplasty.eligible, a.deciding_rules[0])
        q.next()
    assert q.mode == "practice" and q.current.source == "generated"
    assert q.correct == q.answered == len(BANK) + 5
    assert q.progress_text().startswith(f"{len(BANK)} of {len(BANK)} cases answered, {len(BANK)} correct")


def test_missed_review_lists_wrong_answers_with_their_cases():
    q = quiz()
    q.submit(False, False, "no_fracture")
    q.next()
    q.submit(True, True, "indication_met")
    missed = q.missed()
    assert [r.case_id for r, _ in missed] == [BANK.cases[0].id]
    assert isinstance(missed[0][1], Vignette) and missed[0][1].title == BANK.cases[0].title


def test_retry_pool_is_seeded_and_weighted_toward_missed_rules():
    q = quiz(seed=4)
    # Miss every case decided by the posterior cortical defect; answer the others right.
    for _ in range(len(BANK)):
        a = assess(q.current.patient)
        if "posterior_cortical_defect" in a.deciding_rules:
            q.submit(True, True, "indication_met")
        else:
            q.submit(a.vertebroplasty.eligible, a.kyphoplasty.eligible, a.deciding_rules[0])
        q.next()
    assert set(q.missed_rules()) == {"posterior_cortical_defect", "vertebral_infection", "kp_cause_excluded"}
    pool = q.retry_pool(10)
    assert [v.id for v in pool] == [v.id for v in q.retry_pool(10)], "same state, same seed, same pool"
    assert len({v.id for v in pool}) == 10
    share = sum("posterior_cortical_defect" in assess(v.patient).deciding_rules for v in pool) / len(pool)
    candidates = list(q.bank)
    base = sum("posterior_cortical_defect" in assess(v.patient).deciding_rules for v in candidates) / len(candidates)
    assert share >= 0.5 > base, f"weighted toward the missed rule ({share:.0%} vs {base:.0%} in the bank)"


def test_retry_then_back_to_unanswered_bank_cases():
    q = quiz()
    q.submit(False, False, "no_fracture")
    first = q.start_retry(2)
    assert q.mode == "retry"
    assert first is q.current
    q.submit(*_right(q))
    q.next()
    q.submit(*_right(q))
    q.next()
    assert q.mode == "bank" and q.current.id not in q.answered_bank_ids


def _right(q):
    a = assess(q.current.patient)
    return a.vertebroplasty.eligible, a.kyphoplasty.eligible, a.deciding_rules[0]


def test_empty_bank_is_refused():
    with pytest.raises(QuizError):
        Quiz([])
