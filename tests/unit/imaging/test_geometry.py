"""Geometry of the needle exercise: the projection into both views (and the barrel view, end-on along
both angles), pedicle breach at and either side of the wall, the medial-wall rule at and either side
of the posterior wall, the target (the midline of the front third through one pedicle), the front
cortex, the straight needle that must fail and the taught path that must pass, and grading that
compares region ids and numbers, never sentences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.core.evidence import load_evidence
from widgets.anatomy import camera
from widgets.anatomy.camera import Needle
from widgets.imaging import grading
from widgets.imaging.grading import AORTA, NEURAL, SEGMENTAL, grade
from widgets.anatomy import segment as segment_module
from widgets.anatomy.levels import level as anatomy_level
from widgets.anatomy.needle_path import ENTRY_LATERAL, ENTRY_UP, needle_at, planned_needle, taught_needle
from widgets.anatomy.segment import segment

FRACTURE = (20.0, 23.0, 26.3)
LEVELS = ["L1", "L2", "L3", "L4", "L5"]
STEP = 1e-3   # mm: "either side" of a wall


# ------------------------------------------------------------------ one camera model, two views

def test_a_point_on_the_needle_lands_where_expected_in_both_views():
    """Entry (12, 45, 18), 20 degrees medial, 10 degrees caudal, 30 mm in: worked out by hand."""
    n = Needle((12.0, 45.0, 18.0), medial_deg=20, caudal_deg=10, depth=30, side=1)
    a, b = math.radians(20), math.radians(10)
    x = 12 - 30 * math.sin(a) * math.cos(b)
    y = 45 - 30 * math.cos(a) * math.cos(b)
    z = 18 - 30 * math.sin(b)
    assert n.tip == pytest.approx([x, y, z])
    assert camera.ap().project(n.tip) == pytest.approx([x, z]), "front view: left-right and height"
    assert camera.lateral().project(n.tip) == pytest.approx([y, z]), "side view: front-back and height"


def test_the_needle_is_a_straight_line_in_each_view_and_the_views_share_height():
    n = Needle((15.0, 44.0, 20.0), medial_deg=25, caudal_deg=-8, depth=40, side=1)
    pts = np.array([n.point(t) for t in np.linspace(0, 40, 9)])
    for cam in (camera.ap(), camera.lateral(), camera.ap(18, (14.0, 40.0))):
        uv = cam.project(pts)
        direction = uv[-1] - uv[0]
        cross = direction[0] * (uv[:, 1] - uv[0, 1]) - direction[1] * (uv[:, 0] - uv[0, 0])
        assert np.allclose(cross, 0, atol=1e-9), f"{cam.name}: the needle is not straight"
    assert np.allclose(camera.ap().project(pts)[:, 1], camera.lateral().project(pts)[:, 1])


@settings(max_examples=60, deadline=None)
@given(st.floats(-40, 40), st.floats(-10, 90), st.floats(-30, 60), st.floats(0, 30))
def test_views_agree_on_height_and_lateral_ignores_left_right(x, y, z, phi):
    p = np.array([x, y, z])
    for cam in (camera.ap(), camera.lateral(), camera.ap(phi, (12.0, 40.0))):
        assert cam.project(p)[1] == pytest.approx(z)
    assert camera.lateral().project(p + np.array([7.0, 0, 0])) == pytest.approx(camera.lateral().project(p))
    assert camera.ap().project(p + np.array([0, 9.0, 0])) == pytest.approx(camera.ap().project(p))


@pytest.mark.parametrize("level_id", LEVELS)
def test_the_barrel_view_sees_the_pedicle_end_on(level_id):
    """Turned to the pedicle's angle, the C-arm sees the pedicle's axis, and a needle along it, as a point."""
    seg = segment(level_id)
    ped = seg.pedicle
    axis = [np.array([float(ped.centre_x(y)), y, ped.z_centre]) for y in (ped.y_back, ped.y_mid, ped.y_front)]
    barrel = camera.ap(ped.angle_deg, (float(ped.centre_x(ped.y_mid)), ped.y_mid))
    us = [barrel.project(p)[0] for p in axis]
    assert max(us) - min(us) == pytest.approx(0, abs=1e-9)
    assert abs(camera.ap().project(axis[0])[0] - camera.ap().project(axis[-1])[0]) > 1.0, "not a point on the true AP"
    along = Needle(tuple(axis[0]), ped.angle_deg, 0.0, 30.0)
    assert barrel.project(along.tip)[0] == pytest.approx(us[0])


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 45), st.floats(-20, 30), st.floats(5, 60))
def test_the_barrel_view_turned_and_tilted_sees_a_needle_at_both_angles_as_a_point(medial, caudal, depth):
    """The C-arm turned by the needle's medial angle and tilted by its caudal angle looks along it: the
    whole needle, entry to tip, lands on one point of the image (turning alone leaves a caudal needle a line)."""
    n = Needle((18.0, 50.0, 25.0), medial, caudal, depth)
    barrel = camera.ap(medial, (15.0, 42.0, 22.0), 1, caudal)
    ends = barrel.project(np.array([n.entry, n.point(depth / 2), n.tip]))
    assert np.ptp(ends, axis=0) == pytest.approx([0.0, 0.0], abs=1e-9)
    if depth * math.sin(math.radians(abs(caudal))) > 1:
        turned_only = camera.ap(medial, (15.0, 42.0, 22.0), 1).project(np.array([n.entry, n.tip]))
        assert np.hypot(*(turned_only[1] - turned_only[0])) > 0.5, "without the tilt it is a line"
    # and the picture still stands upright: a vertical line stays vertical in the image
    up = barrel.project(np.array([[10.0, 30.0, 0.0], [10.0, 30.0, 10.0]]))
    assert up[1, 0] == pytest.approx(up[0, 0]) and up[1, 1] > up[0, 1]


# ------------------------------------------------------------------ pedicle breach at and either side of the wall

def _parallel_needle(seg, lateral_offset: float, depth: float = 40.0) -> Needle:
    """A needle parallel to the pedicle's axis, ``lateral_offset`` half-widths from it (1 = on the wall)."""
    ped = seg.pedicle
    y = seg.entry_y
    x = float(ped.centre_x(y)) + lateral_offset * ped.half_x
    return Needle((x, y, ped.z_centre), ped.angle_deg, 0.0, depth)


@pytest.mark.parametrize("level_id", LEVELS)
@pytest.mark.parametrize("offset, breached", [(1 - STEP, False), (1.0, False), (1 + STEP, True),
                                              (-(1 - STEP), False), (-1.0, False), (-(1 + STEP), True)])
def test_a_needle_along_the_wall_breaches_only_beyond_it(level_id, offset, breached):
    seg = segment(level_id, FRACTURE)
    g = grade(seg, _parallel_needle(seg, offset))
    assert g.pedicle_ok is (not breached)
    if breached:
        assert g.breach.wall == ("lateral" if offset > 0 else "medial") and g.breach.depth == 0.0


@pytest.mark.parametrize("level_id", LEVELS)
def test_a_needle_angled_too_far_medially_breaches_the_medial_wall_where_the_geometry_says(level_id):
    """From the centre of the pedicle's back, 40 degrees more medial than the pedicle: the axis leaves
    the pedicle at t* = half-width / (sin a - tan(angle) cos a).  At t* - step, at t* and at t* + step."""
    seg = segment(level_id, FRACTURE)
    ped = seg.pedicle
    a = math.radians(ped.angle_deg + 40)
    t_star = ped.half_x / (math.sin(a) - ped.tan * math.cos(a))
    assert t_star * math.cos(a) < ped.y_back - ped.y_front, "the exit lies within the pedicle"
    entry = (float(ped.centre_x(seg.entry_y)), seg.entry_y, ped.z_centre)
    for depth, breached in ((t_star - STEP, False), (t_star, False), (t_star + STEP, True)):
        g = grade(seg, Needle(entry, ped.angle_deg + 40, 0.0, depth))
        assert g.pedicle_ok is (not breached), (depth, t_star)
    g = grade(seg, Needle(entry, ped.angle_deg + 40, 0.0, t_star + 1))
    assert g.breach.wall == "medial" and g.breach.depth == pytest.approx(t_star)
    lateral, up = ped.normalised(np.array(g.breach.point))
    assert lateral ** 2 + up ** 2 == pytest.approx(1.0), "the breach point lies on the wall"


def test_a_steep_caudal_needle_breaches_the_lower_wall():
    seg = segment("L5", FRACTURE)
    ped = seg.pedicle
    b = math.radians(40)
    t_star = (ped.height / 2) / math.sin(b)
    entry = (float(ped.centre_x(seg.entry_y)), seg.entry_y, ped.z_centre)
    assert grade(seg, Needle(entry, ped.angle_deg, 40, t_star - STEP)).pedicle_ok
    g = grade(seg, Needle(entry, ped.angle_deg, 40, t_star + STEP))
    assert not g.pedicle_ok and g.breach.wall == "inferior"
    up = grade(seg, Needle(entry, ped.angle_deg, -40, t_star + STEP))
    assert up.breach.wall == "superior"


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(LEVELS), st.floats(-1.3, 1.3), st.floats(-1.3, 1.3), st.floats(-10, 45), st.floats(-25, 25))
def test_the_exact_breach_agrees_with_sampling_the_path(level_id, du, dv, medial, caudal):
    """Sample the needle's axis every 0.01 mm through the pedicle: inside before the breach, outside after."""
    seg = segment(level_id, FRACTURE)
    ped = seg.pedicle
    y = seg.entry_y
    n = Needle((float(ped.centre_x(y)) + du * ped.half_x, y, ped.z_centre + dv * ped.height / 2), medial, caudal, 60)
    g = grade(seg, n)
    t_wall = n.depth_to_y(seg.depth)
    ts = np.arange(0, t_wall, 0.01)
    inside = np.array([bool(ped.inside(n.point(t))) for t in ts])
    if g.pedicle_ok:
        assert inside.all() or (~inside).sum() <= 1, "graded inside, but a sample lies outside"
    else:
        before = ts < g.breach.depth - 0.02
        after = (ts > g.breach.depth + 0.02) & (ts < g.breach.depth + 0.3)
        assert inside[before].all()
        assert after.sum() == 0 or not inside[after].all()


# ------------------------------------------------------------------ the medial-wall rule

@pytest.mark.parametrize("level_id", LEVELS)
def test_medial_wall_rule_at_and_either_side_of_the_posterior_wall(level_id):
    """Aim so that the tip reaches the AP medial-wall line exactly as it reaches the posterior wall:
    that passes; a hair more medial crosses the line first and fails; a hair less passes."""
    seg = segment(level_id, FRACTURE)
    ped = seg.pedicle
    medial = ped.angle_deg + 10
    run = (seg.entry_y - seg.depth) * math.tan(math.radians(medial))
    x_exact = ped.medial_wall_x + run            # the line hits (medial wall line, posterior wall)
    for shift, ok in ((0.0, True), (-STEP, False), (STEP, True)):
        n = Needle((x_exact + shift, seg.entry_y, ped.z_centre), medial, 0.0, 30.0)
        g = grade(seg, n)
        assert g.medial_rule_ok is ok, (shift, g.medial_crossing, g.posterior_wall)
    bad = grade(seg, Needle((x_exact - 1, seg.entry_y, ped.z_centre), medial, 0.0, 30.0))
    assert bad.medial_crossing < bad.posterior_wall
    problem = next(p for p in bad.problems if p.check == "medial_wall_rule")
    assert "spinal canal" in problem.text and "pf_medial_wall_rule_textbook" in problem.cites


def test_the_rule_only_counts_once_the_tip_gets_there():
    seg = segment("L1", FRACTURE)
    ped = seg.pedicle
    entry = (float(ped.centre_x(seg.entry_y)), seg.entry_y, ped.z_centre)
    n = Needle(entry, 45, 0, 0.5)          # steeply medial, but hardly advanced
    assert grade(seg, n).medial_rule_ok
    assert not grade(seg, n.advanced(25)).medial_rule_ok


# ------------------------------------------------------------------ the target zone

@pytest.mark.parametrize("level_id", LEVELS)
def test_the_textbook_path_passes_all_four_checks(level_id):
    for heights in (None, FRACTURE, anatomy_level(level_id).example_fracture()):
        seg = segment(level_id, heights)
        g = grade(seg, planned_needle(seg))
        assert g.passed and g.problems == () and g.tip_region == "body_front_third", g.summary()
        assert g.tip_where == "in the front third of the vertebral body"


@pytest.mark.parametrize("level_id", LEVELS)
@pytest.mark.parametrize("approach", ["unilateral", "bilateral"])
def test_the_taught_superolateral_path_at_the_taught_angles_passes(level_id, approach):
    """Entry at the upper outer part of the back of the pedicle, the angles to the whole degree and the
    depth to the millimetre as the sliders set them: all four checks hold, through one pedicle (tip at the
    midline of the front third) and through two (tip in this side's front third)."""
    seg = segment(level_id, anatomy_level(level_id).example_fracture())
    n = taught_needle(seg, approach)
    ped = seg.pedicle
    lateral, up = (float(v) for v in ped.normalised(np.asarray(n.entry)))
    assert lateral > 0.3 and up > 0.3, "the entry is superolateral (upper outer) on the pedicle"
    assert (n.medial_deg, n.caudal_deg, n.depth) == (round(n.medial_deg), round(n.caudal_deg), round(n.depth))
    g = grade(seg, n, approach)
    assert g.passed, g.summary()
    if approach == "unilateral":
        assert n.medial_deg > ped.angle_deg, "reaching the midline takes more than the pedicle's own angle"
        assert abs(n.tip[0]) <= seg.target_half_width()


@pytest.mark.parametrize("level_id", LEVELS)
def test_the_straight_needle_from_the_default_start_fails_at_every_depth_and_says_why(level_id):
    """Test mode's default start: the centre of the back of the pedicle, 0 degrees medial and caudal.
    Pushed straight in it never reaches the target, because the pedicle converges toward the midline
    and the target (one pedicle) is the midline of the front third: the tip stays 14 mm or more to the
    side, and at L1 to L3 the needle leaves the pedicle through its outer wall, measured lengths being
    long enough for the converging pedicle to pass it."""
    seg = segment(level_id, anatomy_level(level_id).example_fracture())
    ped = seg.pedicle
    start = needle_at(seg, abs(float(ped.centre_x(ped.y_back))), ped.z_centre, 0, 0, 0)
    reasons = set()
    for depth in np.arange(0.0, 70.5, 0.5):
        g = grade(seg, start.advanced(float(depth)))
        assert not g.passed, f"passed {depth} mm in"
        reasons |= {p.code for p in g.problems}
        if g.tip_region == "body_front_third":
            assert g.problems[-1].code == "beside_target" and g.beside_target_mm > 5
    assert abs(start.tip[0]) > seg.target_half_width() + 5
    assert {"short"} <= reasons and reasons & {"beside_target", "beside_body", "through_front"}
    if level_id in ("L1", "L2", "L3"):
        assert "breach_lateral" in reasons


@pytest.mark.parametrize("level_id", LEVELS)
def test_a_breach_of_the_front_cortex_is_caught_and_names_the_great_vessels(level_id):
    seg = segment(level_id, anatomy_level(level_id).example_fracture())
    n = planned_needle(seg)
    inside = grade(seg, n)
    assert inside.front_ok and inside.front_breach_depth is None
    ts = np.arange(n.depth, n.depth + 40, 0.05)
    out = next(t for t in ts if not seg.in_body(n.point(t)))
    through = grade(seg, n.advanced(out + 1.0))
    assert not through.front_ok and not through.passed
    assert out - 0.06 <= through.front_breach_depth <= out + 0.3
    problem = next(p for p in through.problems if p.check == "front_cortex")
    ev = load_evidence()
    mean = grading.mean_sd(ev.raw(AORTA, "shortest_aorta_vertebra_distance_mm"))[0]
    assert "aorta" in problem.text and f"{mean} mm" in problem.text and AORTA in problem.cites


def test_rewording_the_feedback_cannot_change_a_grade(monkeypatch):
    """Every check compares region ids and numbers: replace every sentence the grader or the anatomy can
    say with nonsense, and every grade (checks, codes, numbers) stays the same."""
    cases = []
    for level_id in LEVELS:
        seg = segment(level_id, FRACTURE)
        ped = seg.pedicle
        plan = planned_needle(seg)
        cases += [(seg, plan.advanced(d)) for d in (3, 20, 35, plan.depth, plan.depth + 15)]
        cases += [(seg, needle_at(seg, abs(float(ped.centre_x(seg.entry_y))), ped.z_centre, m, c, d))
                  for m, c, d in ((0, 0, 45), (40, 0, 30), (20, -20, 42), (30, 25, 50))]

    def key(g):
        return (g.results, g.tip_region, [p.code for p in g.problems], g.metrics, g.short_mm, g.beside_target_mm)
    before = [key(grade(seg, n)) for seg, n in cases]
    words = {k: f"zz {i} middle third back third pedicle disc beside" for i, k in enumerate(segment_module.REGION_WORDS)}
    monkeypatch.setattr(segment_module, "REGION_WORDS", words)
    monkeypatch.setattr(grading, "REGION_WORDS", words)
    monkeypatch.setattr(grading, "BREACH_DANGER", {k: ("x", key_, "nonsense {mm}") for k, (_, key_, _)
                                                   in grading.BREACH_DANGER.items()})
    after = [key(grade(seg, n)) for seg, n in cases]
    assert after == before
    assert grade(*cases[0]).tip_where.startswith("zz"), "the words did change"


@pytest.mark.parametrize("level_id", LEVELS)
def test_target_zone_at_and_either_side_of_the_front_third(level_id):
    seg = segment(level_id, FRACTURE)
    plan = planned_needle(seg)
    to_third = plan.depth_to_y(seg.target_y)
    assert grade(seg, plan.advanced(to_third)).target_ok, "exactly at the end of the front third"
    assert grade(seg, plan.advanced(to_third + STEP)).target_ok
    short = grade(seg, plan.advanced(to_third - STEP))
    assert not short.target_ok and short.problems[-1].code == "short"
    # further on, the tip leaves the body through its (curved) front wall
    ts = np.arange(to_third, to_third + 40, 0.005)
    out = next(t for t in ts if not seg.in_body(plan.point(t)))
    assert grade(seg, plan.advanced(out - 0.01)).target_ok
    through = grade(seg, plan.advanced(out + 0.5))
    assert not through.target_ok and {p.code for p in through.problems} & {"through_front", "beside_body"}


def test_a_tip_in_front_of_the_body_has_gone_through_its_front_wall():
    seg = segment("L3", FRACTURE)
    n = Needle((0.0, seg.depth - 5, 10.0), 0.0, 0.0, seg.depth - 3)    # on the midline, 2 mm past the front
    g = grade(seg, n)
    assert g.tip_where == "in front of the vertebral body, outside the bone" and g.tip_region == "in_front"
    assert not g.target_ok and [p.code for p in g.problems][-2:] == ["through_front", "front_cortex"]


def test_missing_the_body_names_where_and_the_danger():
    seg = segment("L3", FRACTURE)
    ped = seg.pedicle
    # turned away from the midline, the needle passes beside the body
    lateral = grade(seg, Needle((float(ped.centre_x(seg.entry_y)), seg.entry_y, ped.z_centre), -20.0, 0.0, 30.0))
    assert lateral.tip_region == "beside" and "beside the vertebral body" in lateral.tip_where
    problem = lateral.problems[-1]
    assert problem.code == "beside_body" and SEGMENTAL in problem.cites and "segmental artery" in problem.text
    disc = grade(seg, needle_at(seg, abs(float(ped.centre_x(seg.entry_y))), ped.z_centre, ped.angle_deg, -20, 42))
    assert disc.tip_region == "disc_above" and disc.problems[-1].code == "in_disc"
    early = grade(seg, planned_needle(seg, 3.0))
    assert early.tip_where == "in the pedicle" and early.problems[-1].code == "not_in_body"


def test_breach_feedback_names_the_danger_with_the_evidence_number():
    ev = load_evidence()
    seg = segment("L1", FRACTURE)
    medial = grade(seg, _parallel_needle(seg, -1.2))
    text = medial.problems[0].text
    mm = ev.number(NEURAL, "pedicle_to_dural_sac_medial_mm")
    assert "spinal canal" in text and f"{mm} mm" in text and f"[@{NEURAL}]" in text
    lateral = grade(seg, _parallel_needle(seg, 1.2))
    assert "segmental artery" in lateral.problems[0].text and lateral.problems[0].cites == (SEGMENTAL,)


def test_needle_input_is_checked():
    with pytest.raises(ValueError, match="depth"):
        Needle((0, 0, 0), 0, 0, -1)
    with pytest.raises(ValueError, match="angles"):
        Needle((0, 0, 0), 95, 0, 1)
    with pytest.raises(ValueError, match="only the AP view"):
        camera.Camera("lateral", oblique_deg=10)
