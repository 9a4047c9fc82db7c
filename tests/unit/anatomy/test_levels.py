"""The anatomy every view draws: each dimension traced to one evidence entry and value, derived
and illustrative dimensions marked as such (also on the figures), and one anatomy everywhere."""

from __future__ import annotations

import math
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
        if isinstance(raw, str):
            mean = float(re.match(r"\s*(-?[\d.]+)\s*\+/-", raw).group(1))
            assert d.value == mean and d.printed == raw.strip(), (d.name, raw)
        else:
            assert d.value == raw and d.printed == f"{raw:g}", (d.name, raw)
        assert d.measures and d.evidence_ids() == [d.evidence_id]


def test_the_measured_values_are_those_of_the_named_studies():
    """Spot checks against the evidence entries the issue names (Misiani CT widths and angles, L5 CT body)."""
    l1, l5 = ANATOMY.level("L1"), ANATOMY.level("L5")
    assert (l1["pedicle_width_mm"], l1["pedicle_angle_deg"], l1["chord_length_mm"]) == (7.2, 19.7, 48.6)
    assert (l5["pedicle_width_mm"], l5["pedicle_angle_deg"]) == (14.6, 29.8)
    assert l5.dimension("pedicle_width_mm").evidence_id == "an_misiani_lumbar_pedicle_width_angle"
    assert (l5["body_anterior_height_mm"], l5["body_posterior_height_mm"], l5["body_depth_mm"]) == (30.3, 26.3, 35.7)
    assert l5.dimension("body_depth_mm").evidence_id == "fg_lumbar_L5_cook2021"
    assert l5["pedicle_height_mm"] == 12.9 and l5.dimension("pedicle_height_mm").printed == "12.9 +/- 1.9"


@pytest.mark.parametrize("name", DIMENSIONS)
def test_each_dimension_comes_from_one_source(name):
    sources = {ANATOMY.level(i).dimension(name).evidence_id for i in LEVELS
               if ANATOMY.level(i).dimension(name).status == "measured"}
    assert len(sources) <= 1, f"{name} mixes sources {sources}"


def test_derived_dimensions_follow_their_rule_from_measured_inputs():
    l1, l3, l5 = (ANATOMY.level(i) for i in ("L1", "L3", "L5"))
    ipd = l3.dimension("interpedicular_distance_mm")
    assert ipd.status == "derived" and [d.owner for d in ipd.inputs] == ["L1", "L5"]
    assert ipd.value == pytest.approx((l1["interpedicular_distance_mm"] + l5["interpedicular_distance_mm"]) / 2, abs=0.01)
    length = l5.dimension("pedicle_length_mm")
    assert length.status == "derived"
    expected = l5["chord_length_mm"] - l5["body_depth_mm"] / math.cos(math.radians(l5["pedicle_angle_deg"]))
    assert length.value == pytest.approx(expected, abs=0.01)
    # a value computed from an illustrative input is itself illustrative
    assert l1.dimension("pedicle_length_mm").status == "illustrative"
    assert "illustrative body depth" in l1.dimension("pedicle_length_mm").how


def test_illustrative_dimensions_say_why_and_are_named_on_every_figure():
    from widgets.anatomy.fluoro import FluoroViews
    views = FluoroViews("L1")
    l1 = ANATOMY.level("L1")
    illustrative = [d for d in l1.dims.values() if d.status == "illustrative"]
    assert {d.name for d in illustrative} == {"body_anterior_height_mm", "body_posterior_height_mm", "body_depth_mm",
                                              "pedicle_height_mm", "canal_depth_mm"}
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
