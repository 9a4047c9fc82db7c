"""Needle-placement attempts over time, the simulator's metrics, and what the hand-in records of them.

An attempt is a plain record (:class:`NeedleAttempt`): which level of which spine, the four checks,
what went wrong, the needle's settings, the simulator's metrics and a UTC time stamp
(:func:`widgets.record.attempts.utc_stamp`, as on every answer).
:class:`AttemptHistory` numbers them, summarises progress and gives the learning curve.

What the hand-in records
------------------------
Every attempt is also recorded in the student's exercise log (:mod:`widgets.record.handin`),
exercise ``needle-placement``, item = the level (``"L1"`` ... ``"L5"`` on the model spine,
``"T11"`` ... ``"L2"`` on the real CT).  Its fields, with plain names (the class results and their
item analysis read them):

``answer`` (:func:`needle_answer`: what the student did)
    ``spine``: ``"model"`` or ``"ct"``; ``approach``: ``"unilateral"`` (one pedicle) or
    ``"bilateral"`` (two); the needle's settings ``entry_lateral_mm`` (mm left of the midline),
    ``entry_up_mm`` (mm above the lower endplate), ``medial_deg`` (toward the midline),
    ``caudal_deg`` (toward the feet), ``depth_mm`` (advanced past the entry); on the model the
    treated body's ``height_anterior_mm``, ``height_middle_mm``, ``height_posterior_mm``; and how
    the student got there: ``shots_ap`` and ``shots_lateral`` (fluoroscopy shots taken in each view
    during the attempt: each image asked for is one shot), ``redirects`` (times the needle was
    turned or moved between two shots while already in the bone), ``time_s`` (seconds from the
    attempt's start to its grading).
``grades["geometry"]`` (:func:`widgets.imaging.exercise.needle_grades`: the placement against its geometry)
    ``correct`` (all four checks), ``parts``: ``pedicle`` (stayed within the pedicle),
    ``medial_wall_rule``, ``target``, ``front_cortex`` (not through the front wall); ``expected``:
    ``problems`` (codes, :data:`widgets.imaging.grading.PROBLEM_NAMES` words them) and the metrics,
    all in mm: ``tip_error_mm`` (tip to the target's centre), ``tip_to_target_mm`` (tip to the
    nearest point of the target, 0 inside), ``closest_medial_mm`` (least gap to the pedicle's
    medial wall, negative beyond it; None if the needle never reached the pedicle), and the flags
    ``breach`` (a pedicle wall breached) and ``front_breach`` (through the front cortex).
``context``
    ``attempt`` (its number in the session).

The class results grade it again from ``answer`` (:func:`widgets.imaging.exercise.regrade_answer`, through
the exercise registry), never from the file: the checks and the geometric metrics are
recomputed; the shots, redirects and time are the student's own record.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

from widgets.core.citations import strip_citations
from widgets.imaging.exercise import HEIGHT_KEYS, NEEDLE_PLACEMENT
from widgets.imaging.grading import CHECKS, NeedleGrade
from widgets.imaging.placement import SETTINGS
from widgets.record.attempts import utc_stamp

#: The metrics an attempt carries (mm), in the order the result card and the class results show them.
METRICS = ("tip_error_mm", "tip_to_target_mm", "closest_medial_mm")
#: How the student got there (recorded, not regraded).
PROCESS = ("shots_ap", "shots_lateral", "redirects", "time_s")


@dataclass(frozen=True)
class NeedleAttempt:
    exercise: str
    attempt: int
    level: str
    spine: str
    approach: str
    pedicle: bool
    medial_wall_rule: bool
    target: bool
    front_cortex: bool
    problems: tuple[str, ...]
    what_went_wrong: tuple[str, ...]
    entry_lateral_mm: float
    entry_up_mm: float
    medial_deg: float
    caudal_deg: float
    depth_mm: float
    tip_error_mm: float
    tip_to_target_mm: float
    closest_medial_mm: float | None
    breach: bool
    front_breach: bool
    shots_ap: int
    shots_lateral: int
    redirects: int
    time_s: float | None
    attempted_at: str

    @property
    def passed(self) -> bool:
        return self.pedicle and self.medial_wall_rule and self.target and self.front_cortex

    @property
    def score(self) -> int:
        return sum(int(getattr(self, c)) for c in CHECKS)

    @property
    def shots(self) -> int:
        return self.shots_ap + self.shots_lateral

    @property
    def settings(self) -> dict:
        return {k: getattr(self, k) for k in SETTINGS}

    def to_dict(self) -> dict:
        out = asdict(self)
        out["problems"] = list(self.problems)
        out["what_went_wrong"] = list(self.what_went_wrong)
        out["passed"] = self.passed
        return out


def _r(value, digits: int = 2):
    return None if value is None else round(float(value), digits)


@dataclass
class AttemptHistory:
    """One student's attempts at one exercise, in order."""

    exercise: str = NEEDLE_PLACEMENT
    attempts: list[NeedleAttempt] = field(default_factory=list)
    clock: Callable[[], str] = utc_stamp     # the course's one time stamp, as every answer is stamped

    def record(self, grade: NeedleGrade, settings: dict, *, shots_ap: int = 0, shots_lateral: int = 0, redirects: int = 0,
               time_s: float | None = None) -> NeedleAttempt:
        """Keep ``grade`` (of the needle ``settings`` set, :data:`widgets.imaging.placement.SETTINGS`)
        with how the student got there."""
        m = grade.metrics
        rec = NeedleAttempt(
            self.exercise, len(self.attempts) + 1, grade.level, grade.spine, grade.approach, grade.pedicle_ok,
            grade.medial_rule_ok, grade.target_ok, grade.front_ok, tuple(p.code for p in grade.problems),
            tuple(" ".join(strip_citations(p.text).split()) for p in grade.problems), *(_r(settings[k]) for k in SETTINGS),
            m["tip_error_mm"], m["tip_to_target_mm"], m["closest_medial_mm"], m["breach"], m["front_breach"],
            int(shots_ap), int(shots_lateral), int(redirects), _r(time_s, 1), self.clock())
        self.attempts.append(rec)
        return rec

    def summary(self) -> dict:
        passed = [a.attempt for a in self.attempts if a.passed]
        return {"attempts": len(self.attempts), "passed": len(passed), "first_pass": passed[0] if passed else None,
                "best_score": max((a.score for a in self.attempts), default=0)}

    def progress(self) -> str:
        """One plain line about progress over the attempts."""
        s = self.summary()
        if not s["attempts"]:
            return "No attempts yet."
        first = f"first passed on attempt {s['first_pass']}" if s["first_pass"] else "not passed yet"
        return (f"{s['attempts']} attempt{'s' if s['attempts'] != 1 else ''}, {s['passed']} passed, {first}; "
                f"best {s['best_score']} of {len(CHECKS)} checks.")

    def curve(self) -> dict[str, list]:
        """The learning curve: per attempt its number, tip error (mm), shots and whether it passed."""
        return {"attempt": [a.attempt for a in self.attempts], "tip_error_mm": [a.tip_error_mm for a in self.attempts],
                "shots": [a.shots for a in self.attempts], "passed": [a.passed for a in self.attempts],
                "level": [a.level for a in self.attempts]}


def needle_answer(rec: NeedleAttempt, heights: tuple[float, float, float] | None = None) -> dict:
    """What the student did, as the hand-in records it (see the module docstring): the spine, the
    approach, the needle's settings, the fracture drawn (model spine) and the shots, redirects and time."""
    out = {"spine": rec.spine, "approach": rec.approach, **{k: getattr(rec, k) for k in SETTINGS}}
    if rec.spine == "model":
        if heights is None:
            raise ValueError("a placement on the model spine records the treated body's heights")
        out.update({k: round(float(h), 2) for k, h in zip(HEIGHT_KEYS, heights)})
    out.update({k: getattr(rec, k) for k in PROCESS})
    return out
