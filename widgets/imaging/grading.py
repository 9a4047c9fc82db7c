"""Grading a needle placement: four checks and the simulator's metrics, on the model spine or the real CT.

The checks (each a yes or no, decided by comparing region ids and numbers; the sentences are made
from them afterwards, so rewording feedback can never change a grade):

1. **Stayed within the pedicle.**  From the entry point to the back of the vertebral body the
   needle must stay inside the pedicle's wall.  The first point beyond it is a breach, named by
   the wall it crosses (``medial``, ``lateral``, ``superior``, ``inferior``).  An entry point
   outside the pedicle is a breach at 0 mm.
2. **Medial wall before posterior wall.**  On the AP view the tip must not cross the pedicle's
   medial wall before, on the lateral view, it has reached the posterior wall of the body
   [pf_medial_wall_rule_textbook; pf_medial_wall_rule_biopsy_chapter].  Both at once passes.
3. **Tip in the target.**  The tip lies inside the vertebral body, in its front (anterior) third
   [pf_target_anterior_third_openradiology; pf_pediatric_vp_technique_authorea]: for a one-pedicle
   (unilateral) approach within the middle third of the body's width, "the midline of the front
   third"; for two pedicles (bilateral) on the needle's own side of the midline.
4. **Front cortex intact.**  No part of the needle has gone through the front (anterior) wall of
   the body, beyond which lie the aorta and the vena cava [ps_bmc2020_aorta_ivc_distance_t9_l3;
   ps_kot2022_aorta_lumbar_discs].

The metrics, as needle-simulator studies report them (all in mm): ``tip_error_mm`` (tip to the
target's centre), ``tip_to_target_mm`` (tip to the nearest point of the target, 0 inside),
``closest_medial_mm`` (least gap between the needle and the pedicle's medial wall while in the
pedicle; negative beyond it: the needle's axis on the model, its side 1.5 mm from the axis on the
real CT).

:func:`grade` grades on the model spine (:mod:`widgets.anatomy.segment`, exact geometry of its
solids); :func:`grade_ct` on the real CT (:mod:`widgets.anatomy.ct`, the scan's vertebra mask, at
its resolution).  Both return the same :class:`NeedleGrade`.  Each problem names its danger and cites
its source: the spinal canal and nerves (``an_lumbar_pedicle_neural_distances``), the segmental
artery beside the body (``ps_heo2011_segmental_artery_injury``, evidence-care.yaml), the disc, the great vessels in front.  Texts
carry ``[@id]`` citation keys; a view turns them into the notebook's numbers.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from widgets.core.citations import markers
from widgets.core.evidence import load_evidence
from widgets.anatomy import ct
from widgets.anatomy.camera import Breach, Needle
from widgets.anatomy.segment import APPROACHES, BODY_REGIONS, MIDLINE_FRACTION, REGION_WORDS, Segment

#: Floating-point slack (mm): a point this close to a wall is on it.
EPS = 1e-9
#: The model's needle is sampled every STEP_MM for its closest approach to the medial wall.
STEP_MM = 0.25

NEURAL = "an_lumbar_pedicle_neural_distances"
RULE_CITES = ("pf_medial_wall_rule_textbook", "pf_medial_wall_rule_biopsy_chapter")
TARGET_CITES = ("pf_target_anterior_third_openradiology",)
SEGMENTAL = "ps_heo2011_segmental_artery_injury"
DISC_LEAK = "cl_canal_leak_and_pce_josr2019"
ENTRY_CITES = ("pf_medial_wall_rule_textbook",)
AORTA = "ps_bmc2020_aorta_ivc_distance_t9_l3"
AORTA_DISCS = "ps_kot2022_aorta_lumbar_discs"

CHECKS = ("pedicle", "medial_wall_rule", "target", "front_cortex")
CHECK_NAMES = {"pedicle": "stayed within the pedicle",
               "medial_wall_rule": "did not cross the medial wall (AP) before the posterior wall (lateral)",
               "target": "tip in the target (the front third of the body)",
               "front_cortex": "did not go through the front wall (cortex) of the body"}
TARGET_NAMES = {"unilateral": "tip in the target (one pedicle: the midline of the front third of the body)",
                "bilateral": "tip in the target (two pedicles: the front third of the body, this side of the midline)"}
SPINES = ("model", "ct")


def check_name(check: str, approach: str = "unilateral") -> str:
    """A check in words (the target's words say which approach)."""
    return TARGET_NAMES[approach] if check == "target" else CHECK_NAMES[check]


@dataclass(frozen=True)
class Problem:
    """One thing that went wrong: which check, its code, what happened (with the danger), and its sources."""

    check: str
    code: str
    text: str          # with [@id] keys
    cites: tuple[str, ...]


@dataclass(frozen=True)
class NeedleGrade:
    """A graded placement: the four checks, where the tip is (a region id), the numbers behind each
    check, the simulator's metrics and the problems (made from all of these)."""

    needle: object                    # widgets.anatomy.camera.Needle (model) or ct.NeedlePath (real CT)
    level: str
    spine: str                        # "model" or "ct"
    approach: str                     # "unilateral" or "bilateral"
    pedicle_ok: bool
    breach: Breach | None
    medial_rule_ok: bool
    medial_crossing: float | None     # mm in where the tip crosses the AP medial-wall line
    posterior_wall: float | None      # mm in where the tip reaches the posterior body wall
    target_ok: bool
    tip_region: str                   # an id of widgets.anatomy.segment.REGIONS
    tip: tuple[float, float, float]
    short_mm: float | None            # in the body but behind the front third: by how much (front-back)
    beside_target_mm: float | None    # in the front third but beside the target (left-right)
    front_breach_depth: float | None  # mm in where the needle went through the front cortex (None: it did not)
    tip_error_mm: float
    tip_to_target_mm: float
    closest_medial_mm: float | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def front_ok(self) -> bool:
        return self.front_breach_depth is None

    @property
    def results(self) -> dict[str, bool]:
        return {"pedicle": self.pedicle_ok, "medial_wall_rule": self.medial_rule_ok, "target": self.target_ok,
                "front_cortex": self.front_ok}

    @property
    def passed(self) -> bool:
        return all(self.results.values())

    @property
    def score(self) -> int:
        return sum(self.results.values())

    @property
    def tip_where(self) -> str:
        return REGION_WORDS[self.tip_region]

    @property
    def metrics(self) -> dict[str, float | bool | None]:
        """The simulator's numbers for this placement (mm; None where there is none)."""
        return {"tip_error_mm": round(self.tip_error_mm, 1), "tip_to_target_mm": round(self.tip_to_target_mm, 1),
                "closest_medial_mm": None if self.closest_medial_mm is None else round(self.closest_medial_mm, 1),
                "breach": not self.pedicle_ok, "front_breach": not self.front_ok}

    def summary(self) -> str:
        """One plain line: the four checks and the verdict (no citation keys)."""
        marks = "; ".join(f"{check_name(c, self.approach)}: {'yes' if ok else 'no'}" for c, ok in self.results.items())
        verdict = "pass" if self.passed else "not yet"
        return f"{self.level}, tip {self.tip_where}: {marks}. Verdict: {verdict} ({self.score} of {len(CHECKS)})."


# --------------------------------------------------------------------------- the model spine

def _first_exit(seg: Segment, needle: Needle, t_end: float) -> Breach | None:
    """The first point, between the entry and ``t_end``, where the needle's axis leaves the pedicle."""
    ped = seg.pedicle
    d = needle.direction
    e = np.asarray(needle.entry, dtype=float)
    # in the pedicle's section coordinates both components are linear in t
    lat0, up0 = (float(v) for v in ped.normalised(e))
    lat1, up1 = (float(v) for v in ped.normalised(e + d))
    lat1, up1 = lat1 - lat0, up1 - up0
    if lat0 ** 2 + up0 ** 2 > 1 + EPS:
        return Breach(_wall(lat0, up0), 0.0, tuple(float(v) for v in e))
    if t_end <= 0:
        return None
    # r^2(t) = (lat0 + lat1 t)^2 + (up0 + up1 t)^2 is convex, so on [0, t_end] it is largest at an end:
    # the needle leaves the pedicle if and only if its end lies beyond the wall
    if (lat0 + lat1 * t_end) ** 2 + (up0 + up1 * t_end) ** 2 <= 1 + EPS:
        return None
    a = lat1 ** 2 + up1 ** 2
    b = 2 * (lat0 * lat1 + up0 * up1)
    c = lat0 ** 2 + up0 ** 2 - 1
    t = (-b + math.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)   # the exit root (the entry is inside)
    t = min(max(t, 0.0), t_end)
    lat, up = lat0 + lat1 * t, up0 + up1 * t
    return Breach(_wall(lat, up), t, tuple(float(v) for v in needle.point(t)))


def _wall(lat: float, up: float) -> str:
    if abs(lat) >= abs(up):
        return "medial" if lat < 0 else "lateral"
    return "superior" if up > 0 else "inferior"


def _crossing(start: float, rate: float, limit: float) -> float | None:
    """Smallest t >= 0 where start + rate * t <= limit (None if never)."""
    if start <= limit + EPS:
        return 0.0
    if rate > -1e-12:          # not moving toward the limit (or too slowly to reach it in any needle)
        return None
    return (limit - start) / rate


def _closest_medial(seg: Segment, needle: Needle) -> float | None:
    """Least gap (mm, left-right) between the needle's axis and the pedicle's medial wall at the same
    height, over the part of the needle inside the pedicle's length; negative beyond the wall."""
    ped = seg.pedicle
    ts = np.arange(0.0, needle.depth + STEP_MM / 2, STEP_MM)
    pts = np.asarray(needle.entry, dtype=float) + np.outer(ts, needle.direction)
    pts = pts[(pts[:, 1] >= ped.y_front) & (pts[:, 1] <= ped.y_back)]
    if not len(pts):
        return None
    _, up = ped.normalised(pts)
    ok = np.abs(up) <= 1.0
    if not ok.any():
        return None
    pts, up = pts[ok], up[ok]
    wall = np.abs(ped.centre_x(pts[:, 1])) - ped.half_x * np.sqrt(1.0 - up ** 2)
    return float((seg.side * pts[:, 0] - wall).min())


def _front_breach(seg: Segment, needle: Needle) -> float | None:
    """How far in (mm) the needle first lies through the body's front cortex (None: never)."""
    ts = np.arange(0.0, needle.depth + STEP_MM / 2, STEP_MM)
    if ts[-1] < needle.depth:
        ts = np.append(ts, needle.depth)
    pts = np.asarray(needle.entry, dtype=float) + np.outer(ts, needle.direction)
    hit = np.nonzero(seg.in_front(pts))[0]
    return float(ts[hit[0]]) if len(hit) else None


def grade(seg: Segment, needle: Needle, approach: str = "unilateral") -> NeedleGrade:
    """Grade ``needle`` in the model segment ``seg`` (pure; the same input always gives the same grade)."""
    if approach not in APPROACHES:
        raise ValueError(f"approach is 'unilateral' (one pedicle) or 'bilateral' (two), not {approach!r}")
    ped = seg.pedicle
    d = needle.direction
    e = np.asarray(needle.entry, dtype=float)
    depth = needle.depth

    # 1. the pedicle, from the entry to the back of the body (or the tip, if it has not got there)
    t_wall = _crossing(e[1], d[1], seg.depth)            # reaches the posterior body wall
    t_end = depth if t_wall is None else min(depth, t_wall)
    breach = _first_exit(seg, needle, t_end)

    # 2. the medial-wall rule: AP medial line (x) against the lateral view's posterior wall (y)
    s = seg.side
    t_medial = _crossing(s * e[0], s * d[0], s * ped.medial_wall_x)
    crossed = t_medial is not None and t_medial <= depth + EPS
    reached_wall = t_wall is not None and t_wall <= depth + EPS
    rule_ok = not crossed or (reached_wall and t_wall <= t_medial + EPS)

    # 3. the target, and where the tip is
    tip = needle.tip
    region = seg.region(tip)
    target_ok = bool(seg.in_target(tip, approach))
    short = float(tip[1] - seg.target_y) if region in BODY_REGIONS and region != "body_front_third" else None
    beside = None
    if region == "body_front_third" and not target_ok:
        beside = (abs(float(tip[0])) - seg.target_half_width() if approach == "unilateral"
                  else -s * float(tip[0]))
    return _finish(NeedleGrade(
        needle, seg.level.id, "model", approach, breach is None, breach, bool(rule_ok),
        float(t_medial) if crossed else None, float(t_wall) if reached_wall else None, target_ok, region,
        tuple(float(v) for v in tip), short, beside, _front_breach(seg, needle),
        float(np.linalg.norm(tip - seg.target_point(approach))), seg.target_distance(tip, approach),
        _closest_medial(seg, needle)))


# --------------------------------------------------------------------------- the real CT

def grade_ct(level: str, needle, approach: str = "unilateral") -> NeedleGrade:
    """Grade ``needle`` at ``level`` (T11 to L2) against the real CT's vertebra mask
    (:func:`widgets.anatomy.ct.grade`), in the same terms as :func:`grade`."""
    g = ct.grade(level, needle, approach)
    lev = ct.level(level)
    region = ct.region(level, g.tip)
    tip = np.asarray(g.tip)
    short = float(tip[1] - lev.front_third_y) if region in BODY_REGIONS and region != "body_front_third" else None
    beside = None
    if region == "body_front_third" and not g.target_ok:
        beside = (abs(float(tip[0])) - lev.body_width * MIDLINE_FRACTION / 2 if approach == "unilateral"
                  else -g.side * float(tip[0]))
        beside = max(beside, 0.0)
    return _finish(NeedleGrade(
        ct.as_path(needle), level, "ct", approach, g.pedicle_ok, g.breach, g.medial_rule_ok, g.medial_crossing,
        g.posterior_wall, g.target_ok, region, g.tip, short, beside, g.front_breach_depth, g.tip_error,
        g.tip_to_target, g.closest_medial))


# --------------------------------------------------------------------------- the problems, from the structure

def _finish(g: NeedleGrade) -> NeedleGrade:
    """The grade with its problems, each made from the grade's ids and numbers."""
    ev = load_evidence()
    problems = []
    if g.breach is not None:
        problems.append(_breach_problem(g.breach, ev))
    if not g.medial_rule_ok:
        problems.append(_rule_problem(g))
    if not g.target_ok:
        problems.append(_target_problem(g))
    if not g.front_ok:
        problems.append(_front_problem(g, ev))
    return replace(g, problems=tuple(problems))


#: For a breach of each wall: its name, the evidence key of the distance to the nerves it risks, and
#: the danger in words ({mm} is that distance, read from the evidence).
BREACH_DANGER = {
    "medial": ("medial (inner)", "pedicle_to_dural_sac_medial_mm",
               "That is the spinal canal side: in cadavers the dural sac lies on average only {mm} mm medial to "
               "a lumbar pedicle"),
    "inferior": ("lower (inferior)", "pedicle_to_nerve_root_inferior_mm",
                 "The exiting nerve root runs below the pedicle, on average only {mm} mm away in cadavers"),
    "superior": ("upper (superior)", "pedicle_to_nerve_root_superior_mm",
                 "The nerve root above is further away, on average {mm} mm in cadavers, but the wall is broken "
                 "and the needle is heading out of the bone"),
}


def _breach_problem(b: Breach, ev) -> Problem:
    at = "at the entry point: the needle starts outside the pedicle" if b.depth == 0 else \
        f"{b.depth:.1f} mm in"
    if b.wall in BREACH_DANGER:
        name, key, danger = BREACH_DANGER[b.wall]
        text = danger.format(mm=ev.number(NEURAL, key))
        canal = " into the spinal canal" if b.into_canal else ""
        return Problem("pedicle", f"breach_{b.wall}",
                       f"Pedicle breach through its {name} wall{canal}, {at}. {text} {markers(NEURAL)}.", (NEURAL,))
    return Problem("pedicle", "breach_lateral",
                   f"Pedicle breach through its outer (lateral) wall, {at}. Outside the pedicle the needle "
                   f"can reach the side of the vertebral body, where a segmental artery runs: a needle placed "
                   f"there has injured one, causing bleeding behind the abdominal cavity (a retroperitoneal "
                   f"haematoma) {markers(SEGMENTAL)}.", (SEGMENTAL,))


def _rule_problem(g: NeedleGrade) -> Problem:
    wall_text = (f"it reached the posterior wall of the body only {g.posterior_wall:.1f} mm in"
                 if g.posterior_wall is not None
                 else "it had not yet reached the posterior wall of the body on the lateral view")
    return Problem(
        "medial_wall_rule", "medial_wall_first",
        f"On the AP view the tip crossed the medial (inner) wall of the pedicle {g.medial_crossing:.1f} mm in, but "
        f"{wall_text}: a tip medial to the pedicle and still behind the body is in the spinal canal, "
        f"beside the dural sac and the nerve roots. The rule: never cross the medial wall on the AP view "
        f"before the tip has reached the posterior wall on the lateral view {markers(RULE_CITES[:2])}. "
        f"Start at the upper outer corner of the pedicle, or angle less toward the midline {markers(ENTRY_CITES[0])}.",
        RULE_CITES)


#: Every problem code, in plain words (the class results name a class's commonest problem with these).
PROBLEM_NAMES = {
    "breach_medial": "left the pedicle through its medial (inner) wall",
    "breach_lateral": "left the pedicle through its lateral (outer) wall",
    "breach_superior": "left the pedicle through its upper wall",
    "breach_inferior": "left the pedicle through its lower wall",
    "medial_wall_first": "crossed the medial wall line before the back wall of the body",
    "short": "tip short of the front third of the body",
    "beside_target": "tip in the front third but beside the target",
    "not_in_body": "tip not yet in the body",
    "in_disc": "tip in the disc",
    "beside_body": "tip beside the body",
    "through_front": "tip through the front wall of the body",
    "front_cortex": "needle through the front wall (cortex) of the body",
}

#: A tip outside the body, by region id: its problem code, the danger and the danger's source.
MISSED_BODY = {
    "disc_above": ("in_disc", "cement injected there would go into the disc, one of the ways cement leaks", DISC_LEAK),
    "disc_below": ("in_disc", "cement injected there would go into the disc, one of the ways cement leaks", DISC_LEAK),
    "beside": ("beside_body", "it lies near the segmental artery that runs along the side of the body", SEGMENTAL),
}
NOT_IN_BODY = ("pedicle", "canal", "behind", "bone_behind")


def _target_problem(g: NeedleGrade) -> Problem:
    cite = markers(TARGET_CITES[0])
    where = g.tip_where
    region = g.tip_region
    if g.short_mm is not None:
        return Problem("target", "short",
                       f"The tip is {where}, {g.short_mm:.1f} mm short of the front third: advance it further. "
                       f"Operators place the tip in the front (anterior) third of the body {cite}.", TARGET_CITES)
    if region == "body_front_third":
        if g.approach == "unilateral":
            text = (f"The tip is in the front third, but {g.beside_target_mm:.1f} mm to the side of the target. "
                    f"Through one pedicle, aim for the midline of the front third: with the tip toward the midline "
                    f"a second needle through the other pedicle is seldom necessary {cite}. Start further out on "
                    f"the pedicle and angle more toward the midline.")
        else:
            text = (f"The tip has crossed the midline by {g.beside_target_mm:.1f} mm. With two needles each fills "
                    f"the front third of its own side {cite}.")
        return Problem("target", "beside_target", text, TARGET_CITES)
    if region in NOT_IN_BODY:
        return Problem("target", "not_in_body",
                       f"The tip is {where}: it has not reached the vertebral body yet, so there is nothing to "
                       f"fill. Advance it to the front third of the body {cite}.", TARGET_CITES)
    if region in MISSED_BODY:
        code, danger, key = MISSED_BODY[region]
        return Problem("target", code, f"The tip is {where}: it has missed the body, and {danger} {markers(key)}. "
                       f"The target is the front third of the body {cite}.", (key, *TARGET_CITES))
    return Problem("target", "through_front",
                   f"The tip is {where}: it has gone through the front wall and missed the body. Pull back to the "
                   f"front third, inside the bone {cite}.", TARGET_CITES)


_MEAN = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*\+/-\s*(\d+(?:\.\d+)?)")


def mean_sd(raw: str) -> tuple[str, str]:
    """The mean and SD of a value printed 'mean +/- SD ...', as printed (ValueError otherwise)."""
    m = _MEAN.match(str(raw))
    if not m:
        raise ValueError(f"not a value printed 'mean +/- SD': {raw!r}")
    return m.group(1), m.group(2)


def great_vessels_text(ev=None) -> str:
    """How close the aorta lies in front of the spine, with its two sources' numbers as printed."""
    ev = ev or load_evidence()
    aorta, sd = mean_sd(ev.raw(AORTA, "shortest_aorta_vertebra_distance_mm"))
    men, women = (mean_sd(part)[0] for part in str(ev.raw(AORTA_DISCS, "arterial_disc_distance_mm_men_vs_women.L1_L2"))
                  .split(" vs "))
    return (f"In front of the spine lie the aorta and the vena cava: on CT of 40 adults the aorta lay closest to the "
            f"spine at T12, on average {aorta} mm from the vertebral body (SD {sd}) {markers(AORTA)}, and on CT of 557 "
            f"adults it lay on average {men} mm (men) and {women} mm (women) from the disc between L1 and L2 "
            f"{markers(AORTA_DISCS)}.")


def _front_problem(g: NeedleGrade, ev) -> Problem:
    return Problem("front_cortex", "front_cortex",
                   f"The needle went through the front wall (cortex) of the vertebral body {g.front_breach_depth:.1f} "
                   f"mm in. {great_vessels_text(ev)} Check the depth on the lateral view before every advance and "
                   f"stop in the front third, inside the bone {markers(TARGET_CITES[0])}.",
                   (AORTA, AORTA_DISCS, *TARGET_CITES))
