"""Seeded synthetic vignettes for unlimited candidacy practice.

:func:`generate` deals the scenarios of ``widgets/content/vignette_templates.yaml``
in shuffled rounds (each scenario always triggers the rule it is named after, a
rule of the leaflet or of current practice, so any ``len(scenarios)`` consecutive
cases exercise every rule), draws the findings the scenario allows and writes the
history from varied sentences: a present finding is always said (often as a
clinician would say it, e.g. "back to her usual routine" for pain that settled),
an absent one only sometimes, and the other findings come in a shuffled order.
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

from widgets.candidacy.case_image import CaseImage
from widgets.candidacy.rules import (
    REASON_IDS, Case, Coagulopathy, FractureCause, Patient, VascularLesion, assess,
)
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
    image: CaseImage | None = None   # a simulated lateral x-ray shown with the case (bank cases)

    @classmethod
    def from_case(cls, case: Case) -> "Vignette":
        return cls(case.id, case.title, " ".join(case.history.split()), case.patient, "bank",
                   note=" ".join(case.evidence_note.split()) if case.evidence_note else None, image=case.image)


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
    fracture_healed: BoolChoice = False
    neurological_deficit: BoolChoice = False
    radicular_pain: BoolChoice = False
    systemic_infection: BoolChoice = False
    coagulopathy: Union[Coagulopathy, list[Coagulopathy]] = "none"
    cement_allergy: BoolChoice = False
    epidural_tumour: BoolChoice = False
    vascular_lesion: Union[VascularLesion, list[VascularLesion], None] = None

    @model_validator(mode="after")
    def _causes_match_fracture(self):
        if self.compression_fracture and None in self.fracture_cause:
            raise ValueError("a scenario with a fracture needs a cause for every choice (no null)")
        if not self.compression_fracture and self.fracture_cause != [None]:
            raise ValueError("a scenario without a fracture must have fracture_cause: [null]")
        if "vascular" in self.fracture_cause and self.vascular_lesion is None:
            raise ValueError("a scenario that can draw a vascular cause must say vascular_lesion (haemangioma, other)")
        return self


class Scenario(ContentModel):
    id: Literal[REASON_IDS]  # type: ignore[valid-type]
    findings: ScenarioFindings


class Ages(ContentModel):
    min: int = Field(ge=18, le=110)
    max: int = Field(ge=18, le=110)


class Person(ContentModel):
    noun: str = Field(min_length=2)
    subject: str = Field(min_length=2)
    object: str = Field(min_length=2)
    possessive: str = Field(min_length=2)


Sentences = list[str]


class CauseTexts(ContentModel):
    fresh: Sentences = Field(min_length=1)
    old: Sentences = []


class FractureTexts(ContentModel):
    osteoporosis: CauseTexts
    trauma: CauseTexts
    tumor: CauseTexts
    haemangioma: CauseTexts
    vascular_other: CauseTexts
    infection: CauseTexts
    other: CauseTexts
    none: CauseTexts


class PainTexts(ContentModel):
    severe_not_relieved: Sentences = Field(min_length=1)
    severe_relieved: Sentences = Field(min_length=1)
    mild_not_relieved: Sentences = Field(min_length=1)
    mild_relieved: Sentences = Field(min_length=1)


class YesNo(ContentModel):
    yes: Sentences = []
    no: Sentences = []


class DiscTexts(ContentModel):
    with_fracture: Sentences = Field(min_length=1)
    without_fracture: Sentences = Field(min_length=1)
    no: Sentences = []


class CoagulopathyTexts(ContentModel):
    correctable: Sentences = Field(min_length=1)
    uncorrectable: Sentences = Field(min_length=1)


class FindingTexts(ContentModel):
    posterior_cortical_defect: YesNo
    retropulsed_fragment: YesNo
    neurological_deficit: YesNo
    vertebral_infection: YesNo
    systemic_infection: YesNo
    no_infection: YesNo
    herniated_disc: DiscTexts
    radicular_pain: YesNo
    coagulopathy: CoagulopathyTexts
    cement_allergy: YesNo
    epidural_tumour: YesNo


class Templates(ContentModel):
    ages: Ages
    people: list[Person] = Field(min_length=1)
    levels: list[str] = Field(min_length=1)
    mention_absent: float = Field(ge=0.0, le=1.0)
    openings: Sentences = Field(min_length=1)
    fracture: FractureTexts
    pain: PainTexts
    findings: FindingTexts
    scenarios: list[Scenario] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_rule_has_a_scenario(self):
        ids = [s.id for s in self.scenarios]
        missing = [r for r in REASON_IDS if r not in ids]
        if missing:
            raise ValueError(f"no scenario exercises the rules {missing}; add one per rule")
        if self.ages.min > self.ages.max:
            raise ValueError("ages.min must not exceed ages.max")
        for s in self.scenarios:
            healed = s.findings.fracture_healed
            if healed is True or (isinstance(healed, list) and True in healed):
                for cause in s.findings.fracture_cause:
                    if not getattr(self.fracture, _cause_key(cause, "haemangioma")).old:
                        raise ValueError(f"scenario '{s.id}' can draw an old, healed fracture caused by {cause}, "
                                         "but fracture.{cause}.old has no sentence for it")
        return self


@lru_cache(maxsize=4)
def _load_templates(path: str) -> Templates:
    return load_model(path, Templates)


def load_templates(path: Path | str | None = None) -> Templates:
    return _load_templates(str(path or content_path("vignette_templates.yaml")))


# --------------------------------------------------------------------------- generation

def _pick(rng: random.Random, value):
    return rng.choice(value) if isinstance(value, list) else value


def _cause_key(cause: str | None, lesion: str | None) -> str:
    if cause is None:
        return "none"
    if cause == "vascular":
        return "haemangioma" if lesion == "haemangioma" else "vascular_other"
    return cause


def _draw_patient(rng: random.Random, scenario: Scenario) -> Patient:
    f = scenario.findings
    cause = _pick(rng, f.fracture_cause)
    drawn = {name: _pick(rng, getattr(f, name)) for name in (
        "severe_back_pain", "pain_relieved_by_medication_and_bed_rest", "posterior_cortical_defect",
        "vertebral_infection", "pain_from_herniated_disc", "fracture_healed", "neurological_deficit",
        "radicular_pain", "systemic_infection", "coagulopathy", "cement_allergy", "epidural_tumour",
        "vascular_lesion")}
    if cause != "vascular":
        drawn["vascular_lesion"] = None
    if cause != "tumor":
        drawn["epidural_tumour"] = False
    if cause == "infection":
        drawn["vertebral_infection"] = True           # a fracture caused by infection: infection in the vertebra
    if not f.compression_fracture:
        drawn["fracture_healed"] = drawn["neurological_deficit"] = False
    return Patient(compression_fracture=f.compression_fracture, fracture_cause=cause, **drawn)


def _history(rng: random.Random, t: Templates, p: Patient) -> tuple[str, str]:
    age = rng.randint(t.ages.min, t.ages.max)
    article = "An" if str(age).startswith("8") or age in (11, 18) else "A"
    person = rng.choice(t.people)
    slots = {"An_age": f"{article} {age}", "noun": person.noun, "subject": person.subject,
             "Subject": person.subject.capitalize(), "object": person.object, "possessive": person.possessive,
             "Possessive": person.possessive.capitalize(), "level": rng.choice(t.levels)}
    ft = t.findings
    say = rng.choice
    absent = lambda: rng.random() < t.mention_absent  # noqa: E731 - said only sometimes

    texts = getattr(t.fracture, _cause_key(p.fracture_cause, p.vascular_lesion))
    head = [say(t.openings), say(texts.old if p.fracture_healed else texts.fresh)]
    pain_key = ("severe" if p.severe_back_pain else "mild") + (
        "_relieved" if p.pain_relieved_by_medication_and_bed_rest else "_not_relieved")
    head.append(say(getattr(t.pain, pain_key)))

    rest: list[str] = []
    fracture = p.compression_fracture
    if fracture and p.posterior_cortical_defect:
        rest.append(say(ft.retropulsed_fragment.yes if p.neurological_deficit and ft.retropulsed_fragment.yes
                        else ft.posterior_cortical_defect.yes))
    elif fracture and ft.posterior_cortical_defect.no and absent():
        rest.append(say(ft.posterior_cortical_defect.no))
    if p.epidural_tumour:
        rest.append(say(ft.epidural_tumour.yes))
    if p.neurological_deficit:
        rest.append(say(ft.neurological_deficit.yes))
    elif fracture and ft.neurological_deficit.no and absent():
        rest.append(say(ft.neurological_deficit.no))
    if p.vertebral_infection and p.fracture_cause != "infection":
        rest.append(say(ft.vertebral_infection.yes))
    if p.systemic_infection:
        rest.append(say(ft.systemic_infection.yes))
    if not p.infected and not p.systemic_infection and ft.no_infection.no and absent():
        rest.append(say(ft.no_infection.no))
    if p.pain_from_herniated_disc:
        rest.append(say(ft.herniated_disc.with_fracture if fracture else ft.herniated_disc.without_fracture))
    elif fracture and ft.herniated_disc.no and not p.radicular_pain and absent():
        rest.append(say(ft.herniated_disc.no))
    if p.radicular_pain:
        rest.append(say(ft.radicular_pain.yes))
    if p.coagulopathy != "none":
        rest.append(say(getattr(ft.coagulopathy, p.coagulopathy)))
    if p.cement_allergy:
        rest.append(say(ft.cement_allergy.yes))
    rng.shuffle(rest)
    text = " ".join(head + rest).format(**slots)
    title = f"Practice case: {article.lower()} {age}-year-old {person.noun}"
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
    """True when the vignette's scenario rule is among the rules that decide it under either standard."""
    from widgets.candidacy.practice import assess_practice
    decided = set()
    for result in (assess(v.patient), assess_practice(v.patient)):
        decided |= set(result.vertebroplasty.rule_ids) | set(result.kyphoplasty.rule_ids)
    return v.scenario in decided
