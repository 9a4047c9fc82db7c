"""The candidacy quiz's exercise (widgets.candidacy.exercise): a practice case the quiz generated is graded again
from its id, by the same pattern the quiz names it with; an id outside that pattern is not a case."""

from __future__ import annotations

import pytest

from widgets.candidacy.exercise import QUIZ, bank_vignettes, quiz_vignette
from widgets.candidacy.quiz import Quiz
from widgets.candidacy.rules import assess
from widgets.candidacy.vignettes import generate
from widgets.record.attempts import make_attempt
from widgets.record.exercise import Ungradable, exercise


def one_case_quiz(seed: int) -> Quiz:
    return Quiz(list(bank_vignettes().values())[:1], seed=seed)


def test_a_practice_answer_is_graded_again_from_the_case_id_the_quiz_gave_it():
    quiz = one_case_quiz(41)
    case = generate(41, 1, start=12)[0]             # the practice case the quiz makes 13th
    assert case.id == "gen-41-0012"
    assert quiz_vignette(case.id).patient == case.patient == quiz.lookup(case.id).patient
    truth = assess(case.patient)
    answer = {"vertebroplasty": truth.vertebroplasty.eligible, "kyphoplasty": truth.kyphoplasty.eligible,
              "reason": truth.deciding_rules[0]}
    graded = exercise(QUIZ).regrade(make_attempt(QUIZ, case.id, answer, {"leaflet": {"correct": False}}))
    assert graded["leaflet"].correct


def test_an_id_outside_the_pattern_is_no_case():
    assert generate(7, 1, start=3)[0].id == "gen-7-0003"
    for case_id in ("gen-1-12345678", "gen-9999999999-1", "gen-x-1", "c99-not-in-the-bank"):
        with pytest.raises(Ungradable, match="not in the case bank"):
            quiz_vignette(case_id)
        assert one_case_quiz(1).lookup(case_id) is None
