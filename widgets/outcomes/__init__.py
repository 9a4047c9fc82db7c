"""Outcomes compared with their evidence: traced rows and the height-explorer model (pure); the outcome plots and explorer views.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
The pure logic of :mod:`widgets.outcomes.model` (and the traced numbers of :mod:`widgets.core.numbers` it uses)
is importable from here, e.g. ``from widgets.outcomes import ...``.
"""

from widgets.core.numbers import (  # noqa: F401
    PLACEHOLDER,
    Derived,
    Choice,
    fmt,
    leaves,
    parse_count,
    count_figures,
    resolve,
    recompute,
    derive,
    fill,
)
from widgets.outcomes.model import (  # noqa: F401
    ARMS,
    ARM_NAMES,
    SPREAD_NAMES,
    SpreadSpec,
    ItemSpec,
    PanelSpec,
    Excluded,
    OutcomeSpec,
    LeafletClaim,
    WallGain,
    LevelSpec,
    ExplorerSpec,
    OutcomesFile,
    Row,
    design_of,
    build_row,
    Panel,
    Outcome,
    OutcomeSet,
    load_outcomes,
    default_outcomes,
    timecourse_series,
    outcome_table_md,
    QuestionOption,
    PatientQuestion,
    PatientQuestionsFile,
    Verdict,
    load_patient_questions,
    grade_answer,
)
