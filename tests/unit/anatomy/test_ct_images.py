"""The pictures made from the real CT (``widgets.anatomy.ct_images``): the AP and lateral DRRs and how they
agree with the mask, the C-arm look, the needle and cement drawn in, the axial slice, and the labels and
overlays drawn on them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from widgets.anatomy import carm, ct, ct_images


def test_anchors_for_labels_sit_on_the_structures_they_name():
    for name in ct.LEVELS:
        lev = ct.level(name)
        a = ct_images.anchors(name)
        body = np.array([a["body"]])
        assert "third of the vertebral body" in ct.where(name, a["body"])
        assert ct.in_target(lev, a["front third"], "unilateral")[0]
        assert ct.where(name, a["spinal canal"]) == "in the spinal canal"
        assert ct.where(name, a["pedicle left"]) == "in the pedicle" == ct.where(name, a["pedicle right"])
        assert abs(a["spinous process"][0]) < 1e-9 and a["spinous process"][1] > lev.posterior_wall_y + 30
        assert a["posterior wall"][1] == lev.posterior_wall_y
        if "disc above" in a:
            assert lev.upper_endplate_z < a["disc above"][2] < lev.upper_endplate_z + 15
            assert "disc" in ct.where(name, a["disc above"]) or "outside" in ct.where(name, a["disc above"])
        assert body.shape == (1, 3)


def _mask_projection(view: str, frame: carm.Frame) -> np.ndarray:
    s = ct.scan()
    with np.load(ct.DATA_FILE) as d:
        ii, jj, kk = np.nonzero(d["labels"] > 0)
    uv = ct_images.project(s.origin + np.stack([ii, jj, kk], 1) * s.spacing, view)
    cols = np.floor((uv[:, 0] - frame.u_min) / frame.pixel_mm).astype(int)
    rows = np.floor((uv[:, 1] - frame.v_min) / frame.pixel_mm).astype(int)
    ok = (cols >= 0) & (cols < frame.shape[1]) & (rows >= 0) & (rows < frame.shape[0])
    out = np.zeros(frame.shape, np.float32)
    np.add.at(out, (rows[ok], cols[ok]), 1.0)
    return carm.blur(out, 3.0)


def _corr(a, b, inside):
    a = a[inside] - a[inside].mean()
    b = b[inside] - b[inside].mean()
    return float((a * b).sum() / math.sqrt((a * a).sum() * (b * b).sum()))


def test_both_views_have_the_right_size_and_agree_with_the_mask():
    shot = ct_images.shot("L1")
    for view in ct.VIEWS:
        frame = shot.frames[view]
        assert shot.images[view].shape == frame.shape == (200, 200), "100 mm at 0.5 mm pixels"
        assert shot.images[view].dtype == np.float32
        assert frame.u_max - frame.u_min == ct.FIELD_MM
    # the bone in the pictures lies where the mask is: the line integrals follow the mask's projection,
    # and far less so the same projection mirrored (front-back on the lateral, upside down on the AP)
    lat = ct_images.drr("lateral", None, "L1")
    inside = carm.field_mask(lat.frame)
    m = _mask_projection("lateral", lat.frame)
    assert _corr(lat.base, m, inside) > 0.45
    # (the lateral field now centres the body, whose mirror image overlaps it more than when the body sat at
    # the field's left edge; the front-on-the-left test below checks the orientation to the millimetre)
    assert _corr(lat.base, m, inside) > _corr(lat.base, m[:, ::-1], inside) + 0.15
    ap = ct_images.drr("AP", None, "L1")
    m = _mask_projection("AP", ap.frame)
    assert _corr(ap.base, m, carm.field_mask(ap.frame)) > 0.75
    assert _corr(ap.base, m, carm.field_mask(ap.frame)) > _corr(ap.base, m[::-1, :], carm.field_mask(ap.frame)) + 0.08


def test_the_spine_is_vertical_and_the_lateral_view_has_the_front_on_the_left():
    # the vertebral bodies' centres, from the mask, stand one above the other in both views
    centres = np.array([ct_images.anchors(n)["body"] for n in ct.LEVELS])
    for view in ct.VIEWS:
        uv = ct_images.project(centres, view)
        assert np.ptp(uv[:, 0]) < 6, (view, uv[:, 0])
        assert np.all(np.diff(uv[:, 1]) < -20), "T11 above T12 above L1 above L2"
    # in the lateral picture the front of the L1 body (from the mask) is where the bone starts, on the left
    lev = ct.level("L1")
    r = ct_images.drr("lateral", None, "L1")
    row = int((lev.middle_z - r.frame.v_min) / r.frame.pixel_mm)
    u = r.frame.u()
    near = (u > lev.body_front_y - 15) & (u < lev.body_front_y + 15)
    rise = u[near][np.argmax(np.gradient(r.base[row])[near])]
    assert abs(rise - lev.body_front_y) < 4, (rise, lev.body_front_y)
    a = ct_images.anchors("L1")
    assert ct_images.project(a["body"], "lateral")[0] < ct_images.project(a["posterior wall"], "lateral")[0] < \
        ct_images.project(a["spinous process"], "lateral")[0]
    # on the AP the bone is centred on the midline the mask defines (x = 0), the left pedicle on the right
    ap = ct_images.drr("AP", None, "L1")
    rows = slice(int((lev.lower_endplate_z - ap.frame.v_min) / 0.5), int((lev.upper_endplate_z - ap.frame.v_min) / 0.5))
    profile = ap.base[rows].mean(axis=0)
    u = ap.frame.u()
    core = np.abs(u) < 35
    weight = profile[core] - profile[core].min()
    assert abs(float((u[core] * weight).sum() / weight.sum())) < 3
    assert ct_images.project(a["pedicle left"], "AP")[0] > 0 > ct_images.project(a["pedicle right"], "AP")[0]


def test_the_c_arm_frame_is_round_and_dark_outside():
    shot = ct_images.shot("T12")
    for view in ct.VIEWS:
        img, frame = shot.images[view], shot.frames[view]
        inside = carm.field_mask(frame, radius_mm=ct.FIELD_MM / 2 - carm.EDGE_MM)
        outside = ~carm.field_mask(frame)
        assert np.all(img[outside] == 0.0), "black outside the intensifier's circle"
        assert img[inside].mean() > 0.3 and img[inside].min() >= 0.0
        # round: along the middle row and column and the diagonals the image ends at the same radius
        r = frame.shape[0] // 2
        lit = img > 0.02
        for line in (lit[r, :], lit[:, r], np.diagonal(lit), np.diagonal(lit[:, ::-1])):
            assert line.any()
        radius_row = (np.ptp(np.nonzero(lit[r, :])[0]) + 1) * frame.pixel_mm / 2
        radius_diag = (np.ptp(np.nonzero(np.diagonal(lit))[0]) + 1) * frame.pixel_mm * math.sqrt(2) / 2
        assert abs(radius_row - radius_diag) < 2.0 and abs(radius_row - ct.FIELD_MM / 2) < 2.0
        # vignetting: the rim is darker than the centre for the same content
        flat = carm.round_field(np.ones(frame.shape, np.float32), frame)
        assert flat[r, r] > flat[r, int(frame.shape[1] * 0.1)] + 0.15


def test_dense_dark_is_the_default_and_the_needle_is_grey_to_black_not_coloured():
    n = ct.textbook_needle("L1", 1)
    dark = ct_images.shot("L1", n)
    light = ct_images.shot("L1", n, dense="light")
    for view in ct.VIEWS:
        frame = dark.frames[view]
        path = ct_images.needle_path(view, frame, n)
        on = (path > 2.0) & carm.field_mask(frame, radius_mm=40)
        assert on.sum() > 50
        assert dark.images[view][on].mean() < 0.2, "metal is near black on the intensifier's own picture"
        assert light.images[view][on].mean() > 0.6, "and near white the radiograph's way round"
        assert dark.images[view].ndim == 2, "grey scale: one value per pixel, no colour"
    with pytest.raises(ValueError, match="dense"):
        carm.grey(np.zeros((4, 4)), (0.0, 1.0), dense="blue")
    assert np.allclose(carm.to_screen(np.array([[0.2, 0.9]], np.float32)), [[0.8, 0.1]])
    assert carm.DENSE == "dark" and "dark" in carm.DISPLAY_NOTE["dark"] and "light" in carm.DISPLAY_NOTE["light"]


def test_the_needle_is_drawn_into_both_views_at_the_same_place():
    n = ct.textbook_needle("L1", 1)
    lowest = {}
    for view in ct.VIEWS:
        r = ct_images.drr(view, n, "L1")
        path = ct_images.needle_path(view, r.frame, n)
        assert np.allclose(r.line_integral - r.base, ct.MU_NEEDLE * path)
        # every point of the 3-D needle's last 30 mm (the tip's flat end aside) lies on its shadow in this view
        for t in np.arange(n.depth - 30.0, n.depth - 1.0, 2.0):
            u, v = ct_images.project(n.point(t), view)
            c = int((u - r.frame.u_min) / r.frame.pixel_mm)
            row = int((v - r.frame.v_min) / r.frame.pixel_mm)
            assert path[row, c] > 1.0, (view, t)
        lowest[view] = r.frame.v()[np.nonzero(path.max(axis=1) > 0.5)[0].min()]
    # one 3-D needle, two projections: its lowest point (the tip, going toward the feet) at the same height
    assert abs(lowest["AP"] - lowest["lateral"]) <= 1.0
    assert abs(lowest["AP"] - n.tip[2]) <= ct.NEEDLE_RADIUS_MM + 1.0


def test_cement_is_one_3d_blob_drawn_grey_in_both_views():
    centre, radii = ct_images.anchors("L1")["front third"], (6.0, 5.0, 7.0)
    for view in ct.VIEWS:
        frame = ct_images.frame_for("L1", view)
        extra = ct_images.blob(view, frame, centre, radii)
        u, v = ct_images.project(centre, view)
        row, col = int((v - frame.v_min) / 0.5), int((u - frame.u_min) / 0.5)
        depth_along_beam = 2 * radii[1] if view == "AP" else 2 * radii[0]
        assert extra[row, col] == pytest.approx(ct.MU_CEMENT * depth_along_beam, rel=0.02)
        rows = np.nonzero(extra.max(axis=1) > 0)[0]
        assert (rows.max() - rows.min() + 1) * 0.5 == pytest.approx(2 * radii[2], abs=1.0), "same height in both views"
        plain = ct_images.screen(ct_images.drr(view, None, "L1", frame))
        with_cement = ct_images.screen(ct_images.drr(view, None, "L1", frame, extra=extra))
        assert with_cement[row, col] < plain[row, col] - 0.1, "cement shows darker, as dense matter"


def test_the_needle_shadow_is_exact():
    frame = carm.Frame(-10, 10, -10, 10, 0.5)
    ua, va, beam = ct_images.view_axes("AP")
    p0, p1, radius = np.array([-3.0, 20.0, -2.0]), np.array([4.0, -15.0, 5.0]), 1.5
    got = carm.cylinder_path(frame, ua, va, beam, p0, p1, radius)
    axis = (p1 - p0) / np.linalg.norm(p1 - p0)
    length = np.linalg.norm(p1 - p0)
    lam = np.arange(-40.0, 40.0, 0.01)
    for row, col in [(20, 20), (20, 21), (25, 22), (5, 15), (30, 30)]:
        pts = frame.u()[col] * ua + frame.v()[row] * va + lam[:, None] * beam - p0
        t = pts @ axis
        d = np.linalg.norm(pts - t[:, None] * axis, axis=1)
        assert abs(got[row, col] - ((t >= 0) & (t <= length) & (d <= radius)).sum() * 0.01) < 0.03
    # seen end-on, a needle is a disc whose rays run its whole length
    end_on = carm.cylinder_path(frame, ua, va, beam, (0, 5, 0), (0, -5, 0), 1.5)
    assert end_on.max() == pytest.approx(10.0)
    assert (end_on > 0).sum() * 0.25 == pytest.approx(math.pi * 1.5 ** 2, rel=0.15), "a disc of the needle's width"
    ball = carm.ellipsoid_path(frame, ua, va, beam, (0.25, 0.0, 0.25), (4.0, 4.0, 4.0))
    assert ball.max() == pytest.approx(8.0, abs=0.05)


def test_the_axial_slice_through_the_tip_shows_the_needle_with_the_front_at_the_top():
    n = ct.textbook_needle("L1", 1)
    sl = ct_images.axial(n)
    assert sl.z == pytest.approx(n.tip[2])
    u, v = n.tip[0], -n.tip[1]
    c = int((u - sl.frame.u_min) / sl.frame.pixel_mm)
    r = int((v - sl.frame.v_min) / sl.frame.pixel_mm)
    assert sl.hu[r, c] == 3000.0, "metal at the tip"
    lev = ct.level("L1")
    body_v, spine_v = -(lev.body_front_y + lev.posterior_wall_y) / 2, -lev.spinous_tip[1]
    assert body_v > spine_v, "the body (front) above the spinous process (back)"
    empty = ct_images.axial(z=lev.middle_z)
    assert (empty.hu == 3000.0).sum() == 0
    grey = ct_images.ct_window(empty.hu)
    assert 0.0 <= grey.min() and grey.max() <= 1.0
    with pytest.raises(ValueError, match="outside the CT crop"):
        ct_images.axial(z=500.0)


def test_overlays_revealed_after_an_attempt_lie_on_the_picture():
    frame = ct_images.frame_for("L1", "AP")
    pedicle = ct_images.region_projection("L1", "pedicle left", "AP", frame)
    canal = ct_images.region_projection("L1", "canal", "AP", frame)
    target = ct_images.region_projection("L1", "target", "lateral")
    assert pedicle.any() and canal.any() and target.any()
    cols = np.nonzero(pedicle.any(axis=0))[0]
    assert frame.u()[cols].min() > 0, "the left pedicle shows right of the midline"
    canal_u = frame.u()[np.nonzero(canal.any(axis=0))[0]]
    assert canal_u.min() < 0 < canal_u.max()
    lat = ct_images.frame_for("L1", "lateral")
    t_cols = lat.u()[np.nonzero(target.any(axis=0))[0]]
    assert t_cols.max() <= ct.level("L1").front_third_y + 1
