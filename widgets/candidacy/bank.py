"""Reading an instructor's case bank (``widgets/content/cases.yaml``), checked against both standards.

:func:`load_case_bank` checks: valid YAML; a mapping with a ``cases`` list; every field of every case
present and allowed; case ids and titles unique; no title that gives its answer away (a key word shared with
the name of a rule or red flag that decides the case: :func:`title_gives_away`); each case's stated answer agrees with the leaflet's rules
(:func:`widgets.candidacy.rules.assess`) and, where given, with current practice
(:func:`widgets.candidacy.practice.assess_practice`); a case's simulated x-ray agrees with its findings.
Anything malformed raises :class:`CaseBankError` naming the file, the case id or
line, and the field.  Because it checks both standards it sits above both modules.  The bank's models are
here too: :class:`Case` (a case as the file states it), :class:`CaseBank` (the file), :class:`LoadedBank`
(a checked bank).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

from pydantic import Field, StrictBool

from widgets.candidacy.case_image import CaseImage, image_problem
from widgets.candidacy.patient import Findings, Patient
from widgets.candidacy.practice import assess_practice, reason_title
from widgets.candidacy.rules import LEAFLET_DECIDING_IDS, PRACTICE_DECIDING_IDS, CandidacyError, assess, load_rules
from widgets.core.citations import CitedText
from widgets.core.course import PROCEDURES
from widgets.core.loading import ContentModel, Parsed, content_path, load_content


class Expected(ContentModel):
    vertebroplasty: StrictBool
    kyphoplasty: StrictBool
    deciding_rules: list[Literal[LEAFLET_DECIDING_IDS]] = Field(min_length=1)  # type: ignore[valid-type]


class PracticeExpected(ContentModel):
    """The answer under current practice (widgets/content/practice_rules.yaml)."""

    vertebroplasty: StrictBool
    kyphoplasty: StrictBool
    deciding_rules: list[Literal[PRACTICE_DECIDING_IDS]] = Field(min_length=1)  # type: ignore[valid-type]


class Case(ContentModel):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    title: str = Field(min_length=3, max_length=200)
    history: str = Field(min_length=20)
    findings: Findings
    expected: Expected
    expected_practice: Optional[PracticeExpected] = Field(None, description="the answer under current practice; "
                                                          "computed when left out")
    evidence_note: Optional[CitedText] = Field(None, min_length=20, description="what trials or guidelines add for "
                                         "this case; shown with the feedback, never changing the grade")
    image: Optional[CaseImage] = Field(None, description="a simulated lateral x-ray shown with the case "
                                       "(widgets.candidacy.case_image): level and the body's heights")

    @property
    def patient(self) -> Patient:
        return Patient(**self.findings.model_dump())


class CaseBank(ContentModel):
    title: Optional[str] = None
    cases: list[Case] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedBank:
    path: Path
    title: str | None
    cases: tuple[Case, ...]

    def __len__(self) -> int:
        return len(self.cases)

    def __iter__(self):
        return iter(self.cases)

    def case(self, case_id: str) -> Case:
        for c in self.cases:
            if c.id == case_id:
                return c
        raise KeyError(f"no case '{case_id}' in {self.path}")


class CaseBankError(CandidacyError):
    """A case bank could not be loaded (``load_content(..., kind=CaseBankError)`` raises it for any problem)."""


#: Words too common to give an answer away (the rest of a title's words of four letters or more are its key words).
COMMON_WORDS = frozenset("""
    with from that this when into than then what which while after before under over about their there have been
    does were your year years also only just more most some such them they very will would could should
""".split())


def key_words(text: str) -> set[str]:
    """The words of ``text`` that carry meaning: lower case, four letters or more, a plural or -ed/-ing cut off,
    common words left out (``"Walking the dog"`` gives ``{"walk"}``)."""
    out = set()
    for word in re.findall(r"[a-z]+", text.lower()):
        if len(word) < 4 or word in COMMON_WORDS:
            continue
        for end in ("ing", "ies", "es", "ed", "s"):
            if word.endswith(end) and len(word) - len(end) >= 4:
                word = word[: -len(end)]
                break
        out.add(word)
    return out


def deciding_names(patient) -> list[str]:
    """The names of what decides a case: the deciding rules of both standards and, with a red flag, the red flag's
    reason and the flags themselves."""
    leaflet, practice = assess(patient), assess_practice(patient)
    names = [reason_title(r) for r in dict.fromkeys(leaflet.deciding_rules + practice.deciding_rules)]
    return names + [flag.title for flag in leaflet.red_flags]


def title_gives_away(case) -> set[str]:
    """The key words a case's title shares with the names of what decides it (empty: the title is neutral)."""
    named = set().union(*(key_words(name) for name in deciding_names(case.patient)))
    return key_words(case.title) & named


def load_case_bank(path: Path | str | None = None) -> LoadedBank:
    """Load and check a case bank; a malformed bank raises :class:`CaseBankError`.

    Checked: valid YAML; a mapping with a ``cases`` list; every field of every
    case present and allowed; case ids and titles unique; no title that gives its answer away; each case's stated
    answer (``expected``) agrees with :func:`assess`, and its answer under current practice
    (``expected_practice``, where given) with :func:`widgets.candidacy.practice.assess_practice`; a case's
    simulated x-ray (``image``) agrees with its findings (:func:`widgets.candidacy.case_image.image_problem`).
    Nothing is returned unless the whole bank passes.
    """
    path = Path(path) if path else content_path("cases.yaml")
    bank = load_content(path, CaseBank, check=_check_bank, kind=CaseBankError)
    return LoadedBank(path, bank.title, tuple(bank.cases))


def _check_bank(bank: CaseBank, parsed: Parsed) -> None:
    """Titles unique and neutral; each case's stated answers against both standards' rules, and its x-ray against
    its findings."""
    titles: dict[str, int] = {}
    for i, case in enumerate(bank.cases):
        title = " ".join(case.title.split()).lower()
        if title in titles:
            raise parsed.error(("cases", i, "title"),
                               f"the title '{case.title}' is used twice (first at case {titles[title] + 1}); "
                               "a student's list of missed cases could not tell them apart",
                               field=f"cases[{i}].title (in id '{case.id}')", fix="give each case its own label")
        titles[title] = i
    rules = load_rules()
    for i, case in enumerate(bank.cases):
        shared = title_gives_away(case)
        if shared:
            raise parsed.error(("cases", i, "title"),
                               f"the title gives the answer away: it shares {sorted(shared)} with what decides "
                               "the case", field=f"cases[{i}].title (in id '{case.id}')",
                               fix="use a neutral label, such as the patient's name and age; the history tells the case")
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
