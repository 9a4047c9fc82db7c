"""The pictures made from the real CT (:mod:`widgets.anatomy.ct`): the C-arm's front and side views with a
needle, cement or a balloon drawn in (digitally reconstructed radiographs, DRRs), the axial slice through
the needle's tip, and the points and outlines that labels and the revealed anatomy are drawn on.

**Views** (parallel projection: every ray is parallel to the beam; a real C-arm's cone beam
magnifies what is nearer the source, which this leaves out):

* ``"AP"``: the front view, ``(u, v) = (x, z)``: the patient's left on the right, spine vertical;
* ``"lateral"``: the side view, ``(u, v) = (y, z)``: the patient's **front on the left**, spine vertical;
* the axial slice: ``(u, v) = (x, -y)``: seen from the feet, patient's left on the right, front at the top.

Images are float32 arrays, **row 0 at the bottom** (show with ``origin="lower"``), over a
:class:`~widgets.anatomy.carm.Frame` whose ``extent`` is in mm.

**The DRR.**  Each voxel's Hounsfield units become a linear attenuation ``mu = MU_WATER * (1 +
HU / 1000)`` (0 for air; a single effective energy: a simplification, the real beam has a spectrum),
summed along each ray times the path length: the line integral the detector's logarithm recovers.
The front (AP) view sums along ``y`` over 1 mm voxels; its 3 mm columns are interpolated linearly
to 0.5 mm pixels and softened by a 1 mm Gaussian left-right, so it is softer left-right than
up-down.  The lateral view sums along ``x`` (35 columns of 3 mm) and is sharp.  The needle-free DRRs
are computed once, when the scan is first used (:func:`widgets.anatomy.ct.scan`); a shot adds only the
needle's own line integral (a steel cylinder, :func:`needle_path`, computed exactly by
:func:`widgets.anatomy.carm.cylinder_path`), so the needle is in the same 3-D place in both views, and they
always agree.  The crop holds only 105 mm left-right of the body
(a lateral ray through a patient crosses more), so the grey window, not the absolute darkness,
carries the picture.

API (all pure, numpy only):

* :func:`frame_for` - the square a view shows around a level (C-arm field); on the lateral view its left
  edge lies :data:`LATERAL_FRONT_MARGIN_MM` in front of the body, so the whole body and its front cortex
  are on the screen;
* :func:`drr` -> :class:`Radiograph` (needle-free line integrals, the needle's added, the window,
  the frame); ``extra`` adds anything else (cement or a balloon: :func:`blob`), and
  :func:`screen` turns it into the C-arm's picture
  (:mod:`widgets.anatomy.carm`: dense structures dark by default, round field, soft edge);
* :func:`shot` -> both screen images for a needle, their frames, and the grade (one pedal press;
  it gives its temporaries back to the system, which keeps a student's kernel small);
* :func:`axial` -> :class:`Slice`: Hounsfield units through the needle tip, the needle drawn in;
  :func:`ct_window` turns it into grey;
* :func:`anchors` - 3-D points on the structures labels name; :func:`project` puts them in a view;
* :func:`region_projection` - the pedicles, canal or target seen in a view (for the overlays
  revealed after an attempt).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from widgets.anatomy import carm
from widgets.anatomy.carm import Frame
from widgets.anatomy.ct import (FIELD_MM, LEVELS, MU_CEMENT, MU_NEEDLE, NEEDLE_RADIUS_MM, PIXEL_MM, SLAB_MM, VIEWS,
                                CtGrade, NeedlePath, as_path, grade, interp_axis, lattice, level, occupancy, scan,
                                target_voxels)


# --------------------------------------------------------------------------- views

_AXES = {
    # view: (u axis, v axis, beam) in (x, y, z)
    "AP": (np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]), np.array([0.0, -1.0, 0.0])),
    "lateral": (np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])),
}


def project(points, view: str) -> np.ndarray:
    """Image coordinates ``(u, v)`` in mm of 3-D points (shape (3,) or (n, 3)) in ``view``."""
    if view not in _AXES:
        raise ValueError(f"view is 'AP' or 'lateral', not {view!r}")
    u_axis, v_axis, _ = _AXES[view]
    p = np.asarray(points, dtype=float)
    return np.stack([p @ u_axis, p @ v_axis], axis=-1)


#: On the lateral view the field's left edge lies this far in front of the body's front surface, so the
#: whole body, its front cortex and its front third are on the screen (the back of the spinous process
#: may be cut off).
LATERAL_FRONT_MARGIN_MM = 12.0


def frame_for(name: str, view: str, field_mm: float = FIELD_MM) -> Frame:
    """The square ``view`` shows of level ``name``, ``field_mm`` wide, kept inside the crop: on the AP
    view centred on the midline, on the lateral view with the body's front cortex
    :data:`LATERAL_FRONT_MARGIN_MM` inside its left edge (the whole body, the pedicle and the canal
    on the screen)."""
    lev = level(name)
    s = scan()
    _, (y0, y1), (z0, z1) = s.bounds
    half = field_mm / 2
    v = min(max(lev.middle_z, z0 + half), z1 - half)
    if view == "AP":
        u = 0.0
    else:
        u = min(max(lev.body_front_y - LATERAL_FRONT_MARGIN_MM + half, y0 + half), y1 - half)
    return Frame.around(u, v, field_mm, PIXEL_MM)


def _cut(full: np.ndarray, full_frame: Frame, frame: Frame) -> np.ndarray:
    """The part of a precomputed image that ``frame`` covers (same pixel lattice), edges extended."""
    pm = full_frame.pixel_mm
    c0 = int(round((frame.u_min - full_frame.u_min) / pm))
    r0 = int(round((frame.v_min - full_frame.v_min) / pm))
    rows, cols = frame.shape
    ri = np.clip(np.arange(r0, r0 + rows), 0, full.shape[0] - 1)
    ci = np.clip(np.arange(c0, c0 + cols), 0, full.shape[1] - 1)
    return full[np.ix_(ri, ci)]


def _base(view: str, frame: Frame) -> tuple[np.ndarray, tuple[float, float]]:
    """The needle-free line integrals over ``frame`` (float32) and their grey window (the window is
    cached per view and frame: it is held while the needle moves)."""
    full, full_frame = scan().drr_full[view]
    base = _cut(full, full_frame, frame).astype(np.float32)
    return base, _window(view, frame)


@lru_cache(maxsize=32)
def _window(view: str, frame: Frame) -> tuple[float, float]:
    full, full_frame = scan().drr_full[view]
    return carm.window(_cut(full, full_frame, frame).astype(np.float32), carm.field_mask(frame))


def needle_path(view: str, frame: Frame, needle, radius: float = NEEDLE_RADIUS_MM) -> np.ndarray:
    """Each pixel's path length (mm) through the needle (a solid steel cylinder from its tip back
    past the edge of the picture: the handle is never in view)."""
    n = as_path(needle)
    u_axis, v_axis, beam = _AXES[view]
    tip = n.tip
    back = tip - (n.depth + 2 * FIELD_MM) * np.asarray(n.direction)
    return carm.cylinder_path(frame, u_axis, v_axis, beam, back, tip, radius)


@dataclass(frozen=True)
class Radiograph:
    """Line integrals of attenuation over a frame (row 0 at the bottom): the needle-free DRR
    (``base``, shared and read-only), what was drawn into it (``added``: the needle, cement...),
    and the grey window for them (fixed per view and frame, as a C-arm's brightness control holds it)."""

    view: str
    frame: Frame
    base: np.ndarray
    added: np.ndarray | None
    window: tuple[float, float]
    from_scan: bool = True        # ``base`` is the crop's needle-free DRR over ``frame`` (its grey is cached)

    @property
    def line_integral(self) -> np.ndarray:
        return self.base if self.added is None else self.base + self.added

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return self.frame.extent


def drr(view: str, needle=None, name: str = "L1", frame: Frame | None = None,
        extra: np.ndarray | None = None) -> Radiograph:
    """The DRR of ``view`` around level ``name`` (or over ``frame``), with the needle drawn in.

    ``extra``: line integrals of anything else to add over the same frame (e.g. cement:
    ``MU * carm.ellipsoid_path(frame, *view_axes("AP"), centre, radii)``)."""
    if view not in _AXES:
        raise ValueError(f"view is 'AP' or 'lateral', not {view!r}")
    frame = frame or frame_for(name, view)
    base, win = _base(view, frame)
    added = None
    if needle is not None:
        added = needle_path(view, frame, needle)
        added *= MU_NEEDLE
    if extra is not None:
        added = extra if added is None else added + extra
    return Radiograph(view, frame, base, added, win)


def blob(view: str, frame: Frame, centre, radii, mu: float = MU_CEMENT) -> np.ndarray:
    """Line integrals of an ellipsoid of cement (or a contrast-filled balloon: pass its ``mu``)
    centred at ``centre`` with half-axes ``radii`` (mm, along x, y, z), over ``frame`` of
    ``view``: pass it to :func:`drr` as ``extra``, the same 3-D blob in both views.  It shows grey
    to black as dense matter does (:mod:`widgets.anatomy.carm`), never coloured."""
    return mu * carm.ellipsoid_path(frame, *view_axes(view), centre, radii)


def view_axes(view: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u axis, v axis, beam direction) of a view, as 3-D unit vectors in (x, y, z)."""
    if view not in _AXES:
        raise ValueError(f"view is 'AP' or 'lateral', not {view!r}")
    return tuple(a.copy() for a in _AXES[view])


@lru_cache(maxsize=2)          # the two views of the level in use (another level: made again, ~5 ms)
def _normalised_base(view: str, frame: Frame) -> np.ndarray:
    base, win = _base(view, frame)
    g = carm.normalised(base, win, pixel_mm=frame.pixel_mm)
    g.setflags(write=False)
    carm.round_field(g, frame)          # the round field's factors, made now with the rest
    carm.give_back_memory()                             # once per level and view: give the temporaries back
    return g


def screen(radiograph: Radiograph, *, dense: str = carm.DENSE, round_field: bool = True) -> np.ndarray:
    """A radiograph as the C-arm screen shows it: grey scale (dense dark by default; see
    :mod:`widgets.anatomy.carm`) in the round field.  The needle-free part, edge-enhanced, is
    computed once per view and frame; what was drawn in is added to it."""
    r = radiograph
    lo, hi = r.window
    if r.from_scan and r.window == _window(r.view, r.frame):
        g = _normalised_base(r.view, r.frame)
        if r.added is not None:
            extra = np.multiply(r.added, 1.0 / (hi - lo), dtype=np.float32)
            np.clip(extra, 0.0, 2.0, out=extra)
            g = np.add(extra, g, out=extra)
    else:
        g = carm.normalised(r.line_integral, r.window, pixel_mm=r.frame.pixel_mm)
    img = carm.finish(g, dense=dense)
    if round_field:
        np.multiply(img, carm._field_factors(img.shape, r.frame.pixel_mm, (0.0, 0.0),
                                             min(r.frame.u_max - r.frame.u_min, r.frame.v_max - r.frame.v_min) / 2,
                                             carm.VIGNETTE, carm.EDGE_MM), out=img)
    return img


@dataclass(frozen=True)
class Shot:
    """One fluoroscopy shot: both views as screen images (0..1, row 0 at the bottom) and the grade."""

    level: str
    images: dict                # view -> float32 image
    frames: dict                # view -> Frame
    grade: CtGrade | None


def shot(name: str, needle=None, approach: str = "unilateral", *, dense: str = carm.DENSE,
         views: tuple[str, ...] = VIEWS) -> Shot:
    """Render both views of level ``name`` with the needle and grade it: what one press of the pedal gives."""
    images, frames = {}, {}
    for view in views:
        r = drr(view, needle, name)
        images[view] = screen(r, dense=dense)
        frames[view] = r.frame
    g = grade(name, needle, approach) if needle is not None else None
    carm.give_back_memory()                 # a shot's temporaries go back to the system (under a millisecond)
    return Shot(name, images, frames, g)


# --------------------------------------------------------------------------- the axial slice

@dataclass(frozen=True)
class Slice:
    """An axial slice (Hounsfield units, row 0 at the bottom = the back), seen from the feet:
    ``(u, v) = (x, -y)``, patient's left on the right, front at the top."""

    z: float
    frame: Frame
    hu: np.ndarray


def axial(needle=None, z: float | None = None, pixel_mm: float = PIXEL_MM) -> Slice:
    """The axial slice at height ``z`` (default: through the needle's tip), the needle drawn in as
    metal where it lies within ``SLAB_MM`` of the plane."""
    s = scan()
    n = as_path(needle) if needle is not None else None
    if z is None:
        if n is None:
            raise ValueError("give a height z (mm) or a needle whose tip sets it")
        z = float(n.tip[2])
    (x0, x1), (y0, y1), (z0, z1) = s.bounds
    if not z0 <= z <= z1:
        raise ValueError(f"z = {z:.1f} mm is outside the CT crop ({z0:.0f} to {z1:.0f} mm)")
    u0, u1 = lattice(x0, x1, pixel_mm)
    v0, v1 = lattice(-y1, -y0, pixel_mm)
    fr = Frame(u0, u1, v0, v1, pixel_mm)
    kf = (z - s.origin[2]) / s.spacing[2]
    k0 = int(np.clip(np.floor(kf), 0, s.shape[2] - 1))
    k1 = min(k0 + 1, s.shape[2] - 1)
    f = float(np.clip(kf - k0, 0.0, 1.0))
    plane = s.hu_code[:, :, k0].astype(np.float32) * (1 - f) + s.hu_code[:, :, k1].astype(np.float32) * f
    plane = plane * 10.0 - 1000.0                                    # (nx, ny) HU
    xs = s.origin[0] + s.spacing[0] * np.arange(s.shape[0])
    ys = s.origin[1] + s.spacing[1] * np.arange(s.shape[1])
    img = interp_axis(plane, xs, fr.u(), axis=0)                    # (cols, ny)
    img = interp_axis(img, ys, -fr.v(), axis=1).T                   # (rows, cols)
    if n is not None:
        img = np.where(_needle_in_slab(n, fr, z), 3000.0, img)
    out = Slice(float(z), fr, img.astype(np.float32))
    carm.give_back_memory()
    return out


def _needle_in_slab(n: NeedlePath, fr: Frame, z: float) -> np.ndarray:
    """Pixels of the slice plane within the needle's radius of its part inside the slab around ``z``."""
    d = np.asarray(n.direction)
    tip = n.tip
    # the stretch of the needle (from the tip back) whose axis lies within the slab (widened by the radius)
    half = SLAB_MM / 2 + NEEDLE_RADIUS_MM
    if abs(d[2]) < 1e-9:
        if abs(tip[2] - z) > half:
            return np.zeros(fr.shape, bool)
        t_lo, t_hi = -1e3, 0.0
    else:
        ta, tb = (z - half - tip[2]) / d[2], (z + half - tip[2]) / d[2]
        t_lo, t_hi = min(ta, tb), min(max(ta, tb), 0.0)
        if t_lo > 0:
            return np.zeros(fr.shape, bool)
    a = tip + t_lo * d
    b = tip + t_hi * d
    ax, ay = a[0], -a[1]
    bx, by = b[0], -b[1]
    uu, vv = np.meshgrid(fr.u(), fr.v())
    ex, ey = bx - ax, by - ay
    L2 = ex * ex + ey * ey
    t = np.clip(((uu - ax) * ex + (vv - ay) * ey) / L2, 0.0, 1.0) if L2 > 1e-12 else np.zeros_like(uu)
    dist2 = (uu - ax - t * ex) ** 2 + (vv - ay - t * ey) ** 2
    return dist2 <= NEEDLE_RADIUS_MM ** 2


def ct_window(hu: np.ndarray, centre: float = 400.0, width: float = 1800.0) -> np.ndarray:
    """Hounsfield units -> grey 0..1 for a CT slice (bone white, as CT is always shown): a bone window by default."""
    lo = centre - width / 2
    return np.clip((np.asarray(hu, dtype=np.float32) - lo) / width, 0.0, 1.0)


# --------------------------------------------------------------------------- labels and overlays

def anchors(name: str) -> dict[str, tuple[float, float, float]]:
    """3-D points (mm) on the structures a label names, for placing labels on them in any view:
    the body's centre, the front third (target), the posterior wall, the canal, each pedicle's
    centre, the spinous process' tip, and the discs above and below (on the midline)."""
    lev = level(name)
    s = scan()
    mid_y = (lev.body_front_y + lev.posterior_wall_y) / 2
    out = {
        "body": (0.0, mid_y, lev.middle_z),
        "front third": tuple(float(v) for v in lev.target_point("unilateral")),
        "posterior wall": (0.0, lev.posterior_wall_y, lev.middle_z),
        "spinous process": lev.spinous_tip,
        "pedicle left": lev.pedicle(1).centre,
        "pedicle right": lev.pedicle(-1).centre,
    }
    ii, jj = np.nonzero(lev.canal_footprint)
    if len(ii):
        out["spinal canal"] = (float(s.origin[0] + s.spacing[0] * ii.mean()), float(s.origin[1] + jj.mean()),
                               lev.pedicle(1).centre[2])
    i = LEVELS.index(name)                      # LEVELS runs from the head down
    if i > 0:
        up = level(LEVELS[i - 1])
        out["disc above"] = (0.0, mid_y, (lev.upper_endplate_z + up.lower_endplate_z) / 2)
    if i + 1 < len(LEVELS):
        down = level(LEVELS[i + 1])
        out["disc below"] = (0.0, mid_y, (lev.lower_endplate_z + down.upper_endplate_z) / 2)
    return {k: tuple(float(v) for v in p) for k, p in out.items()}


REGIONS = ("pedicle left", "pedicle right", "canal", "body", "target")


@lru_cache(maxsize=8)
def region_points(name: str, region: str, approach: str = "unilateral", side: int = 1) -> np.ndarray:
    """Voxel centres (n, 3) of a region of level ``name``: a pedicle, the canal, the body or the target."""
    lev = level(name)
    s = scan()
    if region == "target":
        return target_voxels(name, approach, side)
    if region == "canal":
        ii, jj = np.nonzero(lev.canal_footprint)
        ks = np.arange(int(math.ceil(lev.canal_z[0] - s.origin[2])), int(lev.canal_z[1] - s.origin[2]) + 1)
        pts = s.origin + np.stack([np.repeat(ii, len(ks)), np.repeat(jj, len(ks)), np.tile(ks, len(ii))], 1) * s.spacing
        return pts[occupancy(lev.label, pts) < 0.5]
    ii, jj, kk = np.nonzero(lev.mask())
    pts = s.origin + np.stack([ii, jj, kk + lev.k_range[0]], axis=1) * s.spacing
    if region == "body":
        return pts[pts[:, 1] <= lev.posterior_wall_y]
    if region in ("pedicle left", "pedicle right"):
        ped = lev.pedicle(1 if region.endswith("left") else -1)
        return pts[(pts[:, 1] >= ped.y_front) & (pts[:, 1] <= ped.y_back) & (ped.side * pts[:, 0] > s.spacing[0])]
    raise ValueError(f"region is one of {', '.join(REGIONS)}, not {region!r}")


def region_projection(name: str, region: str, view: str, frame: Frame | None = None,
                      approach: str = "unilateral", side: int = 1) -> np.ndarray:
    """Where a region shows in ``view`` over ``frame`` (bool image, row 0 at the bottom): the
    pixels its voxels project onto (each voxel covers its full size), for an outline after an attempt."""
    frame = frame or frame_for(name, view)
    pts = region_points(name, region, approach, side)
    s = scan()
    out = np.zeros(frame.shape, bool)
    if not len(pts):
        return out
    uv = project(pts, view)
    half_u = (s.spacing[0] if view == "AP" else s.spacing[1]) / 2
    pm = frame.pixel_mm
    c0 = np.floor((uv[:, 0] - half_u - frame.u_min) / pm + 0.5).astype(int)
    c1 = np.floor((uv[:, 0] + half_u - frame.u_min) / pm + 0.5).astype(int)
    r0 = np.floor((uv[:, 1] - 0.5 - frame.v_min) / pm + 0.5).astype(int)
    r1 = np.floor((uv[:, 1] + 0.5 - frame.v_min) / pm + 0.5).astype(int)
    rows, cols = frame.shape
    for dc in range(int((c1 - c0).max()) + 1):
        for dr in range(int((r1 - r0).max()) + 1):
            c, r = c0 + dc, r0 + dr
            ok = (c < c1) & (r < r1) & (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
            out[r[ok], c[ok]] = True
    carm.give_back_memory()
    return out
