"""The two fluoroscopic views, the needle exercise and the upgraded steppers, driven as a student would."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from widgets.core.citations import Citations
from widgets.core.controls import RadioGroup, Slider
from widgets.anatomy.levels import load_anatomy
from tests.classfolder import student_log
from widgets.anatomy.fluoro import FluoroViews
from widgets.anatomy.needle_path import planned_needle
from widgets.anatomy.scene import Scene
from widgets.anatomy.segment import segment, side_outlines
from widgets.imaging.views import NeedleExercise
from widgets.procedures.steps import load_procedure
from widgets.procedures.views import StepperView


def text(value: str) -> str:
    return re.sub(r"<[^>]+>", " ", value)


def make_exercise(tmp_path=None, **kw) -> NeedleExercise:
    log = student_log(tmp_path, "Ada") if tmp_path is not None else None
    return NeedleExercise(Citations(), log=log, prepare=False, **kw)


# ------------------------------------------------------------------ the two views

def test_both_views_draw_the_same_needle():
    seg = segment("L3")
    n = planned_needle(seg)
    v = FluoroViews("L3", scene=Scene(needle=n))
    ap_tip = v.art["AP"].tip.get_xydata()[0]
    lat_tip = v.art["lateral"].tip.get_xydata()[0]
    assert ap_tip == pytest.approx([n.tip[0], n.tip[2]]) and lat_tip == pytest.approx([n.tip[1], n.tip[2]])
    assert "in the front third of the vertebral body" in v.view.alt


def test_labels_switch_off_and_the_alt_text_says_so():
    v = FluoroViews("L1")
    shown = [t.get_text() for kind in v.art for t in v.art[kind].labels if t.get_visible()]
    assert {"pedicle", "medial wall", "posterior wall", "spinal canal", "spinous process"} <= set(shown)
    v.update(labels=False)
    assert not any(t.get_visible() for kind in v.art for t in v.art[kind].labels)
    assert "Labels are off." in v.view.alt


def test_the_barrel_view_shows_the_pedicle_end_on():
    v = FluoroViews("L5")
    ped = v.seg.pedicle
    v.update(oblique_deg=ped.angle_deg)
    assert "Oblique view" in v.art["AP"].title.get_text() and "barrel" in " ".join(
        t.get_text() for t in v.art["AP"].labels)
    img = v.art["AP"].image.get_array()
    assert img.shape == (184, 180) and 0 <= img.min() and img.max() <= 1


@pytest.mark.parametrize("level_id", ["L1", "L2", "L3", "L4", "L5"])
def test_the_pedicle_shows_as_a_bright_ring_in_the_barrel_view(level_id):
    """The simulated radiograph, not a drawing rule: seen along its axis, the pedicle's wall is brighter
    than its middle (the ring of the barrel or owl's-eye view)."""
    from widgets.anatomy import camera
    from widgets.anatomy.fluoro import FRAMES
    from widgets.anatomy.xray import PIXEL_MM, radiograph
    seg = segment(level_id)
    ped = seg.pedicle
    frame = FRAMES["AP"]
    cam = camera.ap(ped.angle_deg, (float(ped.centre_x(ped.y_mid)), ped.y_mid))
    img = radiograph(level_id, seg.heights, cam, frame)
    u, v = cam.project(np.array([float(ped.centre_x(ped.y_mid)), ped.y_mid, ped.z_centre]))

    def at(du, dv):
        return img[int((v + dv - frame.v_min) / PIXEL_MM), int((u + du - frame.u_min) / PIXEL_MM)]
    turns = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    ring = np.mean([at((ped.width / 2 - 0.5) * np.cos(a), (ped.height / 2 - 0.5) * np.sin(a)) for a in turns])
    middle = np.mean([at(0.5 * np.cos(a), 0.5 * np.sin(a)) for a in turns])
    assert ring > middle + 0.05


def test_every_change_renders_once_in_place(tmp_path):
    ex = make_exercise(tmp_path)
    view = ex.views.view
    fig = view.figure
    for control, value in ((ex.depth, 10), (ex.medial, 12), (ex.caudal, 5), (ex.entry_lateral, 14.5),
                           (ex.entry_up, 20), (ex.front, "barrel"), (ex.labels, "off"), (ex.level, "L4")):
        before = view.render_count
        control.value = value
        assert view.render_count == before + 1, control
    assert view.figure is fig


def test_controls_are_labelled_keyboard_controls():
    ex = make_exercise()
    for s in ex.sliders:
        assert isinstance(s, Slider) and s.description and s.unit in ("mm", "degrees")
    for r in (ex.level, ex.front, ex.labels):
        assert isinstance(r, RadioGroup) and r.description
    assert ex.level.options == [(i, i) for i in load_anatomy().ids]
    assert ex.grade_button.description == "Grade this attempt" and ex.grade_button.tooltip
    assert "vkp-needle" in ex.widget._dom_classes


def test_the_alt_text_says_where_the_tip_is_and_which_wall_it_is_near():
    ex = make_exercise()
    ex.medial.value = round(ex.seg.pedicle.angle_deg)
    ex.depth.value = 4
    alt = ex.views.view.alt
    assert "its tip is in the pedicle" in alt and "nearest its" in alt and "wall" in alt
    assert "mm lateral to the line of the pedicle's medial wall" in alt
    assert "behind the posterior wall of the body" in alt


# ------------------------------------------------------------------ Test mode

def test_a_too_medial_needle_gets_a_breach_message_naming_the_canal(tmp_path):
    cites = Citations()
    ex = NeedleExercise(cites, log=student_log(tmp_path, "Ada"), prepare=False)
    ex.medial.value = 40
    ex.depth.value = 40
    g = ex.grade()
    assert not g.passed and not g.pedicle_ok and g.breach.wall == "medial"
    fb = text(ex.feedback.value)
    assert "Attempt 1: not yet" in fb and "medial (inner) wall" in fb and "spinal canal" in fb
    assert "[@" not in ex.feedback.value and re.search(r"\[\s*\d+", fb), "cited by number"
    assert ex.views.art["AP"].breach.get_xydata().shape == (1, 2), "the breach is marked in the front view"
    assert "red cross" in ex.views.view.alt


def test_a_good_needle_passes_and_progress_is_kept(tmp_path):
    ex = make_exercise(tmp_path)
    ex.medial.value = 40
    ex.depth.value = 40
    ex.grade()
    plan = planned_needle(ex.seg)
    ex.entry_lateral.value = round(abs(plan.entry[0]) * 2) / 2
    ex.entry_up.value = round(plan.entry[2] * 2) / 2
    ex.medial.value = round(plan.medial_deg)
    ex.caudal.value = round(plan.caudal_deg)
    ex.depth.value = round(plan.depth)
    assert ex.views.art["AP"].breach.get_xydata().size == 0, "moving the needle clears the old mark"
    g = ex.grade()
    assert g.passed, g.summary()
    assert "Attempt 2: pass" in text(ex.feedback.value)
    table = text(ex.attempts.value)
    assert "2 attempts, 1 passed, first passed on attempt 2" in table
    assert [a.passed for a in ex.history.attempts] == [False, True]


def test_start_again_and_a_new_level_put_the_needle_back(tmp_path):
    ex = make_exercise(tmp_path)
    ex.medial.value, ex.depth.value = 30, 25
    ex.start_again()
    assert (ex.medial.value, ex.depth.value) == (0, 0)
    ex.level.value = "L5"
    ped = segment("L5", ex.heights).pedicle
    assert ex.entry_lateral.value == round(abs(float(ped.centre_x(ped.y_back))) * 2) / 2
    assert ex.views.seg.level.id == "L5" and "L5" in ex.views.art["lateral"].title.get_text()


def test_learn_mode_starts_on_the_textbook_path_and_checks_live():
    ex = make_exercise(mode="learn")
    plan = planned_needle(ex.seg)
    assert (ex.medial.value, ex.caudal.value, ex.depth.value) == (round(plan.medial_deg), round(plan.caudal_deg), 0)
    assert not hasattr(ex, "grade_button")
    ex.depth.value = round(plan.depth)
    assert text(ex.feedback.value).count("\u2713") + ex.feedback.value.count("&#10003;") == 3


# ------------------------------------------------------------------ the steppers

def test_the_stepper_plays_out_the_needle_balloon_and_cement_within_a_step():
    s = StepperView(load_procedure("kyphoplasty"), Citations(), prepare=False)
    ids = s.procedure.step_ids
    s.go(ids.index("kp_needle"))
    assert not s.within.disabled
    depths = []
    for v in (0, 50, 100):
        s.within.value = v
        depths.append(s.drawing.scene.needle.depth)
    assert depths[0] == 0 and depths[0] < depths[1] < depths[2]
    s.go(ids.index("kp_balloon_inflate"))
    sizes, fronts = [], []
    for v in (25, 75, 100):
        s.within.value = v
        sizes.append(s.drawing.art["lateral"].balloon.get_width())
        fronts.append(s.drawing.seg.heights[0])
    assert sizes == sorted(sizes) and fronts == sorted(fronts) and fronts[0] < fronts[-1], "inflating lifts the front"
    s.go(ids.index("kp_balloon_deflate"))
    s.within.value = 25
    assert s.drawing.art["AP"].balloon.get_visible() and s.drawing.art["AP"].cavity.get_visible()
    s.within.value = 100
    assert not s.drawing.art["AP"].balloon.get_visible()
    s.go(ids.index("kp_lie_flat"))
    assert s.within.disabled and "Nothing moves" in s.within_note.value


def test_what_can_go_wrong_draws_the_leak_routes_in_both_views_and_cites_them():
    s = StepperView(load_procedure("vertebroplasty"), Citations(), prepare=False)
    s.go(s.procedure.step_ids.index("vp_cement_inject"))
    s.leaks.value = "show"
    for kind in ("AP", "lateral"):
        names = [t.get_text() for _, t in s.drawing.art[kind].leaks if t.get_visible()]
        assert "into the disc" in names and "into the spinal canal" in names
    assert "red arrows" in s.card.value and "cement leak" in s.card.value.lower() or "leak" in s.card.value
    assert "routes cement can leak by" in s.drawing.view.alt
    s.leaks.value = "hide"
    assert not any(a.get_visible() for kind in s.drawing.art for a, _ in s.drawing.art[kind].leaks)


def test_prepared_steps_only_blit():
    s = StepperView(load_procedure("kyphoplasty"), Citations())
    frames = len(s.drawing.view._backgrounds)
    for i in range(1, s.n):
        s.go(i)
    assert len(s.drawing.view._backgrounds) == frames, "every step's frame was drawn in advance"


# ------------------------------------------------------------------ the side view draws the same anatomy

def test_the_side_view_draws_the_anatomys_pedicle_and_the_planned_needle():
    from widgets.fractures.explorer import FractureExplorer
    ex = FractureExplorer(Citations())
    d = ex.drawing
    outlines = side_outlines(d.segment())
    assert np.allclose(d.arch["pedicle"].get_xy()[:4], outlines["pedicle"])
    from widgets.procedures.balloon_view import BalloonView
    b = BalloonView(Citations(), inflation_percent=50)
    xs, ys = b.drawing.needle.get_data()
    plan = planned_needle(b.drawing.segment())
    assert (xs[-1], ys[-1]) == pytest.approx((plan.tip[1], plan.tip[2]))
    assert b.drawing.balloon.get_center() == pytest.approx((plan.tip[1], plan.tip[2]))
    ped = b.drawing.segment().pedicle
    t = plan.depth_to_y(ped.y_mid)
    assert ped.z_centre - ped.height / 2 < plan.point(t)[2] < ped.z_centre + ped.height / 2, "through the pedicle"
    with pytest.raises(ValueError, match="35.7 mm deep"):
        from widgets.anatomy.drawing import SagittalDrawing
        SagittalDrawing(ex.geometry.fractured, 30.0)
