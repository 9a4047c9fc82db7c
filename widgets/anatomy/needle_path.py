"""The textbook needle path on a segment, and a needle placed by its entry point.  Pure logic (no drawing).

:func:`planned_needle` is the path the procedure steppers and the side drawing show and the needle
exercise's "show me" answer: entry at the centre of the back of the pedicle, turned toward the midline
by the pedicle's own angle and slightly toward the feet [pf_medial_wall_rule_textbook], the tip ending in
the front third of the body, half-way up.  :func:`needle_at` builds a needle from what the exercise's
controls set.  Grading a placement is the needle exercise's own (:mod:`widgets.imaging.grading`).
"""

from __future__ import annotations

import math

from widgets.anatomy.camera import Needle
from widgets.anatomy.segment import Segment

#: Where the planned path puts the tip: 0.3 of the body's depth from its front (inside the front
#: third) and 0.45 of its lowest front height (mid-height); illustrative, as in the side view.
PLAN_Y_FRACTION = 0.3
PLAN_Z_FRACTION = 0.45


def planned_tip(seg: Segment) -> tuple[float, float]:
    """(y, z) of the planned tip: in the front third, half-way up the front of the body."""
    a, m, _ = seg.heights
    return seg.depth * PLAN_Y_FRACTION, PLAN_Z_FRACTION * min(a, m)


def planned_needle(seg: Segment, depth: float | None = None) -> Needle:
    """The textbook path: entry at the centre of the back of the pedicle, turned toward the midline
    by the pedicle's own angle and slightly toward the feet [pf_medial_wall_rule_textbook], so that
    the tip ends in the front third of the body, half-way up.  ``depth`` overrides how far in."""
    ped = seg.pedicle
    y = seg.entry_y
    entry = (float(ped.centre_x(y)), y, ped.z_centre)
    y_t, z_t = planned_tip(seg)
    horizontal = (y - y_t) / math.cos(math.radians(ped.angle_deg))
    caudal = math.degrees(math.atan2(ped.z_centre - z_t, horizontal))
    n = Needle(entry, ped.angle_deg, caudal, 0.0, seg.side)
    full = n.depth_to_y(y_t)
    return n.advanced(full if depth is None else depth)


def needle_at(seg: Segment, entry_lateral_mm: float, entry_up_mm: float, medial_deg: float, caudal_deg: float,
              depth: float) -> Needle:
    """A needle whose entry point, on the back of the pedicle, is ``entry_lateral_mm`` from the
    midline (toward the needle's side) and ``entry_up_mm`` above the lower endplate."""
    return Needle((seg.side * float(entry_lateral_mm), seg.entry_y, float(entry_up_mm)), float(medial_deg),
                  float(caudal_deg), float(depth), seg.side)
