"""A quiz case's simulated x-ray, as data: which level, which view, and the treated body's heights.

A case in the bank may carry an ``image``::

    image:
      view: lateral                  # the side view; the only one the quiz draws
      level: L1                      # a level of widgets/content/anatomy.yaml
      heights_fraction: {anterior: 0.62, middle: 0.8, posterior: 1.0}

Each height is a fraction of that level's unfractured (expected) height, so the drawn shape has a
Genant grade (:func:`widgets.fractures.genant_grade`, thresholds from ``fg_genant_sq_grades``) and
a shape (wedge, biconcave, crush) computed the same way as everywhere else in the course.

What the simulated x-ray can show, and so what an image may carry: **only the vertebral body's
height at the front, middle and back** (a normal body, a wedge, a biconcave or a crush deformity,
and how much height it lost).  What it cannot show, and so what an image never claims: marrow
oedema (whether a fracture is fresh or healed; MRI shows that), a break in the back wall's cortex
or a fragment pushed into the canal, tumour, infection, a haemangioma, a disc herniation, nerve
roots.  Those stay in the history.  The loader (:func:`image_problem`) refuses an image that
disagrees with the case's findings: a case without a compression fracture must show a normal body
(Genant grade 0), a case with one must show it (at least grade 1), a history that names the deformity
(a wedge, a biconcave or a crush fracture) gets that deformity, and where the history names vertebral
levels the image shows one of them.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator

from widgets.core.loading import ContentModel
from widgets.anatomy.geometry import GRADE_NAMES, REGIONS, FractureGeometry, Heights
from widgets.anatomy.levels import load_anatomy, level

#: The lowest fraction of a wall's height the simulated x-ray draws (a body flattened further would
#: no longer read as a vertebral body in the drawing); the highest is 1, the unfractured height.
MIN_FRACTION = 0.25
#: On the figure, as the task and the course say it: what it is and what it is not.
FIGURE_LABEL = "Simulated lateral x-ray (illustrative, drawn to the course's anatomy)"
#: What the drawing cannot show (said with every imaged case's feedback).
CANNOT_SHOW = ("The simulated x-ray draws only the vertebral body's height at the front, middle and back. It "
               "cannot show whether a fracture is fresh or healed (marrow oedema on MRI), a break in the back "
               "wall or a fragment in the canal, tumour, infection or a disc: those come from the history.")
#: Walls whose losses differ by less than this many percentage points are "alike" (an even collapse).
EVEN_WITHIN = 2.0
LEVEL_WORDS = re.compile(r"\b([CTLS])(\d{1,2})\b")
#: Deformities a history may name; an image of such a case must draw the one named.
DEFORMITY_WORDS = ("wedge", "biconcave", "crush")


def _anatomy_ids() -> list[str]:
    return load_anatomy().ids


class HeightsFraction(ContentModel):
    """The treated body's anterior, middle and posterior heights, each a fraction of its normal height."""

    anterior: float = Field(1.0, description="front wall")
    middle: float = Field(1.0, description="middle of the body")
    posterior: float = Field(1.0, description="back wall")

    @field_validator("anterior", "middle", "posterior", mode="before")
    @classmethod
    def _in_range(cls, value, info):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise ValueError(f"the {info.field_name} height is a fraction of the normal height, a number from "
                             f"{MIN_FRACTION:g} to 1")
        if not MIN_FRACTION <= value <= 1:
            raise ValueError(f"the {info.field_name} height must be a fraction from {MIN_FRACTION:g} to 1 of the "
                             "level's normal height (1 is unfractured; a fracture only lowers a body, and the "
                             f"drawing shows nothing flatter than {MIN_FRACTION:g})")
        return float(value)

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.anterior, self.middle, self.posterior)


class CaseImage(ContentModel):
    """A simulated x-ray shown with a case: ``view`` (lateral), ``level`` and ``heights_fraction``."""

    view: Literal["lateral"] = "lateral"
    level: str
    heights_fraction: HeightsFraction = HeightsFraction()

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        ids = _anatomy_ids()
        if value not in ids:
            raise ValueError(f"{value!r} is not a level the simulated x-ray draws; it draws "
                             + ", ".join(ids) + " (widgets/content/anatomy.yaml)")
        return value


# --------------------------------------------------------------------------- what the image shows

@dataclass(frozen=True)
class ImageReading:
    """What one case image shows, worked out from the anatomy: heights in mm, grade and shape."""

    image: CaseImage
    expected_mm: tuple[float, float, float]
    heights_mm: tuple[float, float, float]
    geometry: FractureGeometry

    @property
    def level(self) -> str:
        return self.image.level

    @property
    def grade(self) -> int:
        return self.geometry.grade

    @property
    def shape(self) -> str:
        """"none" (grade 0), "wedge", "biconcave" or "crush"."""
        return self.geometry.shape

    def deformity(self) -> str:
        """Which height is lost, in plain words, and the deformity's name (for alt text and feedback)."""
        lv, loss = self.level, self.geometry.region_loss_percent()
        if self.shape == "none":
            return f"{lv}'s body keeps its normal height at the front, middle and back: no fracture deformity"
        if self.shape == "wedge":
            return f"the front of {lv} is lower than the back: a wedge deformity"
        if self.shape == "biconcave":
            return f"the middle of {lv}'s body has sunk below its front and back: a biconcave deformity"
        if max(loss.values()) - min(loss.values()) < EVEN_WITHIN:
            return f"the whole of {lv}'s body is lower, front, middle and back alike: a crush deformity"
        return f"the back of {lv} has lost the most height: a crush deformity"

    def alt_text(self) -> str:
        return (f"{FIGURE_LABEL}: {self.level} and the vertebrae above and below, seen from the side, front to the "
                f"left. {self.deformity()[0].upper()}{self.deformity()[1:]}.")

    def summary(self) -> str:
        """One sentence for the feedback: what the x-ray showed, with its Genant grade."""
        said = f"On the x-ray, {self.deformity()}"
        if self.grade == 0:
            return f"{said}; Genant {GRADE_NAMES[0]}."
        losses = self.geometry.region_loss_percent()
        most = max(REGIONS, key=lambda r: losses[r])
        where = {"anterior": "at the front", "middle": "in the middle", "posterior": "at the back"}[most]
        return (f"{said}; Genant {GRADE_NAMES[self.grade]}, drawn with about "
                f"{self.geometry.height_loss_percent:.0f} % of its height lost {where}.")


def read_image(image: CaseImage) -> ImageReading:
    """The image's heights in mm (its level's expected heights times the fractions) and their grade."""
    lv = level(image.level)
    expected = lv.expected_heights()
    heights = tuple(round(e * f, 3) for e, f in zip(expected, image.heights_fraction.as_tuple()))
    geometry = FractureGeometry(Heights(*expected), Heights(*heights), lv["body_depth_mm"])
    return ImageReading(image, expected, heights, geometry)


def image_problem(image: CaseImage, findings, history: str) -> tuple[str, str, str] | None:
    """Why an image disagrees with its case, as (field under ``image``, problem, fix); None when it agrees."""
    reading = read_image(image)
    loss = reading.geometry.height_loss_percent
    if not findings.compression_fracture and reading.grade > 0:
        return ("heights_fraction",
                f"the case has no compression fracture but the image shows one ({reading.shape}, Genant grade "
                f"{reading.grade}, {loss:.0f} % height loss)",
                "draw a normal body (every fraction 1, or at least a Genant grade 0 shape), or set "
                "findings.compression_fracture to true")
    if findings.compression_fracture and reading.grade == 0:
        return ("heights_fraction",
                f"the case has a compression fracture but the image shows a body of normal height (Genant grade 0, "
                f"{loss:.0f} % height loss)",
                "lower the walls the fracture lowered, enough to grade at least Genant 1, or leave the image out")
    shapes = {s for s in DEFORMITY_WORDS if re.search(rf"\b{s}\b", history, re.I)}
    if shapes and reading.shape not in shapes:
        return ("heights_fraction",
                f"the history calls the fracture {' or '.join(sorted(shapes))} but the image shows a {reading.shape} "
                f"(Genant grade {reading.grade})",
                f"draw the deformity the history names ({', '.join(sorted(shapes))}), or reword the history")
    named = {f"{m.group(1)}{m.group(2)}" for m in LEVEL_WORDS.finditer(history)}
    if named and image.level not in named:
        return ("level", f"the history names {', '.join(sorted(named))} but the image shows {image.level}",
                "show a level the history names, or name the imaged level in the history")
    return None


def words_for(image: CaseImage | None) -> str:
    """The image in words, for text-only places (flashcards, answer keys); '' without an image."""
    if image is None:
        return ""
    return read_image(image).alt_text()
