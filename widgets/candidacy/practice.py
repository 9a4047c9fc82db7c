"""The quiz's second standard, current practice, and where it differs from the leaflet.

The leaflet's rules (:mod:`widgets.candidacy.rules`) stay the quiz's first grade.  Current practice
(``widgets/content/practice_rules.yaml``) is built only from verified evidence entries and checked
sources: contraindications (sepsis or osteomyelitis of the vertebra, uncorrectable coagulopathy,
cement allergy), the guidance's and trials' selection (a recent, unhealed fracture, failed medical
therapy, pain at the fractured level, no nerve-root pain), scope (osteoporotic and tumour fractures;
for vascular lesions, haemangiomas) and the tumour and haemangioma evidence.  Its rules are data in
the same form as the leaflet's (:class:`~widgets.candidacy.rules.StandardRule`), graded by the same
engine (:func:`~widgets.candidacy.rules.evaluate`).

A "candidate" here is a routine candidate: the indication is met and nothing in this evidence stands
in the way.  An exclusion's ``kind`` says what kind of obstacle it is (an absolute or a relative
contraindication, a selection criterion not met, outside the evidence).

:func:`assess_practice` grades a patient; :func:`compare` says where and why the two standards
differ for one patient; :func:`reason_title` gives every rule id its plain words.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal, Optional

from pydantic import Field, field_validator, model_validator

from widgets.candidacy.patient import FractureCause, Patient
from widgets.candidacy.rules import (
    PRACTICE, PRACTICE_RULE_IDS, RULE_IDS, Assessment, CandidacyError, ConditionValue,
    RuleList, StandardRule, above_red_flags, assess, check_conditions, exactly_these_rules, conditions_hold,
    evaluate, load_rules,
)
from widgets.candidacy.red_flags import URGENT, load_red_flags
from widgets.core.citations import CitedText, markers
from widgets.core.course import PROCEDURES
from widgets.core.loading import ContentModel, ContentProblem, load_content, unique_ids

Kind = Literal["indication", "absolute", "relative", "absolute_or_relative", "selection", "scope"]
KINDS: tuple[str, ...] = ("indication", "absolute", "relative", "absolute_or_relative", "selection", "scope")
#: The leaflet is the first standard's source, never the evidence behind the second.
LEAFLET_SOURCE = "kochan2015"


class PracticeRule(StandardRule):
    """A rule of current practice: what kind of obstacle it is, and how the leaflet treats the same finding."""

    kind: Kind
    leaflet: Optional[str] = Field(None, min_length=10)

    @model_validator(mode="after")
    def _kind_fits_effect(self):
        if (self.kind == "indication") != (self.effect == "candidate"):
            raise ValueError(f"rule '{self.id}': kind 'indication' goes with effect 'candidate', and only with it")
        return self

    @model_validator(mode="after")
    def _not_the_leaflet(self):
        if LEAFLET_SOURCE in self.cites:
            raise ContentProblem(f"rule '{self.id}' cites the leaflet",
                                 fix="current practice is built from the evidence files; cite their entries")
        return self


class NotFollowed(ContentModel):
    """A leaflet rule current practice does not follow for fractures with these causes, and why."""

    rule: Literal[RULE_IDS]  # type: ignore[valid-type]
    causes: list[FractureCause] = Field(min_length=1)
    why: CitedText = Field(min_length=20)


class Caution(ContentModel):
    """A finding that changes no verdict but that the feedback names, with a cited note."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=5)
    when: list[dict[str, ConditionValue]] = Field(min_length=1)
    note: CitedText = Field(min_length=20)

    _conditions = field_validator("when")(lambda when: check_conditions(when))

    def applies(self, findings) -> bool:
        return conditions_hold(findings, self.when)


class PracticeRuleSet(RuleList, ContentModel):
    IDS: ClassVar[tuple[str, ...]] = PRACTICE_RULE_IDS
    kinds: dict[Kind, str]
    rules: list[PracticeRule]
    not_followed: list[NotFollowed] = []
    cautions: list[Caution] = []

    @field_validator("kinds")
    @classmethod
    def _every_kind_worded(cls, kinds):
        missing = [k for k in KINDS if k not in kinds]
        if missing:
            raise ValueError(f"say in words what each kind means; missing {missing}")
        return kinds

    @field_validator("rules")
    @classmethod
    def _exactly_the_practice_rules(cls, rules):
        return exactly_these_rules(rules, PRACTICE_RULE_IDS)

    _unique_cautions = unique_ids("cautions", "caution ids")

    def kind_words(self, rule_id: str) -> str:
        return self.kinds[self[rule_id].kind]

    def not_followed_for(self, rule_id: str, cause: str | None) -> str | None:
        for item in self.not_followed:
            if item.rule == rule_id and cause in item.causes:
                return item.why
        return None


@lru_cache(maxsize=4)
def _load(path: str | None) -> PracticeRuleSet:
    return load_content(Path(path) if path else "practice_rules.yaml", PracticeRuleSet, kind=CandidacyError)


def load_practice_rules(path: Path | str | None = None) -> PracticeRuleSet:
    """Current practice's rules (validated; every citation resolves; none cites the leaflet)."""
    return _load(str(path) if path else None)


def assess_practice(patient: Patient, rules: PracticeRuleSet | None = None) -> Assessment:
    """Grade ``patient`` against current practice: eligibility, deciding rules and cautions per procedure."""
    rules = rules or load_practice_rules()
    return above_red_flags(evaluate(patient, rules, PRACTICE, rules.cautions))


def both_standards(patient: Patient) -> tuple[Assessment, Assessment]:
    """(the leaflet's assessment, current practice's) of one patient."""
    return assess(patient), assess_practice(patient)


@lru_cache(maxsize=1)
def _titles() -> dict[str, str]:
    practice = load_practice_rules()
    titles = {r.id: r.title for r in practice}
    titles.update({r.id: r.title for r in load_rules()})
    titles[URGENT] = load_red_flags().title
    return titles


def reason_title(rule_id: str) -> str:
    """A rule id in the plain words students see (the leaflet's title for the ideas both standards share)."""
    return _titles().get(rule_id, rule_id.replace("_", " "))


# --------------------------------------------------------------------------- where the two differ

@dataclass(frozen=True)
class Comparison:
    """Where the leaflet and current practice differ for one patient, and why.

    ``procedures``: those whose verdicts differ; ``same_verdicts_other_rules``: the verdicts agree but
    the deciding rules do not; ``why``: (title, text with ``[@id]`` keys) pairs explaining each rule that
    decides under one standard only.
    """

    leaflet: Assessment
    practice: Assessment
    procedures: tuple[str, ...]
    why: tuple[tuple[str, str], ...]

    @property
    def differ(self) -> bool:
        return bool(self.procedures)

    @property
    def same_verdicts_other_rules(self) -> bool:
        return not self.procedures and set(self.leaflet.deciding_rules) != set(self.practice.deciding_rules)

    def sentence(self) -> str:
        """One plain sentence: do the two standards agree?"""
        if self.leaflet.red_flags:
            return ("A red flag comes first: under both standards the answer is not now, urgent referral and "
                    "imaging.")
        if not self.procedures:
            if self.same_verdicts_other_rules:
                return "The two standards give the same verdicts, for partly different reasons."
            return "The two standards agree on this case."
        parts = []
        for proc in self.procedures:
            parts.append(f"for {proc} the leaflet says {self.leaflet.decision(proc).verdict} and current practice "
                         f"says {self.practice.decision(proc).verdict}")
        return "The two standards differ: " + "; ".join(parts) + "."


def compare(leaflet: Assessment, practice: Assessment, rules: PracticeRuleSet | None = None) -> Comparison:
    """Where the two standards' verdicts on one patient differ, and why (the rules that decide under one only)."""
    rules = rules or load_practice_rules()
    procedures = tuple(p for p in PROCEDURES if leaflet.decision(p).eligible != practice.decision(p).eligible)
    cause = leaflet.patient.fracture_cause
    why: list[tuple[str, str]] = []
    only_leaflet = [r for r in leaflet.deciding_rules if r not in practice.deciding_rules and r != "indication_met"]
    only_practice = [r for r in practice.deciding_rules if r not in leaflet.deciding_rules and r != "indication_met"]
    leaflet_rules = load_rules()
    for rule_id in only_leaflet:
        text = rules.not_followed_for(rule_id, cause)
        if text:
            why.append((leaflet_rules[rule_id].title, " ".join(text.split())))
    for rule_id in only_practice:
        rule = rules[rule_id]
        text = " ".join(f"{rule.leaflet or ''} Current practice: {rules.kind_words(rule_id)}.".split())
        why.append((rule.title, text + " " + markers(rule.cites)))
    return Comparison(leaflet, practice, procedures, tuple(why))
