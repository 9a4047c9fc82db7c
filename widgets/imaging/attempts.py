"""Needle-placement attempts over time, and what the hand-in records of them.

An attempt is a plain record: the exercise id, the attempt number, the three grades (stayed
within the pedicle, medial wall not crossed before the posterior wall, tip in the target zone),
what went wrong (problem codes and plain sentences, no citation keys), the needle's settings and
a UTC timestamp.  :class:`AttemptHistory` numbers them and summarises progress.

Every attempt is also recorded in the student's exercise log (:mod:`widgets.record.handin`, exercise
``needle-placement``, item = the level): :func:`needle_answer` is what the student did (the needle's
settings and the fracture drawn), :func:`needle_grades` its grade against one standard, the placement's
geometry (``"geometry"``: the three checks).  The class results grade it again from the geometry
(:mod:`widgets.classroom.grading`), never from the file.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Callable

from widgets.core.citations import strip_citations
from widgets.imaging.grading import NeedleGrade

EXERCISE_ID = "needle-placement"
#: The one standard a placement is graded against: the geometry of the pedicle and body.
GRADE_STANDARD = "geometry"


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class AttemptRecord:
    exercise: str
    attempt: int
    level: str
    pedicle: bool
    medial_wall_rule: bool
    target: bool
    problems: tuple[str, ...]
    what_went_wrong: tuple[str, ...]
    entry_lateral_mm: float
    entry_up_mm: float
    medial_deg: float
    caudal_deg: float
    depth_mm: float
    attempted_at: str

    @property
    def passed(self) -> bool:
        return self.pedicle and self.medial_wall_rule and self.target

    @property
    def score(self) -> int:
        return int(self.pedicle) + int(self.medial_wall_rule) + int(self.target)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["problems"] = list(self.problems)
        out["what_went_wrong"] = list(self.what_went_wrong)
        out["passed"] = self.passed
        return out


@dataclass
class AttemptHistory:
    """One student's attempts at one exercise, in order."""

    exercise: str = EXERCISE_ID
    attempts: list[AttemptRecord] = field(default_factory=list)
    clock: Callable[[], str] = utc_now

    def record(self, grade: NeedleGrade, entry_lateral_mm: float, entry_up_mm: float) -> AttemptRecord:
        n = grade.needle
        rec = AttemptRecord(self.exercise, len(self.attempts) + 1, grade.level, grade.pedicle_ok, grade.medial_rule_ok,
                            grade.target_ok, tuple(p.code for p in grade.problems),
                            tuple(" ".join(strip_citations(p.text).split()) for p in grade.problems),
                            round(float(entry_lateral_mm), 2), round(float(entry_up_mm), 2), round(n.medial_deg, 2),
                            round(n.caudal_deg, 2),
                            round(n.depth, 2), self.clock())
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
                f"best {s['best_score']} of 3 checks.")


def needle_answer(rec: AttemptRecord, heights: tuple[float, float, float]) -> dict:
    """What the student did, as the hand-in records it: the needle's settings and the fracture drawn
    (enough for the class results to grade the placement again from the geometry)."""
    anterior, middle, posterior = (round(float(h), 2) for h in heights)
    return {"entry_lateral_mm": rec.entry_lateral_mm, "entry_up_mm": rec.entry_up_mm, "medial_deg": rec.medial_deg,
            "caudal_deg": rec.caudal_deg, "depth_mm": rec.depth_mm, "height_anterior_mm": anterior,
            "height_middle_mm": middle, "height_posterior_mm": posterior}


def needle_grades(grade: NeedleGrade) -> dict:
    """The grade for the hand-in: one standard, the placement's geometry, with its three checks."""
    return {GRADE_STANDARD: {"correct": grade.passed,
                             "parts": {"pedicle": grade.pedicle_ok, "medial_wall_rule": grade.medial_rule_ok,
                                       "target": grade.target_ok},
                             "expected": {"problems": [p.code for p in grade.problems]}}}
