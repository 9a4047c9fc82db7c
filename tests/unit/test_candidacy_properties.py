"""Properties: every valid patient gets a decision with reasons; malformed banks raise only our error."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Loading the rules and evidence the first time takes longer than hypothesis's default deadline.
NO_DEADLINE = settings(deadline=None)

from widgets.candidacy.rules import (
    FRACTURE_CAUSES, PATIENT_FIELDS, REASON_IDS, RULE_IDS, CaseBankError, Patient, assess, exclusions_for_both,
    load_case_bank,
)
from widgets.candidacy.vignettes import generate, scenario_rule_fires


@st.composite
def patients(draw):
    fracture = draw(st.booleans())
    return Patient(
        compression_fracture=fracture,
        fracture_cause=draw(st.sampled_from(FRACTURE_CAUSES)) if fracture else None,
        severe_back_pain=draw(st.booleans()),
        pain_relieved_by_medication_and_bed_rest=draw(st.booleans()),
        posterior_cortical_defect=draw(st.booleans()),
        vertebral_infection=draw(st.booleans()),
        pain_from_herniated_disc=draw(st.booleans()),
    )


@NO_DEADLINE
@given(patients())
def test_every_valid_patient_gets_a_decision_with_reasons(p):
    a = assess(p)
    for d in (a.vertebroplasty, a.kyphoplasty):
        assert isinstance(d.eligible, bool)
        assert d.reasons, "never empty"
        assert all(r.id in RULE_IDS and r.explanation for r in d.reasons)
        # A candidate is decided by the indication alone; a non-candidate never by it.
        assert (d.rule_ids == ("indication_met",)) == d.eligible
    assert a.deciding_rules and set(a.deciding_rules) <= set(RULE_IDS)


@NO_DEADLINE
@given(patients())
def test_kyphoplasty_is_never_more_permissive_than_vertebroplasty(p):
    a = assess(p)
    assert not (a.kyphoplasty.eligible and not a.vertebroplasty.eligible)
    # VP is eligible exactly when no both-procedure exclusion applies (the leaflet's rules).
    assert a.vertebroplasty.eligible == (not exclusions_for_both(p))


@given(st.integers(min_value=0, max_value=10**6))
@settings(max_examples=30, deadline=None)
def test_generated_vignettes_exercise_every_rule(seed):
    cases = generate(seed, len(REASON_IDS))
    assert {v.scenario for v in cases} == set(REASON_IDS), "every rule of both standards in one round"
    assert all(scenario_rule_fires(v) for v in cases)
    assert generate(seed, 3) == generate(seed, 3)[:3] == cases[:3], "seeded: same seed, same cases"


# ----------------------------------------------------------------- malformed banks

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
finding_values = st.one_of(st.booleans(), st.sampled_from(list(FRACTURE_CAUSES) + ["cancer", "yes", ""]),
                           st.none(), st.integers())


@st.composite
def near_valid_banks(draw):
    """Banks that look right but have random findings, missing fields or stray keys."""
    cases = []
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        findings = {f: draw(finding_values) for f in PATIENT_FIELDS if draw(st.booleans()) or True}
        if draw(st.booleans()):
            findings.pop(draw(st.sampled_from(PATIENT_FIELDS)), None)
        case = {"id": draw(st.sampled_from(["a", "b", f"c{i}", "", "x y"])), "title": "A title",
                "history": "A history that is long enough to pass the length check.",
                "findings": findings,
                "expected": {"vertebroplasty": draw(st.booleans()), "kyphoplasty": draw(st.booleans()),
                             "deciding_rules": draw(st.lists(st.sampled_from(list(RULE_IDS) + ["nope"]),
                                                             max_size=3))}}
        if draw(st.booleans()):
            case[draw(st.sampled_from(["extra", "findings", "expected", "title"]))] = draw(values)
        cases.append(case)
    return yaml.safe_dump({"cases": cases})


def _load(tmp_path_factory, text: str):
    path = tmp_path_factory.mktemp("bank") / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_case_bank(path)
    except CaseBankError as err:
        assert str(path) in str(err)
        assert "\n" not in str(err)


@given(st.text(max_size=200))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
def test_random_text_only_raises_our_error(tmp_path_factory, text):
    _load(tmp_path_factory, text)


@given(values)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
def test_random_structures_only_raise_our_error(tmp_path_factory, data):
    _load(tmp_path_factory, yaml.safe_dump(data))


@given(near_valid_banks())
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
def test_near_valid_banks_only_raise_our_error(tmp_path_factory, text):
    _load(tmp_path_factory, text)


@given(st.lists(st.sampled_from(["cases:", "  - id: a", "    findings:", "      x: [", "? [1]", ": 2",
                                 "- !!python/object:os.system", "  &a [*a]", "\t", "---", "...", "%YAML 1.1",
                                 "{", "}", "'", '"', "cases: *x"]), max_size=8))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
def test_yaml_fragments_only_raise_our_error(tmp_path_factory, lines):
    _load(tmp_path_factory, "\n".join(lines) + "\n")
