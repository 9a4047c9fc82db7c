"""Issue 20, item 1: red flags come before any candidacy verdict, under both standards.

A case or generated vignette with a red flag (a new or worsening neurological deficit, cord or cauda equina
compression, a suspected spinal infection, an unexplained pattern that suggests cancer) is answered "not now:
urgent referral and imaging" under the leaflet and under current practice; the feedback names the flag, says
what the leaflet's rules alone would have said and why that is not the point; the answer is recorded, handed
in, regraded from the content and shown in the answer key like any other.
"""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from widgets.candidacy import red_flags
from widgets.candidacy.practice import assess_practice, compare
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz
from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.patient import FINDING_VALUES, FRACTURE_CAUSES, Patient, PatientError
from widgets.candidacy.rules import LEAFLET, PRACTICE, assess, case_notes, check_conditions
from widgets.candidacy.vignettes import Vignette, generate
from widgets.classroom import grading
from widgets.core.loading import ContentError
from widgets.record.attempts import Attempt

BANK = load_case_bank()
URGENT = red_flags.URGENT
VERDICT = "not now: urgent referral and imaging"
FLAGGED = [c for c in BANK if red_flags.flags_for(c.patient)]
NAMED = ("c38-cord-compression", "c47-retropulsed-fragment", "c50-myeloma-cord-compression",
         "c61-metastasis-broken-wall-weak")


def urgent_under_both(patient) -> bool:
    for a in (assess(patient), assess_practice(patient)):
        if a.deciding_rules != (URGENT,) or a.vertebroplasty.eligible or a.kyphoplasty.eligible:
            return False
        if {a.vertebroplasty.verdict, a.kyphoplasty.verdict} != {VERDICT}:
            return False
    return True


# ----------------------------------------------------------------------------- the bank

def test_the_cases_the_review_named_are_red_flags_now():
    for case_id in NAMED:
        case = BANK.case(case_id)
        assert red_flags.flags_for(case.patient), case_id
        assert urgent_under_both(case.patient), case_id
        assert case.expected.deciding_rules == [URGENT] == case.expected_practice.deciding_rules, case_id
    # c50: the leaflet's rules alone called him a vertebroplasty candidate; the flag is metastatic cord compression.
    c50 = assess(BANK.case("c50-myeloma-cord-compression").patient)
    assert c50.beneath.vertebroplasty.eligible and [f.id for f in c50.red_flags] == ["mscc"]


def test_the_bank_exercises_every_red_flag():
    shown = {f.id for c in BANK for f in red_flags.flags_for(c.patient)}
    assert shown == {f.id for f in red_flags.load_red_flags()}
    # ... including cases where the leaflet's rules alone would have said "candidate": the trap the layer closes.
    trap = [c.id for c in FLAGGED if assess(c.patient).beneath.vertebroplasty.eligible]
    assert len(trap) >= 4, trap


@pytest.mark.parametrize("case", FLAGGED, ids=lambda c: c.id)
def test_every_bank_case_with_a_red_flag_is_urgent_under_both_and_its_feedback_names_the_flag(case, tmp_path):
    from widgets.candidacy.quiz_view import QuizView
    from widgets.record.progress import ProgressFile
    assert urgent_under_both(case.patient)
    view = QuizView(Quiz([Vignette.from_case(case)]), ProgressFile(tmp_path / "p.json").load())
    view.form.choose(False, False, URGENT)
    view.form.submit_button.click()
    html = view.feedback.value
    r = view.quiz.attempts[-1]
    assert r.grades[LEAFLET].correct and r.grades[PRACTICE].correct
    for flag in red_flags.flags_for(case.patient):
        assert flag.title in html, (case.id, flag.id)
    assert "read alone, would say" in html and "says nothing about emergencies" in html
    beneath = assess(case.patient).beneath
    assert beneath.vertebroplasty.verdict in html             # what the leaflet's rules alone would say
    assert "[@" not in html                                     # every source is a numbered link


def test_case_notes_of_a_red_flag_case_lead_with_the_flag_and_never_the_benign_wall_series():
    for case in FLAGGED:
        notes = case_notes(case, assess(case.patient))
        assert notes[0][0].startswith("Red flag:"), case.id
        assert "no neurological complications" not in " ".join(n for _, n in notes), case.id


# ----------------------------------------------------------------------------- generated vignettes

@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=400))
@settings(max_examples=60, deadline=None)
def test_every_generated_vignette_with_a_red_flag_is_urgent_under_both(seed, start):
    for v in generate(seed, 19, start=start):
        flags = red_flags.flags_for(v.patient)
        if v.scenario == URGENT:
            assert flags, (v.id, v.history)
        if flags:
            assert urgent_under_both(v.patient), v.id
            notes = dict(case_notes(v, assess(v.patient)))
            assert all(f"Red flag: {f.title}" in notes for f in flags), v.id
        else:
            assert URGENT not in assess(v.patient).deciding_rules


def test_generated_red_flag_cases_come_in_every_round_and_say_the_flag_in_words():
    cases = [v for v in generate(2, 19 * 6) if v.scenario == URGENT]
    assert len(cases) == 3 * 6                                   # three red-flag scenarios a round
    kinds = {f.id for v in cases for f in red_flags.flags_for(v.patient)}
    assert {"progressive_deficit", "mscc", "spinal_infection", "malignancy_pattern"} <= kinds
    for v in cases:
        p = v.patient
        if p.deficit_worsening:
            assert re.search(r"weak|numb|drags|unsteady", v.history), v.history
        if p.infection_suspected:
            assert re.search(r"infection in the spine", v.history) and "no fever" not in v.history, v.history
        if p.malignancy_suspected:
            assert re.search(r"without trying|cancer|calcium", v.history), v.history


# ----------------------------------------------------------------------------- recorded, handed in, regraded

def test_the_red_flag_answer_is_recorded_handed_in_and_regraded_under_both_standards():
    q = Quiz.from_bank(BANK, clock=lambda: "2026-12-07T10:00:00Z")
    while q.current.id != "c50-myeloma-cord-compression":
        q.next()
    wrong = q.submit(True, False, "kp_cause_excluded")            # the leaflet's rules, read alone
    assert not wrong.attempt.grades[LEAFLET].correct and not wrong.attempt.grades[PRACTICE].correct
    q.next()
    while q.current.id != "c68-cauda-equina":
        q.next()
    right = q.submit(False, False, URGENT)
    assert right.attempt.grades[LEAFLET].correct and right.attempt.grades[PRACTICE].correct
    attempt = right.attempt
    assert attempt.answer["reason"] == URGENT
    assert attempt.grades[LEAFLET].expected["deciding_rules"] == [URGENT]
    assert quiz_attempts([Attempt.model_validate(attempt.to_dict())]) == [right.attempt], "read back as it was"
    again = grading.regrade(attempt)                               # from the content, never from the file
    assert {k: g.correct for k, g in again.items()} == {LEAFLET: True, PRACTICE: True}
    assert again[PRACTICE].expected == {"vertebroplasty": False, "kyphoplasty": False, "deciding_rules": [URGENT]}
    assert {k: g.correct for k, g in grading.regrade(wrong.attempt).items()} == {
        LEAFLET: False, PRACTICE: False}


def test_the_answer_key_shows_the_red_flag_answer_and_what_the_rules_alone_would_say():
    key = (ROOT / "lessons/answer-keys/candidacy-cases.md").read_text(encoding="utf-8")
    assert "## Red flags, above both standards" in key
    for case in FLAGGED:
        row = next(line for line in key.splitlines() if line.startswith(f"| `{case.id}`"))
        assert row.count(VERDICT) == 4, row
        assert re.search(rf"^- `{case.id}` \(.*the leaflet alone: ", key, re.M), case.id
    for flag in red_flags.load_red_flags():
        assert flag.title in key


def test_a_flashcard_of_a_red_flag_case_gives_the_red_flag_answer():
    from widgets.candidacy.flashcards import card_for
    card = card_for(Vignette.from_case(BANK.case("c69-fevers-and-a-fresh-fracture")))
    assert VERDICT in card.back and "Red flag" in card.back and "rule::urgent_referral" in card.tags


# ----------------------------------------------------------------------------- the content, validated

def test_the_red_flags_read_only_findings_the_engine_knows_with_values_they_take():
    assert red_flags.CAUSES == FRACTURE_CAUSES
    assert set(red_flags.RED_FLAG_FIELDS) <= set(FINDING_VALUES)
    for flag in red_flags.load_red_flags():
        check_conditions(flag.when)                                  # the rules engine's own check passes too


def test_red_flag_findings_that_contradict_the_deficit_are_refused_naming_both_fields():
    base = dict(compression_fracture=True, fracture_cause="osteoporosis", severe_back_pain=True,
                pain_relieved_by_medication_and_bed_rest=False, posterior_cortical_defect=False,
                vertebral_infection=False, pain_from_herniated_disc=False)
    for field in ("deficit_worsening", "cauda_equina_signs"):
        with pytest.raises(PatientError) as info:
            Patient(**base, **{field: True})
        assert field in str(info.value) and "neurological_deficit" in str(info.value)


@pytest.mark.parametrize("old, new, field", [
    ("when: [{cauda_equina_signs: true}]", "when: [{cauda_equina: true}]", "flags[2].when"),
    ("fracture_cause: tumor}]", "fracture_cause: tumour}]", "flags[0].when"),
    ("urgency: urgent\n", "urgency: soon\n", "flags[3].urgency"),
    ("cites: [rf_ces_bmj_best_practice, rf_ces_girft_pathway]", "cites: [rf_ces_bmj_best_practice]", "flags[2].cites"),
    ("{rf_ces_bmj_best_practice:hospital_imaging#num0}", "{rf_ces_bmj_best_practice:hospital_imaging#num9}",
     "flags[2].action"),
])
def test_a_broken_red_flag_file_is_refused_with_file_line_and_field(tmp_path, old, new, field):
    text = (ROOT / "widgets/content/red_flags.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "red_flags.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        red_flags.load_red_flags(path)
    message = str(info.value)
    assert str(path) in message and field in message and info.value.line is not None and "\n" not in message


def test_every_number_a_red_flag_shows_is_recomputed_from_the_evidence():
    from tests.unit.student_text import EV, shown_numbers
    from widgets.core.numbers import fmt, recompute
    figures = red_flags.figures()
    assert len(figures) >= 6
    for fig in figures:
        assert recompute(EV, fig) == pytest.approx(float(fig))
    allowed = {fmt(f) for f in figures}
    spec = red_flags.load_red_flags()
    for flag in spec:
        for text in (flag.looks_like, flag.action):
            shown = re.sub(r"\[@[^\]]+\]", "", red_flags.filled(text))
            assert all(n in allowed for n in shown_numbers(shown)), (flag.id, shown)
            # a number is cited to the entry it comes from
            for evidence_id, _ in re.findall(r"\{([A-Za-z0-9_]+):([^}]+)\}", text):
                assert f"@{evidence_id}" in text, (flag.id, evidence_id)


def test_a_decision_point_in_each_procedure_notebook_is_a_red_flag_that_stops_the_procedure():
    from widgets.procedures.steps import questions_for
    for procedure in ("vertebroplasty", "kyphoplasty"):
        flagged = [q for q in questions_for(procedure) if any(k.startswith("rf_") for k in q.cites)]
        assert flagged, procedure
        for q in flagged:
            assert re.search(r"legs|urine", q.prompt)
            assert re.search(r"refer|MRI|cord-compression team", q.answer.text)
            wrong = [o for o in q.options if not o.correct]
            assert any(re.search(r"go ahead", o.text, re.I) for o in wrong)


def test_an_instructors_bank_can_state_the_red_flag_answer_and_a_wrong_one_is_refused(tmp_path):
    from widgets.candidacy.bank import CaseBankError
    data = yaml.safe_load((ROOT / "widgets/content/cases.yaml").read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c["id"] == "c50-myeloma-cord-compression")
    case["expected"] = {"vertebroplasty": True, "kyphoplasty": False, "deciding_rules": ["kp_cause_excluded"]}
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(CaseBankError) as info:
        load_case_bank(path)
    assert "c50-myeloma-cord-compression" in str(info.value) and "expected.vertebroplasty" in str(info.value)
