"""Case titles never give the answer away: a neutral label (the patient's name and age), the history first."""

from __future__ import annotations

import re

import pytest

from widgets.candidacy.bank import CaseBankError, deciding_names, key_words, load_case_bank, title_gives_away
from widgets.candidacy.practice import assess_practice, reason_title
from widgets.candidacy.red_flags import URGENT
from widgets.candidacy.rules import assess
from widgets.candidacy.vignettes import generate

BANK = load_case_bank()

CASE = """\
cases:
  - id: {cid}
    title: {title}
    history: >-
      {history}
    findings:
      compression_fracture: {fracture}
      fracture_cause: {cause}
      severe_back_pain: true
      pain_relieved_by_medication_and_bed_rest: false
      posterior_cortical_defect: false
      vertebral_infection: {infection}
      pain_from_herniated_disc: false
    expected: {expected}
"""
INFECTION_NO_FRACTURE = dict(
    history="A 54-year-old man who injects drugs has severe back pain and a fever; MRI shows an infected disc and "
            "no fracture.", fracture="false", cause="null", infection="true",
    expected="{vertebroplasty: false, kyphoplasty: false, deciding_rules: [no_fracture, vertebral_infection]}")
CANDIDATE = dict(
    history="A 70-year-old woman with osteoporosis has a fresh fracture of L1 and severe pain that painkillers "
            "and bed rest have not eased.", fracture="true", cause="osteoporosis", infection="false",
    expected="{vertebroplasty: true, kyphoplasty: true, deciding_rules: [indication_met]}")


def names_of_what_decides(patient) -> set[str]:
    """Key words of the deciding rules' names under both standards, and of the red flag and its flags."""
    leaflet, practice = assess(patient), assess_practice(patient)
    names = [reason_title(r) for r in leaflet.deciding_rules + practice.deciding_rules]
    if leaflet.red_flags:
        names += [reason_title(URGENT)] + [f.title for f in leaflet.red_flags]
    return set().union(*(key_words(n) for n in names))


@pytest.mark.parametrize("case", list(BANK), ids=lambda c: c.id)
def test_no_case_title_shares_a_key_word_with_what_decides_it(case):
    shared = key_words(case.title) & names_of_what_decides(case.patient)
    assert not shared, f"{case.id}: the title '{case.title}' gives away {sorted(shared)}"


def test_titles_are_neutral_labels_a_name_and_an_age_that_the_history_confirms():
    for case in BANK:
        m = re.fullmatch(r"[A-Z][a-z]+ [A-Z][A-Za-z']+, (\d{2})", case.title)
        assert m, f"{case.id}: '{case.title}' is not a name and an age"
        assert f"{m.group(1)}-year-old" in case.history, f"{case.id}: the age agrees with the history"
    assert len({c.title for c in BANK}) == len(BANK), "every label its own"


def test_generated_practice_titles_give_nothing_away_either():
    for seed in range(6):
        for v in generate(seed, 40):
            assert not title_gives_away(v), (v.id, v.title)
            assert v.title.startswith("Practice case:")


def test_the_key_words_and_what_decides_a_case():
    assert key_words("Walking the dog again") == {"walk", "again"}
    assert key_words("A broken back wall") == {"broken", "back", "wall"}
    c05 = BANK.case("c05-breast-metastasis")
    assert reason_title("kp_cause_excluded") in deciding_names(c05.patient), "the leaflet's reason counts too"
    flagged = next(c for c in BANK if assess(c.patient).red_flags)
    assert reason_title(URGENT) in deciding_names(flagged.patient) or any(
        f.title in deciding_names(flagged.patient) for f in assess(flagged.patient).red_flags)


def test_a_title_that_gives_the_answer_away_is_refused_with_the_file_line_and_fix(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(CASE.format(cid="c28", title="An infection without a fracture", **INFECTION_NO_FRACTURE),
                    encoding="utf-8")
    with pytest.raises(CaseBankError) as info:
        load_case_bank(path)
    message = str(info.value)
    assert "bank.yaml, line 3" in message and "title" in message and "'c28'" in message
    assert "gives the answer away" in message and "'fracture'" in message and "'infection'" in message
    assert "Fix: use a neutral label" in message and "\n" not in message
    path.write_text(CASE.format(cid="c28", title="Luis Evans, 54", **INFECTION_NO_FRACTURE), encoding="utf-8")
    assert load_case_bank(path).case("c28").title == "Luis Evans, 54"


def test_a_title_used_twice_is_refused(tmp_path):
    path = tmp_path / "bank.yaml"
    one = CASE.format(cid="a", title="Ada Moreno, 70", **CANDIDATE)
    two = CASE.format(cid="b", title="ada  moreno, 70", **CANDIDATE).replace("cases:\n", "")
    path.write_text(one + two, encoding="utf-8")
    with pytest.raises(CaseBankError, match=r"title 'ada +moreno, 70' is used twice \(first at case 1\)"):
        load_case_bank(path)
