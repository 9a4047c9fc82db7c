"""One camera model for both fluoroscopic views, and the needle as a 3-D line.

A :class:`Camera` projects 3-D points (x left-right, y front-back, z up; see
:mod:`widgets.anatomy.segment`) onto an image plane, in millimetres, by a parallel projection
along its beam.  The two views are two cameras of the same model:

* the **lateral** (side) view looks along x: image ``(u, v) = (y, z)``, front on the left;
* the **AP** (front) view looks along y: image ``(u, v) = (x, z)``, the patient's left on the
  right.  Turning the C-arm by ``oblique_deg`` about a vertical axis through ``pivot`` gives the
  oblique view; at the pedicle's own angle the pedicle is seen end-on (a ring, the "barrel" view)
  and a needle on its axis as a dot.

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
    """A parallel-projection camera: ``lateral`` or ``AP`` (optionally turned ``oblique_deg``)."""

    kind: str                                 # "AP" or "lateral"
    oblique_deg: float = 0.0
    pivot: tuple[float, float] = (0.0, 0.0)   # (x, y) of the vertical axis the C-arm turns about
    side: int = 1                             # the oblique view turns toward this side's pedicle

    def __post_init__(self):
        if self.kind not in ("AP", "lateral"):
            raise ValueError(f"a camera is 'AP' or 'lateral', not {self.kind!r}")
        if self.kind == "lateral" and self.oblique_deg:
            raise ValueError("only the AP view can be turned (oblique); the lateral view looks along x")

    @property
    def u_axis(self) -> np.ndarray:
        """The 3-D direction that points right in the image."""
        if self.kind == "lateral":
            return np.array([0.0, 1.0, 0.0])
        phi = math.radians(self.oblique_deg)
        return np.array([math.cos(phi), -self.side * math.sin(phi), 0.0])

    @property
    def beam(self) -> np.ndarray:
        """The direction the beam travels (a point and any point along this line land together)."""
        if self.kind == "lateral":
            return np.array([1.0, 0.0, 0.0])
        phi = math.radians(self.oblique_deg)
        return np.array([-self.side * math.sin(phi), -math.cos(phi), 0.0])

    def project(self, points) -> np.ndarray:
        """Image coordinates ``(u, v)`` in mm of ``points`` (shape (3,) or (n, 3))."""
        p = np.asarray(points, dtype=float)
        if self.kind == "lateral":
            u = p[..., 1]
        else:
            px, py = self.pivot
            rel = p[..., :2] - np.array([px, py])
            u = rel @ self.u_axis[:2] + px
        return np.stack([u, p[..., 2]], axis=-1)

    @property
    def key(self) -> tuple:
        return (self.kind, round(self.oblique_deg, 6), tuple(round(v, 6) for v in self.pivot), self.side)

    @property
    def name(self) -> str:
        if self.kind == "lateral":
            return "lateral (side) view"
        return "AP (front) view" if not self.oblique_deg else f"oblique view, C-arm turned {self.oblique_deg:g} degrees"


def lateral() -> Camera:
    return Camera("lateral")


def ap(oblique_deg: float = 0.0, pivot: tuple[float, float] = (0.0, 0.0), side: int = 1) -> Camera:
    return Camera("AP", float(oblique_deg), (float(pivot[0]), float(pivot[1])), side)


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
