"""Outcome data: every shown value traces to a verified evidence figure; nothing unverified is a number."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.core.citations import Citations
from widgets.core.loading import ContentError
from widgets.core.evidence import Reported, NotVerifiedError, load_evidence
from widgets.core.numbers import Derived, count_figures, fill, leaves, parse_count, recompute
from widgets.outcomes.model import (ItemSpec, build_row, default_outcomes, grade_patient_answer, load_outcomes,
                                    load_patient_questions, outcome_table_md)
from widgets.core.loading import content_path

EV = load_evidence()
OUT = default_outcomes()


def all_numbers(outcome):
    nums = list(outcome.numbers)
    for panel in outcome.panels:
        for row in panel.rows:
            nums += list(row.numbers)
        for s in panel.series:
            nums += s["means"] + s["sds"]
    return nums


def test_every_number_of_every_outcome_recomputes_from_the_evidence():
    checked = 0
    for outcome in OUT.outcomes.values():
        for number in all_numbers(outcome):
            assert recompute(EV, number) == pytest.approx(float(number), abs=1e-12), number
            for leaf in leaves(number):
                assert isinstance(leaf, Reported), f"{outcome.id}: {leaf} is not an evidence figure"
                base = leaf.key.partition("#")[0]
                assert base not in EV.unverified_values(leaf.evidence_id), (
                    f"{leaf.evidence_id}.{base} is marked not verified but is shown")
            checked += 1
    assert checked > 100   # the eight outcomes show well over a hundred numbers


def test_not_verified_entries_never_become_numbers():
    shown = {(leaf.evidence_id, leaf.key) for o in OUT.outcomes.values() for n in all_numbers(o)
             for leaf in leaves(n)}
    # Xing 2013: its CI was cut off and its unit not printed, so its MD is not shown at all.
    assert not [k for k in shown if k[0] == "hr_xing2013_anterior_height"]
    # Patel 2022's pooled height numbers and the 7-RCT outlier are listed as not plotted.
    assert not [k for k in shown if k[0] in ("hr_patel2022_scope", "hr_meta7rct_cm")]
    not_plotted = {x.evidence for x in OUT.outcome("height_restoration").spec.not_plotted}
    assert {"hr_xing2013_anterior_height", "hr_patel2022_scope", "hr_meta7rct_cm"} <= not_plotted


@pytest.mark.parametrize("evidence, field, key", [
    ("hr_patel2022_scope", "point", "pooled_height_numbers"),
    ("hr_xing2013_anterior_height", "spread", "ci95"),
    ("pain_vertos2_open_label", "point", "between_group_VAS_difference"),
    ("nf_beall2018_bkp", "spread", None),
])
def test_build_row_refuses_unverified_values(evidence, field, key):
    if evidence == "nf_beall2018_bkp":   # CI upper bound 'cut off'
        item = ItemSpec(id="x", label="Beall", arm="kyphoplasty", evidence=evidence,
                        point="subsequent_fracture_BKP_percent",
                        spread={"kind": "ci95", "low": "ci95_low", "high": "ci95_high"})
    elif field == "point":
        item = ItemSpec(id="x", label="bad value", arm="pooled", evidence=evidence, point=key)
    else:
        item = ItemSpec(id="x", label="bad spread", arm="difference", evidence=evidence, direction="favours KP",
                        point="anterior_height_mean_difference_KP_minus_VP", spread={"kind": "ci95", "key": key})
    with pytest.raises(NotVerifiedError):
        build_row(EV, item)


def test_disagreeing_height_sources_are_both_shown_and_never_averaged():
    height = OUT.outcome("height_restoration")
    ids = {r.evidence_id for r in height.rows}
    assert {"hr_josr2018_smd", "hr_beall2018_no_difference"} <= ids
    beall = next(r for r in height.rows if r.evidence_id == "hr_beall2018_no_difference")
    assert "0.226" in beall.statement and "0.293" in beall.statement
    for outcome in OUT.outcomes.values():
        for number in all_numbers(outcome):
            if isinstance(number, Derived):
                sources = {leaf.evidence_id for leaf in leaves(number)}
                assert len(sources) == 1, f"{number.name} mixes sources {sources}"


def test_each_plotted_value_has_its_spread_and_kind():
    for outcome in OUT.outcomes.values():
        for row in outcome.rows:
            assert row.evidence_type == EV.entry(row.evidence_id).evidence_type
            if row.spread_kind in ("ci95", "range"):
                assert row.low is not None and row.high is not None
                assert float(row.low) <= float(row.high)
                if row.value is not None:
                    assert float(row.low) <= float(row.value) <= float(row.high), row.label
    winkelmann = next(r for r in OUT.outcome("height_restoration").rows if r.item.id == "winkelmann_anterior_mm")
    assert (winkelmann.spread_kind, float(winkelmann.sd)) == ("sd", 2.9)
    assert float(winkelmann.low) == pytest.approx(1.5 - 2.9) and float(winkelmann.high) == pytest.approx(1.5 + 2.9)


def test_pain_trials_are_flagged_sham_open_label_or_acute():
    rows = {r.item.id: r for r in OUT.outcome("pain_trials").rows}
    for rid in ("buchbinder_sham", "invest_1mo", "vertos4_1mo"):
        assert rows[rid].design == "sham-controlled RCT" and rows[rid].item.group == "sham_controlled"
    for rid in ("free_kp", "vertos2_open"):
        assert rows[rid].design == "open-label RCT" and rows[rid].item.group == "open_label"
    assert rows["vapour_vp"].item.group == "acute"
    # VERTOS IV triplets are [difference, low, high]: the one-month row reads them in that order.
    v4 = rows["vertos4_1mo"]
    assert [float(v4.value), float(v4.low), float(v4.high)] == [0.41, -0.33, 1.15]
    times = OUT.outcome("pain_timecourse").panels[0].series
    kp, vp = times
    assert [float(m) for m in kp["means"]] == [7.4, 4.1, 3.4, 3.0]   # KP column of Evans 2016
    assert [float(m) for m in vp["means"]] == [7.9, 3.7, 3.6, 2.3]


def test_leakage_by_detection_and_new_fractures_beside_the_natural_rate():
    leak = {r.item.id: r for r in OUT.outcome("cement_leakage").rows}
    assert leak["kaviar_kp_ct"].item.detection == "CT" and leak["kaviar_vp_ct"].item.detection == "CT"
    # KAVIAR reports 157/214 (73%): shown as reported, with its counts.
    assert float(leak["kaviar_kp_ct"].value) == 73 and [float(x) for x in leak["kaviar_kp_ct"].count] == [157, 214]
    nf = {r.item.id: r for r in OUT.outcome("new_fractures").rows}
    assert float(nf["lindsay_natural"].value) == 19.2 and nf["lindsay_natural"].item.group == "natural_history"
    # VERTOS II reports counts only: the percentage is derived and records its inputs.
    v2 = nf["vertos2_nf_vp"]
    assert isinstance(v2.value, Derived) and float(v2.value) == pytest.approx(100 * 15 / 91)
    assert [f.key for f in v2.value.inputs] == ["patients_with_new_VCF.VP#n", "patients_with_new_VCF.VP#N"]


@pytest.mark.parametrize("text, expected", [
    ("157/214 (73%)", (157, 214, 73.0)),
    ("24 (44%)", (24, None, 44.0)),
    ("213 of 532 (reported as 39.3%)", (213, 532, 39.3)),
    ("35/85 patients (41%)", (35, 85, 41.0)),
    ("1/191", (1, 191, None)),
])
def test_parse_count(text, expected):
    assert parse_count(text) == expected


def test_parse_count_refuses_text():
    with pytest.raises(ValueError):
        parse_count("similar improvements (no numbers in abstract)")
    with pytest.raises((NotVerifiedError, ValueError)):
        count_figures(EV, "hr_patel2022_scope", "pooled_height_numbers")


def test_fill_traces_placeholders_and_refuses_unverified():
    text, used = fill(EV, "gain {hr_marino2025_combined_mm:anterior_height_gain_mm_KP_and_VP_pooled} mm")
    assert text == "gain 3.48 mm" and used[0].evidence_id == "hr_marino2025_combined_mm"
    with pytest.raises(NotVerifiedError):
        fill(EV, "{hr_xing2013_anterior_height:ci95}")


def test_table_lists_every_row_with_spread_kind_and_citation():
    cites = Citations().plain
    table = outcome_table_md(OUT.outcome("height_restoration"), cites)
    assert ("| Anterior wall, KP CT cohort (mean) | KP | 1.5 | SD 2.9, the spread between patients, not the uncertainty "
            "of the mean (mean ± SD: -1.4 to 4.4) | cohort study (retrospective) |") in table
    assert "95% CI -1.86 to -0.67" in table
    assert cites.cite("hr_beall2018_no_difference") in table
    assert "3.67" not in table and "7.1" not in table


def _bad_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = content_path("outcomes.yaml").read_text(encoding="utf-8")
    assert old in text
    line = text[:text.index(old)].count("\n") + 1
    path = tmp_path / "outcomes.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, line


def test_unknown_evidence_id_names_file_line_and_id(tmp_path):
    path, line = _bad_copy(tmp_path, "evidence: hr_winkelmann2018_abc_heights", "evidence: hr_winkelman2018")
    with pytest.raises(ContentError) as err:
        load_outcomes(path)
    msg = str(err.value)
    assert str(path) in msg and f"line {line}" in msg and "hr_winkelman2018" in msg and "Fix:" in msg


def test_not_verified_key_is_a_content_error(tmp_path):
    path, line = _bad_copy(tmp_path, "point: postoperative_vertebral_body_height_SMD",
                           "point: n_studies_typo")
    with pytest.raises(ContentError) as err:
        load_outcomes(path)
    assert f"line {line}" in str(err.value) and "hr_josr2018_smd" in str(err.value)
    path, line = _bad_copy(tmp_path, "{hr_marino2025_combined_mm:anterior_height_gain_mm_KP_and_VP_pooled} mm\n",
                           "{hr_patel2022_scope:pooled_height_numbers} mm\n")
    with pytest.raises(ContentError) as err:
        load_outcomes(path)
    assert "hr_patel2022_scope" in str(err.value) and "never shown" in str(err.value)


def test_schema_error_names_the_item(tmp_path):
    path, line = _bad_copy(tmp_path, "arm: pooled", "arm: pooledd")
    with pytest.raises(ContentError) as err:
        load_outcomes(path)
    assert f"line {line}" in str(err.value) and "marino_anterior_mm" in str(err.value)


def test_patient_questions_load_and_grade():
    questions = load_patient_questions()
    assert len(questions) >= 1
    for q in questions:
        right = [o for o in q.options if o.correct]
        assert len(right) == 1
        verdict = grade_patient_answer(q, right[0].id)
        assert verdict.correct and "{" not in verdict.feedback
        for n in verdict.numbers:
            assert recompute(EV, n) == float(n)
    with pytest.raises(ValueError, match="choose"):
        grade_patient_answer(questions[0], None)
    with pytest.raises(ValueError, match="not an answer"):
        grade_patient_answer(questions[0], "nonsense")


def test_patient_question_with_two_right_answers_is_refused(tmp_path):
    text = content_path("patient_questions.yaml").read_text(encoding="utf-8")
    path = tmp_path / "pq.yaml"
    path.write_text(text.replace("correct: false", "correct: true", 1), encoding="utf-8")
    with pytest.raises(ContentError, match="exactly one correct option"):
        load_patient_questions(path)



def test_values_whose_names_contain_a_dot_are_read_and_traced():
    from widgets.core.numbers import lookup, number
    assert lookup(EV, "cl_pvp_3175_leak_types", "PCE_by_PMMA_volume.3.5_to_7.0_mL") == "0.11%"
    text, used = fill(EV, "{cl_pvp_3175_leak_types:PCE_by_PMMA_volume.gt_7.0_mL#percent} %")
    assert text == "0.9 %" and recompute(EV, used[0]) == 0.9
    with pytest.raises(KeyError):
        lookup(EV, "cl_pvp_3175_leak_types", "PCE_by_PMMA_volume.gt_8_mL")
    with pytest.raises(NotVerifiedError):
        number(EV, "hr_patel2022_scope", "pooled_height_numbers")


def test_share_placeholder_is_the_percentage_the_counts_give():
    text, used = fill(EV, "{cl_esj2023_symptomatic:leaks_PVP#share}")
    assert text == "40.0" and isinstance(used[0], Derived) and recompute(EV, used[0]) == pytest.approx(100 * 213 / 532)


@pytest.mark.parametrize("printed, n, total, ok", [(73, 157, 214, True), (39.3, 213, 532, False), (28.9, 143, 493, False),
                                                   (16, 11, 68, True), (60, 38, 63, True), (12, 11, 91, True)])
def test_a_printed_percentage_is_checked_against_its_counts(printed, n, total, ok):
    from widgets.outcomes.model import percent_matches
    fig = lambda v: Reported(float(v), "x", "k")   # noqa: E731 - only the values matter here
    assert percent_matches(fig(printed), fig(n), fig(total)) is ok


def test_a_between_group_item_without_a_direction_is_refused(tmp_path):
    path, line = _bad_copy(tmp_path, "            direction: below one favours KP\n", "")
    with pytest.raises(ContentError) as err:
        load_outcomes(path)
    assert "josr_leak_rr" in str(err.value) and "which sign favours which arm" in str(err.value)


def test_a_teaching_section_that_quotes_an_unverified_value_names_the_file_and_line(tmp_path):
    from widgets.core.sections import load_sections
    text = content_path("teaching_sections.yaml").read_text(encoding="utf-8")
    old = "{pain_invest_1yr:crossover_control_to_VP#n}"
    line = text[:text.rindex("- >-", 0, text.index(old))].count("\n") + 1   # the bullet that quotes it
    bad = tmp_path / "teaching_sections.yaml"
    bad.write_text(text.replace(old, "{pain_vertos2_open_label:between_group_VAS_difference}", 1), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_sections(bad)
    msg = str(err.value)
    assert str(bad) in msg and f"line {line}" in msg and "pain_vertos2_open_label" in msg and "never shown" in msg
    bad.write_text(text.replace("[@cl_xiao_meta]", "[@cl_xiao_metaa]", 1), encoding="utf-8")
    with pytest.raises(ContentError, match="cl_xiao_metaa"):
        load_sections(bad)


@pytest.mark.parametrize("kind, design", [("systematic review (no meta-analysis)", "systematic review"),
                                          ("meta-analysis (systematic review, no pooling)", "systematic review"),
                                          ("RCT (open-label)", "open-label RCT"), ("meta-analysis", "meta-analysis"),
                                          ("cohort analysis of RCT placebo arms", "cohort"),
                                          ("RCT (placebo-controlled)", "sham-controlled RCT")])
def test_design_flags_name_the_kind_of_study_correctly(kind, design):
    from widgets.outcomes.model import design_of
    assert design_of(kind) == design


def test_a_number_printed_inside_a_text_value_is_read_as_printed_and_traced():
    """Issue 20: the third part of the evidence prints many figures inside text ('within 24 hours', '9 (95% CI
    3-25)'); #num0, #num1, ... read them in order, as printed, and each stays a traced Figure."""
    import re
    from widgets.outcomes.model import fmt
    raw = EV.raw("rf_nice_qs56_statements_3_and_6", "statement_3_as_stored")
    text, used = fill(EV, "{rf_nice_qs56_statements_3_and_6:statement_3_as_stored#num0}")
    assert used[0].key == "statement_3_as_stored#num0" and f"within {text} hours" in raw
    assert recompute(EV, used[0]) == float(text)
    # a range is two numbers, never a negative one; a CI's '95' is counted where it is printed
    raw = EV.raw("rf_downie2013_red_flags_fracture_malignancy", "fracture_post_test_probability_pct.older_age")
    parts = count_figures(EV, "rf_downie2013_red_flags_fracture_malignancy", "fracture_post_test_probability_pct.older_age")
    assert [fmt(parts[f"num{i}"]) for i in range(4)] == re.findall(r"\d+", raw)
    # a minus sign that is printed stays; thousands are read whole
    md = count_figures(EV, "cc_knopp_sihota2012_calcitonin", "acute_pain_at_rest_week1_MD")
    assert md["num0"].value < 0 and fmt(md["num0"]) in EV.raw("cc_knopp_sihota2012_calcitonin", "acute_pain_at_rest_week1_MD")
    assert fill(EV, "{rf_ces_girft_pathway:suspected_cases_per_year_England#num0}")[0] == "8000"
    with pytest.raises(NotVerifiedError):          # there is no tenth number
        fill(EV, "{rf_nice_qs56_statements_3_and_6:statement_3_as_stored#num9}")
    with pytest.raises(NotVerifiedError):          # a value the evidence file marks as cut off is never a number
        fill(EV, "{cl_pce_ct_josr2021:PVP_vs_PKP#num0}")
