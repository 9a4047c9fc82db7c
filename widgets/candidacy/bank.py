"""Reading an instructor's case bank (``widgets/content/cases.yaml``), checked against both standards.

:func:`load_case_bank` checks: valid YAML; a mapping with a ``cases`` list; every field of every case
present and allowed; case ids unique; each case's stated answer agrees with the leaflet's rules
(:func:`widgets.candidacy.rules.assess`) and, where given, with current practice
(:func:`widgets.candidacy.practice.assess_practice`); a case's simulated x-ray agrees with its findings.
Anything malformed raises :class:`~widgets.candidacy.rules.CaseBankError` naming the file, the case id or
line, and the field.  Because it checks both standards it sits above both modules (the bank's models are in
:mod:`widgets.candidacy.rules`).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from widgets.candidacy.case_image import image_problem
from widgets.candidacy.practice import assess_practice
from widgets.candidacy.rules import CaseBank, CaseBankError, LoadedBank, assess, load_rules
from widgets.core.course import PROCEDURES
from widgets.core.loading import Parsed, content_path, load_content


def load_case_bank(path: Path | str | None = None) -> LoadedBank:
    """Load and check a case bank; a malformed bank raises :class:`CaseBankError`.

    Checked: valid YAML; a mapping with a ``cases`` list; every field of every
    case present and allowed; case ids unique; each case's stated answer
    (``expected``) agrees with :func:`assess`, and its answer under current practice
    (``expected_practice``, where given) with :func:`widgets.candidacy.practice.assess_practice`; a case's
    simulated x-ray (``image``) agrees with its findings (:func:`widgets.candidacy.case_image.image_problem`).
    Nothing is returned unless the whole bank passes.
    """
    path = Path(path) if path else content_path("cases.yaml")
    bank = load_content(path, CaseBank, check=_check_bank, kind=CaseBankError)
    return LoadedBank(path, bank.title, tuple(bank.cases))


def _check_bank(bank: CaseBank, parsed: Parsed) -> None:
    """Each case's stated answers against both standards' rules, and its x-ray against its findings."""
    rules = load_rules()
    for i, case in enumerate(bank.cases):
        _check_stated(parsed, i, case, "expected", case.expected, assess(case.patient, rules),
                      "the leaflet's rules", "correct the answer or the findings")
        if case.expected_practice is not None:
            _check_stated(parsed, i, case, "expected_practice", case.expected_practice,
                          assess_practice(case.patient), "current practice's rules",
                          "correct the answer or the findings, or leave expected_practice out to have it computed")
        if case.image is not None:
            problem = image_problem(case.image, case.findings, case.history)
            if problem is not None:
                where, what, fix = problem
                raise parsed.error(("cases", i, "image", where), what, fix=fix,
                                   field=f"cases[{i}].image.{where} (in id '{case.id}')")


def _check_stated(parsed: Parsed, i: int, case, key: str, stated, result, standard: str, fix: str) -> None:
    """A case's stated answer under one standard must be what that standard's rules give."""
    for proc in PROCEDURES:
        given, truth = getattr(stated, proc), result.decision(proc)
        if given != truth.eligible:
            raise parsed.error(("cases", i, key, proc),
                               f"the stated answer ({str(given).lower()}) disagrees with {standard}, which give "
                               f"{str(truth.eligible).lower()} ({', '.join(truth.rule_ids)})",
                               field=f"cases[{i}].{key}.{proc} (in id '{case.id}')", fix=fix)
    if set(stated.deciding_rules) != set(result.deciding_rules):
        raise parsed.error(("cases", i, key, "deciding_rules"),
                           f"the deciding rules {stated.deciding_rules} disagree with {standard}, which give "
                           f"{list(result.deciding_rules)}",
                           field=f"cases[{i}].{key}.deciding_rules (in id '{case.id}')",
                           fix="list exactly the rules that decide the case")

