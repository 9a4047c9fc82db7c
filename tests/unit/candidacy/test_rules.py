"""The leaflet's candidacy rules, one by one and in the hard combinations.

Each expected verdict below is read off the leaflet's rules (the seed text), not
off the engine's output: e.g. "an infection in the vertebra: not a candidate"
means both procedures ineligible, with the infection rule among the reasons.
"""

from __future__ import annotations

import pytest

from widgets.candidacy.patient import FRACTURE_CAUSES, PATIENT_FIELDS, PRACTICE_FIELDS, Patient, PatientError
from widgets.candidacy.rules import RULE_IDS, assess, load_rules, rules_markdown
from widgets.core.evidence import load_evidence

# A patient the leaflet calls a candidate for both: every other case changes one or two findings.
CANDIDATE = dict(compression_fracture=True, fracture_cause="osteoporosis", severe_back_pain=True,
                 pain_relieved_by_medication_and_bed_rest=False, posterior_cortical_defect=False,
                 vertebral_infection=False, pain_from_herniated_disc=False)


def patient(**changes) -> Patient:
    return Patient(**{**CANDIDATE, **changes})


def verdict(p: Patient) -> tuple[bool, bool]:
    a = assess(p)
    return a.vertebroplasty.eligible, a.kyphoplasty.eligible


def ids(decision) -> set[str]:
    return {r.id for r in decision.reasons}


# ----------------------------------------------------------------- the indication

@pytest.mark.parametrize("cause", ["osteoporosis", "trauma", "other"])
def test_severe_unrelieved_fracture_pain_is_a_candidate_for_both(cause):
    a = assess(patient(fracture_cause=cause))
    assert (a.vertebroplasty.eligible, a.kyphoplasty.eligible) == (True, True)
    assert ids(a.vertebroplasty) == ids(a.kyphoplasty) == {"indication_met"}
    assert a.deciding_rules == ("indication_met",)


def test_trauma_cause_is_a_candidate_for_both():
    assert verdict(patient(fracture_cause="trauma")) == (True, True)


# ----------------------------------------------------------------- exclusions for both

@pytest.mark.parametrize("changes, rule", [
    (dict(compression_fracture=False, fracture_cause=None), "no_fracture"),
    (dict(severe_back_pain=False), "pain_not_severe"),
    (dict(pain_relieved_by_medication_and_bed_rest=True), "pain_relieved"),
    (dict(pain_from_herniated_disc=True), "herniated_disc"),
    (dict(posterior_cortical_defect=True), "posterior_cortical_defect"),
    (dict(vertebral_infection=True), "vertebral_infection"),
])
def test_each_exclusion_rules_out_both(changes, rule):
    a = assess(patient(**changes))
    assert verdict(a.patient) == (False, False)
    assert ids(a.vertebroplasty) == ids(a.kyphoplasty) == {rule}
    assert a.deciding_rules == (rule,)


def test_pain_that_settled_with_medication_is_neither():
    assert verdict(patient(pain_relieved_by_medication_and_bed_rest=True)) == (False, False)


def test_posterior_cortical_defect_is_neither():
    assert verdict(patient(posterior_cortical_defect=True)) == (False, False)


def test_disc_pain_with_an_old_healed_fracture_is_neither():
    # The fracture is there but the pain comes from the disc.
    a = assess(patient(pain_from_herniated_disc=True))
    assert verdict(a.patient) == (False, False)
    assert "herniated_disc" in ids(a.vertebroplasty) and "indication_met" not in ids(a.vertebroplasty)


def test_disc_pain_without_a_fracture_names_both_rules():
    a = assess(patient(compression_fracture=False, fracture_cause=None, pain_from_herniated_disc=True))
    assert verdict(a.patient) == (False, False)
    assert ids(a.vertebroplasty) == {"no_fracture", "herniated_disc"}


# ----------------------------------------------------------------- kyphoplasty's cause exclusion

@pytest.mark.parametrize("cause", ["tumor", "vascular"])
def test_tumour_or_vascular_cause_vp_yes_kp_not_recommended(cause):
    a = assess(patient(fracture_cause=cause))
    assert verdict(a.patient) == (True, False)
    assert ids(a.vertebroplasty) == {"indication_met"}
    assert ids(a.kyphoplasty) == {"kp_cause_excluded"}
    assert a.kyphoplasty.verdict == "not recommended"
    assert a.deciding_rules == ("kp_cause_excluded",)


def test_fracture_caused_by_infection_counts_as_an_infected_vertebra():
    # "A fracture caused by infection counts as one", even if the infection flag was left unset.
    for flag in (False, True):
        a = assess(patient(fracture_cause="infection", vertebral_infection=flag))
        assert verdict(a.patient) == (False, False)
        assert ids(a.vertebroplasty) == {"vertebral_infection"}
        assert ids(a.kyphoplasty) == {"vertebral_infection", "kp_cause_excluded"}
        assert set(a.deciding_rules) == {"vertebral_infection", "kp_cause_excluded"}


def test_infected_vertebra_with_osteoporotic_fracture_is_neither():
    a = assess(patient(vertebral_infection=True))
    assert verdict(a.patient) == (False, False)
    assert "kp_cause_excluded" not in ids(a.kyphoplasty)


def test_tumour_plus_posterior_defect_lists_every_rule_that_applies():
    a = assess(patient(fracture_cause="tumor", posterior_cortical_defect=True))
    assert verdict(a.patient) == (False, False)
    assert ids(a.vertebroplasty) == {"posterior_cortical_defect"}
    assert ids(a.kyphoplasty) == {"posterior_cortical_defect", "kp_cause_excluded"}


def test_tumour_with_pain_relieved_rules_out_both():
    a = assess(patient(fracture_cause="tumor", pain_relieved_by_medication_and_bed_rest=True))
    assert verdict(a.patient) == (False, False)
    assert set(a.deciding_rules) == {"pain_relieved", "kp_cause_excluded"}


def test_everything_wrong_lists_all_exclusions():
    a = assess(Patient(compression_fracture=False, fracture_cause=None, severe_back_pain=False,
                       pain_relieved_by_medication_and_bed_rest=True, posterior_cortical_defect=True,
                       vertebral_infection=True, pain_from_herniated_disc=True))
    assert ids(a.vertebroplasty) == set(RULE_IDS) - {"indication_met", "kp_cause_excluded"}


def test_reasons_carry_plain_explanations_and_the_leaflet_citation():
    a = assess(patient(fracture_cause="tumor"))
    for decision in (a.vertebroplasty, a.kyphoplasty):
        for reason in decision.reasons:
            assert len(reason.explanation.split()) >= 10
            assert "kochan2015" in reason.cites


# ----------------------------------------------------------------- the Patient contract

@pytest.mark.parametrize("field, value", [
    ("fracture_cause", "cancer"),
    ("severe_back_pain", "very"),
    ("severe_back_pain", 1),
    ("posterior_cortical_defect", None),
    ("vertebral_infection", "maybe"),
])
def test_invalid_value_raises_value_error_naming_the_field(field, value):
    with pytest.raises(ValueError) as info:
        patient(**{field: value})
    assert field in str(info.value)


def test_missing_field_is_named():
    data = dict(CANDIDATE)
    del data["pain_from_herniated_disc"]
    with pytest.raises(ValueError, match="pain_from_herniated_disc"):
        Patient(**data)


def test_unknown_field_is_named():
    with pytest.raises(ValueError, match="age"):
        patient(age=80)


def test_cause_without_fracture_names_both_fields():
    with pytest.raises(PatientError) as info:
        patient(compression_fracture=False, fracture_cause="trauma")
    assert "fracture_cause" in str(info.value) and "compression_fracture" in str(info.value)


def test_fracture_without_cause_names_both_fields():
    with pytest.raises(ValueError) as info:
        patient(fracture_cause=None)
    assert "fracture_cause" in str(info.value) and "compression_fracture" in str(info.value)


def test_patient_fields_and_causes_are_the_contract():
    # The leaflet's seven findings first, then what current practice also weighs, then what the red flags
    # above both standards read (each optional).
    from widgets.candidacy.red_flags import RED_FLAG_FIELDS
    assert tuple(Patient.model_fields) == PATIENT_FIELDS + PRACTICE_FIELDS + RED_FLAG_FIELDS
    assert all(not Patient.model_fields[f].is_required() for f in PRACTICE_FIELDS + RED_FLAG_FIELDS)
    assert set(FRACTURE_CAUSES) == {"osteoporosis", "trauma", "tumor", "vascular", "infection", "other"}


def test_assess_refuses_a_dict():
    with pytest.raises(TypeError):
        assess(CANDIDATE)


# ----------------------------------------------------------------- the rules as data

def test_rules_file_has_exactly_the_contract_ids_with_citations_that_resolve():
    rules = load_rules()
    assert [r.id for r in rules] == list(RULE_IDS)
    evidence = load_evidence()
    for rule in rules:
        assert rule.cites == ["kochan2015"], "each rule is the leaflet's"
        for key in rule.note_cites:
            assert key in evidence


def test_evidence_notes_cover_the_documented_discrepancies():
    rules = load_rules()
    assert set(rules["kp_cause_excluded"].note_cites) >= {
        "cand_barr2014_neoplastic", "cand_jensen2009_neoplastic", "cand_cafe2011_cancer",
        "cand_vascular_lesions_history"}
    assert "cand_posterior_wall_perez2021" in rules["posterior_cortical_defect"].note_cites
    assert "cand_nice_ta279" in rules["indication_met"].note_cites
    assert "cand_vertos2_exclusions" in rules["vertebral_infection"].note_cites


def test_rules_table_lists_every_rule_with_a_citation():
    table = rules_markdown()
    for rule_id in RULE_IDS:
        assert f"`{rule_id}`" in table
    assert table.count("[@kochan2015]") == len(RULE_IDS)
