"""The textbook needle path on a segment, and a needle placed by its entry point.  Pure logic (no drawing).

:func:`planned_needle` is the path the procedure steppers and the side drawing show and the needle
exercise's "show me" answer: entry at the upper outer (superolateral) part of the back of the pedicle
[pf_medial_wall_rule_textbook; pf_lateral_first_abstract], aimed at the target (one pedicle: the
midline of the front third of the body [pf_target_anterior_third_openradiology]; two pedicles: the
middle of the needle's own side of it), so it runs toward the midline at more than the pedicle's own
angle and slightly toward the feet.  :func:`taught_needle` is the same path with its angles and depth
rounded as the exercise's sliders set them.  :func:`needle_at` builds a needle from what the
exercise's controls set.  Grading a placement is the needle exercise's own (:mod:`widgets.imaging.grading`).
"""

from __future__ import annotations

import math

import numpy as np

from widgets.anatomy.camera import Needle
from widgets.anatomy.segment import Segment

#: Where the planned path puts the tip: 0.25 of the body's depth from its front (inside the front
#: third, with room for the balloon and the cement drawn around it) and 0.45 of its lowest front
#: height (mid-height); illustrative.
PLAN_Y_FRACTION = 0.25
PLAN_Z_FRACTION = 0.45
#: Where the textbook path enters the back of the pedicle, in units of the half-width and half-height
#: of its section from its centre: outward (lateral) and upward, the "upper outer corner" of the
#: pedicle's oval on the front view (illustrative fractions).
ENTRY_LATERAL = 0.5
ENTRY_UP = 0.5
#: A two-pedicle path runs this much more toward the midline than the pedicle itself (illustrative).
BILATERAL_EXTRA_DEG = 3.0


def textbook_entry(seg: Segment) -> np.ndarray:
    """The textbook entry point: the upper outer (superolateral) part of the back of the pedicle."""
    ped = seg.pedicle
    y = seg.entry_y
    x = float(ped.centre_x(y)) + seg.side * ENTRY_LATERAL * ped.half_x
    return np.array([x, y, ped.z_centre + ENTRY_UP * ped.height / 2])


def planned_tip(seg: Segment, approach: str = "unilateral") -> np.ndarray:
    """(x, y, z) of the planned tip: in the front third, half-way up the front of the body, on the
    midline (one pedicle) or in the middle of the needle's side (two)."""
    a, m, _ = seg.heights
    x = float(seg.target_point(approach)[0])
    return np.array([x, seg.depth * PLAN_Y_FRACTION, PLAN_Z_FRACTION * min(a, m)])


def angles_between(seg: Segment, start, end) -> tuple[float, float]:
    """(medial_deg, caudal_deg) of the straight line from ``start`` to ``end`` (as :class:`Needle` measures them)."""
    d = np.asarray(end, dtype=float) - np.asarray(start, dtype=float)
    medial = math.degrees(math.atan2(-seg.side * d[0], -d[1]))
    caudal = math.degrees(math.atan2(-d[2], math.hypot(d[0], d[1])))
    return medial, caudal


def planned_needle(seg: Segment, depth: float | None = None, approach: str = "unilateral") -> Needle:
    """The textbook path: from the superolateral part of the back of the pedicle to the planned tip in
    the front third of the body: on the midline for one pedicle; for two, along the pedicle (its angle
    and :data:`BILATERAL_EXTRA_DEG` more, so that it stays inside the pedicle's converging walls), to
    wherever that reaches in the front third.  ``depth`` overrides how far in."""
    entry = textbook_entry(seg)
    tip = planned_tip(seg, approach)
    if approach == "bilateral":
        medial = math.radians(seg.pedicle.angle_deg + BILATERAL_EXTRA_DEG)
        tip[0] = entry[0] - seg.side * (entry[1] - tip[1]) * math.tan(medial)
    medial, caudal = angles_between(seg, entry, tip)
    n = Needle(tuple(float(v) for v in entry), medial, caudal, 0.0, seg.side)
    full = float(np.linalg.norm(tip - entry))
    return n.advanced(full if depth is None else depth)


def taught_needle(seg: Segment, approach: str = "unilateral") -> Needle:
    """The textbook path as a student sets it on the exercise's sliders: entry to the half millimetre,
    angles to the whole degree, depth to the whole millimetre."""
    n = planned_needle(seg, approach=approach)
    lateral, up = round(abs(n.entry[0]) * 2) / 2, round(n.entry[2] * 2) / 2
    return needle_at(seg, lateral, up, round(n.medial_deg), round(n.caudal_deg), round(n.depth))


def needle_at(seg: Segment, entry_lateral_mm: float, entry_up_mm: float, medial_deg: float, caudal_deg: float,
              depth: float) -> Needle:
    """A needle whose entry point, on the back of the pedicle, is ``entry_lateral_mm`` from the
    midline (toward the needle's side) and ``entry_up_mm`` above the lower endplate."""
    return Needle((seg.side * float(entry_lateral_mm), seg.entry_y, float(entry_up_mm)), float(medial_deg),
                  float(caudal_deg), float(depth), seg.side)
