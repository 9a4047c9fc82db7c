"""Who is a candidate for vertebroplasty (VP) and kyphoplasty (KP)?  The leaflet's rules as code.

The rules (``widgets/content/candidacy_rules.yaml``) are those of the patient
leaflet the module grows from [@kochan2015]; :func:`assess` grades a
:class:`Patient` against them and returns, for each procedure, whether the
patient is eligible and the rules that decided it.  Where trials or guidelines
differ, each rule carries an evidence note (shown beside the feedback; it never
changes the verdict).

Consistency of findings (documented decision): a ``fracture_cause`` is given
exactly when there is a compression fracture.  A cause without a fracture, or a
fracture without a cause, is rejected with a ``ValueError`` naming both fields
(use ``"other"`` for a fracture whose cause is not one of the listed ones).  A
fracture caused by infection counts as an infection in the vertebra, as the
leaflet says, whether or not ``vertebral_infection`` is also set.

The case bank's models are here too (:class:`Case`, :class:`LoadedBank`); it is read by
:func:`widgets.candidacy.bank.load_case_bank`, which checks every case against both standards, so it
sits above this module and :mod:`widgets.candidacy.practice`.  Anything malformed raises
:class:`CaseBankError` (a :class:`~widgets.core.loading.ContentError`, so a ``ValueError``) naming the
file, the case id or line, and the field.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal, Optional, Union

from pydantic import Field, StrictBool, ValidationError, field_validator, model_validator

from widgets.core.loading import ContentError, ContentModel, load_content, require_unique
from widgets.core.citations import CiteKeys, CitedText, keys_in, markers
from widgets.core.course import PROCEDURES
from widgets.core.evidence import DiscrepancyId
from widgets.candidacy.case_image import CaseImage

FractureCause = Literal["osteoporosis", "trauma", "tumor", "vascular", "infection", "other"]
FRACTURE_CAUSES: tuple[str, ...] = ("osteoporosis", "trauma", "tumor", "vascular", "infection", "other")
Coagulopathy = Literal["none", "correctable", "uncorrectable"]
COAGULOPATHY: tuple[str, ...] = ("none", "correctable", "uncorrectable")
VascularLesion = Literal["haemangioma", "other"]
VASCULAR_LESIONS: tuple[str, ...] = ("haemangioma", "other")
#: Causes for which the leaflet does not recommend kyphoplasty.
KP_EXCLUDED_CAUSES = frozenset({"vascular", "tumor", "infection"})

#: Every rule id of the leaflet, in the order rules are listed in reasons.
RULE_IDS: tuple[str, ...] = (
    "indication_met", "no_fracture", "pain_not_severe", "pain_relieved", "herniated_disc",
    "posterior_cortical_defect", "vertebral_infection", "kp_cause_excluded",
)
#: Every rule id of the second standard, current practice (widgets/content/practice_rules.yaml), in order.
#: Ideas both standards have keep the leaflet's id.
PRACTICE_RULE_IDS: tuple[str, ...] = (
    "indication_met", "no_fracture", "pain_not_severe", "pain_relieved", "herniated_disc", "fracture_healed",
    "radicular_pain", "posterior_cortical_defect", "neurological_deficit", "vertebral_infection",
    "systemic_infection", "uncorrectable_coagulopathy", "cement_allergy", "outside_evidence", "kp_cause_excluded",
)
#: Every rule a student may name as the deciding reason: the rules of both standards, each once.
REASON_IDS: tuple[str, ...] = PRACTICE_RULE_IDS + tuple(r for r in RULE_IDS if r not in PRACTICE_RULE_IDS)
#: The two standards every quiz answer is graded against, by the names attempts store them under: the leaflet's
#: rules (the quiz's answer key) and current practice's (widgets/content/practice_rules.yaml).
LEAFLET, PRACTICE = "leaflet", "current_practice"
STANDARDS: tuple[str, ...] = (LEAFLET, PRACTICE)

#: The findings the leaflet's rules read (every case states them).
PATIENT_FIELDS: tuple[str, ...] = (
    "compression_fracture", "fracture_cause", "severe_back_pain",
    "pain_relieved_by_medication_and_bed_rest", "posterior_cortical_defect",
    "vertebral_infection", "pain_from_herniated_disc",
)
#: The further findings current practice reads; each may be left out and then means "absent"
#: (``coagulopathy: none``, ``vascular_lesion``: not stated), so a bank written before them still loads.
PRACTICE_FIELDS: tuple[str, ...] = (
    "fracture_healed", "neurological_deficit", "radicular_pain", "systemic_infection", "coagulopathy",
    "cement_allergy", "epidural_tumour", "vascular_lesion",
)
FINDING_FIELDS: tuple[str, ...] = PATIENT_FIELDS + PRACTICE_FIELDS
#: The values a finding may take (for conditions in the rule files and for messages).
FINDING_VALUES: dict[str, tuple] = {
    **{f: (True, False) for f in FINDING_FIELDS},
    "fracture_cause": FRACTURE_CAUSES + (None,),
    "coagulopathy": COAGULOPATHY,
    "vascular_lesion": VASCULAR_LESIONS + (None,),
}


class CandidacyError(ContentError):
    """A case bank or rules file could not be used (file, case id or line, field, fix)."""


class PatientError(ValueError):
    """An invalid patient finding; the message names the field(s)."""

    def __init__(self, field: str, problem: str):
        self.field = field
        super().__init__(f"Patient field '{field}': {problem}")


# --------------------------------------------------------------------------- patient

def _check_cause(findings):
    """Findings must not contradict each other (each message names both fields)."""
    if not findings.compression_fracture and findings.fracture_cause is not None:
        raise ValueError(
            f"fields 'fracture_cause' and 'compression_fracture' disagree: a cause "
            f"({findings.fracture_cause!r}) is given but compression_fracture is false; "
            "set fracture_cause to null, or compression_fracture to true")
    if findings.compression_fracture and findings.fracture_cause is None:
        raise ValueError(
            "fields 'fracture_cause' and 'compression_fracture' disagree: there is a fracture "
            "but no cause; give one of " + ", ".join(FRACTURE_CAUSES))
    for field in ("fracture_healed", "neurological_deficit"):
        if getattr(findings, field) and not findings.compression_fracture:
            raise ValueError(
                f"fields '{field}' and 'compression_fracture' disagree: {field} describes the fractured "
                "vertebra, but compression_fracture is false; set one of them the other way")
    if findings.epidural_tumour and findings.fracture_cause != "tumor":
        raise ValueError(
            "fields 'epidural_tumour' and 'fracture_cause' disagree: a tumour spreading into the spinal canal "
            f"needs fracture_cause tumor, not {findings.fracture_cause!r}")
    if findings.vascular_lesion is not None and findings.fracture_cause != "vascular":
        raise ValueError(
            "fields 'vascular_lesion' and 'fracture_cause' disagree: a vascular lesion is named "
            f"({findings.vascular_lesion!r}) but fracture_cause is {findings.fracture_cause!r}; use vascular, "
            "or leave vascular_lesion out")
    return findings


class Findings(ContentModel):
    """The findings that decide candidacy, as validated data (used inside case banks).

    The first seven are the leaflet's; the rest are what current practice also weighs (each
    defaults to absent).  ``fracture_healed``: an old fracture that has healed (no marrow oedema
    on MRI).  ``neurological_deficit``: weakness, numbness or cord signs from the fractured level
    (a fragment pushed back into the canal, or tumour in it).  ``radicular_pain``: nerve-root pain.
    ``systemic_infection``: sepsis or an active infection elsewhere in the body.  ``coagulopathy``:
    a bleeding tendency (a blood thinner or a disorder) that can or cannot be corrected.
    ``cement_allergy``: allergy to bone cement or the contrast mixed into it.  ``epidural_tumour``:
    a tumour spreading from the vertebra into the spinal canal.  ``vascular_lesion``: for a
    vascular cause, whether the lesion is a haemangioma.
    """

    compression_fracture: StrictBool
    fracture_cause: Optional[FractureCause] = None
    severe_back_pain: StrictBool
    pain_relieved_by_medication_and_bed_rest: StrictBool
    posterior_cortical_defect: StrictBool
    vertebral_infection: StrictBool
    pain_from_herniated_disc: StrictBool
    fracture_healed: StrictBool = False
    neurological_deficit: StrictBool = False
    radicular_pain: StrictBool = False
    systemic_infection: StrictBool = False
    coagulopathy: Coagulopathy = "none"
    cement_allergy: StrictBool = False
    epidural_tumour: StrictBool = False
    vascular_lesion: Optional[VascularLesion] = None

    @model_validator(mode="after")
    def _cause_matches_fracture(self):
        return _check_cause(self)

    @property
    def infected(self) -> bool:
        """An infection in the vertebra, counting a fracture caused by infection."""
        return self.vertebral_infection or self.fracture_cause == "infection"


class Patient(Findings):
    """The findings that decide candidacy.  Invalid values raise ``ValueError`` naming the field."""

    def __init__(self, **data):
        try:
            super().__init__(**data)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "fracture_cause, compression_fracture"
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            if err["type"] == "literal_error":
                allowed = [v for v in FINDING_VALUES.get(field, ()) if v is not None]
                msg = (f"{err.get('input')!r} is not allowed; use one of " + ", ".join(map(str, allowed))
                       + (" (or None when there is no fracture)" if field == "fracture_cause" else ""))
            elif err["type"] == "missing":
                msg = "this finding is missing"
            elif err["type"] == "extra_forbidden":
                msg = "this is not a known finding; the fields are " + ", ".join(FINDING_FIELDS)
            elif err["type"].startswith("bool"):
                msg = f"{err.get('input')!r} is not allowed; use True or False"
            raise PatientError(field, msg) from None


# --------------------------------------------------------------------------- rules

class NoteVariant(ContentModel):
    """An evidence note that replaces a rule's usual note when the fracture has one of these causes
    (e.g. the benign-fracture series behind the posterior-wall note says nothing about tumours)."""

    causes: list[FractureCause] = Field(min_length=1)
    note: CitedText = Field(min_length=20)


class CauseNote(ContentModel):
    """An evidence note every case with this fracture cause carries, whatever rule decides it."""

    cause: FractureCause
    title: str = Field(min_length=5)
    note: CitedText = Field(min_length=20)


# A condition on the findings: every field named must have the value given (or one of a list of
# values); a rule applies when any one of its conditions holds.
ConditionValue = Union[StrictBool, str, None, list[Union[StrictBool, str, None]]]


def check_conditions(when: list[dict]) -> list[dict]:
    """Every condition names known findings with values they can take (ValueError names the place)."""
    for i, condition in enumerate(when):
        if not condition:
            raise ValueError(f"when[{i}] is empty; name at least one finding and its value")
        for field, want in condition.items():
            if field not in FINDING_VALUES:
                raise ValueError(f"when[{i}]: '{field}' is not a finding; the findings are "
                                 + ", ".join(FINDING_FIELDS))
            for value in (want if isinstance(want, list) else [want]):
                if not any(_same(value, allowed) for allowed in FINDING_VALUES[field]):
                    raise ValueError(f"when[{i}].{field}: {value!r} is not a value this finding takes; use one of "
                                     + ", ".join(map(str, FINDING_VALUES[field])))
    return when


def _same(have, want) -> bool:
    """Equal and of one type (so that True never matches 1, nor None a missing value)."""
    return type(have) is type(want) and have == want


def conditions_hold(findings, when: list[dict]) -> bool:
    """True when any one condition holds for ``findings`` (all its fields have the values given)."""
    return any(all(any(_same(getattr(findings, field), w) for w in (want if isinstance(want, list) else [want]))
                   for field, want in condition.items())
               for condition in when)


class StandardRule(ContentModel):
    """A rule of a standard (the leaflet's or current practice's), as data.

    ``effect: candidate`` is the standard's indication: it decides when no exclusion applies and
    has no conditions.  ``effect: not_candidate`` is an exclusion: it applies to the procedures in
    ``applies_to`` when any one of its conditions (``when``) holds.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=5)
    applies_to: Literal["vertebroplasty", "kyphoplasty", "both"]
    effect: Literal["candidate", "not_candidate"]
    explanation: str = Field(min_length=20)
    cites: CiteKeys
    when: list[dict[str, ConditionValue]] = []
    evidence_note: Optional[CitedText] = None
    evidence_note_when: list[NoteVariant] = []

    _conditions = field_validator("when")(lambda when: check_conditions(when))

    @property
    def note_cites(self) -> list[str]:
        texts = [self.evidence_note or ""] + [v.note for v in self.evidence_note_when]
        return [k for t in texts for k in keys_in(t)]

    def note_for(self, cause: str | None) -> str | None:
        """The evidence note to show for a fracture with this cause."""
        for variant in self.evidence_note_when:
            if cause in variant.causes:
                return variant.note
        return self.evidence_note

    @model_validator(mode="after")
    def _indication_or_exclusion(self):
        if self.effect == "candidate" and self.when:
            raise ValueError(f"rule '{self.id}' is the indication (effect: candidate): it applies when no exclusion "
                             "does, so it takes no 'when' conditions")
        if self.effect == "not_candidate" and not self.when:
            raise ValueError(f"rule '{self.id}' excludes (effect: not_candidate) but has no 'when' conditions; "
                             "say which findings make it apply")
        return self

    def applies(self, findings) -> bool:
        """For an exclusion: whether it applies to these findings."""
        return self.effect == "not_candidate" and conditions_hold(findings, self.when)

    def covers(self, procedure: str) -> bool:
        return self.applies_to in (procedure, "both")


class Rule(StandardRule):
    """A rule of the leaflet, with its evidence notes (shown beside the feedback, never grading)."""

    discrepancy: Optional[DiscrepancyId] = None


class RuleList:
    """What both standards' rule files share: look a rule up by id, iterate, count."""

    IDS: tuple[str, ...] = ()

    def __getitem__(self, rule_id: str):
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"unknown rule id '{rule_id}'; the rule ids are {', '.join(self.IDS)}")

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)


class RuleSet(RuleList, ContentModel):
    IDS: ClassVar[tuple[str, ...]] = RULE_IDS
    rules: list[Rule]
    cause_notes: list[CauseNote] = []

    @field_validator("rules")
    @classmethod
    def _exactly_the_engine_rules(cls, rules):
        return exactly_these_rules(rules, RULE_IDS)


def exactly_these_rules(rules: list, ids: tuple[str, ...]) -> list:
    """A standard's rules must be exactly ``ids``, each once, with indication_met its one indication; in order."""
    given = [r.id for r in rules]
    require_unique(given, "rule ids")
    missing = [i for i in ids if i not in given]
    unknown = [i for i in given if i not in ids]
    if missing or unknown:
        raise ValueError(f"the rules must be exactly {list(ids)}; missing {missing}, unknown {unknown}")
    indications = [r.id for r in rules if r.effect == "candidate"]
    if indications != ["indication_met"]:
        raise ValueError(f"exactly one rule, indication_met, is the indication (effect: candidate); found {indications}")
    return sorted(rules, key=lambda r: ids.index(r.id))


@lru_cache(maxsize=4)
def _load_rules(path: str | None) -> RuleSet:
    return load_content(Path(path) if path else "candidacy_rules.yaml", RuleSet, kind=CandidacyError)


def load_rules(path: Path | str | None = None) -> RuleSet:
    """The candidacy rules (validated; every citation key resolves)."""
    return _load_rules(str(path) if path else None)


# --------------------------------------------------------------------------- assessment

@dataclass(frozen=True)
class Reason:
    """A rule that decided a verdict: its id and plain-language explanation."""

    id: str
    title: str
    explanation: str
    cites: tuple[str, ...]
    evidence_note: str | None

    @classmethod
    def of(cls, rule: StandardRule) -> "Reason":
        return cls(rule.id, rule.title, rule.explanation, tuple(rule.cites), rule.evidence_note)


@dataclass(frozen=True)
class Decision:
    procedure: str
    eligible: bool
    reasons: tuple[Reason, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.reasons)

    @property
    def verdict(self) -> str:
        return "candidate" if self.eligible else (
            "not recommended" if self.rule_ids == ("kp_cause_excluded",) else "not a candidate")


@dataclass(frozen=True)
class Assessment:
    """One standard's verdict on a patient: per procedure, eligible or not and the rules that decided.

    ``standard`` names the standard (``"leaflet"`` or ``"current_practice"``); ``order`` is its rules'
    order; ``cautions`` are (title, note) pairs the standard shows without changing the verdict.
    """

    patient: Patient
    vertebroplasty: Decision
    kyphoplasty: Decision
    standard: str = LEAFLET
    order: tuple[str, ...] = RULE_IDS
    cautions: tuple[tuple[str, str], ...] = ()

    @property
    def deciding_rules(self) -> tuple[str, ...]:
        """The rules a student may name as the deciding reason.

        The exclusions that apply (to either procedure), in rule order; when no
        exclusion applies, the indication itself.
        """
        ids = set(self.vertebroplasty.rule_ids) | set(self.kyphoplasty.rule_ids)
        exclusions = [i for i in self.order if i in ids and i != "indication_met"]
        return tuple(exclusions) if exclusions else ("indication_met",)

    def decision(self, procedure: str) -> Decision:
        if procedure not in PROCEDURES:
            raise KeyError(f"unknown procedure '{procedure}'; use one of {PROCEDURES}")
        return getattr(self, procedure)

    def summary(self) -> str:
        """A plain-text verdict, one line per procedure with its deciding rules."""
        lines = []
        for proc in PROCEDURES:
            d = self.decision(proc)
            lines.append(f"{proc.capitalize()}: {d.verdict} ({', '.join(d.rule_ids)})")
        lines.append("Deciding rule(s): " + ", ".join(self.deciding_rules))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def evaluate(patient: Patient, rules, standard: str, cautions=()) -> Assessment:
    """Grade ``patient`` against a standard's rules (any rule set whose rules are :class:`StandardRule`).

    Per procedure: the exclusions that cover it and apply, in the rules' order; when none does, the
    indication.  ``cautions`` (objects with ``title``, ``note`` and ``applies(findings)``) are listed
    when they apply and never change a verdict.
    """
    if not isinstance(patient, Patient):
        raise TypeError(f"assessing needs a Patient, not {type(patient).__name__}")
    indication = next(r for r in rules if r.effect == "candidate")

    def decide(procedure: str) -> Decision:
        hits = [r for r in rules if r.covers(procedure) and r.applies(patient)]
        if hits:
            return Decision(procedure, False, tuple(Reason.of(r) for r in hits))
        return Decision(procedure, True, (Reason.of(indication),))

    notes = tuple((c.title, " ".join(c.note.split())) for c in cautions if c.applies(patient))
    return Assessment(patient, decide("vertebroplasty"), decide("kyphoplasty"), standard,
                      tuple(r.id for r in rules), notes)


def exclusions_for_both(patient: Patient) -> list[str]:
    """The ids of the leaflet's rules that exclude the patient from both procedures, in rule order."""
    return [r.id for r in load_rules() if r.applies_to == "both" and r.applies(patient)]


def assess(patient: Patient, rules: RuleSet | None = None) -> Assessment:
    """Grade ``patient`` against the leaflet's rules: eligibility and deciding reasons per procedure."""
    if not isinstance(patient, Patient):
        raise TypeError(f"assess() needs a Patient, not {type(patient).__name__}")
    return evaluate(patient, rules or load_rules(), LEAFLET)


def case_notes(case, assessment: Assessment, rules: RuleSet | None = None) -> list[tuple[str, str]]:
    """The evidence notes to show with a graded case, as (title, note) pairs with ``[@id]`` keys kept.

    In order: the note of each deciding rule (the variant for the fracture's cause, where one exists),
    the note every case with this fracture cause carries (e.g. trauma), then the case's own note.
    ``case`` is anything with a ``patient`` (and optionally a ``note``), e.g. a quiz Vignette.  The
    notes never change the grade.
    """
    rules = rules or load_rules()
    cause = assessment.patient.fracture_cause
    out: list[tuple[str, str]] = []
    for rule_id in assessment.deciding_rules:
        note = rules[rule_id].note_for(cause)
        if note:
            out.append((rules[rule_id].title, " ".join(note.split())))
    for cause_note in rules.cause_notes:
        if cause_note.cause == cause:
            out.append((cause_note.title, " ".join(cause_note.note.split())))
    own = getattr(case, "note", None)
    if own:
        out.append(("About this case", " ".join(own.split())))
    return out


# --------------------------------------------------------------------------- case bank

class Expected(ContentModel):
    vertebroplasty: StrictBool
    kyphoplasty: StrictBool
    deciding_rules: list[Literal[RULE_IDS]] = Field(min_length=1)  # type: ignore[valid-type]


class PracticeExpected(ContentModel):
    """The answer under current practice (widgets/content/practice_rules.yaml)."""

    vertebroplasty: StrictBool
    kyphoplasty: StrictBool
    deciding_rules: list[Literal[PRACTICE_RULE_IDS]] = Field(min_length=1)  # type: ignore[valid-type]


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


def rules_markdown(citations=None, rules: RuleSet | None = None) -> str:
    """The rules as a Markdown table (id, applies to, effect, explanation, citation)."""
    rules = rules or load_rules()
    rows = ["| Rule id | Applies to | Verdict when it applies | What it says |", "|---|---|---|---|"]
    effect = {"candidate": "candidate", "not_candidate": "not a candidate"}
    for r in rules:
        applies = "both procedures" if r.applies_to == "both" else r.applies_to
        verdict = effect[r.effect] if r.id != "kp_cause_excluded" else "kyphoplasty not recommended"
        cite = citations.cite(r.cites) if citations is not None else markers(r.cites)
        text = " ".join(r.explanation.split()).replace("|", "\\|")
        rows.append(f"| `{r.id}` | {applies} | {verdict} | {text} {cite} |")
    return "\n".join(rows)
