"""Genant grades at and between the thresholds; height loss, wedge angle and shape."""

from __future__ import annotations

import math

import pytest

from widgets.anatomy.geometry import (FractureGeometry, Heights, genant_grade, genant_thresholds,
                               sagittal_outline, wedge_angle_deg)


def test_thresholds_come_from_the_evidence():
    t = genant_thresholds()
    assert (t.grade1_from, t.grade2_from, t.grade3_above) == (20, 25, 40)
    assert t.evidence_id == "fg_genant_sq_grades"


@pytest.mark.parametrize("loss,grade", [
    (0, 0), (10, 0), (19.99, 0),
    (20, 1), (22.5, 1), (24.99, 1),
    (25, 2), (30, 2), (40, 2),
    (40.01, 3), (55, 3), (100, 3),
])
def test_genant_grade_between_and_at_thresholds(loss, grade):
    assert genant_grade(loss) == grade


@pytest.mark.parametrize("bad", [-1, 100.5, float("nan"), "lots", None])
def test_genant_grade_refuses_impossible_losses(bad):
    with pytest.raises(ValueError, match="height loss"):
        genant_grade(bad)


def test_wedge_fracture_geometry():
    g = FractureGeometry(expected=Heights(30, 29, 28), fractured=Heights(18, 26, 28), depth_mm=35)
    assert g.region_loss_percent()["anterior"] == pytest.approx(40.0)
    assert g.height_loss_percent == pytest.approx(40.0)
    assert g.grade == 2
    assert g.shape == "wedge"
    assert g.wedge_angle_deg == pytest.approx(math.degrees(math.atan(10 / 35)))


def test_biconcave_and_crush_shapes():
    biconcave = FractureGeometry(Heights(30, 30, 30), Heights(28, 18, 28), 35)
    assert biconcave.shape == "biconcave" and biconcave.grade == 2 and biconcave.wedge_angle_deg == 0
    crush = FractureGeometry(Heights(30, 30, 30), Heights(16, 16, 16), 35)
    assert crush.grade == 3 and crush.height_loss_percent == pytest.approx(100 * 14 / 30)
    assert crush.shape == "crush", "an even collapse of the whole body is a crush"
    posterior = FractureGeometry(Heights(30, 30, 30), Heights(29, 27, 20), 35)
    assert posterior.shape == "crush" and posterior.wedge_angle_deg < 0


def test_no_fracture_has_no_shape():
    assert FractureGeometry(Heights(30, 30, 30), Heights(29, 29, 29), 35).shape == "none"


def test_impossible_geometry_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="above its expected height"):
        FractureGeometry(Heights(30, 30, 30), Heights(31, 30, 30), 35)
    with pytest.raises(ValueError, match="middle height must be above 0 mm"):
        Heights(30, 0, 30)
    with pytest.raises(ValueError, match="depth"):
        wedge_angle_deg(20, 30, 0)


def test_outline_passes_through_the_three_heights():
    outline = sagittal_outline(Heights(18, 24, 28), 35)
    assert outline[0] == (0.0, 0.0) and outline[-1] == (35, 0.0)
    assert (0.0, 18) in outline and (17.5, 24) in outline and (35, 28) in outline
