"""Grading a needle placement: three checks, each exact geometry on the 3-D segment.

1. **Stayed within the pedicle.**  From the entry point to the back of the vertebral body the
   needle's axis must stay inside the pedicle's outer wall.  On the wall counts as inside; the
   first point beyond it is a breach, named by the wall it crosses (medial, lateral, superior,
   inferior).  An entry point outside the pedicle is a breach at 0 mm.
2. **Medial wall before posterior wall.**  On the AP view the tip must not cross the pedicle's
   medial wall before, on the lateral view, it has reached the posterior wall of the body
   [pf_medial_wall_rule_textbook; pf_medial_wall_rule_biopsy_chapter].  Reaching both at the same
   depth passes.
3. **Tip in the target zone.**  The tip lies inside the vertebral body, in its front (anterior)
   third [pf_target_anterior_third_openradiology].

The needle is graded along its axis (the drawing shows it as a line).  Each error names its danger
and cites its source: the spinal canal and nerves (distances from
``an_lumbar_pedicle_neural_distances``), the segmental artery beside the body (a case report,
``heo2011_segmental_artery``), or missing the body.  Texts carry ``[@id]`` citation keys; a view
turns them into the notebook's numbers.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from widgets.core.evidence import load_evidence
from widgets.anatomy.camera import Needle
from widgets.anatomy.segment import Segment

#: Floating-point slack (mm): a point this close to a wall is on it.
EPS = 1e-9

NEURAL = "an_lumbar_pedicle_neural_distances"
RULE_CITES = ("pf_medial_wall_rule_textbook", "pf_medial_wall_rule_biopsy_chapter")
TARGET_CITES = ("pf_target_anterior_third_openradiology",)
SEGMENTAL = "heo2011_segmental_artery"
DISC_LEAK = "cl_canal_leak_and_pce_josr2019"
ENTRY_CITES = ("pf_medial_wall_rule_textbook",)

CHECKS = ("pedicle", "medial_wall_rule", "target")
CHECK_NAMES = {"pedicle": "stayed within the pedicle",
               "medial_wall_rule": "did not cross the medial wall (AP) before the posterior wall (lateral)",
               "target": "tip in the target zone (front third of the body)"}


@dataclass(frozen=True)
class Problem:
    """One thing that went wrong: which check, what happened, the danger, and its sources."""

    check: str
    code: str
    text: str          # with [@id] keys
    cites: tuple[str, ...]


@dataclass(frozen=True)
class Breach:
    wall: str          # medial, lateral, superior, inferior
    depth: float       # mm along the needle from the entry
    point: tuple[float, float, float]


@dataclass(frozen=True)
class NeedleGrade:
    """One needle placement graded: its three checks, the breach and the problems found (stored with the attempt
    as a :class:`widgets.record.attempts.Grade` under the geometry standard)."""

    needle: Needle
    level: str
    pedicle_ok: bool
    breach: Breach | None
    medial_rule_ok: bool
    medial_crossing: float | None     # mm in where the tip crosses the AP medial-wall line
    posterior_wall: float | None      # mm in where the tip reaches the posterior body wall
    target_ok: bool
    tip_where: str
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return self.pedicle_ok and self.medial_rule_ok and self.target_ok

    @property
    def results(self) -> dict[str, bool]:
        return {"pedicle": self.pedicle_ok, "medial_wall_rule": self.medial_rule_ok, "target": self.target_ok}

    @property
    def score(self) -> int:
        return sum(self.results.values())

    def summary(self) -> str:
        """One plain line: the three checks and the verdict (no citation keys)."""
        marks = "; ".join(f"{CHECK_NAMES[c]}: {'yes' if ok else 'no'}" for c, ok in self.results.items())
        verdict = "pass" if self.passed else "not yet"
        return f"{self.level}, tip {self.tip_where}: {marks}. Verdict: {verdict} ({self.score} of 3)."


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


def grade(seg: Segment, needle: Needle) -> NeedleGrade:
    """Grade ``needle`` in ``seg`` (pure; the same input always gives the same grade)."""
    ev = load_evidence()
    ped = seg.pedicle
    d = needle.direction
    e = np.asarray(needle.entry, dtype=float)
    depth = needle.depth
    problems: list[Problem] = []

    # 1. the pedicle, from the entry to the back of the body (or the tip, if it has not got there)
    t_wall = _crossing(e[1], d[1], seg.depth)            # reaches the posterior body wall
    t_end = depth if t_wall is None else min(depth, t_wall)
    breach = _first_exit(seg, needle, t_end)
    if breach is not None:
        problems.append(_breach_problem(breach, ev))

    # 2. the medial-wall rule: AP medial line (x) against the lateral view's posterior wall (y)
    s = seg.side
    t_medial = _crossing(s * e[0], s * d[0], s * ped.medial_wall_x)
    crossed = t_medial is not None and t_medial <= depth + EPS
    reached_wall = t_wall is not None and t_wall <= depth + EPS
    rule_ok = not crossed or (reached_wall and t_wall <= t_medial + EPS)
    if not rule_ok:
        wall_text = (f"it reached the posterior wall of the body only {t_wall:.1f} mm in" if reached_wall
                     else "it had not yet reached the posterior wall of the body on the lateral view")
        problems.append(Problem(
            "medial_wall_rule", "medial_wall_first",
            f"On the AP view the tip crossed the medial (inner) wall of the pedicle {t_medial:.1f} mm in, but "
            f"{wall_text}: a tip medial to the pedicle and still behind the body is in the spinal canal, "
            f"beside the dural sac and the nerve roots. The rule: never cross the medial wall on the AP view "
            f"before the tip has reached the posterior wall on the lateral view [@{RULE_CITES[0]}; @{RULE_CITES[1]}]. "
            f"Start at the upper outer corner of the pedicle, or angle less toward the midline [@{ENTRY_CITES[0]}].",
            (*RULE_CITES,)))

    # 3. the target zone
    tip = needle.tip
    where = seg.where(tip)
    target_ok = bool(seg.in_body(tip)) and float(tip[1]) <= seg.target_y + EPS
    if not target_ok:
        problems.append(_target_problem(where, float(tip[1]), seg))
    return NeedleGrade(needle, seg.level.id, breach is None, breach, bool(rule_ok),
                 float(t_medial) if crossed else None, float(t_wall) if reached_wall else None, bool(target_ok),
                 where, tuple(problems))


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
        return Problem("pedicle", f"breach_{b.wall}",
                       f"Pedicle breach through its {name} wall, {at}. {text} [@{NEURAL}].", (NEURAL,))
    return Problem("pedicle", "breach_lateral",
                   f"Pedicle breach through its outer (lateral) wall, {at}. Outside the pedicle the needle "
                   f"can reach the side of the vertebral body, where a segmental artery runs: a needle placed "
                   f"there has injured one, causing bleeding behind the abdominal cavity (a retroperitoneal "
                   f"haematoma) [@{SEGMENTAL}].", (SEGMENTAL,))


#: A tip that missed the body: where (a word of :meth:`Segment.where`), its code, the danger, the source.
#: Every problem code, in plain words (the class results name a class's commonest problem with these).
PROBLEM_NAMES = {
    "breach_medial": "left the pedicle through its medial (inner) wall",
    "breach_lateral": "left the pedicle through its lateral (outer) wall",
    "breach_superior": "left the pedicle through its upper wall",
    "breach_inferior": "left the pedicle through its lower wall",
    "medial_wall_first": "crossed the medial wall line before the back wall of the body",
    "short": "tip short of the front third of the body",
    "not_in_body": "tip not yet in the body",
    "in_disc": "tip in the disc",
    "beside_body": "tip beside the body",
    "through_front": "tip through the front wall of the body",
}

MISSED_BODY = {
    "disc": ("in_disc", "cement injected there would go into the disc, one of the ways cement leaks", DISC_LEAK),
    "beside": ("beside_body", "it lies near the segmental artery that runs along the side of the body", SEGMENTAL),
}


def _target_problem(where: str, y: float, seg: Segment) -> Problem:
    cite = f"[@{TARGET_CITES[0]}]"
    if "middle third" in where or "back third" in where:
        return Problem("target", "short",
                       f"The tip is {where}, {y - seg.target_y:.1f} mm short of the front third: advance it "
                       f"further. Operators place the tip in the front (anterior) third of the body {cite}.",
                       TARGET_CITES)
    if "pedicle" in where or "behind" in where or "canal" in where:
        return Problem("target", "not_in_body",
                       f"The tip is {where}: it has not reached the vertebral body yet, so there is nothing to "
                       f"fill. Advance it to the front third of the body {cite}.", TARGET_CITES)
    for word, (code, danger, key) in MISSED_BODY.items():
        if word in where:
            return Problem("target", code, f"The tip is {where}: it has missed the body, and {danger} [@{key}]. "
                           f"The target is the front third of the body {cite}.", (key, *TARGET_CITES))
    return Problem("target", "through_front",
                   f"The tip is {where}: it has gone through the front wall and missed the body. Pull back to the "
                   f"front third, inside the bone {cite}.", TARGET_CITES)
