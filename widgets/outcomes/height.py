"""The height-restoration explorer as a pure model (no ipywidgets, no matplotlib).

A student picks a vertebral level (typical heights from the evidence data),
a fracture severity (percentage height loss, or a Genant grade), a fracture
shape and a procedure.  :func:`explore` returns an :class:`ExplorerState`:
the expected, fractured and restored heights, the restored height as a band
spanning the spread between patients of a kyphoplasty CT cohort (mean ± SD; an SD
is not an uncertainty of the mean), the pooled KP-and-VP mean gain as a line (no
spread was reported), the share of the lost height given back at the wall(s) the
chosen loss applies to, and the wedge angle before and after.  Every number is
a traced :class:`~widgets.core.evidence.Reported`, a :class:`~widgets.core.numbers.Derived`
that records its inputs, or a :class:`~widgets.core.numbers.Choice` the student
made; :attr:`ExplorerState.assumptions` names every evidence entry, key and
value used, and every modelling rule.

Modelling rules (geometry, not clinical parameters), each named in the state:

* expected middle height: the mean of the expected anterior and posterior heights
  (no verified middle height);
* shapes: *wedge* lowers the anterior wall by the chosen loss and keeps the superior
  endplate straight (middle = mean of anterior and posterior); *biconcave* lowers the
  middle only; *crush* lowers all three walls by the same share;
* a gain is applied only to a wall that lost height, and never above its expected height;
* the share of the lost height given back is reported only for the wall(s) the chosen loss
  applies to (wedge: anterior; biconcave: middle; crush: all three).  The middle of a modelled
  wedge loses only half the anterior loss, by the straight-endplate rule; the cohort's gains come
  from fractures of every shape, so a share of that smaller, modelled loss would be an artefact of
  the model (e.g. "96 % restored"), not a result.  Those walls get their heights in mm only;
* for vertebroplasty no verified per-arm gain in millimetres exists, so no VP band is
  drawn; the pooled KP-and-VP line is shown, labelled as pooled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from widgets.core.evidence import EvidenceBase, Reported
from widgets.anatomy.geometry import GRADE_NAMES, REGIONS, Heights, genant_grade, genant_thresholds, wedge_angle_deg
from widgets.core.numbers import Choice, Derived, Number, derive, fill
from widgets.outcomes.model import OutcomeSet, default_outcomes

PROCEDURE_LABELS = {"kyphoplasty": "Kyphoplasty (KP)", "vertebroplasty": "Vertebroplasty (VP)"}
SHAPE_LABELS = {"wedge": "Wedge (front collapses)", "biconcave": "Biconcave (middle collapses)",
                "crush": "Crush (whole body collapses)"}
LOSS_MIN, LOSS_MAX = 0.0, 75.0
#: The wall(s) each shape's chosen loss applies to; the other walls' losses follow from the model's rules.
PRINCIPAL = {"wedge": ("anterior",), "biconcave": ("middle",), "crush": REGIONS}


class ExplorerInputError(ValueError):
    """A control value the explorer cannot use; the message says what is allowed."""


@dataclass(frozen=True)
class Assumption:
    """One thing the explorer relies on: an evidence value (id, key, value) or a named rule."""

    meaning: str
    evidence_id: str | None = None
    key: str | None = None
    value: float | str | None = None   # a verified number, or a verified range string such as '20-25'

    def text(self) -> str:
        if self.evidence_id:
            value = f"{self.value:g}" if isinstance(self.value, (int, float)) else str(self.value)
            return f"{self.meaning}: {value} ({self.evidence_id}, {self.key})"
        return self.meaning


@dataclass(frozen=True)
class Walls:
    """Traced heights (mm) at the anterior, middle and posterior walls."""

    anterior: Number
    middle: Number
    posterior: Number

    def heights(self) -> Heights:
        return Heights(float(self.anterior), float(self.middle), float(self.posterior))

    def __getitem__(self, region: str) -> Number:
        return getattr(self, region)

    def values(self) -> list[Number]:
        return [self.anterior, self.middle, self.posterior]


@dataclass(frozen=True)
class ExplorerState:
    level_id: str
    level_label: str
    procedure: str
    shape: str
    loss: Choice
    grade: int
    depth: Number | None              # None: not verified (thoracic), not to scale
    depth_note: str | None
    expected: Walls
    fractured: Walls
    band_low: Walls | None            # KP: fractured + (mean - SD) gain
    band_high: Walls | None           # KP: fractured + (mean + SD) gain
    band_mean: Walls | None
    pooled: dict                      # region -> traced height after the pooled gain (anterior, middle)
    restored_percent: dict            # principal region -> (low, high) Derived % of the lost height given back
    pooled_percent: dict              # principal region -> Derived % of the lost height (pooled gain)
    wedge_before: Derived | None
    wedge_after: tuple | None         # (low, high) Derived, KP band
    wedge_expected: Derived | None
    assumptions: list[Assumption] = field(default_factory=list)
    notes: list[tuple[str, list[Reported]]] = field(default_factory=list)
    principal: tuple[str, ...] = ()   # the wall(s) the chosen loss applies to
    capped: tuple[str, ...] = ()      # walls where a gain would pass the expected height and stops there

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES[self.grade]

    def numbers(self) -> list[Number]:
        """Every number the state can show (for tracing tests)."""
        out: list[Number] = [self.loss]
        for walls in (self.expected, self.fractured, self.band_low, self.band_high, self.band_mean):
            if walls is not None:
                out += walls.values()
        out += list(self.pooled.values())
        for low, high in self.restored_percent.values():
            out += [low, high]
        out += list(self.pooled_percent.values())
        for x in (self.wedge_before, self.wedge_expected, self.depth):
            if x is not None:
                out.append(x)
        if self.wedge_after:
            out += list(self.wedge_after)
        for _, figs in self.notes:
            out += figs
        return out


def _angle(name: str, ant: Number, post: Number, depth: Number) -> Derived:
    value = wedge_angle_deg(float(ant), float(post), float(depth))
    return Derived(value, name, "atan((posterior - anterior) / depth) in degrees", (ant, post, depth))


class HeightExplorer:
    """Builds explorer states from outcomes.yaml's ``explorer`` section and the evidence base."""

    def __init__(self, outcomes: OutcomeSet | None = None):
        self.outcomes = outcomes or default_outcomes()
        self.ev: EvidenceBase = self.outcomes.evidence
        self.spec = self.outcomes.spec.explorer
        self.levels = {lv.id: lv for lv in self.spec.levels}
        t = genant_thresholds()
        #: where each Genant grade starts (loss in %): grade 3 starts above its threshold.
        self.grade_start = {0: LOSS_MIN, 1: t.grade1_from, 2: t.grade2_from, 3: t.grade3_above + 1}

    # -- controls
    def level_options(self) -> list[tuple[str, str]]:
        return [(lv.label, lv.id) for lv in self.spec.levels]

    def loss_for_grade(self, grade: int) -> float:
        """The loss (%) where a Genant grade starts, for 'set severity by grade'."""
        if grade not in self.grade_start:
            raise ExplorerInputError(f"Genant grade must be 0, 1, 2 or 3, not {grade!r}")
        return self.grade_start[grade]

    # -- the model
    def explore(self, level: str, loss_percent: float, procedure: str, shape: str = "wedge") -> ExplorerState:
        if level not in self.levels:
            raise ExplorerInputError(f"unknown level {level!r}; choose one of {', '.join(self.levels)}")
        if procedure not in PROCEDURE_LABELS:
            raise ExplorerInputError(f"procedure must be one of {', '.join(PROCEDURE_LABELS)}, not {procedure!r}")
        if shape not in SHAPE_LABELS:
            raise ExplorerInputError(f"shape must be one of {', '.join(SHAPE_LABELS)}, not {shape!r}")
        try:
            loss_value = float(loss_percent)
        except (TypeError, ValueError):
            raise ExplorerInputError(f"height loss must be a number of percent, not {loss_percent!r}") from None
        if not LOSS_MIN <= loss_value <= LOSS_MAX:
            raise ExplorerInputError(
                f"height loss must be between {LOSS_MIN:g} and {LOSS_MAX:g} %; {loss_value:g} is out of range")
        ev, spec, lv = self.ev, self.spec, self.levels[level]
        loss = Choice(loss_value, "height loss chosen (%)")
        assumptions: list[Assumption] = []

        def use(evidence_id: str, key: str, meaning: str) -> Reported:
            fig = ev.number(evidence_id, key)
            assumptions.append(Assumption(meaning, evidence_id, key, fig.value))
            return fig

        e_ant = use(lv.evidence, lv.anterior, f"expected anterior height at {lv.id} (mm)")
        e_post = use(lv.evidence, lv.posterior, f"expected posterior height at {lv.id} (mm)")
        e_mid = derive("expected middle height (mm)", "(a + b) / 2", e_ant, e_post)
        assumptions.append(Assumption("rule: expected middle height = mean of expected anterior and posterior "
                                      "heights (no verified middle height)"))
        depth = None
        if lv.depth:
            depth = use(lv.evidence, lv.depth, f"vertebral body depth at {lv.id} (mm)")
        else:
            assumptions.append(Assumption(f"rule: {lv.depth_note}"))
        expected = Walls(e_ant, e_mid, e_post)

        # fractured heights by shape
        if shape == "wedge":
            f_ant = derive("fractured anterior height (mm)", "a * (1 - b / 100)", e_ant, loss)
            fractured = Walls(f_ant, derive("fractured middle height (mm)", "(a + b) / 2", f_ant, e_post), e_post)
            rule = "rule: wedge = anterior wall lowered by the chosen loss, straight superior endplate"
        elif shape == "biconcave":
            fractured = Walls(e_ant, derive("fractured middle height (mm)", "a * (1 - b / 100)", e_mid, loss), e_post)
            rule = "rule: biconcave = middle lowered by the chosen loss, walls unchanged"
        else:
            fractured = Walls(*[derive(f"fractured {r} height (mm)", "a * (1 - b / 100)", expected[r], loss)
                                for r in REGIONS])
            rule = "rule: crush = all three walls lowered by the chosen loss"
        assumptions.append(Assumption(rule))
        grade = genant_grade(loss_value)
        for g, key in ((1, "grade_1_mild"), (2, "grade_2_moderate"), (3, "grade_3_severe")):
            key = f"{key}.height_loss_percent"
            assumptions.append(Assumption(f"Genant grade {g} height-loss band (%)", "fg_genant_sq_grades", key,
                                          ev.raw("fg_genant_sq_grades", key)))

        def lost(r: str) -> float:
            return float(expected[r]) - float(fractured[r])

        principal = PRINCIPAL[shape]
        assumptions.append(Assumption(
            "rule: the share of the lost height given back is shown only for the wall(s) the chosen loss applies "
            f"to ({', '.join(principal)}); elsewhere the model sets the loss, so a share would be an artefact"))
        capped: list[str] = []

        # KP band: fractured + (mean ± SD) gain, only where height was lost, capped at expected
        band_low = band_high = band_mean = None
        restored: dict = {}
        if procedure == "kyphoplasty":
            walls = {"low": {}, "high": {}, "mean": {}}
            for r in REGIONS:
                mean = use(spec.band_evidence, spec.band[r].mean, f"KP {r} height gain, mean (mm)")
                sd = use(spec.band_evidence, spec.band[r].sd, f"KP {r} height gain, SD (mm)")
                if lost(r) <= 0:
                    for k in walls:
                        walls[k][r] = fractured[r]
                    continue
                walls["mean"][r] = derive(f"{r} height after KP, mean (mm)", "min(a + b, c)",
                                          fractured[r], mean, expected[r])
                walls["low"][r] = derive(f"{r} height after KP, mean - SD (mm)", "min(a + b - c, d)",
                                         fractured[r], mean, sd, expected[r])
                high_gain = derive(f"KP {r} gain, mean + SD (mm)", "a + b", mean, sd)
                walls["high"][r] = derive(f"{r} height after KP, mean + SD (mm)", "min(a + b, c)",
                                          fractured[r], high_gain, expected[r])
                if float(high_gain) >= lost(r) and r not in capped:
                    capped.append(r)
                if r not in principal:
                    continue
                lost_mm = derive(f"{r} height lost (mm)", "a - b", expected[r], fractured[r])
                restored[r] = tuple(
                    derive(f"share of lost {r} height given back, {k} (%)", "100 * a / b",
                           derive(f"{r} gain kept, {k} (mm)", "a - b", walls[k][r], fractured[r]), lost_mm)
                    for k in ("low", "high"))
            band_low, band_high, band_mean = (Walls(**walls[k]) for k in ("low", "high", "mean"))
            assumptions.append(Assumption("rule: a gain applies only to a wall that lost height and never "
                                          "lifts it above its expected height; the band is mean ± SD"))
            assumptions.append(Assumption("rule: the cohort's gains in mm are applied unchanged at every level "
                                          "and severity (the cohort mixed levels and severities)"))
        # pooled KP+VP gain (no spread reported): a line, for both procedures
        pooled: dict = {}
        pooled_percent: dict = {}
        for r, key in spec.pooled.items():
            gain = use(spec.pooled_evidence, key, f"KP and VP pooled {r} height gain (mm), no spread reported")
            if lost(r) <= 0:
                continue
            pooled[r] = derive(f"{r} height after the pooled gain (mm)", "min(a + b, c)",
                               fractured[r], gain, expected[r])
            if float(gain) >= lost(r) and r not in capped:
                capped.append(r)
            if r not in principal:
                continue
            pooled_percent[r] = derive(
                f"share of lost {r} height given back, pooled (%)", "100 * a / b",
                derive(f"{r} pooled gain kept (mm)", "a - b", pooled[r], fractured[r]),
                derive(f"{r} height lost (mm)", "a - b", expected[r], fractured[r]))
        assumptions.append(Assumption("rule: the pooled gain's central height is drawn at the middle wall; "
                                      "no pooled posterior gain was reported, so none is drawn"))
        notes = []
        if procedure == "vertebroplasty":
            notes.append(fill(ev, spec.vp_note))
        else:
            notes.append(fill(ev, spec.band_note))
        notes.append(fill(ev, spec.disagreement))

        wedge_before = wedge_after = wedge_expected = None
        if depth is not None:
            wedge_expected = _angle("wedge angle, unfractured (degrees)", expected.anterior, expected.posterior, depth)
            wedge_before = _angle("wedge angle, fractured (degrees)", fractured.anterior, fractured.posterior, depth)
            if band_low is not None:
                a = _angle("wedge angle after KP, mean - SD gain (degrees)", band_low.anterior, band_low.posterior, depth)
                b = _angle("wedge angle after KP, mean + SD gain (degrees)", band_high.anterior, band_high.posterior, depth)
                wedge_after = (a, b) if a.value <= b.value else (b, a)
        return ExplorerState(level, lv.label, procedure, shape, loss, grade, depth, lv.depth_note, expected,
                             fractured, band_low, band_high, band_mean, pooled, restored, pooled_percent,
                             wedge_before, wedge_after, wedge_expected, assumptions, notes, principal,
                             tuple(r for r in REGIONS if r in capped))


@lru_cache(maxsize=1)
def default_explorer() -> HeightExplorer:
    return HeightExplorer()
