"""The candidacy quiz as an exercise (:class:`widgets.record.exercise.Exercise`): its id, how an answer is graded
under both standards, and how a handed-in answer is graded again.

An answer is ``{"vertebroplasty": bool, "kyphoplasty": bool, "reason": <rule id>}`` about one case: a case of
the bank, or a practice case generated from its id (:data:`widgets.candidacy.vignettes.GENERATED_ID`).  It is
graded under the leaflet's rules (the first standard) and current practice.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from functools import lru_cache

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.practice import assess_practice
from widgets.candidacy.rules import LEAFLET, PRACTICE, REASON_IDS, Assessment, assess
from widgets.candidacy.vignettes import Vignette, generated_case
from widgets.record.attempts import Attempt, Grade
from widgets.record.exercise import Exercise, Ungradable, register

#: The exercise id of the candidacy quiz (notebook 06; an item is a case id).
QUIZ = "candidacy-quiz"


def grade_answer(vignette: Vignette, vertebroplasty: bool, kyphoplasty: bool, reason: str, *, rules=None,
                 practice_rules=None) -> tuple[Assessment, Assessment, dict]:
    """Grade one answer under both standards: (leaflet, practice, AnswerRecord fields of both grades)."""
    leaflet = assess(vignette.patient, rules)
    practice = assess_practice(vignette.patient, practice_rules)
    fields = {}
    for prefix, a in (("", leaflet), ("practice_", practice)):
        deciding = list(a.deciding_rules)
        vp_ok = vertebroplasty == a.vertebroplasty.eligible
        kp_ok = kyphoplasty == a.kyphoplasty.eligible
        reason_ok = reason in deciding
        fields.update({f"{prefix}vertebroplasty_correct": vp_ok, f"{prefix}kyphoplasty_correct": kp_ok,
                       f"{prefix}reason_correct": reason_ok, f"{prefix}deciding_rules": deciding,
                       f"{prefix}correct": vp_ok and kp_ok and reason_ok})
    return leaflet, practice, fields


@lru_cache(maxsize=4)
def bank_vignettes(path: str | None = None) -> dict[str, Vignette]:
    """The case bank's cases as vignettes, by id (``path``: another bank file; None: the course's)."""
    return {c.id: Vignette.from_case(c) for c in load_case_bank(path)}


def quiz_vignette(case_id: str, bank_path: str | None = None) -> Vignette:
    """The vignette a quiz answer was about: a bank case, or a practice case made again from its id."""
    bank = bank_vignettes(bank_path)
    if case_id in bank:
        return bank[case_id]
    generated = generated_case(case_id)
    if generated is not None:
        return generated
    raise Ungradable("the case is not in the case bank (a case from another bank, or an edited file)")


def regrade_quiz(attempt: Attempt, bank_path: str | None = None) -> dict[str, Grade]:
    """Both standards' grades of a quiz answer: the leaflet's (the first) and current practice's."""
    a = attempt.answer
    vp, kp, reason = a.get("vertebroplasty"), a.get("kyphoplasty"), a.get("reason")
    if not isinstance(vp, bool) or not isinstance(kp, bool) or reason not in REASON_IDS:
        raise Ungradable("the answer is incomplete (both verdicts and a rule are needed)")
    leaflet, practice, fields = grade_answer(quiz_vignette(attempt.item, bank_path), vp, kp, reason)
    grades = {}
    for standard, prefix, truth in ((LEAFLET, "", leaflet), (PRACTICE, "practice_", practice)):
        parts = {"vertebroplasty": fields[f"{prefix}vertebroplasty_correct"],
                 "kyphoplasty": fields[f"{prefix}kyphoplasty_correct"], "reason": fields[f"{prefix}reason_correct"]}
        grades[standard] = Grade(correct=fields[f"{prefix}correct"], parts=parts,
                                 expected={"vertebroplasty": truth.vertebroplasty.eligible,
                                           "kyphoplasty": truth.kyphoplasty.eligible,
                                           "deciding_rules": list(truth.deciding_rules)})
    return grades


CANDIDACY_QUIZ = register(Exercise(QUIZ, "Candidacy quiz (06)", LEAFLET, regrade_quiz))
