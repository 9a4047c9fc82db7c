"""Imaging and needle placement: the lumbar segment's anatomy, one camera model for the two
fluoroscopic views, needle grading, attempt history (pure); the fluoroscopic views and the
needle-placement exercise (views).

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views
(:mod:`widgets.imaging.fluoro`, :mod:`widgets.imaging.views`) sit beside it.
The pure logic is importable from here, e.g. ``from widgets.imaging import grade, planned_needle``.
"""

from widgets.imaging.anatomy import (  # noqa: F401
    DIMENSIONS,
    Anatomy,
    Dimension,
    Level,
    load_anatomy,
    measured_value,
)
from widgets.imaging.attempts import AttemptHistory, AttemptRecord, needle_answer, needle_grades  # noqa: F401
from widgets.imaging.camera import Camera, Needle, ap, lateral  # noqa: F401
from widgets.imaging.grading import Grade, Problem, grade, needle_at, planned_needle  # noqa: F401
from widgets.imaging.scene import Scene, describe_tip, scene_for_step  # noqa: F401
from widgets.imaging.segment import Segment, segment  # noqa: F401
