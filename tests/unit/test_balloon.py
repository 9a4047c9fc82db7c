"""The kyphoplasty balloon never shows more height than trials measured, and says so."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.procedures.balloon import (BOUND_ID, SEED_DISCREPANCY, BalloonModel, balloon_bounds, default_fracture,
                             full_height_rows, full_height_table)
from widgets.core.citations import Citations
from widgets.core.evidence import load_evidence
from widgets.fractures.geometry import FractureGeometry, Heights, reference_vertebra
from widgets.procedures.balloon_view import BalloonView

EV = load_evidence()


def test_bounds_are_the_verified_pooled_gains():
    b = balloon_bounds()
    assert b.anterior == EV.number(BOUND_ID, "anterior_height_gain_mm_KP_and_VP_pooled")
    assert b.middle == EV.number(BOUND_ID, "central_height_gain_mm_KP_and_VP_pooled")
    assert BOUND_ID in EV.discrepancies[SEED_DISCREPANCY].entries
    assert BOUND_ID in b.text() and str(b.anterior) in b.text()


def test_empty_balloon_changes_nothing_and_full_balloon_adds_the_bound():
    m = BalloonModel()
    assert m.lifted(0) == m.geometry.fractured
    full = m.lifted(1)
    assert full.anterior == pytest.approx(m.geometry.fractured.anterior + float(m.bounds.anterior))
    assert full.posterior == m.geometry.fractured.posterior


def test_the_example_never_gets_its_full_height_back():
    r = BalloonModel().result(1.0)
    assert r.after.fractured.anterior < r.before.expected.anterior
    assert 0 < r.share_of_loss_restored_percent < 100
    assert r.after.height_loss_percent < r.before.height_loss_percent
    assert "Full height would be" in r.text()


@settings(max_examples=150, deadline=None)
@given(st.floats(0.3, 1.0), st.floats(0.3, 1.0), st.floats(0.3, 1.0), st.floats(0, 1), st.floats(0, 1))
def test_no_fracture_and_no_inflation_exceeds_the_evidence(fa, fm, fp, i1, i2):
    e = reference_vertebra().expected
    g = FractureGeometry(e, Heights(e.anterior * fa, e.middle * fm, e.posterior * fp), 35.7)
    m = BalloonModel(g)
    low, high = sorted((i1, i2))
    a, b = m.lifted(low), m.lifted(high)
    bound = m.bounds
    assert 0 <= b.anterior - g.fractured.anterior <= float(bound.anterior) + 1e-9
    assert 0 <= b.middle - g.fractured.middle <= float(bound.middle) + 1e-9
    assert b.anterior <= e.anterior and b.middle <= e.middle, "never above the unfractured height"
    assert a.anterior <= b.anterior and a.middle <= b.middle, "more inflation never lowers the endplate"


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
    table = full_height_table(Citations().cite)
    assert table.count("\n") == len(rows) + 1 and "p = 0.226" in table


def test_balloon_view_redraws_once_per_move_and_names_its_bound():
    view = BalloonView(Citations())
    count = view.drawing.view.render_count
    view.slider.value = 50
    assert view.drawing.view.render_count == count + 1
    assert view.drawing.balloon.get_visible() and "balloon inflated to 50 %" in view.drawing.view.alt
    assert "Balloon at 50 %" in view.status.value and 'role="status"' in view.status.value
    assert BOUND_ID in view.bound.value


def test_default_fracture_is_a_wedge():
    ref = reference_vertebra()
    assert FractureGeometry(ref.expected, default_fracture(), ref.depth_mm).shape == "wedge"
