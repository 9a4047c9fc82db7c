"""Vertebral compression fractures: what notebook 01 says about them (pure) and the fracture explorer (view).

The geometry and Genant grade of a vertebral body, and its sagittal drawing, are shared by several topics and
live in :mod:`widgets.anatomy` (:mod:`~widgets.anatomy.geometry`, :mod:`~widgets.anatomy.drawing`).
Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
The pure logic is importable from here, e.g. ``from widgets.fractures import ...``.
"""

from widgets.anatomy.geometry import (  # noqa: F401
    GENANT_ID,
    REGIONS,
    SHAPES,
    GenantThresholds,
    genant_thresholds,
    genant_grade,
    GRADE_NAMES,
    Heights,
    FractureGeometry,
    wedge_angle_deg,
    sagittal_outline,
    REFERENCE_ID,
    ReferenceVertebra,
    reference_vertebra,
)
from widgets.fractures.texts import (  # noqa: F401
    describe,
    genant_table_markdown,
    EXAMPLES,
    examples_markdown,
    reference_text,
    epidemiology_text,
)
