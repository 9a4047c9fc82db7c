"""Seeded synthetic vignettes for unlimited candidacy practice.

:func:`generate` deals the scenarios of ``widgets/content/vignette_templates.yaml``
in shuffled rounds (each scenario always triggers the rule it is named after, a
rule of the leaflet or of current practice, or a red flag above both, so any
``len(scenarios)`` consecutive cases exercise every rule), draws the findings the scenario allows and writes the
history from varied sentences: a present finding is always said (often as a
clinician would say it, e.g. "back to her usual routine" for pain that settled),
an absent one only sometimes, and the other findings come in a shuffled order.

Some cases (the templates' ``images.share``) show a simulated lateral x-ray
(:class:`~widgets.candidacy.case_image.CaseImage`): a fracture case draws its level
with a wedge, biconcave or crush deformity (fractions from the ranges in
``images.deformities``, or the deformity its history names), a case without a
fracture a normal body, and the history names the level the image shows.  Where
the cause has ``unsaid`` sentences, the history may leave the fracture unsaid
(``images.unsaid`` is the chance), so the student reads it from the picture.  Each
image is checked by :func:`~widgets.candidacy.case_image.image_problem`, the check
the case bank uses.

Every draw comes from ``random.Random`` seeded by (seed, case number): the same
seed gives the same cases.  The image's draws use a generator of their own, so a
case without an image reads as it did before images were added.
:class:`Vignette` is also how the quiz holds a case from a bank.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import Field, StrictBool, model_validator

from widgets.candidacy.case_image import MIN_FRACTION, CaseImage, image_problem
from widgets.candidacy.red_flags import URGENT
from widgets.candidacy.bank import Case
from widgets.candidacy.patient import Coagulopathy, FractureCause, Patient, VascularLesion
from widgets.candidacy.rules import REASON_IDS, assess
from widgets.core.loading import ContentModel, content_path, load_content
from widgets.anatomy.geometry import FractureGeometry, Heights
from widgets.candidacy.practice import assess_practice


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
    image: CaseImage | None = None   # a simulated lateral x-ray shown with the case

    @classmethod
    def from_case(cls, case: Case) -> "Vignette":
        return cls(case.id, case.title, " ".join(case.history.split()), case.patient, "bank",
                   note=" ".join(case.evidence_note.split()) if case.evidence_note else None, image=case.image)


# --------------------------------------------------------------------------- templates

BoolChoice = Union[StrictBool, list[StrictBool]]
#: The red-flag findings a generated case may draw (a scenario for urgent_referral always draws one).
RED_FLAG_DRAWS = ("deficit_worsening", "infection_suspected", "malignancy_suspected")


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
    fracture_root_pain: BoolChoice = False
    # What the red flags read (widgets/content/red_flags.yaml): a scenario for urgent_referral draws one.
    deficit_worsening: BoolChoice = False
    infection_suspected: BoolChoice = False
    malignancy_suspected: BoolChoice = False

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
    """A kind of generated case.  ``id`` names the rule it always exercises; where several scenarios
    exercise one rule (the red flags), each has its own id and names the rule in ``rule``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    rule: Optional[Literal[REASON_IDS]] = None  # type: ignore[valid-type]
    findings: ScenarioFindings

    @model_validator(mode="after")
    def _names_a_rule(self):
        if self.rule is None and self.id not in REASON_IDS:
            raise ValueError(f"scenario '{self.id}' is not named after a rule; name the rule it exercises in 'rule' "
                             "(one of " + ", ".join(REASON_IDS) + ")")
        return self

    @property
    def decides(self) -> str:
        """The rule (or red flag) this scenario always exercises."""
        return self.rule or self.id


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
    # With an image: the fracture left unsaid (the picture shows it); the cause and its age still said.
    unsaid_fresh: Sentences = []
    unsaid_old: Sentences = []


class FractureTexts(ContentModel):
    osteoporosis: CauseTexts
    trauma: CauseTexts
    tumor: CauseTexts
    haemangioma: CauseTexts
    vascular_other: CauseTexts
    infection: CauseTexts
    other: CauseTexts
    none: CauseTexts
    # A fracture seen on an X-ray only, its cause not yet worked up: for a suspected infection or cancer.
    unexplained: CauseTexts


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
    fracture_root_pain: YesNo
    coagulopathy: CoagulopathyTexts
    cement_allergy: YesNo
    epidural_tumour: YesNo
    deficit_worsening: YesNo
    infection_suspected: YesNo
    malignancy_suspected: YesNo


WALLS = ("anterior", "middle", "posterior")
SHOWN = "shown with this case"


class WallRanges(ContentModel):
    """Per wall, the [lowest, highest] fraction of the level's normal height a drawn body may have."""

    anterior: tuple[float, float]
    middle: tuple[float, float]
    posterior: tuple[float, float]

    @model_validator(mode="after")
    def _ordered_and_drawable(self):
        for wall in WALLS:
            lo, hi = getattr(self, wall)
            if not MIN_FRACTION <= lo <= hi <= 1:
                raise ValueError(f"{wall}: [{lo:g}, {hi:g}] must be [low, high] with {MIN_FRACTION:g} <= low <= "
                                 "high <= 1 (fractions of the normal height)")
        return self

    def corners(self):
        """Every combination of the ranges' ends: the extreme shapes a draw can give."""
        return [(a, m, p) for a in self.anterior for m in self.middle for p in self.posterior]


def _shape_of(fractions: tuple[float, float, float]) -> tuple[int, str]:
    """Genant grade and shape of a body drawn at these fractions (the course's geometry, not a copy)."""
    g = FractureGeometry(Heights(1.0, 1.0, 1.0), Heights(*fractions), 1.0)
    return g.grade, g.shape


class Deformities(ContentModel):
    """The range of each deformity's walls; every draw from a range is that deformity, grade 1 or more."""

    wedge: WallRanges
    biconcave: WallRanges
    crush: WallRanges

    @model_validator(mode="after")
    def _draws_agree_with_their_names(self):
        for name in type(self).model_fields:
            for corner in getattr(self, name).corners():
                grade, shape = _shape_of(corner)
                if grade < 1 or shape != name:
                    raise ValueError(f"{name}: a body drawn at {corner} is {shape} (Genant grade {grade}); every "
                                     f"draw must be a {name} of grade 1 or more, so narrow the ranges")
        return self


class ImageTemplates(ContentModel):
    """How generated cases show a simulated lateral x-ray (see the templates file)."""

    share: float = Field(ge=0.0, le=1.0)
    unsaid: float = Field(ge=0.0, le=1.0)
    levels: list[str] = Field(min_length=1)
    step: float = Field(gt=0.0, le=0.1)
    pointer: Sentences = Field(min_length=1)
    normal: WallRanges
    deformities: Deformities

    @model_validator(mode="after")
    def _draws_agree_with_their_names(self):
        for lv in self.levels:
            CaseImage(level=lv)            # a level the simulated x-ray draws (its own check and message)
        for corner in self.normal.corners():
            grade, shape = _shape_of(corner)
            if grade:
                raise ValueError(f"normal: a body drawn at {corner} is a {shape} of Genant grade {grade}; a normal "
                                 "body must stay under grade 1, so raise the ranges' low ends")
        for sentence in self.pointer:
            if "{level}" not in sentence or SHOWN not in sentence:
                raise ValueError(f"pointer {sentence!r} must name {{level}} and say '{SHOWN}'")
        return self

    def draw(self, rng: random.Random, ranges: WallRanges) -> dict[str, float]:
        out = {}
        for wall in WALLS:
            lo, hi = getattr(ranges, wall)
            out[wall] = min(hi, max(lo, round(round(rng.uniform(lo, hi) / self.step) * self.step, 6)))
        return out


class Templates(ContentModel):
    ages: Ages
    people: list[Person] = Field(min_length=1)
    levels: list[str] = Field(min_length=1)
    mention_absent: float = Field(ge=0.0, le=1.0)
    openings: Sentences = Field(min_length=1)
    fracture: FractureTexts
    pain: PainTexts
    findings: FindingTexts
    images: Optional[ImageTemplates] = None
    scenarios: list[Scenario] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_rule_has_a_scenario(self):
        ids = [s.decides for s in self.scenarios]
        missing = [r for r in REASON_IDS if r not in ids]
        if missing:
            raise ValueError(f"no scenario exercises the rules {missing}; add one per rule")
        if self.ages.min > self.ages.max:
            raise ValueError("ages.min must not exceed ages.max")
        for s in self.scenarios:
            drawn = {f: getattr(s.findings, f) for f in RED_FLAG_DRAWS}
            can = [f for f, v in drawn.items() if v is True or (isinstance(v, list) and True in v)]
            if s.decides == URGENT and not any(v is True for v in drawn.values()):
                raise ValueError(f"scenario '{s.id}' must always draw a red flag: set one of "
                                 f"{', '.join(RED_FLAG_DRAWS)} to true")
            if s.decides != URGENT and can:
                raise ValueError(f"scenario '{s.id}' can draw the red-flag findings {can}, which would decide the "
                                 f"case instead of its rule; only a scenario for {URGENT} draws them")
        for s in self.scenarios:
            healed = s.findings.fracture_healed
            if healed is True or (isinstance(healed, list) and True in healed):
                for cause in s.findings.fracture_cause:
                    key = _cause_key(cause, "haemangioma")
                    if not getattr(self.fracture, key).old:
                        raise ValueError(f"scenario '{s.id}' can draw an old, healed fracture caused by {cause}, "
                                         f"but fracture.{key}.old has no sentence for it")
        for cause in FractureTexts.model_fields:
            texts = getattr(self.fracture, cause)
            for sentence in texts.unsaid_fresh + texts.unsaid_old:
                if "{level}" not in sentence or SHOWN not in sentence:
                    raise ValueError(f"fracture.{cause}: the unsaid sentence {sentence!r} must name {{level}} and "
                                     f"say '{SHOWN}' (the student reads the fracture from the image)")
            if (texts.unsaid_fresh or texts.unsaid_old) and self.images is None:
                raise ValueError(f"fracture.{cause} has unsaid sentences but there is no images section")
        return self


@lru_cache(maxsize=4)
def _load_templates(path: str) -> Templates:
    return load_content(Path(path), Templates)


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
        "vascular_lesion", "fracture_root_pain", "deficit_worsening", "infection_suspected", "malignancy_suspected")}
    if cause != "vascular":
        drawn["vascular_lesion"] = None
    if cause != "tumor":
        drawn["epidural_tumour"] = False
    if cause == "infection":
        drawn["vertebral_infection"] = True           # a fracture caused by infection: infection in the vertebra
    if not f.compression_fracture:
        drawn["fracture_healed"] = drawn["neurological_deficit"] = drawn["fracture_root_pain"] = False
    if not drawn["neurological_deficit"]:
        drawn["deficit_worsening"] = False
    return Patient(compression_fracture=f.compression_fracture, fracture_cause=cause, **drawn)


def _history(rng: random.Random, t: Templates, p: Patient,
             image_rng: random.Random | None = None) -> tuple[str, str, CaseImage | None]:
    """Title, history and (when ``image_rng`` is given) the case's image.

    The image's choices come from ``image_rng`` only, so ``rng`` draws what it draws without one.
    """
    age = rng.randint(t.ages.min, t.ages.max)
    article = "An" if str(age).startswith("8") or age in (11, 18) else "A"
    person = rng.choice(t.people)
    slots = {"An_age": f"{article} {age}", "noun": person.noun, "subject": person.subject,
             "Subject": person.subject.capitalize(), "object": person.object, "possessive": person.possessive,
             "Possessive": person.possessive.capitalize(), "level": rng.choice(t.levels)}
    ft = t.findings
    say = rng.choice
    absent = lambda: rng.random() < t.mention_absent  # noqa: E731 - said only sometimes

    unworked = p.compression_fracture and (p.infection_suspected or p.malignancy_suspected)
    texts = t.fracture.unexplained if unworked else getattr(t.fracture, _cause_key(p.fracture_cause, p.vascular_lesion))
    head = [say(t.openings), say(texts.old if p.fracture_healed else texts.fresh)]
    image = None
    if image_rng is not None:
        head, image = _with_image(image_rng, t.images, texts, p, head, slots)
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
        rest.append(say(ft.deficit_worsening.yes if p.deficit_worsening else ft.neurological_deficit.yes))
    elif fracture and ft.neurological_deficit.no and absent():
        rest.append(say(ft.neurological_deficit.no))
    if p.vertebral_infection and p.fracture_cause != "infection":
        rest.append(say(ft.vertebral_infection.yes))
    if p.systemic_infection:
        rest.append(say(ft.systemic_infection.yes))
    quiet = not (p.infected or p.systemic_infection or p.infection_suspected or p.malignancy_suspected)
    if quiet and ft.no_infection.no and absent():
        rest.append(say(ft.no_infection.no))
    if p.pain_from_herniated_disc:
        rest.append(say(ft.herniated_disc.with_fracture if fracture else ft.herniated_disc.without_fracture))
    elif fracture and ft.herniated_disc.no and not p.radicular_pain and absent():
        rest.append(say(ft.herniated_disc.no))
    if p.radicular_pain:
        rest.append(say(ft.radicular_pain.yes))
    if p.fracture_root_pain:
        rest.append(say(ft.fracture_root_pain.yes))
    for flag in ("infection_suspected", "malignancy_suspected"):
        if getattr(p, flag):
            rest.append(say(getattr(ft, flag).yes))
    if p.coagulopathy != "none":
        rest.append(say(getattr(ft.coagulopathy, p.coagulopathy)))
    if p.cement_allergy:
        rest.append(say(ft.cement_allergy.yes))
    rng.shuffle(rest)
    text = " ".join(head + rest).format(**slots)
    title = f"Practice case: {article.lower()} {age}-year-old {person.noun}"
    if image is not None:
        title += ", and a lateral x-ray"
    return title, text, image


def _with_image(rng: random.Random, im: ImageTemplates, texts: CauseTexts, p: Patient, head: list[str],
                slots: dict) -> tuple[list[str], CaseImage]:
    """The opening and fracture sentences for a case that shows an image, and the image.

    The level becomes one the x-ray draws; the fracture is left unsaid (the picture shows it) or said
    with a pointer to the picture; a fracture sentence that names a deformity gets that deformity.
    """
    slots["level"] = rng.choice(im.levels)
    opening, fracture = head
    unsaid = texts.unsaid_old if p.fracture_healed else texts.unsaid_fresh
    if unsaid and rng.random() < im.unsaid:
        head = [opening, rng.choice(unsaid)]
    else:
        head = [opening, fracture, rng.choice(im.pointer)]
    if not p.compression_fracture:
        ranges = im.normal
    else:
        names = list(Deformities.model_fields)
        named = [n for n in names if re.search(rf"\b{n}\b", head[1], re.I)]
        ranges = getattr(im.deformities, named[0] if named else rng.choice(names))
    return head, CaseImage(level=slots["level"], heights_fraction=im.draw(rng, ranges))


#: A generated practice case's id, ``gen-<seed>-<index>`` (what :func:`generate` names it; the bounds keep an
#: edited hand-in from asking for an enormous case number).
GENERATED_ID = re.compile(r"^gen-(-?\d{1,9})-(\d{1,6})$")


def generated_case(case_id: str) -> Vignette | None:
    """The practice case a generated id names, made again from its seed and number (None for any other id)."""
    m = GENERATED_ID.match(case_id)
    return generate(int(m.group(1)), 1, start=int(m.group(2)))[0] if m else None


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
        image_rng = random.Random(f"{seed}:image:{index}")
        shown = t.images is not None and image_rng.random() < t.images.share
        title, history, image = _history(rng, t, patient, image_rng if shown else None)
        case_id = f"gen-{seed}-{index:04d}"
        if image is not None:
            problem = image_problem(image, patient, history)   # the case bank's own check
            if problem:
                field, what, fix = problem
                raise ValueError(f"vignette_templates.yaml: generated case {case_id} ({scenario.id}), "
                                 f"image.{field}: {what}. Fix the images section or the sentences: {fix}")
        out.append(Vignette(case_id, title, history, patient, "generated", scenario.decides, image=image))
    return out


def generate_for_rule(seed: int, rule: str, *, start: int = 0, templates: Templates | None = None) -> Vignette:
    """The first generated case from ``start`` on whose scenario is ``rule`` (so the rule decides it)."""
    t = templates or load_templates()
    if rule not in {s.decides for s in t.scenarios}:
        raise ValueError(f"no scenario exercises the rule '{rule}'")
    index = start
    while True:
        v = generate(seed, 1, start=index, templates=t)[0]
        if v.scenario == rule:
            return v
        index += 1


def scenario_rule_fires(v: Vignette) -> bool:
    """True when the vignette's scenario rule is among the rules that decide it under either standard."""
    decided = set()
    for result in (assess(v.patient), assess_practice(v.patient)):
        decided |= set(result.vertebroplasty.rule_ids) | set(result.kyphoplasty.rule_ids)
    return v.scenario in decided
