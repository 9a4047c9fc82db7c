"""The anatomy every view draws: each dimension traced to one evidence entry and value, derived
and illustrative dimensions marked as such (also on the figures), and one anatomy everywhere."""

from __future__ import annotations

import re

import pytest
import yaml

from widgets.core.evidence import NotVerifiedError, load_evidence
from widgets.core.loading import ContentError, content_path
from widgets.anatomy.levels import DIMENSIONS, load_anatomy, measured_value

ANATOMY = load_anatomy()
LEVELS = ANATOMY.ids
EV = load_evidence()


def test_the_segment_has_the_five_lumbar_levels_with_their_neighbours():
    assert LEVELS == ["L1", "L2", "L3", "L4", "L5"]
    assert [(ANATOMY.level(i).above, ANATOMY.level(i).below) for i in LEVELS] == [
        ("T12", "L2"), ("L1", "L3"), ("L2", "L4"), ("L3", "L5"), ("L4", "S1")]


@pytest.mark.parametrize("level_id", LEVELS)
def test_every_measured_dimension_is_the_evidence_value_as_printed(level_id):
    """The value drawn is the number in the evidence file: plain, or the mean of 'mean +/- SD'."""
    for d in ANATOMY.level(level_id).all_dimensions():
        if d.status != "measured":
            continue
        raw = EV.raw(d.evidence_id, d.key)
        if d.part is not None:
            raw = raw.split(" / ")[d.part]
        if isinstance(raw, str):
            mean = float(re.match(r"\s*(-?[\d.]+)\s*\+/-", raw).group(1))
            assert d.value == mean and d.printed == raw.strip(), (d.name, raw)
        else:
            assert d.value == raw and d.printed == f"{raw:g}", (d.name, raw)
        assert d.measures and d.evidence_ids() == [d.evidence_id]


def test_the_measured_values_are_those_of_the_named_studies():
    """Spot checks against the evidence entries the issue names (Misiani CT widths and angles, Torun's
    cadaver pedicle lengths, the back wall of grade 2 T11-L2 fractures, L5 CT body)."""
    l1, l2, l4, l5 = (ANATOMY.level(i) for i in ("L1", "L2", "L4", "L5"))
    assert (l1["pedicle_width_mm"], l1["pedicle_angle_deg"]) == (7.2, 19.7)
    assert (l2["pedicle_length_mm"], l4["pedicle_length_mm"]) == (15.3, 13.8)
    assert {l2.dimension("pedicle_length_mm").evidence_id, l4.dimension("pedicle_length_mm").evidence_id} == {
        "an_torun2008_lumbar_pedicle_root"}
    # the measured lengths, not the 9-11 mm the old rule (chord - depth / cos angle) derived
    assert all(ANATOMY.level(i)["pedicle_length_mm"] >= 13.8 for i in LEVELS)
    back = l1.dimension("body_posterior_height_mm")
    assert (back.value, back.evidence_id, back.part) == (30.8, "an_fractured_vb_heights_t11_l2", 1)
    assert "grade 2" in back.measures and "fractures" in back.measures, "says it was measured in fractured bodies"
    assert l2["body_posterior_height_mm"] == 30.2 and "T11 to L2 together" in l2.dimension(
        "body_posterior_height_mm").measures
    assert l1.dimension("fractured_anterior_mm").value == 20.2 and l1.example_fracture() == (20.2, 25.5, 30.8)
    assert (l5["pedicle_width_mm"], l5["pedicle_angle_deg"]) == (14.6, 29.8)
    assert l5.dimension("pedicle_width_mm").evidence_id == "an_misiani_lumbar_pedicle_width_angle"
    assert (l5["body_anterior_height_mm"], l5["body_posterior_height_mm"], l5["body_depth_mm"]) == (30.3, 26.3, 35.7)
    assert l5.dimension("body_depth_mm").evidence_id == "fg_lumbar_L5_cook2021"
    assert l5["pedicle_height_mm"] == 12.9 and l5.dimension("pedicle_height_mm").printed == "12.9 +/- 1.9"


@pytest.mark.parametrize("name", DIMENSIONS)
def test_each_dimension_comes_from_one_source_unless_it_says_what_the_other_measures(name):
    """One study per dimension (pedicle 'width' means different things in different studies); a value from
    another study carries its own words for what it measures."""
    file_text = yaml.safe_load(content_path("anatomy.yaml").read_text(encoding="utf-8"))["measures"][name]
    dims = [ANATOMY.level(i).dimension(name) for i in LEVELS]
    plain = {d.evidence_id for d in dims if d.status == "measured" and d.measures == file_text}
    assert len(plain) <= 1, f"{name} mixes sources {plain}"
    for d in dims:
        if d.status == "measured" and d.measures != file_text:
            assert d.evidence_id not in plain and len(d.measures) > 40, f"{d.owner} {name} says what it measures"


def test_every_drawn_dimension_traces_to_evidence_or_says_it_is_illustrative():
    from widgets.core.evidence import WEAK_CARE_ENTRIES
    for i in LEVELS:
        for d in ANATOMY.level(i).all_dimensions():
            assert d.status in ("measured", "derived", "illustrative"), d
            if d.status == "illustrative":
                assert len(d.how) >= 10, f"{i} {d.name} gives no reason"
            else:
                assert d.evidence_ids(), f"{i} {d.name} names no evidence"
                assert not set(d.evidence_ids()) & set(WEAK_CARE_ENTRIES), f"{i} {d.name} uses a weak entry"
    assert "ps_chinese_lumbar_depth_to_anterior_cortex" in WEAK_CARE_ENTRIES


def test_derived_dimensions_follow_their_rule_from_measured_inputs():
    l1, l2, l3, l4, l5 = (ANATOMY.level(i) for i in LEVELS)
    ipd = l3.dimension("interpedicular_distance_mm")
    assert ipd.status == "derived" and [d.owner for d in ipd.inputs] == ["L1", "L5"]
    assert ipd.value == pytest.approx((l1["interpedicular_distance_mm"] + l5["interpedicular_distance_mm"]) / 2, abs=0.01)
    length = l3.dimension("pedicle_length_mm")
    assert length.status == "derived" and [d.owner for d in length.inputs] == ["L2", "L4"]
    assert length.value == pytest.approx((l2["pedicle_length_mm"] + l4["pedicle_length_mm"]) / 2, abs=0.01)
    # L1 and L5 have no measured length: the study's longest (L2) and shortest (L4) are drawn, and say so
    assert l1.dimension("pedicle_length_mm").status == "illustrative" and "longest" in l1.dimension(
        "pedicle_length_mm").how
    assert l5.dimension("pedicle_length_mm").status == "illustrative" and "shortest" in l5.dimension(
        "pedicle_length_mm").how


def test_the_upper_lumbar_bodies_are_rectangular_not_l5s_wedge():
    """L1-L4 drew L5's wedge-shaped (lordotic) body; now front and back walls are equally high, and the
    front wall's value says it is drawn like the back wall (illustrative)."""
    for i in ("L1", "L2", "L3", "L4"):
        lv = ANATOMY.level(i)
        a, _, p = lv.expected_heights()
        assert a == p and lv.dimension("body_anterior_height_mm").status == "illustrative"
        assert "as high as the back wall" in lv.dimension("body_anterior_height_mm").how
    a5, _, p5 = ANATOMY.level("L5").expected_heights()
    assert a5 > p5, "L5 keeps its measured wedge"


def test_illustrative_dimensions_say_why_and_are_named_on_every_figure():
    from widgets.anatomy.fluoro import FluoroViews
    views = FluoroViews("L1")
    l1 = ANATOMY.level("L1")
    illustrative = [d for d in l1.dims.values() if d.status == "illustrative"]
    assert {d.name for d in illustrative} == {"body_anterior_height_mm", "body_depth_mm", "pedicle_height_mm",
                                              "pedicle_length_mm", "canal_depth_mm"}
    for d in l1.illustrative():
        assert len(d.how) >= 10, f"{d.name} gives no reason"
    for d in illustrative:
        assert d.label in views.note.get_text(), f"the figure does not say {d.label} is illustrative"
        assert d.label in views.view.alt
    l5_note = ANATOMY.level("L5").illustrative_note()
    assert "body depth" not in l5_note and "neighbouring vertebrae" in l5_note


def test_values_the_evidence_could_not_read_are_refused():
    with pytest.raises(NotVerifiedError):
        measured_value(EV, "an_lawal2024_lumbar_pedicle_width_ct", "L5_pedicle_width_CT_mm")   # cut off
    with pytest.raises(NotVerifiedError):
        measured_value(EV, "an_kim2009_thoracic_pedicle_rib_unit_ct", "T5_transverse_outer_pedicle_diameter_mm")
    with pytest.raises(NotVerifiedError):
        measured_value(EV, "an_greek2005_pedicle_extremes", "L5_external_transverse_diameter_mm")  # with a range
    assert measured_value(EV, "pf_rad_one_vs_two_fluoroscopes_pvp", "patient_dose_two_fluoro_mSv")[0] == 0.95


def _broken(tmp_path, edit) -> str:
    data = yaml.safe_load(content_path("anatomy.yaml").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "anatomy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_anatomy(path)
    return str(info.value)


def test_a_dimension_pointing_at_an_unverified_value_names_file_field_and_fix(tmp_path):
    def edit(d):
        d["levels"][4]["dimensions"]["pedicle_width_mm"] = {"evidence": "an_lawal2024_lumbar_pedicle_width_ct",
                                                           "key": "L5_pedicle_width_CT_mm"}
        d["levels"][0]["dimensions"]["pedicle_width_mm"] = {"evidence": "an_lawal2024_lumbar_pedicle_width_ct",
                                                           "key": "L1_pedicle_width_CT_mm"}
        for lv in d["levels"][1:4]:
            lv["dimensions"]["pedicle_width_mm"] = {"interpolate": ["L1", "L5"]}
    msg = _broken(tmp_path, edit)
    assert "anatomy.yaml" in msg and "pedicle_width_mm" in msg and "Fix:" in msg


def test_two_sources_for_one_dimension_are_refused(tmp_path):
    def edit(d):
        d["levels"][4]["dimensions"]["pedicle_width_mm"] = {"evidence": "an_nepal_dry_lumbar_pedicle_width",
                                                           "key": "L5_left_pedicle_width_mm"}
    assert "one source" in _broken(tmp_path, edit)


def test_a_missing_dimension_or_a_reasonless_illustration_is_refused(tmp_path):
    def drop(d):
        del d["levels"][2]["dimensions"]["canal_depth_mm"]
    msg = _broken(tmp_path, drop)
    assert "canal_depth_mm" in msg and "line" in msg

    def no_reason(d):
        d["shape"]["body_width_mm"] = {"illustrative": 50}
    assert "reason" in _broken(tmp_path, no_reason)


def test_one_anatomy_everywhere():
    """Notebook 01's reference vertebra, the side view, the stepper's views and the height explorer's
    L5 are all the anatomy's L5."""
    from widgets.anatomy.geometry import reference_vertebra
    from widgets.outcomes.height import default_explorer
    l5 = ANATOMY.level("L5")
    ref = reference_vertebra()
    assert (ref.expected.anterior, ref.expected.middle, ref.expected.posterior) == l5.expected_heights()
    assert ref.depth_mm == l5["body_depth_mm"] and ref.evidence_id == l5.dimension("body_depth_mm").evidence_id
    state = default_explorer().explore("L5", 30.0, "kyphoplasty")
    assert tuple(float(v) for v in state.expected.values()) == l5.expected_heights()
    assert float(state.depth) == l5["body_depth_mm"]
