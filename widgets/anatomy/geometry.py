"""Geometry of a compressed vertebral body, and its Genant semi-quantitative grade.

Pure logic.  The Genant thresholds are read from the evidence entry
``fg_genant_sq_grades`` (grade 1: 20-25 % height loss, grade 2: 25-40 %,
grade 3: over 40 %), so the grading traces to its source.  Genant's method is a
visual, semi-quantitative estimate, not a measurement with exact cut-offs; the
widgets need a rule at the boundaries and use this convention (said so wherever
the boundaries are taught): a loss of exactly 20 % is grade 1, exactly 25 % is
grade 2, exactly 40 % is still grade 2 (grade 3 is *over* 40 %).

Height loss follows Genant: the largest reduction of the anterior, middle or
posterior height, each compared with the same vertebra's expected (unfractured)
height.  The region that lost most names the shape: anterior -> wedge,
middle -> biconcave, posterior -> crush; an even collapse (a tie) counts as crush.

Here too: the reference (unfractured) L5 body every drawing is scaled to, and the one example wedge
fracture the course treats throughout (:func:`default_fracture`).  What notebook 01 says about them is
:mod:`widgets.fractures.texts`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from widgets.anatomy.levels import level
from widgets.core.evidence import load_evidence

GENANT_ID = "fg_genant_sq_grades"
REGIONS = ("anterior", "middle", "posterior")
SHAPE_OF_REGION = {"anterior": "wedge", "middle": "biconcave", "posterior": "crush"}


@dataclass(frozen=True)
class GenantThresholds:
    grade1_from: float  # % height loss where grade 1 starts
    grade2_from: float
    grade3_above: float
    evidence_id: str = GENANT_ID


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


@lru_cache(maxsize=1)
def genant_thresholds() -> GenantThresholds:
    """Thresholds parsed from the evidence data (``'20-25'``, ``'25-40'``, ``'>40'``)."""
    ev = load_evidence()
    g1 = _numbers(ev.raw(GENANT_ID, "grade_1_mild.height_loss_percent"))
    g2 = _numbers(ev.raw(GENANT_ID, "grade_2_moderate.height_loss_percent"))
    g3 = _numbers(ev.raw(GENANT_ID, "grade_3_severe.height_loss_percent"))
    if not (len(g1) == 2 and len(g2) == 2 and len(g3) == 1 and g1[1] == g2[0] and g2[1] == g3[0]):
        raise ValueError(f"evidence '{GENANT_ID}' height-loss bands are not contiguous: {g1}, {g2}, {g3}")
    return GenantThresholds(g1[0], g2[0], g3[0])


def genant_grade(height_loss_percent: float) -> int:
    """0 (under 20 %), 1, 2 or 3 for a percentage height loss in [0, 100]."""
    try:
        loss = float(height_loss_percent)
    except (TypeError, ValueError):
        raise ValueError(f"height loss must be a number of percent, not {height_loss_percent!r}") from None
    if math.isnan(loss) or not 0 <= loss <= 100:
        raise ValueError(f"height loss must be between 0 and 100 %; got {height_loss_percent!r}")
    t = genant_thresholds()
    if loss < t.grade1_from:
        return 0
    if loss < t.grade2_from:
        return 1
    if loss <= t.grade3_above:
        return 2
    return 3


GRADE_NAMES = {0: "normal (grade 0)", 1: "mild (grade 1)", 2: "moderate (grade 2)", 3: "severe (grade 3)"}


@dataclass(frozen=True)
class Heights:
    """Anterior, middle and posterior vertebral-body heights in millimetres."""

    anterior: float
    middle: float
    posterior: float

    def __post_init__(self):
        for region in REGIONS:
            value = getattr(self, region)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
                raise ValueError(f"{region} height must be a number of millimetres, not {value!r}")
            if value <= 0:
                raise ValueError(f"{region} height must be above 0 mm; got {value:g} mm")

    def as_dict(self) -> dict[str, float]:
        return {r: getattr(self, r) for r in REGIONS}


@dataclass(frozen=True)
class FractureGeometry:
    expected: Heights
    fractured: Heights
    depth_mm: float

    def __post_init__(self):
        if not self.depth_mm > 0:
            raise ValueError(f"vertebral body depth must be above 0 mm; got {self.depth_mm!r}")
        for region in REGIONS:
            if getattr(self.fractured, region) > getattr(self.expected, region):
                raise ValueError(
                    f"the fractured {region} height ({getattr(self.fractured, region):g} mm) is above its "
                    f"expected height ({getattr(self.expected, region):g} mm); a fracture only lowers height")

    def region_loss_percent(self) -> dict[str, float]:
        return {r: 100.0 * (1 - getattr(self.fractured, r) / getattr(self.expected, r)) for r in REGIONS}

    @property
    def height_loss_percent(self) -> float:
        return max(self.region_loss_percent().values())

    @property
    def grade(self) -> int:
        return genant_grade(self.height_loss_percent)

    @property
    def shape(self) -> str:
        """'wedge', 'biconcave' or 'crush' by the region that lost most; 'none' under grade 1."""
        if self.grade == 0:
            return "none"
        losses = self.region_loss_percent()
        return SHAPE_OF_REGION[max(REGIONS, key=lambda r: (round(losses[r], 9), REGIONS.index(r)))]

    @property
    def wedge_angle_deg(self) -> float:
        """Angle between the endplates from the anterior-posterior height difference (positive:
        anterior lower, i.e. kyphotic)."""
        return wedge_angle_deg(self.fractured.anterior, self.fractured.posterior, self.depth_mm)


def wedge_angle_deg(anterior_mm: float, posterior_mm: float, depth_mm: float) -> float:
    """atan((posterior - anterior) / depth), in degrees."""
    if not depth_mm > 0:
        raise ValueError(f"depth must be above 0 mm; got {depth_mm!r}")
    return math.degrees(math.atan2(posterior_mm - anterior_mm, depth_mm))


def sagittal_outline(heights: Heights, depth_mm: float) -> list[tuple[float, float]]:
    """Closed outline of the vertebral body in a sagittal section, x from anterior (0) to
    posterior (depth), y up, inferior endplate flat at y = 0.  The superior endplate passes
    through the anterior, middle and posterior heights."""
    a, m, p = heights.anterior, heights.middle, heights.posterior
    return [(0.0, 0.0), (0.0, a), (depth_mm * 0.5, m), (depth_mm, p), (depth_mm, 0.0)]


#: Evidence entry for the reference (unfractured) vertebral body the widgets draw.
REFERENCE_ID = "fg_lumbar_L5_cook2021"


@dataclass(frozen=True)
class ReferenceVertebra:
    """An unfractured L5 body from CT morphometry (Cook 2021), to draw fractures to scale.

    The source gives anterior and posterior heights and the AP depth; it gives no middle
    height, so the middle is drawn halfway between them (a drawing assumption, said so in
    the widgets)."""

    expected: Heights
    depth_mm: float
    evidence_id: str = REFERENCE_ID


@lru_cache(maxsize=1)
def reference_vertebra() -> ReferenceVertebra:
    """L5 of the module's one anatomy (``widgets/content/anatomy.yaml``), whose body heights and depth
    are the measured values of ``fg_lumbar_L5_cook2021``."""
    lv = level("L5")
    heights = [lv.dimension(n) for n in ("body_anterior_height_mm", "body_posterior_height_mm", "body_depth_mm")]
    if any(d.status != "measured" or d.evidence_id != REFERENCE_ID for d in heights):
        raise ValueError(f"the reference L5 body must be measured ({REFERENCE_ID}); the anatomy says "
                         + "; ".join(d.trace() for d in heights))
    a, m, p = lv.expected_heights()
    return ReferenceVertebra(Heights(a, m, p), lv["body_depth_mm"])


#: The wedge fracture the course treats throughout: anterior and middle heights (mm) of the reference
#: L5 body, its posterior wall intact.  Notebook 01's worked example, the kyphoplasty balloon and the
#: procedure drawings all use it, so it is the same fracture everywhere.  Illustrative, not patient data.
EXAMPLE_WEDGE = (20.0, 23.0)


def default_fracture() -> Heights:
    """The example the notebooks use: the wedge fracture of notebook 01's worked examples
    (``EXAMPLE_WEDGE``, the reference L5 body; illustrative heights, not patient data)."""
    a, m = EXAMPLE_WEDGE
    return Heights(a, m, reference_vertebra().expected.posterior)
