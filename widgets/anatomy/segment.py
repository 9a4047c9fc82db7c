"""The treated vertebra and its neighbours as 3-D solids, from one level's dimensions.

Coordinates, in millimetres, shared by every view, the camera model and the grading:

* ``x``: left-right, 0 on the midline, positive toward the patient's **left** (the needle's side);
* ``y``: front to back, 0 at the front (anterior) surface of the treated vertebral body, its
  posterior wall at ``y = depth``; the pedicles, canal, lamina and spinous process lie behind it;
* ``z``: up (cranial), 0 at the lower endplate of the treated body.

The side view of notebook 01 uses the same ``y`` (front to back) and ``z`` (height).

The solids are simple shapes placed by the level's dimensions: the body (front half an ellipse,
back a rectangle with rounded corners, the upper endplate through the anterior, middle and
posterior heights), the pedicles (elliptical tubes of the measured width and height, angled
toward the midline by the measured angle, their inner walls the measured interpedicular distance
apart), the laminae, spinous and transverse processes (illustrative shapes), and the vertebrae
above and below (the same shapes, unfractured, a measured or derived disc height away).

Pure logic (numpy only): no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from widgets.anatomy.levels import Level, level as anatomy_level

#: The needle goes into the pedicle on the patient's left (x > 0).
NEEDLE_SIDE = 1
#: The one-pedicle target spans the middle third of the body's width around the midline (our reading of
#: "the midline of the front third"; the real CT's grading, ``widgets.anatomy.ct``, uses the same).
MIDLINE_FRACTION = 1 / 3


# --------------------------------------------------------------------------- solids

@dataclass(frozen=True)
class Body:
    """A vertebral body: ``bottom(y) = b0 + b1 * y`` and ``top(y) = bottom(y) + h(y)``."""

    depth: float
    width: float
    heights: tuple[float, float, float]   # anterior, middle, posterior
    b0: float = 0.0
    b1: float = 0.0
    density: float = 0.28                 # spongy (cancellous) bone, light: osteoporotic
    shell: float = 1.0                    # cortex

    def height(self, y):
        a, m, p = self.heights
        d = self.depth
        y = np.asarray(y, dtype=float)
        return np.where(y <= d / 2, a + (m - a) * y / (d / 2), m + (p - m) * (y - d / 2) / (d / 2))

    def bottom(self, y):
        return self.b0 + self.b1 * np.asarray(y, dtype=float)

    def top(self, y):
        return self.bottom(y) + self.height(y)

    def half_width(self, y):
        """Half the body's width at ``y``: an ellipse in front, straight sides with rounded back corners."""
        d, w = self.depth, self.width / 2
        y = np.asarray(y, dtype=float)
        r = 0.22 * d
        front = w * np.sqrt(np.clip(1 - ((d / 2 - y) / (d / 2)) ** 2, 0, 1))
        back = w - r + np.sqrt(np.clip(r * r - np.clip(y - (d - r), 0, None) ** 2, 0, None))
        out = np.where(y < d / 2, front, np.minimum(w, back))
        return np.where((y < 0) | (y > d), 0.0, out)

    def inside(self, p, shrink: float = 0.0):
        x, y, z = p[..., 0], p[..., 1], p[..., 2]
        return ((y >= shrink) & (y <= self.depth - shrink) & (np.abs(x) <= self.half_width(y) - shrink)
                & (z >= self.bottom(y) + shrink) & (z <= self.top(y) - shrink))

    def bbox(self):
        top = float(np.max(self.top(np.array([0.0, self.depth / 2, self.depth]))))
        low = float(np.min(self.bottom(np.array([0.0, self.depth]))))
        return (-self.width / 2, self.width / 2), (0.0, self.depth), (low, top)


@dataclass(frozen=True)
class Pedicle:
    """An elliptical tube between the back of the body (``y_front``) and its own back (``y_back``).

    In any plane ``y = const`` its section is an ellipse centred at ``(centre_x(y), z_centre)`` with
    half-axes ``half_x`` (side to side) and ``height / 2``.  ``side`` is +1 (patient's left) or -1.
    """

    side: int
    width: float
    height: float
    angle_deg: float
    y_front: float
    y_back: float
    x_mid: float          # centre x (unsigned) half-way along
    z_centre: float
    density: float = 0.35
    shell: float = 3.0    # the pedicle's cortex is dense: seen along its length it shows as a ring

    @property
    def tan(self) -> float:
        return math.tan(math.radians(self.angle_deg))

    @property
    def half_x(self) -> float:
        """Half-width of the section in a plane y = const: (width / 2) / cos(angle)."""
        return self.width / 2 / math.cos(math.radians(self.angle_deg))

    @property
    def y_mid(self) -> float:
        return (self.y_front + self.y_back) / 2

    def centre_x(self, y):
        """Signed x of the axis at ``y``: toward the midline as it goes forward."""
        return self.side * (self.x_mid + (np.asarray(y, dtype=float) - self.y_mid) * self.tan)

    def normalised(self, p):
        """(lateral, up) position in the section, in units of the half-axes: on the wall when
        lateral**2 + up**2 == 1; lateral < 0 is toward the midline (medial)."""
        x, y, z = p[..., 0], p[..., 1], p[..., 2]
        lateral = self.side * (x - self.centre_x(y)) / self.half_x
        up = (z - self.z_centre) / (self.height / 2)
        return lateral, up

    def inside(self, p, shrink: float = 0.0):
        lat, up = self.normalised(p)
        sx = max(self.half_x - shrink, 1e-6) / self.half_x
        sz = max(self.height / 2 - shrink, 1e-6) / (self.height / 2)
        y = p[..., 1]
        return ((y >= self.y_front) & (y <= self.y_back) & ((lat / sx) ** 2 + (up / sz) ** 2 <= 1.0))

    @property
    def medial_wall_x(self) -> float:
        """Where the pedicle's inner (medial) wall shows on a true AP view: its most medial x
        (at the front end of the pedicle), signed."""
        return self.side * (abs(float(self.centre_x(self.y_front))) - self.half_x)

    @property
    def lateral_wall_x(self) -> float:
        return self.side * (abs(float(self.centre_x(self.y_back))) + self.half_x)

    def bbox(self):
        xs = [float(self.centre_x(self.y_front)), float(self.centre_x(self.y_back))]
        return ((min(xs) - self.half_x, max(xs) + self.half_x), (self.y_front, self.y_back),
                (self.z_centre - self.height / 2, self.z_centre + self.height / 2))


@dataclass(frozen=True)
class Prism:
    """A convex polygon in the (x, y) plane, extruded between ``z_low(y)`` and ``z_high(y)``
    (each linear in y: ``z0 + slope * (y - y_ref)``)."""

    name: str
    polygon: tuple[tuple[float, float], ...]    # counter-clockwise
    z0_low: float
    z0_high: float
    slope: float = 0.0
    y_ref: float = 0.0
    density: float = 0.5
    shell: float = 1.0

    def inside(self, p, shrink: float = 0.0):
        x, y, z = p[..., 0], p[..., 1], p[..., 2]
        ok = np.ones(x.shape, dtype=bool)
        pts = self.polygon
        for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]):
            ex, ey = x2 - x1, y2 - y1
            length = math.hypot(ex, ey) or 1.0
            ok &= (ex * (y - y1) - ey * (x - x1)) / length >= shrink
        shift = self.slope * (y - self.y_ref)
        return ok & (z >= self.z0_low + shift + shrink) & (z <= self.z0_high + shift - shrink)

    def bbox(self):
        xs = [q[0] for q in self.polygon]
        ys = [q[1] for q in self.polygon]
        shifts = [self.slope * (y - self.y_ref) for y in ys]
        return ((min(xs), max(xs)), (min(ys), max(ys)),
                (self.z0_low + min(shifts), self.z0_high + max(shifts)))


def _ccw(points):
    """Order a convex polygon's points counter-clockwise."""
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    return tuple(sorted(points, key=lambda p: math.atan2(p[1] - cy, p[0] - cx)))


# --------------------------------------------------------------------------- one vertebra

@dataclass(frozen=True)
class Vertebra:
    name: str
    body: Body
    pedicles: tuple[Pedicle, Pedicle]    # right (-1), left (+1)
    posterior: tuple[Prism, ...]         # laminae, spinous process, transverse processes

    def pedicle(self, side: int) -> Pedicle:
        return self.pedicles[0 if side < 0 else 1]

    @property
    def solids(self) -> list:
        return [self.body, *self.pedicles, *self.posterior]


def build_vertebra(lv: Level, name: str, heights: tuple[float, float, float], *, b0: float = 0.0,
                   b1: float = 0.0) -> Vertebra:
    d = lv["body_depth_mm"]
    body = Body(d, lv["body_width_mm"], tuple(float(h) for h in heights), b0, b1)
    angle = lv["pedicle_angle_deg"]
    length = lv["pedicle_length_mm"]
    y_back = d + length * math.cos(math.radians(angle))
    width, height = lv["pedicle_width_mm"], lv["pedicle_height_mm"]
    half_x = width / 2 / math.cos(math.radians(angle))
    x_mid = lv["interpedicular_distance_mm"] / 2 + half_x
    posterior_bottom = float(body.bottom(d))
    z_centre = posterior_bottom + lv["pedicle_centre_fraction"] * heights[2]
    pedicles = tuple(Pedicle(side, width, height, angle, d, y_back, x_mid, z_centre) for side in (-1, 1))
    left = pedicles[1]
    canal_back = d + lv["canal_depth_mm"]
    t = lv["lamina_thickness_mm"]
    z_top = z_centre + height / 2
    lam_low, lam_high = z_top - lv["lamina_height_mm"], z_top
    inner_back = (float(left.centre_x(y_back)) - left.half_x, y_back)
    outer_back = (float(left.centre_x(y_back)) + left.half_x, y_back)
    posterior = []
    for s in (-1, 1):
        poly = [(s * inner_back[0], inner_back[1]), (0.0, canal_back), (0.0, canal_back + t),
                (s * outer_back[0], outer_back[1] + t), (s * outer_back[0], outer_back[1])]
        posterior.append(Prism(f"lamina {'left' if s > 0 else 'right'}", _ccw(poly), lam_low, lam_high, density=0.55))
    sw, sl, sh = lv["spinous_width_mm"], lv["spinous_length_mm"], lv["spinous_height_mm"]
    y0 = canal_back + t * 0.5
    z_mid = lam_low + 0.45 * (lam_high - lam_low)
    posterior.append(Prism("spinous process", _ccw([(-sw / 2, y0), (sw / 2, y0), (sw * 0.3, y0 + sl),
                                                    (-sw * 0.3, y0 + sl)]),
                           z_mid - sh / 2, z_mid + sh / 2, slope=-0.25, y_ref=y0, density=0.35, shell=0.7))
    tl, th, tt = lv["transverse_length_mm"], lv["transverse_height_mm"], lv["transverse_thickness_mm"]
    for s in (-1, 1):
        x1 = outer_back[0] - 1.0
        poly = [(s * x1, y_back - tt), (s * (x1 + tl), y_back - tt + 2), (s * (x1 + tl), y_back),
                (s * x1, y_back + 1.5)]
        posterior.append(Prism(f"transverse process {'left' if s > 0 else 'right'}", _ccw(poly),
                               z_centre - th / 2, z_centre + th / 2, density=0.3, shell=0.6))
    return Vertebra(name, body, pedicles, tuple(posterior))


# --------------------------------------------------------------------------- the segment

@dataclass(frozen=True)
class Segment:
    """The treated vertebra (with the given, perhaps fractured, heights) and its two neighbours."""

    level: Level
    heights: tuple[float, float, float]
    treated: Vertebra
    above: Vertebra
    below: Vertebra
    side: int = NEEDLE_SIDE
    extras: dict = field(default_factory=dict)

    @property
    def depth(self) -> float:
        return self.treated.body.depth

    @property
    def pedicle(self) -> Pedicle:
        """The pedicle the needle goes through."""
        return self.treated.pedicle(self.side)

    @property
    def entry_y(self) -> float:
        """The back surface of the pedicle, where the needle meets the bone."""
        return self.pedicle.y_back

    @property
    def skin_y(self) -> float:
        return self.entry_y + self.level["skin_depth_mm"]

    @property
    def target_y(self) -> float:
        """The front third of the body ends here (the target zone is 0 <= y <= depth / 3)."""
        return self.depth / 3

    def target_half_width(self) -> float:
        """Half the width of the one-pedicle target (the middle third of the body's width)."""
        return self.treated.body.width * MIDLINE_FRACTION / 2

    def target_point(self, approach: str = "unilateral") -> np.ndarray:
        """The target's centre: the middle of the front third, half-way up the body there; on the
        midline for one pedicle, in the middle of the needle's half of the body for two."""
        _check_approach(approach)
        body = self.treated.body
        y = self.depth / 6
        x = 0.0 if approach == "unilateral" else self.side * body.width / 4
        z = (float(body.bottom(y)) + float(body.top(y))) / 2
        return np.array([x, y, z])

    def in_target(self, p, approach: str = "unilateral") -> np.ndarray:
        """Whether points lie in the target: inside the body, in its front third, and within the middle
        third of its width (one pedicle: "the midline of the front third") or on the needle's side of
        the midline (two pedicles: each needle fills its own side's front third)."""
        _check_approach(approach)
        p = np.asarray(p, dtype=float)
        ok = self.in_body(p) & (p[..., 1] <= self.target_y + 1e-9)
        if approach == "unilateral":
            return ok & (np.abs(p[..., 0]) <= self.target_half_width() + 1e-9)
        return ok & (self.side * p[..., 0] >= -1e-9)

    def target_distance(self, p, approach: str = "unilateral") -> float:
        """Distance (mm) from a point to the nearest point of the target (0 inside it), to within half a
        millimetre (the target is sampled every millimetre)."""
        p = np.asarray(p, dtype=float)
        if bool(self.in_target(p, approach)):
            return 0.0
        pts = self._target_samples(approach)
        return float(np.sqrt(((pts - p) ** 2).sum(axis=1)).min())

    def _target_samples(self, approach: str) -> np.ndarray:
        key = ("target", approach)
        if key not in self.extras:
            body = self.treated.body
            xs = np.arange(-body.width / 2, body.width / 2 + 0.5, 1.0)
            ys = np.arange(0.0, self.target_y + 0.5, 1.0)
            lo, hi = body.bbox()[2]
            zs = np.arange(lo, hi + 0.5, 1.0)
            grid = np.stack(np.meshgrid(xs, ys, zs, indexing="ij"), axis=-1).reshape(-1, 3)
            self.extras[key] = grid[self.in_target(grid, approach)].astype(np.float32)
        return self.extras[key]

    def in_front(self, p) -> np.ndarray:
        """Points outside the body that lie through its front cortex, where the aorta and the vena cava
        lie ahead: in front of the body (y < 0), or outside its curved front within its front third,
        its width and its height."""
        p = np.asarray(p, dtype=float)
        body = self.treated.body
        y = p[..., 1]
        yc = np.clip(y, 0.0, self.depth)
        within = ((p[..., 2] >= body.bottom(yc) - 1e-9) & (p[..., 2] <= body.top(yc) + 1e-9)
                  & (np.abs(p[..., 0]) <= body.width / 2) & (y <= self.target_y))
        return ~self.in_body(p) & ((y < 0) | within)

    @property
    def solids(self) -> list:
        return [*self.treated.solids, *self.above.solids, *self.below.solids]

    def static_solids(self) -> list:
        """Everything but the treated body (which changes with the fracture and the balloon)."""
        return [*self.treated.pedicles, *self.treated.posterior, *self.above.solids, *self.below.solids]

    def in_body(self, p) -> np.ndarray:
        return self.treated.body.inside(np.asarray(p, dtype=float))

    def region(self, p) -> str:
        """Where a point lies (the needle tip), as one of :data:`REGIONS`' ids: grading compares these,
        and :meth:`where` turns them into words afterwards."""
        p = np.asarray(p, dtype=float)
        x, y, z = (float(v) for v in p)
        body = self.treated.body
        if self.pedicle.inside(p):
            return "pedicle"
        if body.inside(p):
            return "body_front_third" if y <= self.depth / 3 else (
                "body_middle_third" if y <= 2 * self.depth / 3 else "body_back_third")
        if 0 <= y <= self.depth and abs(x) <= float(body.half_width(y)):
            return "disc_above" if z > float(body.top(y)) else "disc_below"
        if bool(self.in_front(p)):
            return "in_front"
        if 0 <= y <= self.depth:
            return "beside"
        if (abs(x) < self.level["interpedicular_distance_mm"] / 2
                and y <= self.depth + self.level["canal_depth_mm"]):
            return "canal"
        return "behind"

    def where(self, p) -> str:
        """Plain words for where a point lies (the needle tip), for feedback and alt text."""
        return REGION_WORDS[self.region(p)]


#: Where a point can lie, by id, in the words feedback and alt text use (wording only: no grade reads them).
REGION_WORDS = {
    "pedicle": "in the pedicle",
    "body_front_third": "in the front third of the vertebral body",
    "body_middle_third": "in the middle third of the vertebral body",
    "body_back_third": "in the back third of the vertebral body",
    "disc_above": "in the disc space above the body",
    "disc_below": "in the disc space below the body",
    "in_front": "in front of the vertebral body, outside the bone",
    "beside": "beside the vertebral body, outside the bone",
    "canal": "in the spinal canal",
    "behind": "behind the vertebral body, outside the pedicle",
    "bone_behind": "in the bone behind the pedicle",
}
REGIONS = tuple(REGION_WORDS)
#: The regions inside the vertebral body.
BODY_REGIONS = ("body_front_third", "body_middle_third", "body_back_third")
#: Approaches: through one pedicle (the tip to the midline) or through both (each to its own side).
APPROACHES = ("unilateral", "bilateral")


def _check_approach(approach: str) -> None:
    if approach not in APPROACHES:
        raise ValueError(f"approach is 'unilateral' (one pedicle) or 'bilateral' (two), not {approach!r}")


def default_heights(lv: Level) -> tuple[float, float, float]:
    return lv.expected_heights()


@lru_cache(maxsize=64)
def segment(level_id: str = "L5", heights: tuple[float, float, float] | None = None) -> Segment:
    """The segment around ``level_id`` with the treated body at ``heights`` (anterior, middle,
    posterior; default: unfractured).  Cached: the same arguments give the same object."""
    lv = anatomy_level(level_id)
    expected = lv.expected_heights()
    h = tuple(float(v) for v in (heights or expected))
    treated = build_vertebra(lv, lv.id, h)
    d = lv["body_depth_mm"]
    a, m, p = expected
    # the vertebra above sits on a disc of even height over the treated body's unfractured upper endplate
    up = lv.disc_above.value
    above = build_vertebra(lv, lv.above, expected, b0=a + up, b1=(p - a) / d)
    down = lv.disc_below.value
    below = build_vertebra(lv, lv.below, expected, b0=-down - a, b1=-(p - a) / d)
    return Segment(lv, h, treated, above, below)


def side_outlines(seg: Segment) -> dict[str, list[tuple[float, float]]]:
    """Outlines, in the side view (y front to back, z up), of the treated vertebra's parts behind
    the body: the pedicle, the lamina (the arch behind the spinal canal) and the spinous process."""
    ped = seg.pedicle
    lo, hi = ped.z_centre - ped.height / 2, ped.z_centre + ped.height / 2
    out = {"pedicle": [(ped.y_front, lo), (ped.y_back, lo), (ped.y_back, hi), (ped.y_front, hi)]}
    for prism in seg.treated.posterior:
        if prism.name.startswith("transverse") or prism.name == "lamina right":
            continue
        ys = [q[1] for q in prism.polygon]
        y0, y1 = min(ys), max(ys)
        s0, s1 = prism.slope * (y0 - prism.y_ref), prism.slope * (y1 - prism.y_ref)
        name = "lamina" if prism.name.startswith("lamina") else "spinous process"
        out[name] = [(y0, prism.z0_low + s0), (y1, prism.z0_low + s1), (y1, prism.z0_high + s1),
                     (y0, prism.z0_high + s0)]
    return out
