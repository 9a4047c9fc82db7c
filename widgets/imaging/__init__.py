"""The needle-placement exercise: its grading (four checks and the simulator's metrics, on the model spine or the
real CT), its placements on either spine, attempt history and facts (pure); the exercise view.

The anatomy it draws on (the lumbar segment, the one camera model of the two fluoroscopic views, the
scene, the synthetic radiograph, the fluoroscopy drawing, the textbook needle path) is shared with other
topics and lives in :mod:`widgets.anatomy`.
Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views
(:mod:`widgets.imaging.views`) sit beside it.
The pure logic is importable from here, e.g. ``from widgets.imaging import grade, planned_needle``.
"""

from widgets.anatomy.levels import (  # noqa: F401
    DIMENSIONS,
    Anatomy,
    Dimension,
    Level,
    load_anatomy,
    measured_value,
)
from widgets.anatomy.camera import Camera, Needle, ap, lateral  # noqa: F401
from widgets.anatomy.needle_path import needle_at, planned_needle  # noqa: F401
from widgets.anatomy.scene import Scene, describe_tip, scene_for_step  # noqa: F401
from widgets.anatomy.segment import Segment, segment  # noqa: F401
from widgets.imaging.attempts import AttemptHistory, AttemptRecord, needle_answer, needle_grades  # noqa: F401
from widgets.imaging.grading import Grade, Problem, grade, grade_ct  # noqa: F401
from widgets.imaging.placement import grade_placement, start_settings, taught_settings  # noqa: F401
