"""Quiz state: grading against both standards (current practice first), score, resuming, review and the
weighted retry pool."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.candidacy.practice import assess_practice
from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.rules import LEAFLET, REASON_IDS, RULE_IDS, assess
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
    assert q.progress_text() == f"0 of {len(BANK)} bank cases answered"


def test_tumour_case_graded_vp_yes_kp_no_reason_kp_cause():
    q = quiz()
    go_to(q, "c05-breast-metastasis")
    g = q.submit(True, False, "kp_cause_excluded")
    assert g.leaflet_correct and g.attempt.grades[LEAFLET].expected["deciding_rules"] == ["kp_cause_excluded"]
    assert not g.correct, "current practice, the grade a student sees first, offers kyphoplasty for a tumour"
    # Plain words for students, never the rule's id.
    assert "Fracture caused by a vascular problem, a tumour or an infection" in g.summary()
    assert "kp_cause_excluded" not in g.summary()


def test_a_verdict_right_but_the_reason_wrong_is_not_correct():
    q = quiz()
    g = q.submit(True, True, "pain_relieved")
    parts = g.attempt.grades[LEAFLET].parts
    assert parts["vertebroplasty"] and parts["kyphoplasty"]
    assert not parts["reason"] and not g.correct and not g.leaflet_correct


def test_any_listed_deciding_rule_counts():
    for reason in ("vertebral_infection", "kp_cause_excluded"):
        q = quiz()
        go_to(q, "c09-osteomyelitis-fracture")
        assert q.submit(False, False, reason).leaflet_correct


def test_each_procedure_is_graded_on_its_own():
    q = quiz()
    go_to(q, "c07-haemangioma")
    g = q.submit(True, True, "kp_cause_excluded")
    parts = g.attempt.grades[LEAFLET].parts
    assert parts["vertebroplasty"] and not parts["kyphoplasty"] and not g.leaflet_correct


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
    assert q.attempts == []


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
    # The second case is a fall from a ladder: outside the evidence under current practice, so the
    # reason "no fracture" is wrong under both standards.
    assert q.progress_text() == (f"2 of {len(BANK)} bank cases answered. Score (current practice): 1 of 2 cases "
                                 "right (50 %); right at the first try: 1 of 2 (50 %). What the patient leaflet "
                                 "says: 1 of 2 right (50 %)")


def test_the_score_a_student_sees_first_is_current_practice_with_the_leaflet_beside_it():
    q = quiz()
    go_to(q, "c02-trauma-ladder")          # a fall: the leaflet says candidate, current practice outside the evidence
    q.submit(False, False, "outside_evidence")
    go_to(q, "c05-breast-metastasis")      # a tumour: the leaflet rules kyphoplasty out, current practice offers it
    q.submit(True, True, "indication_met")
    assert (q.score.final_right, q.leaflet_score.final_right) == (2, 0)
    assert q.progress_text().endswith("Score (current practice): 2 of 2 cases right (100 %); right at the first "
                                      "try: 2 of 2 (100 %). What the patient leaflet says: 0 of 2 right (0 %)")
    text = q.progress_text()
    assert text.index("current practice") < text.index("patient leaflet"), "current practice first"
    assert q.missed() == [] and q.still_missed() == [], "nothing to review: right under current practice"


def test_resumes_after_the_answered_cases():
    q = quiz()
    q.submit(True, True, "indication_met")
    q.next()
    q.submit(True, True, "indication_met")
    again = quiz(attempts=q.attempts)
    assert again.current.id == BANK.cases[2].id
    assert again.bank_done == 2


def test_after_the_bank_come_generated_cases_without_end():
    q = quiz()
    for _ in range(len(BANK) + 5):
        q.submit(*_right(q))
        q.next()
    assert q.mode == "practice" and q.current.source == "generated"
    assert q.correct == q.answered == len(BANK) + 5
    n = len(BANK) + 5
    assert q.progress_text().startswith(f"{len(BANK)} of {len(BANK)} bank cases answered. Score (current practice): "
                                        f"{n} of {n} cases right")


def test_missed_review_lists_wrong_answers_with_their_cases():
    q = quiz()
    q.submit(False, False, "no_fracture")
    q.next()
    q.submit(*_right(q))
    missed = q.missed()
    assert [r.item for r, _ in missed] == [BANK.cases[0].id]
    assert isinstance(missed[0][1], Vignette) and missed[0][1].title == BANK.cases[0].title


def test_retry_pool_is_seeded_and_weighted_toward_missed_rules():
    q = quiz(seed=4)
    # Miss every case decided (under current practice) by the posterior cortical defect; answer the others right.
    missed = set()
    for _ in range(len(BANK)):
        a = assess_practice(q.current.patient)
        if "posterior_cortical_defect" in a.deciding_rules:
            q.submit(True, True, "indication_met")
            missed |= set(a.deciding_rules)
        else:
            q.submit(*_right(q))
        q.next()
    assert set(q.missed_rules()) == missed and "posterior_cortical_defect" in missed
    pool = q.retry_pool(10)
    assert [v.id for v in pool] == [v.id for v in q.retry_pool(10)], "same state, same seed, same pool"
    assert len({v.id for v in pool}) == 10
    share = sum("posterior_cortical_defect" in assess_practice(v.patient).deciding_rules for v in pool) / len(pool)
    candidates = list(q.bank)
    base = sum("posterior_cortical_defect" in assess_practice(v.patient).deciding_rules
               for v in candidates) / len(candidates)
    # The bank's share of such cases fell when its cord-compression cases became red flags (issue 20), so the
    # weighting is judged against that share: the pool holds at least three times as many.
    assert share >= 3 * base and share > base + 0.2, \
        f"weighted toward the missed rule ({share:.0%} vs {base:.0%} in the bank)"


def test_retry_replays_the_missed_case_first_then_back_to_unanswered_bank_cases():
    q = quiz()
    missed = q.current
    q.submit(False, False, "no_fracture")
    first = q.start_retry(2)
    assert q.mode == "retry"
    assert first is q.current and first.id == missed.id, "the case the student got wrong comes back first"
    q.submit(*_right(q))
    q.next()
    q.submit(*_right(q))
    q.next()
    assert q.mode == "bank" and q.current.id not in q.answered_bank_ids


def test_a_retry_that_erases_a_first_try_error_still_shows_in_the_score():
    q = quiz()
    q.submit(False, False, "no_fracture")       # wrong at the first try
    q.start_retry(1)
    q.submit(*_right(q))                        # right on the retry
    s = q.score
    assert (s.items, s.first_right, s.final_right, s.answers) == (1, 0, 1, 2)
    assert "Score (current practice): 1 of 1 case right (100 %); right at the first try: 0 of 1 (0 %)" in q.progress_text()
    assert q.still_missed() == []


def test_nothing_to_retry_before_the_first_answer_is_a_message():
    with pytest.raises(QuizError, match="nothing to retry"):
        quiz().start_retry(0)


def _right(q):
    """The right answer under current practice, the grade a student sees first."""
    a = assess_practice(q.current.patient)
    return a.vertebroplasty.eligible, a.kyphoplasty.eligible, a.deciding_rules[0]


def test_empty_bank_is_refused():
    with pytest.raises(QuizError):
        Quiz([])


# ----------------------------------------------------------------------------- each student's own order

@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_every_students_first_fifteen_cases_cover_every_rule_of_both_standards(seed):
    order = Quiz.from_bank(BANK, order_seed=seed).order
    covered = {r for v in order[:15] for r in assess(v.patient).deciding_rules + assess_practice(v.patient).deciding_rules}
    assert covered == set(REASON_IDS)
    assert sorted(v.id for v in order) == sorted(c.id for c in BANK.cases), "every case, once"


def test_the_order_is_reproducible_for_a_student_and_differs_between_students():
    one = [v.id for v in Quiz.from_bank(BANK, order_seed="install:9f2c4e1a").order]
    assert one == [v.id for v in Quiz.from_bank(BANK, order_seed="install:9f2c4e1a").order]
    other = [v.id for v in Quiz.from_bank(BANK, order_seed="install:0b7d3e55").order]
    assert one != other


def test_rules_are_interleaved_where_the_bank_allows():
    order = Quiz.from_bank(BANK, order_seed=7).order
    rules = [set(assess(v.patient).deciding_rules) for v in order]
    repeats = sum(bool(a & b) for a, b in zip(rules, rules[1:]))
    # kp_cause_excluded decides 12 of 33 cases, so a few neighbours must share it; shuffled at random about 9 would.
    assert repeats <= 4, repeats


def test_a_resumed_student_continues_their_own_order():
    q = quiz(order_seed="s1")
    for _ in range(3):
        q.submit(*_right(q))
        q.next()
    again = quiz(order_seed="s1", attempts=q.attempts)
    assert again.current.id == q.current.id == q.order[3].id


def test_practice_cases_interleave_rules():
    q = quiz(seed=3)
    for _ in range(len(BANK) + 12):
        q.submit(*_right(q))
        q.next()
    practice = [q.lookup(r.item) for r in q.attempts if r.context["source"] == "generated"]
    rules = [set(assess(v.patient).deciding_rules) for v in practice]
    assert sum(bool(a & b) for a, b in zip(rules, rules[1:])) <= 1
