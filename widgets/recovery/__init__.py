"""After the procedure: after-care items, the procedure-day timeline, the natural rate of new fractures (pure); their views.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
The pure logic of :mod:`widgets.recovery.model` is importable from here, e.g. ``from widgets.recovery import ...``.
"""

from widgets.recovery.model import (  # noqa: F401
    LEAFLET_MINUTES,
    NATURAL_HISTORY_ID,
    AftercareItem,
    Segment,
    RecoveryFile,
    TimedSegment,
    load_recovery,
    quiz_questions,
    timeline,
    timeline_markdown,
    natural_rate,
    natural_rate_text,
    aftercare_markdown,
    bed_rest_text,
)
