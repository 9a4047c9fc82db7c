"""The height-restoration explorer model: typical dimensions, fracture, band, wedge angle, assumptions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.core.evidence import Reported, load_evidence
from widgets.anatomy.geometry import FractureGeometry, genant_grade, wedge_angle_deg
from widgets.outcomes.height import LOSS_MAX, SHAPE_LABELS, ExplorerInputError, default_explorer
from widgets.core.numbers import Choice, Derived, leaves, recompute

EV = load_evidence()
HX = default_explorer()


def test_typical_dimensions_come_from_the_evidence_entries():
    l5 = HX.explore("L5", 30, "kyphoplasty")
    assert float(l5.expected.anterior) == EV.number("fg_lumbar_L5_cook2021", "L5_anterior_height_mm.mean").value
    assert float(l5.expected.posterior) == EV.number("fg_lumbar_L5_cook2021", "L5_posterior_height_mm.mean").value
    assert float(l5.depth) == EV.number("fg_lumbar_L5_cook2021", "L5_superior_AP_length_mm.mean").value
    t9 = HX.explore("T9", 30, "kyphoplasty")
    assert float(t9.expected.anterior) == EV.number("fg_thoracic_heights_egwu2019", "anterior_VBH_mm.T9.mean").value
    # No verified thoracic depth: nothing is drawn to scale and no wedge angle is computed.
    assert t9.depth is None and t9.wedge_before is None and t9.wedge_after is None
    assert "not verified" in t9.depth_note


@pytest.mark.parametrize("shape", list(SHAPE_LABELS))
@pytest.mark.parametrize("loss", [21.0, 30.0, 45.0])
def test_fracture_has_the_chosen_loss_grade_and_shape(shape, loss):
    state = HX.explore("L5", loss, "kyphoplasty", shape)
    geo = FractureGeometry(state.expected.heights(), state.fractured.heights(), float(state.depth))
    # Genant's loss is the largest loss of the three walls: it is the chosen loss for every shape.
    assert geo.height_loss_percent == pytest.approx(loss)
    assert state.grade == geo.grade == genant_grade(loss)
    assert geo.shape == shape


def test_kyphoplasty_band_is_fractured_plus_mean_minus_and_plus_sd():
    state = HX.explore("L5", 30, "kyphoplasty", "wedge")
    mean = EV.number("hr_winkelmann2018_abc_heights", "anterior_height_gain_mm.mean").value
    sd = EV.number("hr_winkelmann2018_abc_heights", "anterior_height_gain_mm.sd").value
    frac = float(state.fractured.anterior)
    assert float(state.band_low.anterior) == pytest.approx(frac + mean - sd)
    assert float(state.band_high.anterior) == pytest.approx(frac + mean + sd)
    assert float(state.band_mean.anterior) == pytest.approx(frac + mean)
    # The posterior wall of a wedge fracture lost nothing, so nothing is added to it.
    assert float(state.band_high.posterior) == float(state.fractured.posterior)
    # Share of the lost anterior height given back by the mean + SD gain.
    lost = float(state.expected.anterior) - frac
    assert float(state.restored_percent["anterior"][1]) == pytest.approx(100 * (mean + sd) / lost)


def test_band_never_lifts_a_wall_above_its_expected_height():
    # L5 wedge, 21 % loss: the middle lost 30.3 * 0.21 / 2 = 3.2 mm, less than the middle
    # gain's mean + SD (2.1 + 2.9 = 5.0 mm), so the upper edge of the band stops at the expected height,
    # and the state says so (a limit of the model, not a full restoration).
    state = HX.explore("L5", 21, "kyphoplasty", "wedge")
    for region in ("anterior", "middle", "posterior"):
        assert float(state.band_high[region]) <= float(state.expected[region]) + 1e-9
    assert float(state.band_high.middle) == pytest.approx(float(state.expected.middle))
    assert "middle" in state.capped and "anterior" not in state.capped
    assert float(state.restored_percent["anterior"][1]) < 100


@pytest.mark.parametrize("shape, principal", [("wedge", ("anterior",)), ("biconcave", ("middle",)),
                                              ("crush", ("anterior", "middle", "posterior"))])
def test_a_share_restored_is_given_only_where_the_chosen_loss_applies(shape, principal):
    """The '96.4 % restored' middle of a wedge was an artefact: the model gave the middle half the anterior
    loss, then applied a gain measured in fractures of every shape.  Such walls get heights, not a share."""
    for procedure in ("kyphoplasty", "vertebroplasty"):
        state = HX.explore("L5", 30, procedure, shape)
        assert state.principal == principal
        assert set(state.restored_percent) <= set(principal)
        assert set(state.pooled_percent) <= set(principal)
    wedge = HX.explore("L5", 30, "vertebroplasty", "wedge")
    assert "middle" in wedge.pooled and "middle" not in wedge.pooled_percent   # the height is still drawn


def test_vertebroplasty_gets_no_invented_band():
    state = HX.explore("L5", 30, "vertebroplasty", "wedge")
    assert state.band_low is None and state.band_high is None and state.restored_percent == {}
    used = {leaf.evidence_id for n in state.numbers() for leaf in leaves(n) if isinstance(leaf, Reported)}
    assert "hr_winkelmann2018_abc_heights" not in used, "a KP cohort figure must not stand in for VP"
    # Only the pooled KP + VP line, labelled as pooled, plus the plain statement that no VP figure exists.
    assert set(state.pooled) == {"anterior", "middle"}
    assert any("No verified study reports vertebroplasty" in text for text, _ in state.notes)
    marino = EV.number("hr_marino2025_combined_mm", "anterior_height_gain_mm_KP_and_VP_pooled").value
    assert float(state.pooled["anterior"]) == pytest.approx(float(state.fractured.anterior) + marino)


def test_wedge_angle_before_and_after():
    state = HX.explore("L5", 30, "kyphoplasty", "wedge")
    depth = float(state.depth)
    assert float(state.wedge_before) == pytest.approx(
        wedge_angle_deg(float(state.fractured.anterior), float(state.fractured.posterior), depth))
    assert float(state.wedge_before) > float(state.wedge_expected)   # the fracture adds kyphosis
    low, high = state.wedge_after
    assert float(low) <= float(high)
    # A larger anterior gain (mean + SD) gives the smaller (less kyphotic) angle.
    assert float(low) == pytest.approx(wedge_angle_deg(float(state.band_high.anterior),
                                                       float(state.band_high.posterior), depth))


def test_every_assumption_names_an_entry_key_and_value_or_a_rule():
    state = HX.explore("L5", 30, "kyphoplasty", "wedge")
    named = set()
    for a in state.assumptions:
        if a.evidence_id:
            assert EV.raw(a.evidence_id, a.key) == a.value, a.text()
            named.add((a.evidence_id, a.key))
        else:
            assert a.meaning.startswith("rule:")
    for number in state.numbers():
        for leaf in leaves(number):
            if isinstance(leaf, Reported):
                assert (leaf.evidence_id, leaf.key) in named, f"{leaf} is used but not named as an assumption"


@settings(max_examples=60, deadline=None)
@given(level=st.sampled_from(["L5", "T9", "T2"]), loss=st.floats(0, LOSS_MAX),
       procedure=st.sampled_from(["kyphoplasty", "vertebroplasty"]), shape=st.sampled_from(list(SHAPE_LABELS)))
def test_any_state_is_consistent_and_fully_traced(level, loss, procedure, shape):
    state = HX.explore(level, loss, procedure, shape)
    for number in state.numbers():
        assert isinstance(number, (Reported, Derived, Choice))
        assert recompute(EV, number) == pytest.approx(float(number), abs=1e-9)
    for region in ("anterior", "middle", "posterior"):
        assert 0 < float(state.fractured[region]) <= float(state.expected[region]) + 1e-9
        if state.band_low is not None:
            assert float(state.band_low[region]) <= float(state.band_mean[region]) <= float(state.band_high[region])
            assert float(state.band_low[region]) > 0
    for low, high in state.restored_percent.values():
        assert float(low) <= float(high) <= 100 + 1e-9


@pytest.mark.parametrize("grade", [0, 1, 2, 3])
def test_severity_by_genant_grade_lands_in_that_grade(grade):
    assert genant_grade(HX.loss_for_grade(grade)) == grade


@pytest.mark.parametrize("args, words", [
    (("L5", 80, "kyphoplasty"), "between 0 and 75"),
    (("L5", math.nan, "kyphoplasty"), "between 0 and 75"),
    (("L5", "lots", "kyphoplasty"), "number of percent"),
    (("C2", 30, "kyphoplasty"), "unknown level"),
    (("L5", 30, "cement"), "procedure must be"),
])
def test_bad_input_gets_a_plain_message(args, words):
    with pytest.raises(ExplorerInputError, match=words):
        HX.explore(*args)
    with pytest.raises(ExplorerInputError, match="Genant grade"):
        HX.loss_for_grade(4)
