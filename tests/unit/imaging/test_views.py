"""The two fluoroscopic views, the needle exercise and the upgraded steppers, driven as a student would."""

from __future__ import annotations

import html
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
from widgets.anatomy.levels import level as anatomy_level
from widgets.anatomy import ct, ct_images
from tests.idle_loop import kernel  # noqa: F401 - a fixture the tests below use
from widgets.imaging.placement import SETTINGS, needle_for, start_settings, taught_settings
from widgets.imaging.views import NeedleExercise
from widgets.procedures.steps import load_procedure
from widgets.procedures.views import StepperView


def text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", value))


def make_exercise(tmp_path=None, **kw) -> NeedleExercise:
    log = student_log(tmp_path, "Ada") if tmp_path is not None else None
    kw.setdefault("seed", 7)
    return NeedleExercise(Citations(), log=log, **kw)


def set_settings(ex: NeedleExercise, settings: dict) -> None:
    for slider, name in zip(ex.sliders, SETTINGS):
        slider.value = settings[name]


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


def _within(box, point, slack=0.5) -> bool:
    (x0, y0), (x1, y1) = box
    return x0 - slack <= point[0] <= x1 + slack and y0 - slack <= point[1] <= y1 + slack


@pytest.mark.parametrize("level_id", ["L1", "L3", "L5"])
def test_labels_sit_on_the_structures_they_name(level_id):
    """Each label's leader ends on its structure: the spinous process on the midline (front view), the
    posterior wall on the body's back wall and the spinal canal behind it (side view), the pedicle on a pedicle."""
    seg = segment(level_id)
    v = FluoroViews(level_id)
    ap = {t.get_text(): t.xy for t in v.art["AP"].labels if t.get_visible()}
    lat = {t.get_text(): t.xy for t in v.art["lateral"].labels if t.get_visible()}
    assert abs(ap["spinous process"][0]) < 1e-9, "on the midline"
    spin = seg.treated.posterior[2]
    assert min(q[1] for q in spin.polygon) <= seg.treated.posterior[2].polygon[2][1] == lat["spinous process"][0]
    assert lat["posterior wall"][0] == seg.depth and 0 < lat["posterior wall"][1] < max(seg.heights)
    canal_y = lat["spinal canal"][0]
    assert seg.depth < canal_y < seg.depth + seg.level["canal_depth_mm"]
    ped = seg.pedicle
    assert ped.y_front <= lat["pedicle"][0] <= ped.y_back
    other = seg.treated.pedicle(-seg.side)
    u, z = ap["pedicle"]
    assert abs(u - float(other.centre_x(other.y_back))) < 1e-6 and abs(z - (other.z_centre + other.height / 2)) < 1e-6
    assert ap["medial wall"][0] == pytest.approx(ped.medial_wall_x)


@pytest.mark.parametrize("level_id", ["L1", "L4"])
def test_no_label_lies_across_the_textbook_needle(level_id):
    """The words of every label keep clear of the needle on the textbook path, in both views."""
    seg = segment(level_id, anatomy_level(level_id).example_fracture())
    n = planned_needle(seg)
    v = FluoroViews(level_id, seg.heights, Scene(needle=n))
    from matplotlib.text import Text
    renderer = v.figure.canvas.get_renderer()
    back = n.depth_to_y(seg.skin_y)          # negative: the shaft behind the entry, out to the skin
    for kind in ("AP", "lateral"):
        ax = v.axes[kind]
        cam = v.camera(kind)
        pts = cam.project(np.array([n.point(t) for t in np.linspace(back, n.depth, 200)]))
        screen = ax.transData.transform(pts)
        for ann in v.art[kind].labels:
            if not ann.get_visible():
                continue
            box = Text.get_window_extent(ann, renderer)     # the words (an annotation's own box has its leader)
            inside = [(box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1) for x, y in screen]
            assert not any(inside), f"{kind}: '{ann.get_text()}' lies across the needle"


def test_the_legend_lists_only_what_is_on_the_screen_drawn_as_the_screen_draws_it():
    from widgets.anatomy import fluoro
    v = FluoroViews("L1", labels=False)
    assert v.on_screen() == [] and v.legend is None
    seg = segment("L1")
    v.update(Scene(needle=planned_needle(seg)))
    names = [t.get_text() for t in v.legend.get_texts()]
    assert names == ["needle (metal: near black)"]
    handle = v.legend.legend_handles[0]
    assert handle.get_color() == v.art["AP"].needle.get_color() == fluoro.NEEDLE, "the needle as the legend shows it"
    v.update(Scene(needle=planned_needle(seg), cement=0.6), labels=True, guides=True)
    names = [t.get_text() for t in v.legend.get_texts()]
    assert "balloon (filled with contrast)" not in names and "cement leak route" not in names
    assert "cement (dense: dark grey)" in names and "target" in names
    cement = v.art["AP"].cement.get_facecolor()
    r, g, b, _ = cement
    assert r == g == b < 0.4, "cement is grey, not blue"


def test_the_pictures_look_like_a_c_arm_screen():
    """Dense things dark, a round field black outside it, soft tissue lighter than bone."""
    v = FluoroViews("L1")
    img = v.art["AP"].image.get_array()
    rows, cols = img.shape
    assert img[0, 0] == 0.0 and img[rows // 2, cols // 2] > 0.1, "black outside the round field"
    seg = segment("L1")
    from widgets.anatomy.fluoro import FRAMES
    frame = FRAMES["AP"]

    def at(x, z):
        return img[int((z - frame.v_min) / 0.5), int((x - frame.u_min) / 0.5)]
    body = at(-10.0, 8.0)
    disc = at(-10.0, max(seg.heights) + seg.level.disc_above.value / 2)
    assert disc > body + 0.05, "the disc (soft tissue) lighter than the vertebral body (dense things dark)"


def test_the_barrel_view_turns_and_tilts_along_the_planned_path_and_shows_the_needle_end_on():
    ex = make_exercise(mode="learn", level="L5")
    set_settings(ex, taught_settings("model", "L5", ex.heights))
    ex.front.value = "barrel"
    turn, tilt = ex.barrel_angles()
    assert tilt != 0, "the planned path runs toward the feet: the C-arm tilts as well as turns"
    assert "Barrel view" in ex.views.art["AP"].title.get_text() and "tilted" in ex.views.art["AP"].title.get_text()
    xs, ys = ex.views.art["AP"].needle.get_data()
    assert np.hypot(xs[1] - xs[0], ys[1] - ys[0]) < 1.0, "the needle at the planned angles is a point"
    assert "pedicle end-on" in [t.get_text() for t in ex.views.art["AP"].labels if t.get_visible()]
    img = ex.views.art["AP"].image.get_array()
    assert img.shape == (184, 180) and 0 <= img.min() and img.max() <= 1


@pytest.mark.parametrize("level_id", ["L1", "L2", "L3", "L4", "L5"])
def test_the_pedicle_shows_as_a_ring_in_the_barrel_view(level_id):
    """The simulated radiograph, not a drawing rule: seen along its axis, the pedicle's wall is denser
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


def test_every_change_renders_once_in_place_in_learn_mode(tmp_path):
    ex = make_exercise(tmp_path, mode="learn")
    view = ex.views.view
    fig = view.figure
    for control, value in ((ex.depth, 10), (ex.medial, 12), (ex.caudal, 5), (ex.entry_lateral, 14.5),
                           (ex.entry_up, 20), (ex.front, "barrel"), (ex.labels, "off"), (ex.level, "L4"),
                           (ex.approach, "bilateral")):
        before = view.render_count
        control.value = value
        assert view.render_count == before + 1, control
    assert view.figure is fig


def test_controls_are_labelled_keyboard_controls():
    ex = make_exercise(mode="learn")
    for s in ex.sliders:
        assert isinstance(s, Slider) and s.description and s.unit in ("mm", "degrees")
    for r in (ex.level, ex.front, ex.labels, ex.approach):
        assert isinstance(r, RadioGroup) and r.description
    assert ex.level.options == [(i, i) for i in load_anatomy().ids]
    t = make_exercise(spine="ct")
    assert t.level.options == [(i, i) for i in ct.LEVELS] and isinstance(t.spine, RadioGroup)
    for button, words in ((t.grade_button, "Grade this attempt"), (t.shot_ap, "Take an AP shot"),
                          (t.shot_lateral, "Take a lateral shot"), (t.restart, "New attempt")):
        assert button.description == words and button.tooltip
    assert "vkp-needle" in t.widget._dom_classes


def test_the_alt_text_says_where_the_tip_is_and_which_wall_it_is_near():
    ex = make_exercise(mode="learn")
    ex.medial.value = round(ex.seg.pedicle.angle_deg)
    ex.depth.value = 4
    alt = ex.views.view.alt
    assert "its tip is in the pedicle" in alt and "nearest its" in alt and "wall" in alt
    assert "mm lateral to the line of the pedicle's medial wall" in alt
    assert "behind the posterior wall of the body" in alt


# ------------------------------------------------------------------ Test mode on the model spine

def test_test_mode_starts_at_a_random_level_near_the_pedicle_straight_ahead():
    starts = set()
    for seed in range(6):
        ex = make_exercise(spine="model", seed=seed)
        s = ex.settings()
        assert (s["medial_deg"], s["caudal_deg"], s["depth_mm"]) == (0, 0, 0)
        centre = start_settings("model", ex.level_id, ex.heights)
        assert abs(s["entry_lateral_mm"] - centre["entry_lateral_mm"]) <= 4.5
        starts.add((ex.level_id, s["entry_lateral_mm"], s["entry_up_mm"]))
    assert len({lv for lv, _, _ in starts}) > 1 and len(starts) == 6, "levels and starts vary"
    again = make_exercise(spine="model", seed=3)
    assert (again.level_id, again.settings()) == (make_exercise(spine="model", seed=3).level_id,
                                                   make_exercise(spine="model", seed=3).settings())


def test_moving_the_needle_shows_nothing_until_a_shot_and_each_shot_counts(tmp_path):
    ex = make_exercise(tmp_path, spine="model", level="L1")
    views = ex.views
    start_tip = views.needle_in("AP").tip.copy()
    before = views.view.render_count
    ex.medial.value, ex.depth.value = 20, 25
    assert views.view.render_count == before, "no picture without a shot"
    assert np.allclose(views.needle_in("AP").tip, start_tip)
    assert "Take a shot to see where it is" in ex.readout.value and "tip is" not in ex.readout.value
    ex.shot_ap.click()
    assert views.view.render_count == before + 1
    assert np.allclose(views.needle_in("AP").tip, ex.needle().tip) and np.allclose(views.needle_in("lateral").tip,
                                                                                  start_tip)
    ex.shot_lateral.click()
    ex.shot_lateral.click()
    assert ex.shots == {"AP": 1, "lateral": 2} and "1</strong> AP" in ex.shot_count.value
    assert ex.redirects == 0, "advancing is not a redirect"
    ex.medial.value = 24
    ex.shot_ap.click()
    assert ex.redirects == 1, "turned between two shots while in the bone"


def test_a_too_medial_needle_gets_a_breach_message_naming_the_canal_and_a_result_card(tmp_path):
    ex = make_exercise(tmp_path, spine="model", level="L1")
    ex.medial.value = 40
    ex.depth.value = 40
    ex.shoot("AP")
    g = ex.grade()
    assert not g.passed and not g.pedicle_ok and g.breach.wall == "medial"
    fb = text(ex.feedback.value)
    assert "Attempt 1: not yet" in fb and "medial (inner) wall" in fb and "spinal canal" in fb
    assert "[@" not in ex.feedback.value and re.search(r"\[\s*\d+", fb), "cited by number"
    assert ex.views.art["AP"].breach.get_xydata().shape == (1, 2), "the breach is marked in the front view"
    assert "red cross" in ex.views.view.alt and ex.views.guides, "the hidden guides are revealed"
    card = text(ex.card.value)
    for words in ("Tip error", "Tip to the target", "Closest approach to the pedicle's medial wall",
                  "Pedicle wall breached", "Shots", "1 AP, 0 lateral", "Redirects", "Time"):
        assert words in card
    assert ex.grade_button.disabled, "one grade per attempt"


def test_a_good_needle_passes_and_progress_and_the_learning_curve_are_kept(tmp_path):
    ex = make_exercise(tmp_path, spine="model", level="L2")
    ex.medial.value = 40
    ex.depth.value = 40
    ex.grade()
    ex.new_attempt(level="L2")
    assert ex.views.art["AP"].breach.get_xydata().size == 0 and not ex.views.guides, "the anatomy is hidden again"
    assert not ex.grade_button.disabled and ex.shots == {"AP": 0, "lateral": 0}
    set_settings(ex, taught_settings("model", "L2", ex.heights))
    ex.shoot("lateral")
    g = ex.grade()
    assert g.passed, g.summary()
    assert "Attempt 2: pass" in text(ex.feedback.value)
    table = text(ex.attempts.value)
    assert "2 attempts, 1 passed, first passed on attempt 2" in table
    assert [a.correct for a in ex.history.attempts] == [False, True]
    curve = ex.curve
    assert list(curve.line.get_xdata()) == [1, 2] and curve.passed.get_xydata().shape == (1, 2)
    assert "attempt 2: tip error" in curve.view.alt and ex.curve_box.layout.display is None


def test_new_attempt_draws_a_level_and_a_start(tmp_path):
    ex = make_exercise(tmp_path, spine="model")
    seen = set()
    for _ in range(8):
        ex.new_attempt()
        seen.add(ex.level_id)
        assert (ex.medial.value, ex.depth.value) == (0, 0)
        assert ex.views.seg.level.id == ex.level_id and ex.level_id in ex.views.art["lateral"].title.get_text()
    assert len(seen) > 1


def test_learn_mode_starts_on_the_textbook_path_and_checks_live():
    ex = make_exercise(mode="learn")
    t = taught_settings("model", "L1", ex.heights)
    assert ex.settings() == {**t, "depth_mm": 0.0}
    assert not hasattr(ex, "grade_button")
    ex.depth.value = t["depth_mm"]
    assert text(ex.feedback.value).count("\u2713") == 4


# ------------------------------------------------------------------ Test mode on the real CT

def test_test_mode_is_a_real_spine_by_default_with_its_credit(tmp_path):
    ex = make_exercise(tmp_path)
    assert ex.spine_id == "ct" and ex.level_id in ct.LEVELS
    texts = [t.get_text() for t in ex.views.figure.texts]
    assert ct.CREDIT in texts, "the credit under every image made from the scan"
    assert "CC BY-SA 4.0" in ex.views.view.alt


def test_a_real_ct_attempt_is_graded_from_the_mask_and_reveals_the_anatomy(tmp_path):
    ex = make_exercise(tmp_path, level="L1")
    assert not any(ex.views.art[v].overlay.get_visible() for v in ("AP", "lateral")), "hidden before the attempt"
    set_settings(ex, taught_settings("ct", "L1"))
    ex.shoot("AP")
    ex.shoot("lateral")
    g = ex.grade()
    assert g.passed and g.spine == "ct", g.summary()
    assert all(ex.views.art[v].overlay.get_visible() for v in ("AP", "lateral")), "revealed after the attempt"
    legend = [t.get_text() for t in ex.views.legend.get_texts()]
    assert legend[:1] == ["needle (metal: near black)"] and "spinal canal" in legend and "target" in legend
    assert ex.axial_box.layout.display is None and "axial CT slice" in ex.axial.view.alt
    assert "3 mm apart" in text(ex.feedback.value), "the mask's resolution is said"
    rec = ex.history.attempts[-1]
    assert (rec.answer["spine"], rec.item, rec.answer["shots_ap"], rec.answer["shots_lateral"]) == ("ct", "L1", 1, 1)
    # 5 mm toward the midline breaches the medial wall (the mask's pedicle)
    ex.new_attempt(level="L1")
    medial = taught_settings("ct", "L1")
    medial["entry_lateral_mm"] -= 5
    set_settings(ex, medial)
    bad = ex.grade()
    assert not bad.passed and not bad.pedicle_ok and bad.breach.wall == "medial"


def test_the_lateral_field_shows_the_whole_body_and_its_front_cortex():
    for name in ct.LEVELS:
        lev = ct.level(name)
        frame = ct_images.frame_for(name, "lateral")
        r = (frame.u_max - frame.u_min) / 2
        cu, cv = frame.centre
        for z in (lev.lower_endplate_z, lev.middle_z, lev.upper_endplate_z):
            half = np.sqrt(max(r * r - (z - cv) ** 2, 0.0))
            assert cu - half + 5 < lev.body_front_y, f"{name}: the front cortex at {z:.0f} mm is in the round field"
            assert lev.posterior_wall_y < cu + half


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


def test_in_a_kernel_test_mode_draws_its_first_pictures_when_idle_and_they_show_the_start(tmp_path, kernel,
                                                                                           monkeypatch):
    """Run All draws nothing for Test mode (its random start cannot be drawn in advance): a box of the pictures'
    size says they are being drawn; once the kernel is idle both views show the needle where it started, even if
    a slider moved meanwhile, and no shot is counted."""
    ex = make_exercise(tmp_path, spine="ct", level="L1")
    start = ex.settings()
    (box,) = ex.pictures.children
    assert "vkp-needle-drawing" in box._dom_classes and "C-arm views of the real CT" in text(box.value)
    assert ex._ct_views is None, "nothing drawn while the notebook runs"
    ex.depth.value = 20
    kernel.idle(monkeypatch)
    views = ex.views
    assert ex.pictures.children == (views.widget,) and views.view.render_count == 1
    at_start = ct.as_path(needle_for("ct", "L1", start)).tip
    assert not np.allclose(ex.needle().tip, at_start)
    for view in ("AP", "lateral"):
        assert np.allclose(views.needles[view].tip, at_start), f"{view}: the start, not the needle moved since"
    assert "real CT scan of L1" in views.alt_text() and ex.shots == {"AP": 0, "lateral": 0}


def test_a_shot_before_the_kernel_is_idle_draws_at_once(tmp_path, kernel, monkeypatch):
    """A student who takes a shot before the idle drawing (a fast reader, a test) gets the pictures at once."""
    ex = make_exercise(tmp_path, spine="model", level="L1")
    assert "vkp-needle-drawing" in ex.pictures.children[0]._dom_classes
    ex.shot_ap.click()
    assert ex.pictures.children == (ex.views.widget,) and ex.shots["AP"] == 1
    drawn = ex.views.view.render_count
    kernel.idle(monkeypatch)
    assert ex.views.view.render_count == drawn, "the idle piece then has nothing left to draw"
