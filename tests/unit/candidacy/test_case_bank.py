"""The shipped case bank agrees with the rules; malformed banks fail with a useful message."""

from __future__ import annotations

import re

import pytest
import yaml

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.bank import CaseBankError
from widgets.candidacy.rules import RULE_IDS, assess
from widgets.core.loading import ContentError, content_path

BANK = load_case_bank()
CASE_IDS = [c.id for c in BANK.cases]

ONE_CASE = """\
cases:
  - id: ok-case
    title: A good case
    history: A 70-year-old woman with severe pain from an osteoporotic fracture.
    findings:
      compression_fracture: true
      fracture_cause: osteoporosis
      severe_back_pain: true
      pain_relieved_by_medication_and_bed_rest: false
      posterior_cortical_defect: false
      vertebral_infection: false
      pain_from_herniated_disc: false
    expected: {vertebroplasty: true, kyphoplasty: true, deciding_rules: [indication_met]}
"""


def test_at_least_thirty_written_vignettes():
    assert len(BANK) >= 30
    for case in BANK.cases:
        assert len(case.history.split()) >= 25, f"{case.id}: a history in prose"


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_each_vignettes_stated_answer_equals_the_engine(case_id):
    case = BANK.case(case_id)
    result = assess(case.patient)
    assert case.expected.vertebroplasty == result.vertebroplasty.eligible
    assert case.expected.kyphoplasty == result.kyphoplasty.eligible
    assert set(case.expected.deciding_rules) == set(result.deciding_rules)


def test_every_rule_is_exercised_by_some_case():
    used = {r for c in BANK.cases for r in c.expected.deciding_rules}
    assert used == set(RULE_IDS) | {"urgent_referral"}     # and a red flag above the leaflet's rules


def test_the_hard_combinations_are_in_the_bank():
    def has(pred):
        return any(pred(c.patient, assess(c.patient)) for c in BANK.cases)
    assert has(lambda p, a: p.fracture_cause == "tumor" and a.vertebroplasty.eligible
               and not a.kyphoplasty.eligible), "tumour fracture: VP yes, KP not recommended"
    assert has(lambda p, a: p.vertebral_infection and not a.vertebroplasty.eligible), "an infected vertebra"
    assert has(lambda p, a: p.pain_relieved_by_medication_and_bed_rest and p.compression_fracture
               and a.deciding_rules == ("pain_relieved",)), "pain that settled with medication"
    assert has(lambda p, a: p.pain_from_herniated_disc and p.compression_fracture
               and a.deciding_rules == ("herniated_disc",)), "disc pain with an old healed fracture"
    # The old fracture is recorded as healed (no oedema), and the history says so in words.
    assert any(c.findings.fracture_healed and c.findings.pain_from_herniated_disc and "no marrow oedema"
               in c.history and "disc" in c.history for c in BANK.cases)


def test_case_ids_are_unique():
    assert len(set(CASE_IDS)) == len(CASE_IDS)


def test_an_instructors_bank_loads(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(ONE_CASE, encoding="utf-8")
    bank = load_case_bank(path)
    assert [c.id for c in bank.cases] == ["ok-case"]


# ----------------------------------------------------------------- malformed banks

def broken(tmp_path, text: str) -> CaseBankError:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_case_bank(path)
    err = info.value
    assert isinstance(err, CaseBankError) and isinstance(err, ContentError)
    message = str(err)
    assert str(path) in message, "names the file"
    assert "\n" not in message, "one line"
    return err


def test_bad_yaml_names_the_line(tmp_path):
    err = broken(tmp_path, ONE_CASE.replace("    title: A good case", "    title: [unclosed"))
    assert err.line is not None and "line" in str(err)


def test_missing_field_names_the_case_and_field(tmp_path):
    err = broken(tmp_path, ONE_CASE.replace("      severe_back_pain: true\n", ""))
    message = str(err)
    assert "ok-case" in message and "severe_back_pain" in message and "missing" in message
    assert err.line == 6


def test_unknown_value_names_the_case_field_and_value(tmp_path):
    err = broken(tmp_path, ONE_CASE.replace("fracture_cause: osteoporosis", "fracture_cause: cancer"))
    message = str(err)
    assert "ok-case" in message and "fracture_cause" in message and "'cancer'" in message
    assert err.line == 7


def test_unknown_rule_in_answer_is_named(tmp_path):
    err = broken(tmp_path, ONE_CASE.replace("[indication_met]", "[too_old]"))
    assert "deciding_rules" in str(err) and "ok-case" in str(err)


def test_duplicate_case_id_names_the_id_and_line(tmp_path):
    second = ONE_CASE.split("cases:\n", 1)[1]
    err = broken(tmp_path, ONE_CASE + second)
    message = str(err)
    assert "ok-case" in message and "twice" in message and "id" in message
    assert err.line == 14, "the line of the second id (the bank above is 13 lines)"


def test_wrong_stated_answer_is_refused(tmp_path):
    err = broken(tmp_path, ONE_CASE.replace("kyphoplasty: true", "kyphoplasty: false"))
    assert "expected.kyphoplasty" in str(err) and "ok-case" in str(err)


def test_inconsistent_findings_name_both_fields(tmp_path):
    err = broken(tmp_path, ONE_CASE.replace("compression_fracture: true", "compression_fracture: false"))
    assert "fracture_cause" in str(err) and "compression_fracture" in str(err) and "ok-case" in str(err)


@pytest.mark.parametrize("text, why", [
    ("- id: a\n- id: b\n", "a list"),
    ("just some words\n", "a string"),
    ("", "an empty file"),
    ("# only a comment\n", "only a comment"),
    ("cases: []\n", "no cases"),
    ("cases: 3\n", "cases not a list"),
    ("title: x\n", "no cases key"),
    ("? [a, b]\n: c\n", "an unhashable key"),
])
def test_not_a_bank_at_all(tmp_path, text, why):
    err = broken(tmp_path, text)
    assert err.field is not None or err.line is not None or "empty" in str(err), why


def test_missing_file(tmp_path):
    with pytest.raises(CaseBankError, match="does not exist"):
        load_case_bank(tmp_path / "nope.yaml")


def test_nothing_half_loaded(tmp_path):
    """A bank whose last case is bad gives no cases at all, not the good ones before it."""
    data = yaml.safe_load(content_path("cases.yaml").read_text(encoding="utf-8"))
    data["cases"][-1]["findings"]["severe_back_pain"] = "sometimes"
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = None
    with pytest.raises(CaseBankError) as info:
        result = load_case_bank(path)
    assert result is None
    assert data["cases"][-1]["id"] in str(info.value)
    assert re.search(r"line \d+", str(info.value))
