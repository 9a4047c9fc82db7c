"""Who is a candidate: the leaflet's rules, the case bank, the vignette generator and the quiz (pure); the quiz view.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
The pure logic of :mod:`widgets.candidacy.rules` (and :func:`~widgets.candidacy.bank.load_case_bank`) is importable from here, e.g. ``from widgets.candidacy import ...``.
"""

from widgets.candidacy.rules import (  # noqa: F401
    FRACTURE_CAUSES,
    KP_EXCLUDED_CAUSES,
    RULE_IDS,
    PROCEDURES,
    PATIENT_FIELDS,
    CandidacyError,
    PatientError,
    Findings,
    Patient,
    Rule,
    RuleSet,
    load_rules,
    Reason,
    Decision,
    Assessment,
    exclusions_for_both,
    assess,
    Expected,
    Case,
    CaseBank,
    LoadedBank,
    CaseBankError,
    rules_markdown,
)
from widgets.candidacy.bank import load_case_bank  # noqa: F401
