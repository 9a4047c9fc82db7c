"""The kyphoplasty balloon, lifting by what a kyphoplasty cohort measured on average.  Pure logic.

The leaflet says kyphoplasty "restores the full height" of the vertebra
[kochan2015].  Trials measured a partial lift of a few millimetres
(``seed_full_height`` in evidence.yaml).  :class:`BalloonModel` lifts the
anterior, middle and posterior heights of a fractured body in proportion to the
balloon's inflation; at full inflation the lift equals the **mean** gain measured
after kyphoplasty in a CT cohort (``hr_winkelmann2018_abc_heights``: anterior,
middle and posterior, mm).  A mean is what a typical patient gained, not the
most a balloon can do: patients varied (the SD was larger than the mean) and the
gain was not kept at one year.  The pooled gain of 14 RCTs
(``hr_marino2025_combined_mm``) is shown beside it for what it is, a mean over
kyphoplasty *and* vertebroplasty together, neither a kyphoplasty figure nor a
ceiling.  A wall that lost no height is not lifted, and no wall is lifted above
its unfractured height.
"""

from __future__ import annotations

from dataclasses import dataclass
from widgets.core.citations import Citations
from widgets.core.evidence import EvidenceBase, Reported, load_evidence
from widgets.anatomy.geometry import FractureGeometry, Heights, default_fracture, reference_vertebra

#: The kyphoplasty-only mean gains the full balloon shows (a CT cohort after kyphoplasty).
GAIN_ID = "hr_winkelmann2018_abc_heights"
GAIN_KEYS = {"anterior": "anterior_height_gain_mm.mean", "middle": "middle_height_gain_mm.mean",
             "posterior": "posterior_height_gain_mm.mean"}
SD_KEYS = {"anterior": "anterior_height_gain_mm.sd", "middle": "middle_height_gain_mm.sd",
           "posterior": "posterior_height_gain_mm.sd"}
#: The pooled mean of KP and VP together, shown beside it (not a KP figure, not a ceiling).
POOLED_ID = "hr_marino2025_combined_mm"
POOLED_KEYS = {"anterior": "anterior_height_gain_mm_KP_and_VP_pooled",
               "middle": "central_height_gain_mm_KP_and_VP_pooled"}
SEED_DISCREPANCY = "seed_full_height"
#: Kept for older callers: the evidence entry behind the lift at full inflation.
BOUND_ID = GAIN_ID


@dataclass(frozen=True)
class BalloonGains:
    """The mean gains the full balloon shows (KP cohort), their SDs, and the pooled KP+VP means beside them."""

    anterior: Reported
    middle: Reported
    posterior: Reported
    sd_anterior: Reported
    pooled_anterior: Reported
    pooled_middle: Reported
    n_rcts: Reported

    def text(self) -> str:
        return (f"At full inflation the drawing adds the mean gains measured after kyphoplasty in a CT cohort: "
                f"anterior {self.anterior} mm, middle {self.middle} mm, posterior {self.posterior} mm. These are "
                f"means, not the most a balloon can do: patients varied widely (anterior SD {self.sd_anterior} mm, "
                f"the spread between patients) and the gains were not kept at one year. Pooled over "
                f"{self.n_rcts} randomised trials of kyphoplasty and vertebroplasty together, the mean anterior "
                f"gain was {self.pooled_anterior} mm and the central gain {self.pooled_middle} mm: a pooled mean, "
                f"not a kyphoplasty figure and not a ceiling.")


def balloon_gains(evidence: EvidenceBase | None = None) -> BalloonGains:
    """The gains the balloon shows and the pooled means beside them, read from the evidence."""
    ev = evidence or load_evidence()
    return BalloonGains(*(ev.number(GAIN_ID, GAIN_KEYS[r]) for r in ("anterior", "middle", "posterior")),
                        ev.number(GAIN_ID, SD_KEYS["anterior"]),
                        ev.number(POOLED_ID, POOLED_KEYS["anterior"]), ev.number(POOLED_ID, POOLED_KEYS["middle"]),
                        ev.number(POOLED_ID, "n_rcts"))


#: Kept for older callers (the stepper's drawing and its tests): the lift at full inflation.
balloon_bounds = balloon_gains


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
                f"lost anterior height is back, for a patient who gained the cohort's mean. Full height would be "
                f"{b.expected.anterior:.1f} mm.")


class BalloonModel:
    """Heights of a fractured body as the balloon inflates (0 = empty, 1 = full: the cohort's mean gain)."""

    def __init__(self, geometry: FractureGeometry | None = None, gains: BalloonGains | None = None):
        if geometry is None:
            ref = reference_vertebra()
            geometry = FractureGeometry(ref.expected, default_fracture(), ref.depth_mm)
        self.geometry = geometry
        self.gains = gains or balloon_gains()

    @property
    def bounds(self) -> BalloonGains:   # older name, kept for callers
        return self.gains

    def lifted(self, inflation: float) -> Heights:
        """Each wall that lost height rises by ``inflation`` times the mean gain, never above its expected height."""
        inflation = _check_inflation(inflation)
        f, e = self.geometry.fractured, self.geometry.expected

        def lift(region: str) -> float:
            before, top = getattr(f, region), getattr(e, region)
            if before >= top:
                return before
            return min(top, before + inflation * float(getattr(self.gains, region)))

        return Heights(lift("anterior"), lift("middle"), lift("posterior"))

    def result(self, inflation: float) -> BalloonResult:
        h = self.lifted(inflation)
        g = self.geometry
        after = FractureGeometry(g.expected, h, g.depth_mm)
        return BalloonResult(float(inflation), g, after, h.anterior - g.fractured.anterior,
                             h.middle - g.fractured.middle)


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


def full_height_table(cites: Citations) -> str:
    """Markdown table of :func:`full_height_rows`, each row citing its source through ``cites``."""
    lines = ["| Source | What it says or measured | Ref. |", "|---|---|---|"]
    for r in full_height_rows():
        lines.append(f"| {r.source} | {r.measured} | {cites.cite(r.cite)} |")
    return "\n".join(lines)
