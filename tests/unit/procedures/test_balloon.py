"""The kyphoplasty balloon shows a kyphoplasty cohort's mean gain, labelled as a mean, beside the pooled mean."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.procedures.balloon import (GAIN_ID, POOLED_ID, SEED_DISCREPANCY, BalloonModel, balloon_gains,
                                       default_fracture, full_height_rows, full_height_table)
from widgets.core.citations import Citations
from widgets.core.evidence import load_evidence
from widgets.anatomy.geometry import FractureGeometry, Heights, reference_vertebra
from widgets.procedures.balloon_view import BalloonView

EV = load_evidence()


def test_full_inflation_shows_the_kyphoplasty_cohorts_mean_gain_and_names_the_pooled_mean_as_such():
    g = balloon_gains()
    assert g.anterior == EV.number(GAIN_ID, "anterior_height_gain_mm.mean")
    assert g.middle == EV.number(GAIN_ID, "middle_height_gain_mm.mean")
    assert g.posterior == EV.number(GAIN_ID, "posterior_height_gain_mm.mean")
    assert "kyphoplasty" in EV.entry(GAIN_ID).population.lower()   # a KP-only figure, not a pooled one
    assert g.pooled_anterior == EV.number(POOLED_ID, "anterior_height_gain_mm_KP_and_VP_pooled")
    assert {GAIN_ID, POOLED_ID} <= set(EV.discrepancies[SEED_DISCREPANCY].entries)
    text = g.text()
    assert "means, not the most a balloon can do" in text and "not a kyphoplasty figure and not a ceiling" in text
    assert "at most" not in text and "spread between patients" in text


def test_empty_balloon_changes_nothing_and_full_balloon_adds_the_mean():
    m = BalloonModel()
    assert m.lifted(0) == m.geometry.fractured
    full = m.lifted(1)
    assert full.anterior == pytest.approx(m.geometry.fractured.anterior + float(m.gains.anterior))
    assert full.middle == pytest.approx(m.geometry.fractured.middle + float(m.gains.middle))
    assert full.posterior == m.geometry.fractured.posterior, "the intact back wall of the wedge is not lifted"


def test_the_example_never_gets_its_full_height_back():
    r = BalloonModel().result(1.0)
    assert r.after.fractured.anterior < r.before.expected.anterior
    assert 0 < r.share_of_loss_restored_percent < 100
    assert r.after.height_loss_percent < r.before.height_loss_percent
    assert "Full height would be" in r.text() and "cohort's mean" in r.text()


@settings(max_examples=150, deadline=None)
@given(st.floats(0.3, 1.0), st.floats(0.3, 1.0), st.floats(0.3, 1.0), st.floats(0, 1), st.floats(0, 1))
def test_the_lift_follows_inflation_and_never_passes_the_unfractured_height(fa, fm, fp, i1, i2):
    e = reference_vertebra().expected
    g = FractureGeometry(e, Heights(e.anterior * fa, e.middle * fm, e.posterior * fp), 35.7)
    m = BalloonModel(g)
    low, high = sorted((i1, i2))
    a, b = m.lifted(low), m.lifted(high)
    for region in ("anterior", "middle", "posterior"):
        gain = getattr(b, region) - getattr(g.fractured, region)
        assert 0 <= gain <= high * float(getattr(m.gains, region)) + 1e-9
        assert getattr(b, region) <= getattr(e, region) + 1e-9, "never above the unfractured height"
        assert getattr(a, region) <= getattr(b, region) + 1e-12, "more inflation never lowers the endplate"


@pytest.mark.parametrize("bad", [-0.1, 1.5, "full", None])
def test_impossible_inflation_is_refused(bad):
    with pytest.raises(ValueError, match="balloon inflation"):
        BalloonModel().lifted(bad)


def test_claim_table_sets_the_leaflet_beside_each_trial_entry():
    rows = full_height_rows()
    assert rows[0].cite == "kochan2015" and "full height" in rows[0].measured
    cited = {r.cite for r in rows[1:]}
    assert cited <= set(EV.discrepancies[SEED_DISCREPANCY].entries)
    assert {"hr_marino2025_combined_mm", "hr_winkelmann2018_abc_heights", "hr_palmowski2020_percent_by_timing",
            "hr_beall2018_no_difference"} == cited
    table = full_height_table(Citations().plain)
    assert table.count("\n") == len(rows) + 1 and "p = 0.226" in table


def test_balloon_view_redraws_once_per_move_and_names_what_full_inflation_shows():
    cites = Citations()
    view = BalloonView(cites)
    count = view.drawing.view.render_count
    view.slider.value = 50
    assert view.drawing.view.render_count == count + 1
    assert view.drawing.balloon.get_visible() and "balloon inflated to 50 %" in view.drawing.view.alt
    assert "Balloon at 50 %" in view.status.value and 'role="status"' in view.status.value
    assert cites.html.cite([GAIN_ID, POOLED_ID]) in view.bound.value   # numbered links to the reference list
    assert "not a ceiling" in view.bound.value and "no setting" not in view.bound.value.lower()


def test_default_fracture_is_a_wedge_and_notebook_01s_worked_example():
    from widgets.fractures.texts import EXAMPLES, example_heights
    ref = reference_vertebra()
    assert FractureGeometry(ref.expected, default_fracture(), ref.depth_mm).shape == "wedge"
    worked = {name: example_heights(a, m, p) for name, a, m, p in EXAMPLES}
    assert worked["Front collapsed"] == default_fracture(), "the balloon treats notebook 01's wedge fracture"
