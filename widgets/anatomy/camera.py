"""One camera model for both fluoroscopic views, and the needle as a 3-D line.

A :class:`Camera` projects 3-D points (x left-right, y front-back, z up; see
:mod:`widgets.anatomy.segment`) onto an image plane, in millimetres, by a parallel projection
along its beam.  The two views are two cameras of the same model:

* the **lateral** (side) view looks along x: image ``(u, v) = (y, z)``, front on the left;
* the **AP** (front) view looks along y: image ``(u, v) = (x, z)``, the patient's left on the
  right.  Turning the C-arm by ``oblique_deg`` about a vertical axis through ``pivot`` gives the
  oblique view, and tilting it by ``tilt_deg`` toward the feet as well looks along any needle's
  path: the beam then runs along a needle turned ``oblique_deg`` toward the midline and
  ``tilt_deg`` toward the feet, which it sees end-on, as a point (the "barrel" or "down the
  barrel" view; at the pedicle's own angles the pedicle shows as a ring).

Because both views project the same 3-D needle and the same 3-D anatomy, they always agree.

A :class:`Needle` is a straight line from its entry point (where it meets the bone at the back of
the pedicle) in the direction set by two angles: ``medial_deg`` toward the midline and
``caudal_deg`` toward the feet, both measured from straight ahead (posterior to anterior), and
advanced ``depth`` millimetres.  Parallel projection is a simplification: a real C-arm's cone beam
magnifies what is nearer the source.

Pure logic (numpy only): no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Camera:
    """A parallel-projection camera: ``lateral`` or ``AP`` (optionally turned ``oblique_deg`` about a
    vertical axis and tilted ``tilt_deg`` toward the feet, both about ``pivot``)."""

    kind: str                                 # "AP" or "lateral"
    oblique_deg: float = 0.0
    pivot: tuple[float, ...] = (0.0, 0.0)     # (x, y) or (x, y, z) of the point the C-arm turns about
    side: int = 1                             # the oblique view turns toward this side's pedicle
    tilt_deg: float = 0.0                     # toward the feet (caudal); below 0 toward the head

    def __post_init__(self):
        if self.kind not in ("AP", "lateral"):
            raise ValueError(f"a camera is 'AP' or 'lateral', not {self.kind!r}")
        if self.kind == "lateral" and (self.oblique_deg or self.tilt_deg):
            raise ValueError("only the AP view can be turned or tilted; the lateral view looks along x")
        if not -80 <= self.tilt_deg <= 80:
            raise ValueError(f"the C-arm tilts at most 80 degrees; got {self.tilt_deg!r}")

    @property
    def _pivot3(self) -> np.ndarray:
        p = tuple(float(v) for v in self.pivot)
        return np.array(p + (0.0,) * (3 - len(p)))

    @property
    def u_axis(self) -> np.ndarray:
        """The 3-D direction that points right in the image."""
        if self.kind == "lateral":
            return np.array([0.0, 1.0, 0.0])
        phi = math.radians(self.oblique_deg)
        return np.array([math.cos(phi), -self.side * math.sin(phi), 0.0])

    @property
    def v_axis(self) -> np.ndarray:
        """The 3-D direction that points up in the image (z itself unless the C-arm is tilted)."""
        if self.kind == "lateral" or not self.tilt_deg:
            return np.array([0.0, 0.0, 1.0])
        phi, tau = math.radians(self.oblique_deg), math.radians(self.tilt_deg)
        return np.array([-self.side * math.sin(phi) * math.sin(tau), -math.cos(phi) * math.sin(tau), math.cos(tau)])

    @property
    def beam(self) -> np.ndarray:
        """The direction the beam travels (a point and any point along this line land together): for the
        AP view turned and tilted, the direction of a needle at ``oblique_deg`` medial, ``tilt_deg`` caudal."""
        if self.kind == "lateral":
            return np.array([1.0, 0.0, 0.0])
        phi, tau = math.radians(self.oblique_deg), math.radians(self.tilt_deg)
        return np.array([-self.side * math.sin(phi) * math.cos(tau), -math.cos(phi) * math.cos(tau), -math.sin(tau)])

    def project(self, points) -> np.ndarray:
        """Image coordinates ``(u, v)`` in mm of ``points`` (shape (3,) or (n, 3))."""
        p = np.asarray(points, dtype=float)
        if self.kind == "lateral":
            return np.stack([p[..., 1], p[..., 2]], axis=-1)
        pivot = self._pivot3
        if not self.tilt_deg:
            rel = p[..., :2] - pivot[:2]
            return np.stack([rel @ self.u_axis[:2] + pivot[0], p[..., 2]], axis=-1)
        rel = p - pivot
        return np.stack([rel @ self.u_axis + pivot[0], rel @ self.v_axis + pivot[2]], axis=-1)

    @property
    def key(self) -> tuple:
        return (self.kind, round(self.oblique_deg, 6), tuple(round(float(v), 6) for v in self.pivot), self.side,
                round(self.tilt_deg, 6))

    @property
    def name(self) -> str:
        if self.kind == "lateral":
            return "lateral (side) view"
        if not self.oblique_deg and not self.tilt_deg:
            return "AP (front) view"
        tilt = f" and tilted {abs(self.tilt_deg):g} degrees toward the {'feet' if self.tilt_deg > 0 else 'head'}" \
            if self.tilt_deg else ""
        return f"oblique view, C-arm turned {self.oblique_deg:g} degrees{tilt}"


def lateral() -> Camera:
    return Camera("lateral")


def ap(oblique_deg: float = 0.0, pivot: tuple[float, ...] = (0.0, 0.0), side: int = 1,
       tilt_deg: float = 0.0) -> Camera:
    return Camera("AP", float(oblique_deg), tuple(float(v) for v in pivot), side, float(tilt_deg))


@dataclass(frozen=True)
class Breach:
    """Where a needle left the pedicle, on the model spine or the real CT."""

    wall: str                     # medial, lateral, superior, inferior
    depth: float                  # mm along the needle from its entry
    point: tuple[float, float, float]
    into_canal: bool = False


@dataclass(frozen=True)
class Needle:
    """A straight needle: entry point, two angles and how far it has been advanced (mm)."""

    entry: tuple[float, float, float]
    medial_deg: float = 0.0
    caudal_deg: float = 0.0
    depth: float = 0.0
    side: int = 1

    def __post_init__(self):
        for name in ("medial_deg", "caudal_deg", "depth"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
                raise ValueError(f"needle {name} must be a number, not {value!r}")
        if not -89 < self.medial_deg < 89 or not -89 < self.caudal_deg < 89:
            raise ValueError("needle angles must be between -89 and 89 degrees from straight ahead")
        if self.depth < 0:
            raise ValueError(f"needle depth must be 0 mm or more; got {self.depth:g}")

    @property
    def direction(self) -> np.ndarray:
        """Unit vector of advance: forward (toward -y), turned toward the midline by ``medial_deg``
        and toward the feet by ``caudal_deg``."""
        a, b = math.radians(self.medial_deg), math.radians(self.caudal_deg)
        return np.array([-self.side * math.sin(a) * math.cos(b), -math.cos(a) * math.cos(b), -math.sin(b)])

    def point(self, t: float) -> np.ndarray:
        """The point ``t`` mm along the needle from its entry (negative: behind the entry)."""
        return np.asarray(self.entry, dtype=float) + float(t) * self.direction

    @property
    def tip(self) -> np.ndarray:
        return self.point(self.depth)

    def back_to(self, y: float) -> np.ndarray:
        """Where the needle's shaft, followed back behind the entry, reaches the plane ``y`` (the skin)."""
        d = self.direction
        t = (y - self.entry[1]) / d[1]
        return self.point(t)

    def advanced(self, depth: float) -> "Needle":
        return Needle(self.entry, self.medial_deg, self.caudal_deg, float(depth), self.side)

    def depth_to_y(self, y: float) -> float:
        """How far to advance for the tip to reach the plane ``y`` (front-back position)."""
        return (y - self.entry[1]) / self.direction[1]
