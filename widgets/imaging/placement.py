"""One needle placement on either spine: the model (L1 to L5) or the real CT (T11 to L2).

The exercise's sliders set five numbers, the same on both spines (:data:`SETTINGS`): the entry
point's distance from the midline (``entry_lateral_mm``, toward the needle's side, the patient's
left) and its height above the treated body's lower endplate (``entry_up_mm``), the angles toward
the midline (``medial_deg``) and toward the feet (``caudal_deg``), and how far the needle is
advanced (``depth_mm``).  The entry point lies on a fixed front-back plane per level: the back of
the pedicle on the model, and on the real CT the depth at which its textbook path meets the bone.

:func:`needle_for` turns the settings into a 3-D needle, :func:`grade_placement` grades it
(:mod:`widgets.imaging.grading`), :func:`start_settings` is where Test mode starts (the centre of
the back of the pedicle, straight ahead, not advanced; or, with a random generator, somewhere
near it) and :func:`taught_settings` the textbook path as the sliders set it.  The class results
grade a handed-in placement again through :func:`grade_placement`.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from widgets.anatomy import ct
from widgets.anatomy.levels import load_anatomy
from widgets.anatomy.needle_path import needle_at, taught_needle
from widgets.anatomy.segment import APPROACHES, Segment, segment
from widgets.imaging.grading import NeedleGrade, grade, grade_ct

SPINES = ("model", "ct")
SPINE_NAMES = {"model": "the model spine (L1 to L5)", "ct": "a real spine (CT, T11 to L2)"}
SETTINGS = ("entry_lateral_mm", "entry_up_mm", "medial_deg", "caudal_deg", "depth_mm")
#: The sliders' ranges and steps (the same on both spines).
LIMITS = {"entry_lateral_mm": (4.0, 40.0, 0.5), "entry_up_mm": (0.0, 40.0, 0.5), "medial_deg": (0.0, 45.0, 1.0),
          "caudal_deg": (-20.0, 30.0, 1.0), "depth_mm": (0.0, 70.0, 1.0)}
#: The needle goes in on the patient's left on both spines.
SIDE = 1
#: A random start lies within this many mm of the pedicle's centre, left-right and up-down (Test mode).
START_SPREAD_MM = 4.0


def levels(spine: str) -> list[str]:
    _check_spine(spine)
    return list(load_anatomy().ids) if spine == "model" else list(ct.LEVELS)


def _check_spine(spine: str) -> None:
    if spine not in SPINES:
        raise ValueError(f"spine is 'model' or 'ct', not {spine!r}")


@lru_cache(maxsize=1)
def ct_available() -> bool:
    """Whether the real CT's crop can be read (else the exercise falls back to the model spine)."""
    try:
        ct.scan()
    except (OSError, ValueError, KeyError):
        return False
    return True


@dataclass(frozen=True)
class CtEntryPlane:
    """Where the real CT's entry points lie for a level: the front-back plane ``y`` and the height of
    the lower endplate ``z0`` that ``entry_up_mm`` counts from."""

    y: float
    z0: float


@lru_cache(maxsize=8)
def ct_entry_plane(level: str) -> CtEntryPlane:
    lev = ct.level(level)
    return CtEntryPlane(float(ct.textbook_needle(level, SIDE).entry[1]), float(lev.lower_endplate_z))


def needle_for(spine: str, level: str, settings: dict, heights: tuple[float, float, float] | None = None):
    """The 3-D needle the settings place at ``level`` (model: ``heights`` are the treated body's)."""
    _check_spine(spine)
    s = {k: float(settings[k]) for k in SETTINGS}
    if spine == "model":
        seg = segment(level, tuple(heights) if heights else None)
        return needle_at(seg, s["entry_lateral_mm"], s["entry_up_mm"], s["medial_deg"], s["caudal_deg"],
                         s["depth_mm"])
    plane = ct_entry_plane(level)
    entry = (SIDE * s["entry_lateral_mm"], plane.y, plane.z0 + s["entry_up_mm"])
    return ct.needle_from_angles(entry, s["medial_deg"], s["caudal_deg"], s["depth_mm"], SIDE)


def grade_placement(spine: str, level: str, settings: dict, heights: tuple[float, float, float] | None = None,
                    approach: str = "unilateral") -> NeedleGrade:
    """Grade the placement the settings make (pure: the same settings always give the same grade)."""
    if approach not in APPROACHES:
        raise ValueError(f"approach is 'unilateral' (one pedicle) or 'bilateral' (two), not {approach!r}")
    needle = needle_for(spine, level, settings, heights)
    if spine == "model":
        return grade(segment(level, tuple(heights) if heights else None), needle, approach)
    return grade_ct(level, needle, approach)


def _snap(name: str, value: float) -> float:
    lo, hi, step = LIMITS[name]
    return float(min(max(round(value / step) * step, lo), hi))


def _pedicle_centre(spine: str, level: str, heights) -> tuple[float, float]:
    """(lateral, up) of the centre of the back of the pedicle, as the entry sliders measure them."""
    if spine == "model":
        seg: Segment = segment(level, tuple(heights) if heights else None)
        ped = seg.pedicle
        return abs(float(ped.centre_x(ped.y_back))), ped.z_centre
    ped = ct.level(level).pedicle(SIDE)
    x, z, _, _ = ped.section(ped.y_back)
    return abs(float(x)), float(z) - ct_entry_plane(level).z0


def start_settings(spine: str, level: str, heights=None, rng: random.Random | None = None) -> dict:
    """Where Test mode starts: the centre of the back of the pedicle, straight ahead, not advanced; with
    ``rng``, an entry point up to :data:`START_SPREAD_MM` from that centre, still straight ahead."""
    lateral, up = _pedicle_centre(spine, level, heights)
    if rng is not None:
        lateral += rng.uniform(-START_SPREAD_MM, START_SPREAD_MM)
        up += rng.uniform(-START_SPREAD_MM, START_SPREAD_MM)
    return {"entry_lateral_mm": _snap("entry_lateral_mm", lateral), "entry_up_mm": _snap("entry_up_mm", up),
            "medial_deg": 0.0, "caudal_deg": 0.0, "depth_mm": 0.0}


def taught_settings(spine: str, level: str, heights=None, approach: str = "unilateral") -> dict:
    """The textbook path as the sliders set it (entry to the half millimetre, angles to the degree,
    depth to the millimetre): superolateral entry to the target's centre."""
    if spine == "model":
        n = taught_needle(segment(level, tuple(heights) if heights else None), approach)
        values = (abs(n.entry[0]), n.entry[2], n.medial_deg, n.caudal_deg, n.depth)
    else:
        n = ct.textbook_needle(level, SIDE, approach)
        medial, caudal = ct.angles_of(n)
        plane = ct_entry_plane(level)
        # the textbook path followed back (or on) to the entry plane
        t = (plane.y - n.entry[1]) / n.direction[1]
        e = [n.entry[i] + t * n.direction[i] for i in range(3)]
        values = (abs(e[0]), e[2] - plane.z0, medial, caudal, n.depth - t)
    return {k: _snap(k, v) for k, v in zip(SETTINGS, values)}


def random_level(spine: str, rng: random.Random) -> str:
    return rng.choice(levels(spine))


def settings_text(settings: dict) -> str:
    """The settings in words."""
    s = settings
    caudal = s["caudal_deg"]
    tilt = (f"{caudal:g} degrees toward the feet" if caudal > 0 else
            f"{-caudal:g} degrees toward the head" if caudal < 0 else "level (0 degrees)")
    return (f"entry {s['entry_lateral_mm']:g} mm left of the midline and {s['entry_up_mm']:g} mm above the lower "
            f"endplate, {s['medial_deg']:g} degrees toward the midline, {tilt}, {s['depth_mm']:g} mm in")
