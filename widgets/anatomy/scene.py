"""What the two fluoroscopic views show at one moment, as 3-D geometry (no drawing).

A :class:`Scene` is the needle (or none), the kyphoplasty balloon, the cavity, the cement, whether
live x-ray is on and whether the "what can go wrong" overlay of cement leakage routes is shown.
The functions here turn it into shapes a camera can project: the balloon and the cement as
ellipsoids centred where the needle tip (or the planned tip) lies, the leakage routes as 3-D
polylines from the cement to where cement escapes (the disc, the spinal canal, the veins), and a
plain description of the needle tip for alt text and feedback.

Sizes of the balloon, cavity and cement are illustrative (fractions of the body, as in the side
view of notebook 01); the leakage routes are drawn where a review of 3,175 vertebroplasties and a
case-control study name them [cl_canal_leak_and_pce_josr2019; cl_leak_pattern_intravertebral_cleft].

Pure logic (numpy only): no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import Field

from widgets.anatomy.camera import Camera, Needle
from widgets.anatomy.needle_path import planned_needle
from widgets.anatomy.segment import Segment
from widgets.core.loading import ContentModel

LEAK_CITES = ("cl_canal_leak_and_pce_josr2019", "cl_leak_pattern_intravertebral_cleft")


class Drawing(ContentModel):
    """What the pictures show at a procedure step (authored with each step in ``widgets/content/procedures/``):
    the needle, the balloon, the cavity, the cement, live x-ray and a caption.  :func:`scene_for_step` turns
    it into a :class:`Scene`; the sagittal drawing (:mod:`widgets.anatomy.drawing`) draws it directly."""

    needle: Literal["none", "skin", "body", "removed"] = "none"
    balloon: float = Field(0.0, ge=0.0, le=1.0, description="inflation, 0 (none) to 1 (full)")
    cavity: bool = False
    cement: float = Field(0.0, ge=0.0, le=1.0, description="fraction of the target volume filled")
    cement_set: bool = False
    xray: bool = False
    caption: str = Field(min_length=5)


@dataclass(frozen=True)
class Scene:
    needle: Needle | None = None
    track: bool = False          # the needle was withdrawn: nothing drawn, the alt text says so
    balloon: float = 0.0         # inflation, 0 (none) to 1 (full)
    cavity: bool = False
    cement: float = 0.0          # share of the target volume filled, 0 to 1
    cement_set: bool = False
    xray: bool = True            # live x-ray (fluoroscopy) on
    leaks: bool = False          # show the "what can go wrong" overlay
    caption: str = ""

    def __post_init__(self):
        for name in ("balloon", "cement"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"scene {name} must be from 0 to 1; got {value!r}")


@dataclass(frozen=True)
class Ellipsoid:
    centre: tuple[float, float, float]
    radii: tuple[float, float, float]    # x, y, z

    def outline(self, camera: Camera, wobble: float = 0.0, n: int = 72) -> np.ndarray:
        """The projected outline (n, 2): an ellipse, or a lobed blob when ``wobble`` > 0."""
        cu, cv = camera.project(np.array(self.centre))
        rx, ry, rz = self.radii
        if camera.kind == "lateral":
            half_u = ry
        else:
            phi = math.radians(camera.oblique_deg)
            half_u = math.hypot(rx * math.cos(phi), ry * math.sin(phi))
        t = np.linspace(0, 2 * math.pi, n, endpoint=False)
        r = 1.0 + wobble * (np.sin(3 * t + 1.0) * 0.6 + np.sin(5 * t + 2.0) * 0.4)
        return np.stack([cu + half_u * r * np.cos(t), cv + rz * r * np.sin(t)], axis=1)


def device_phrases(balloon: float, cavity: bool, cement: float, cement_set: bool) -> list[str]:
    """What the balloon, cavity and cement show, in words every figure's alt text uses."""
    out = []
    if balloon > 0:
        out.append(f"a balloon inflated to {balloon * 100:.0f} %")
    if cavity and cement == 0:
        out.append("an empty cavity where the balloon was")
    if cement > 0:
        where = "filling the cavity" if cavity else "spread through the spongy bone"
        out.append(f"{'hardened' if cement_set else 'liquid'} cement {where}")
    return out


def tip_centre(seg: Segment, scene: Scene) -> np.ndarray:
    """Where the balloon and the cement are centred: the needle tip, or the planned tip."""
    if scene.needle is not None:
        return scene.needle.tip
    return planned_needle(seg).tip


def _space(seg: Segment) -> tuple[float, float, float]:
    """Room around the tip inside the body (half-sizes x, y, z), as the side view uses."""
    a, m, _ = seg.heights
    d = seg.depth
    return 0.26 * d, 0.21 * d, 0.375 * min(a, m)


def balloon(seg: Segment, scene: Scene) -> Ellipsoid | None:
    if scene.balloon <= 0:
        return None
    s = max(scene.balloon, 0.05)
    rx, ry, rz = _space(seg)
    return Ellipsoid(tuple(float(v) for v in tip_centre(seg, scene)), (rx * s, ry * s, rz * s))


def cavity(seg: Segment, scene: Scene) -> Ellipsoid | None:
    if not scene.cavity:
        return None
    return Ellipsoid(tuple(float(v) for v in tip_centre(seg, scene)), _space(seg))


def cement(seg: Segment, scene: Scene) -> tuple[Ellipsoid, float] | None:
    """The cement and how lobed its outline is: it fills a kyphoplasty cavity smoothly, and spreads
    unevenly through the spongy bone after a vertebroplasty."""
    if scene.cement <= 0:
        return None
    s = max(scene.cement, 0.05)
    rx, ry, rz = _space(seg)
    centre = tuple(float(v) for v in tip_centre(seg, scene))
    if scene.cavity:
        return Ellipsoid(centre, (rx * s, ry * s, rz * s)), 0.0
    return Ellipsoid(centre, (rx * 1.15 * s, ry * 1.1 * s, rz * 0.95 * s)), 0.12


@dataclass(frozen=True)
class LeakRoute:
    name: str
    label: str
    points: tuple[tuple[float, float, float], ...]
    views: tuple[str, ...] = ("AP", "lateral")           # the views in which the route reads clearly
    label_offset: dict = field(default_factory=dict)      # view -> (du, dv) of the label from the arrow's end


def leak_routes(seg: Segment, scene: Scene) -> list[LeakRoute]:
    """Where cement can escape, from the cement (or the planned tip) outward."""
    c = tip_centre(seg, scene)
    body = seg.treated.body
    d = seg.depth
    x, y, z = (float(v) for v in c)
    top = float(body.top(y))
    mid_back = float(body.top(d)) * 0.45
    up = seg.level.disc_above.value
    half = float(body.half_width(d * 0.5))
    return [
        LeakRoute("disc", "into the disc", ((x, y, z + 3), (x, y, top + 0.7 * up)),
                  label_offset={"AP": (-1.5, 1.0), "lateral": (1.5, 1.0)}),
        LeakRoute("canal", "into the spinal canal",
                  ((x * 0.4, d - 3, mid_back), (2.0, d + 0.55 * seg.level["canal_depth_mm"], mid_back - 4)),
                  label_offset={"AP": (-8.0, -4.0), "lateral": (1.0, -2.5)}),
        LeakRoute("basivertebral", "into a vein (basivertebral)", ((x, y + 2, z - 2), (0.5, d - 0.5, mid_back * 0.6)),
                  views=("lateral",), label_offset={"lateral": (-1.0, -9.0)}),
        LeakRoute("segmental", "into a vein (segmental)",
                  ((x + seg.side * 4, d * 0.45, z - 3), (seg.side * (half + 9), d * 0.45, z - 6)),
                  views=("AP",), label_offset={"AP": (-1.0, -9.0)}),
    ]


def describe_tip(seg: Segment, needle: Needle) -> str:
    """Where the tip is and which wall it is near, as both views show it (alt text, feedback)."""
    tip = needle.tip
    ped = seg.pedicle
    x, y, z = (float(v) for v in tip)
    where = seg.where(tip)
    parts = [f"The needle is {needle.depth:.0f} mm in; its tip is {where}."]
    ap_gap = seg.side * (x - ped.medial_wall_x)
    if ap_gap >= 0:
        parts.append(f"On the AP view the tip is {ap_gap:.1f} mm lateral to the line of the pedicle's medial wall.")
    elif y < seg.depth:
        parts.append(f"On the AP view the tip is {-ap_gap:.1f} mm medial to the line of the pedicle's medial wall, "
                     "which the rule allows once the tip is in front of the posterior wall of the body.")
    else:
        parts.append(f"On the AP view the tip is {-ap_gap:.1f} mm medial to the line of the pedicle's medial wall "
                     "while it is still behind the body: the danger zone of the spinal canal.")
    back = y - seg.depth
    if back >= 0:
        parts.append(f"On the lateral view it is {back:.1f} mm behind the posterior wall of the body.")
    elif y >= 0:
        parts.append(f"On the lateral view it is {-back:.1f} mm in front of the posterior wall, "
                     f"{y:.1f} mm from the front of the body (the front third ends {seg.target_y:.1f} mm from it).")
    else:
        parts.append(f"On the lateral view it is {-y:.1f} mm in front of the body's front wall.")
    if ped.inside(tip):
        lat, upn = (float(v) for v in ped.normalised(tip))
        r = math.hypot(lat, upn)
        wall = ("medial" if lat < 0 else "lateral") if abs(lat) >= abs(upn) else ("upper" if upn > 0 else "lower")
        gap = (1 - r) * (ped.half_x if wall in ("medial", "lateral") else ped.height / 2)
        parts.append(f"Inside the pedicle it is nearest its {wall} wall, about {gap:.1f} mm from it.")
    return " ".join(parts)


#: Procedure phases whose change the stepper can play out within the step (0 to 100 %).
PROGRESS_PHASES = {"needle": "the needle advancing", "balloon_inflate": "the balloon inflating",
                   "balloon_deflate": "the balloon deflating", "cement_inject": "the cement filling the body"}


def scene_for_step(seg: Segment, drawing, phase: str, progress: float = 1.0, *, leaks: bool = False) -> Scene:
    """The scene of a procedure step (its ``drawing``: needle, balloon, cavity, cement, x-ray, caption),
    played out to ``progress`` (0 to 1) when the phase is one of :data:`PROGRESS_PHASES`."""
    if not 0.0 <= progress <= 1.0:
        raise ValueError(f"progress within a step must be from 0 to 1; got {progress!r}")
    p = progress if phase in PROGRESS_PHASES else 1.0
    needle = None
    if drawing.needle == "body":
        full = planned_needle(seg)
        needle = full.advanced(full.depth * (p if phase == "needle" else 1.0))
    elif drawing.needle == "skin":
        needle = planned_needle(seg, 0.0)
    balloon_size = drawing.balloon
    if phase == "balloon_inflate":
        balloon_size = drawing.balloon * p
    elif phase == "balloon_deflate":
        balloon_size = 1.0 - p
    cement_fill = drawing.cement * (p if phase == "cement_inject" else 1.0)
    return Scene(needle, drawing.needle == "removed", balloon_size, drawing.cavity, cement_fill, drawing.cement_set,
                 drawing.xray, leaks, drawing.caption)
