"""Vertebral compression fractures: geometry and Genant grade (pure), the sagittal drawing and the fracture explorer (views).

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
The pure logic of :mod:`widgets.fractures.geometry` is importable from here, e.g. ``from widgets.fractures import ...``.
"""

from widgets.fractures.geometry import (  # noqa: F401
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
    describe,
    genant_table_markdown,
    EXAMPLES,
    examples_markdown,
    reference_text,
    epidemiology_text,
)
