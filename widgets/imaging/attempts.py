"""Needle-placement attempts over time, the simulator's metrics, and what the hand-in records of them.

A placement is an :class:`~widgets.record.attempts.Attempt` from the moment it is graded (:func:`needle_attempt`),
the same record the progress file keeps and the hand-in carries: which level (``item``), what the student did
(``answer``), the placement's grade with its checks, problems and metrics (``grades["geometry"]``), its number in
the session (``context["attempt"]``) and the course's one time stamp (:func:`widgets.record.attempts.utc_stamp`).
:class:`AttemptHistory` keeps the session's attempts, summarises progress and gives the learning curve; they are
read back by :func:`attempt_number`, :func:`passed`, :func:`checks_held`, :func:`metric`, :func:`problems`,
:func:`shots` and :func:`process`.  The sentences that say what went wrong are made from the grade when it is
shown, never stored.

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

from dataclasses import dataclass, field
from typing import Callable

from widgets.imaging.exercise import GRADE_STANDARD, HEIGHT_KEYS, NEEDLE_PLACEMENT, needle_grades
from widgets.imaging.grading import CHECKS, NeedleGrade
from widgets.imaging.placement import SETTINGS
from widgets.record.attempts import Attempt, Grade, make_attempt, utc_stamp

#: The metrics an attempt carries (mm), in the order the result card and the class results show them.
METRICS = ("tip_error_mm", "tip_to_target_mm", "closest_medial_mm")
#: How the student got there (recorded, not regraded).
PROCESS = ("shots_ap", "shots_lateral", "redirects", "time_s")


def _r(value, digits: int = 2):
    return None if value is None else round(float(value), digits)


def needle_answer(grade: NeedleGrade, settings: dict, heights: tuple[float, float, float] | None = None, *,
                  shots_ap: int = 0, shots_lateral: int = 0, redirects: int = 0, time_s: float | None = None) -> dict:
    """What the student did, as the hand-in records it (see the module docstring): the spine, the approach, the
    needle's ``settings`` (:data:`widgets.imaging.placement.SETTINGS`), the fracture drawn (``heights``, required on
    the model spine) and the shots, redirects and time."""
    out = {"spine": grade.spine, "approach": grade.approach, **{k: _r(settings[k]) for k in SETTINGS}}
    if grade.spine == "model":
        if heights is None:
            raise ValueError("a placement on the model spine records the treated body's heights")
        out.update({k: round(float(h), 2) for k, h in zip(HEIGHT_KEYS, heights)})
    out.update({"shots_ap": int(shots_ap), "shots_lateral": int(shots_lateral), "redirects": int(redirects),
                "time_s": _r(time_s, 1)})
    return out


def needle_attempt(grade: NeedleGrade, settings: dict, heights: tuple[float, float, float] | None, number: int, *,
                   answered_at: str | None = None, **process) -> Attempt:
    """The attempt a graded placement is: the answer (:func:`needle_answer`, with ``process``: shots_ap,
    shots_lateral, redirects, time_s), its grade (:func:`widgets.imaging.exercise.needle_grades`) and its
    ``number`` among the session's attempts."""
    return make_attempt(NEEDLE_PLACEMENT, grade.level, needle_answer(grade, settings, heights, **process),
                        needle_grades(grade), context={"attempt": number}, answered_at=answered_at)


def _grade(attempt: Attempt) -> Grade:
    return attempt.grade(GRADE_STANDARD)


def attempt_number(attempt: Attempt) -> int:
    """The attempt's number in the session (1 for the first)."""
    return int(attempt.context["attempt"])


def passed(attempt: Attempt) -> bool:
    """All four checks hold."""
    return _grade(attempt).correct


def check_held(attempt: Attempt, check: str) -> bool:
    """Whether one of the four checks (:data:`widgets.imaging.grading.CHECKS`) holds."""
    return bool(_grade(attempt).parts[check])


def checks_held(attempt: Attempt) -> int:
    """How many of the four checks hold."""
    return sum(check_held(attempt, c) for c in CHECKS)


def metric(attempt: Attempt, name: str):
    """One of the simulator's measures in the grade: a metric of :data:`METRICS` (mm; ``closest_medial_mm`` is None
    when the needle never reached the pedicle), or the flags ``breach`` and ``front_breach``."""
    return _grade(attempt).expected[name]


def problems(attempt: Attempt) -> tuple[str, ...]:
    """The problems' codes (:data:`widgets.imaging.grading.PROBLEM_NAMES` words them)."""
    return tuple(_grade(attempt).expected["problems"])


def process(attempt: Attempt, name: str):
    """How the student got there: one of :data:`PROCESS`."""
    return attempt.answer[name]


def shots(attempt: Attempt) -> int:
    """Fluoroscopy shots in both views."""
    return process(attempt, "shots_ap") + process(attempt, "shots_lateral")


def settings_of(attempt: Attempt) -> dict:
    """The needle's settings the attempt was graded with."""
    return {k: attempt.answer[k] for k in SETTINGS}


@dataclass
class AttemptHistory:
    """One student's needle placements in this session, in order: the attempts the hand-in records."""

    attempts: list[Attempt] = field(default_factory=list)
    clock: Callable[[], str] = utc_stamp     # the course's one time stamp, as every answer is stamped

    def record(self, grade: NeedleGrade, settings: dict, heights: tuple[float, float, float] | None = None, *,
               shots_ap: int = 0, shots_lateral: int = 0, redirects: int = 0, time_s: float | None = None) -> Attempt:
        """Keep ``grade`` (of the needle ``settings`` set, in a body of ``heights`` on the model spine) with how the
        student got there."""
        rec = needle_attempt(grade, settings, heights, len(self.attempts) + 1, answered_at=self.clock(),
                             shots_ap=shots_ap, shots_lateral=shots_lateral, redirects=redirects, time_s=time_s)
        self.attempts.append(rec)
        return rec

    def summary(self) -> dict:
        won = [attempt_number(a) for a in self.attempts if passed(a)]
        return {"attempts": len(self.attempts), "passed": len(won), "first_pass": won[0] if won else None,
                "best_score": max((checks_held(a) for a in self.attempts), default=0)}

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
        return {"attempt": [attempt_number(a) for a in self.attempts],
                "tip_error_mm": [metric(a, "tip_error_mm") for a in self.attempts],
                "shots": [shots(a) for a in self.attempts], "passed": [passed(a) for a in self.attempts],
                "level": [a.item for a in self.attempts]}
