"""The kyphoplasty balloon, bounded by what trials measured.  Pure logic.

The leaflet says kyphoplasty "restores the full height" of the vertebra
[kochan2015].  Trials measured a partial lift of a few millimetres
(``seed_full_height`` in evidence.yaml).  :class:`BalloonModel` lifts the
anterior and middle heights of a fractured body in proportion to the balloon's
inflation, and at full inflation the lift equals the largest verified average
gain: the pooled gain across 14 RCTs of ``hr_marino2025_combined_mm``
(anterior and central height, mm).  The posterior wall is not moved: that
source reports no posterior gain.  So no setting of the balloon can show more
height than the evidence reports, and the widget names the entry and values
that bound it.
"""

from __future__ import annotations

from dataclasses import dataclass
from widgets.core.evidence import EvidenceBase, Figure, load_evidence
from widgets.fractures.geometry import FractureGeometry, Heights, reference_vertebra

BOUND_ID = "hr_marino2025_combined_mm"
BOUND_KEYS = {"anterior": "anterior_height_gain_mm_KP_and_VP_pooled",
              "middle": "central_height_gain_mm_KP_and_VP_pooled"}
SEED_DISCREPANCY = "seed_full_height"


@dataclass(frozen=True)
class BalloonBounds:
    anterior: Figure
    middle: Figure
    n_rcts: Figure

    def text(self) -> str:
        return (f"the balloon can lift the anterior height by at most {self.anterior} mm and the middle by "
                f"at most {self.middle} mm: the average gains after KP and VP pooled across "
                f"{self.n_rcts} randomised trials (evidence {self.anterior.evidence_id})")


def balloon_bounds(evidence: EvidenceBase | None = None) -> BalloonBounds:
    """The largest lift the balloon may show, read from the evidence (verified numbers only)."""
    ev = evidence or load_evidence()
    return BalloonBounds(ev.number(BOUND_ID, BOUND_KEYS["anterior"]), ev.number(BOUND_ID, BOUND_KEYS["middle"]),
                         ev.number(BOUND_ID, "n_rcts"))


@dataclass(frozen=True)
class BalloonResult:
    inflation: float
    before: FractureGeometry
    after: FractureGeometry
    gain_anterior_mm: float
    gain_middle_mm: float

    @property
    def lost_anterior_mm(self) -> float:
        return self.before.expected.anterior - self.before.fractured.anterior

    @property
    def share_of_loss_restored_percent(self) -> float:
        """How much of the anterior height the fracture took is given back (0-100 %)."""
        lost = self.lost_anterior_mm
        return 100.0 * self.gain_anterior_mm / lost if lost > 0 else 100.0

    def text(self) -> str:
        b, a = self.before, self.after
        return (f"Balloon at {self.inflation * 100:.0f} %: anterior height {b.fractured.anterior:.1f} mm to "
                f"{a.fractured.anterior:.1f} mm (+{self.gain_anterior_mm:.2f} mm), middle "
                f"{b.fractured.middle:.1f} mm to {a.fractured.middle:.1f} mm (+{self.gain_middle_mm:.2f} mm). "
                f"Height loss {b.height_loss_percent:.1f} % to {a.height_loss_percent:.1f} % "
                f"(Genant grade {b.grade} to {a.grade}); {self.share_of_loss_restored_percent:.0f} % of the "
                f"lost anterior height is back. Full height would be {b.expected.anterior:.1f} mm.")


class BalloonModel:
    """Heights of a fractured body as the balloon inflates (0 = empty, 1 = full)."""

    def __init__(self, geometry: FractureGeometry | None = None, bounds: BalloonBounds | None = None):
        if geometry is None:
            ref = reference_vertebra()
            geometry = FractureGeometry(ref.expected, default_fracture(), ref.depth_mm)
        self.geometry = geometry
        self.bounds = bounds or balloon_bounds()

    def lifted(self, inflation: float) -> Heights:
        inflation = _check_inflation(inflation)
        f, e = self.geometry.fractured, self.geometry.expected
        return Heights(min(e.anterior, f.anterior + inflation * float(self.bounds.anterior)),
                       min(e.middle, f.middle + inflation * float(self.bounds.middle)),
                       f.posterior)

    def result(self, inflation: float) -> BalloonResult:
        h = self.lifted(inflation)
        g = self.geometry
        after = FractureGeometry(g.expected, h, g.depth_mm)
        return BalloonResult(float(inflation), g, after, h.anterior - g.fractured.anterior,
                             h.middle - g.fractured.middle)


def default_fracture() -> Heights:
    """The example the notebooks use: an anterior wedge fracture of the reference L5 body
    (illustrative heights, not patient data)."""
    e = reference_vertebra().expected
    return Heights(20.0, 23.0, e.posterior)


def _check_inflation(inflation: float) -> float:
    try:
        value = float(inflation)
    except (TypeError, ValueError):
        raise ValueError(f"balloon inflation must be a number from 0 to 1, not {inflation!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"balloon inflation must be from 0 (empty) to 1 (full); got {inflation!r}")
    return value


# --------------------------------------------------------------------------- claim vs trials

@dataclass(frozen=True)
class ClaimRow:
    source: str
    measured: str
    cite: str


def full_height_rows(evidence: EvidenceBase | None = None) -> list[ClaimRow]:
    """The leaflet's claim beside what trials measured (entries of ``seed_full_height``)."""
    ev = evidence or load_evidence()
    n = ev.number
    m = "hr_marino2025_combined_mm"
    w = "hr_winkelmann2018_abc_heights"
    p = "hr_palmowski2020_percent_by_timing"
    b = "hr_beall2018_no_difference"
    pa = [n(p, f"anterior_VBH_gain_percent_range_across_groups.{i}") for i in (0, 1)]
    pm = [n(p, f"middle_VBH_gain_percent_range_across_groups.{i}") for i in (0, 1)]
    return [
        ClaimRow("Leaflet (patient text)", "kyphoplasty restores the full height of the vertebra; "
                 "vertebroplasty restores none", "kochan2015"),
        ClaimRow(f"Meta-analysis of {n(m, 'n_rcts')} RCTs, KP and VP pooled",
                 f"anterior +{n(m, 'anterior_height_gain_mm_KP_and_VP_pooled')} mm "
                 f"(+{n(m, 'anterior_height_gain_percent')} %), central "
                 f"+{n(m, 'central_height_gain_mm_KP_and_VP_pooled')} mm; larger with KP", m),
        ClaimRow("CT cohort after kyphoplasty",
                 f"anterior +{n(w, 'anterior_height_gain_mm.mean')} mm, middle "
                 f"+{n(w, 'middle_height_gain_mm.mean')} mm, posterior +{n(w, 'posterior_height_gain_mm.mean')} mm"
                 " (means); not kept at 6 weeks and 1 year", w),
        ClaimRow("Kyphoplasty cohort by fracture age",
                 f"anterior +{pa[0]} to +{pa[1]} %, middle +{pm[0]} to +{pm[1]} % (relative gain)", p),
        ClaimRow("Meta-analysis, KP against VP",
                 f"no significant difference in height change (anterior p = {n(b, 'anterior_height_BKP_vs_VP_p')}, "
                 f"posterior p = {n(b, 'posterior_height_BKP_vs_VP_p')})", b),
    ]


def full_height_table(cite) -> str:
    """Markdown table of :func:`full_height_rows`; ``cite`` turns '[@id]' into '[n]'."""
    lines = ["| Source | What it says or measured | Ref. |", "|---|---|---|"]
    for r in full_height_rows():
        lines.append(f"| {r.source} | {r.measured} | {cite(f'[@{r.cite}]')} |")
    return "\n".join(lines)
