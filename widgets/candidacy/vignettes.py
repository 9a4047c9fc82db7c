"""Seeded synthetic vignettes for unlimited candidacy practice.

:func:`generate` deals the scenarios of ``widgets/content/vignette_templates.yaml``
in shuffled rounds (each scenario always triggers the rule it is named after,
so any ``len(scenarios)`` consecutive cases exercise every rule), draws the
findings the scenario allows and writes the history from sentence templates.
Every draw comes from one ``random.Random(seed)``: the same seed gives the same
cases.  :class:`Vignette` is also how the quiz holds a case from a bank.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import Field, StrictBool, model_validator

from widgets.candidacy.rules import FractureCause, Patient, RULE_IDS, Case, assess
from widgets.core.loading import ContentModel, content_path, load_model


@dataclass(frozen=True)
class Vignette:
    """A case as the quiz shows it: prose history plus the findings that grade it."""

    id: str
    title: str
    history: str
    patient: Patient
    source: Literal["bank", "generated"]
    scenario: str | None = None
    note: str | None = None   # the case's own evidence note (bank cases), shown with the feedback

    @classmethod
    def from_case(cls, case: Case) -> "Vignette":
        return cls(case.id, case.title, " ".join(case.history.split()), case.patient, "bank",
                   note=" ".join(case.evidence_note.split()) if case.evidence_note else None)


# --------------------------------------------------------------------------- templates

BoolChoice = Union[StrictBool, list[StrictBool]]


class ScenarioFindings(ContentModel):
    compression_fracture: StrictBool
    fracture_cause: list[Optional[FractureCause]] = Field(min_length=1)
    severe_back_pain: BoolChoice
    pain_relieved_by_medication_and_bed_rest: BoolChoice
    posterior_cortical_defect: BoolChoice
    vertebral_infection: BoolChoice
    pain_from_herniated_disc: BoolChoice

    @model_validator(mode="after")
    def _causes_match_fracture(self):
        if self.compression_fracture and None in self.fracture_cause:
            raise ValueError("a scenario with a fracture needs a cause for every choice (no null)")
        if not self.compression_fracture and self.fracture_cause != [None]:
            raise ValueError("a scenario without a fracture must have fracture_cause: [null]")
        return self


class Scenario(ContentModel):
    id: Literal[RULE_IDS]  # type: ignore[valid-type]
    findings: ScenarioFindings


class Ages(ContentModel):
    min: int = Field(ge=18, le=110)
    max: int = Field(ge=18, le=110)


class FractureTexts(ContentModel):
    osteoporosis: list[str] = Field(min_length=1)
    trauma: list[str] = Field(min_length=1)
    tumor: list[str] = Field(min_length=1)
    vascular: list[str] = Field(min_length=1)
    infection: list[str] = Field(min_length=1)
    other: list[str] = Field(min_length=1)
    none: list[str] = Field(min_length=1)


class PainTexts(ContentModel):
    severe_not_relieved: list[str] = Field(min_length=1)
    severe_relieved: list[str] = Field(min_length=1)
    mild_not_relieved: list[str] = Field(min_length=1)
    mild_relieved: list[str] = Field(min_length=1)


class YesNoTexts(ContentModel):
    yes: list[str] = Field(min_length=1)
    no: list[str] = Field(min_length=1)
    no_fracture: list[str] = []
    caused_fracture: list[str] = []


class DiscTexts(ContentModel):
    with_fracture: list[str] = Field(min_length=1)
    without_fracture: list[str] = Field(min_length=1)
    no: list[str] = Field(min_length=1)


class Templates(ContentModel):
    ages: Ages
    people: list[str] = Field(min_length=1)
    levels: list[str] = Field(min_length=1)
    openings: list[str] = Field(min_length=1)
    fracture: FractureTexts
    pain: PainTexts
    posterior_defect: YesNoTexts
    infection: YesNoTexts
    disc: DiscTexts
    scenarios: list[Scenario] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_rule_has_a_scenario(self):
        ids = [s.id for s in self.scenarios]
        missing = [r for r in RULE_IDS if r not in ids]
        if missing:
            raise ValueError(f"no scenario exercises the rules {missing}; add one per rule")
        if self.ages.min > self.ages.max:
            raise ValueError("ages.min must not exceed ages.max")
        return self


@lru_cache(maxsize=4)
def _load_templates(path: str) -> Templates:
    return load_model(path, Templates)


def load_templates(path: Path | str | None = None) -> Templates:
    return _load_templates(str(path or content_path("vignette_templates.yaml")))


# --------------------------------------------------------------------------- generation

def _pick(rng: random.Random, value):
    return rng.choice(value) if isinstance(value, list) else value


def _draw_patient(rng: random.Random, scenario: Scenario) -> Patient:
    f = scenario.findings
    return Patient(
        compression_fracture=f.compression_fracture,
        fracture_cause=_pick(rng, f.fracture_cause),
        severe_back_pain=_pick(rng, f.severe_back_pain),
        pain_relieved_by_medication_and_bed_rest=_pick(rng, f.pain_relieved_by_medication_and_bed_rest),
        posterior_cortical_defect=_pick(rng, f.posterior_cortical_defect),
        vertebral_infection=_pick(rng, f.vertebral_infection),
        pain_from_herniated_disc=_pick(rng, f.pain_from_herniated_disc),
    )


def _history(rng: random.Random, t: Templates, p: Patient) -> tuple[str, str]:
    age = rng.randint(t.ages.min, t.ages.max)
    article = "An" if str(age).startswith("8") or age in (11, 18) else "A"
    slots = {"age": age, "An_age": f"{article} {age}", "person": rng.choice(t.people),
             "level": rng.choice(t.levels)}
    parts = [rng.choice(t.openings)]
    parts.append(rng.choice(getattr(t.fracture, p.fracture_cause or "none")))
    pain_key = ("severe" if p.severe_back_pain else "mild") + (
        "_relieved" if p.pain_relieved_by_medication_and_bed_rest else "_not_relieved")
    parts.append(rng.choice(getattr(t.pain, pain_key)))
    if p.compression_fracture:
        parts.append(rng.choice(t.posterior_defect.yes if p.posterior_cortical_defect else t.posterior_defect.no))
    elif p.posterior_cortical_defect:
        parts.append(rng.choice(t.posterior_defect.yes))
    if p.fracture_cause == "infection":
        if t.infection.caused_fracture:
            parts.append(rng.choice(t.infection.caused_fracture))
    else:
        parts.append(rng.choice(t.infection.yes if p.vertebral_infection else t.infection.no))
    if p.pain_from_herniated_disc:
        parts.append(rng.choice(t.disc.with_fracture if p.compression_fracture else t.disc.without_fracture))
    else:
        parts.append(rng.choice(t.disc.no))
    text = " ".join(parts).format(**slots)
    title = f"Practice case: {article.lower()} {age}-year-old {slots['person']}"
    return title, text


def generate(seed: int, n: int, *, start: int = 0, templates: Templates | None = None) -> list[Vignette]:
    """``n`` vignettes from ``seed``, numbered from ``start``.

    The cases are the same for the same (seed, start + index): generating
    cases 0-9 and then 10-19 gives what generating 0-19 at once gives.
    """
    if n < 0 or start < 0:
        raise ValueError("n and start must not be negative")
    t = templates or load_templates()
    out = []
    rounds: dict[int, list[Scenario]] = {}
    k = len(t.scenarios)
    for index in range(start, start + n):
        rnd = index // k
        if rnd not in rounds:
            order = list(t.scenarios)
            random.Random(f"{seed}:round:{rnd}").shuffle(order)
            rounds[rnd] = order
        scenario = rounds[rnd][index % k]
        rng = random.Random(f"{seed}:case:{index}")
        patient = _draw_patient(rng, scenario)
        title, history = _history(rng, t, patient)
        out.append(Vignette(f"gen-{seed}-{index:04d}", title, history, patient, "generated", scenario.id))
    return out


def generate_for_rule(seed: int, rule: str, *, start: int = 0, templates: Templates | None = None) -> Vignette:
    """The first generated case from ``start`` on whose scenario is ``rule`` (so the rule decides it)."""
    t = templates or load_templates()
    if rule not in {s.id for s in t.scenarios}:
        raise ValueError(f"no scenario exercises the rule '{rule}'")
    index = start
    while True:
        v = generate(seed, 1, start=index, templates=t)[0]
        if v.scenario == rule:
            return v
        index += 1


def scenario_rule_fires(v: Vignette) -> bool:
    """True when the vignette's scenario rule is among the rules that decide it."""
    result = assess(v.patient)
    return v.scenario in (set(result.vertebroplasty.rule_ids) | set(result.kyphoplasty.rule_ids))
