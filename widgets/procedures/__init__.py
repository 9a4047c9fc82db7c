"""Vertebroplasty and kyphoplasty as ordered steps: the step model, ordering and decision grading, the balloon model (pure); the stepper, tests and balloon views.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
The pure logic of :mod:`widgets.procedures.steps` is importable from here, e.g. ``from widgets.procedures import ...``.
"""

from widgets.procedures.steps import (  # noqa: F401
    PROCEDURES,
    ID_PATTERN,
    PHASES,
    Drawing,
    Step,
    EvidenceNumber,
    Setting,
    Procedure,
    Option,
    Question,
    QuestionFile,
    procedure_path,
    load_procedure_file,
    load_procedure,
    check_questions,
    load_questions,
    questions_for,
    OrderResult,
    grade_order,
    shuffled_ids,
    move,
    Attempt,
    AttemptHistory,
    DecisionResult,
    grade_decision,
    QuizScore,
    ComparisonRow,
    PHASE_NAMES,
    compare_steps,
    steps_markdown,
    comparison_markdown,
)
