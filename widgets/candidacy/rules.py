"""Who is a candidate for vertebroplasty (VP) and kyphoplasty (KP)?  The leaflet's rules as code.

The rules (``widgets/content/candidacy_rules.yaml``) are those of the patient
leaflet the module grows from [@kochan2015]; :func:`assess` grades a
:class:`~widgets.candidacy.patient.Patient` against them and returns, for each procedure, whether the
patient is eligible and the rules that decided it.  Where trials or guidelines
differ, each rule carries an evidence note (shown beside the feedback; it never
changes the verdict).  The rules engine (:func:`evaluate`) grades current practice's rules too
(:mod:`widgets.candidacy.practice`), and red flags come above both (:func:`above_red_flags`).

The patient's findings are in :mod:`widgets.candidacy.patient`; the case bank's models and its loader in
:mod:`widgets.candidacy.bank`.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal, Optional, Union

from pydantic import Field, StrictBool, field_validator, model_validator

from widgets.core.loading import ContentError, ContentModel, load_content, require_unique
from widgets.core.citations import CiteKeys, CitedText, keys_in, markers
from widgets.core.course import PROCEDURES
from widgets.core.evidence import DiscrepancyId
from widgets.core.text import plain_md
from widgets.candidacy.patient import FINDING_FIELDS, FINDING_VALUES, FractureCause, Patient
from widgets.candidacy.red_flags import URGENT, flags_for, load_red_flags
from widgets.candidacy.red_flags import notes as red_flag_notes

#: Every rule id of the leaflet, in the order rules are listed in reasons.
RULE_IDS: tuple[str, ...] = (
    "indication_met", "no_fracture", "pain_not_severe", "pain_relieved", "herniated_disc",
    "posterior_cortical_defect", "vertebral_infection", "kp_cause_excluded",
)
#: Every rule id of the second standard, current practice (widgets/content/practice_rules.yaml), in order.
#: Ideas both standards have keep the leaflet's id.
PRACTICE_RULE_IDS: tuple[str, ...] = (
    "indication_met", "no_fracture", "pain_not_severe", "pain_relieved", "herniated_disc", "fracture_healed",
    "radicular_pain", "posterior_cortical_defect", "neurological_deficit", "epidural_tumour", "vertebral_infection",
    "systemic_infection", "uncorrectable_coagulopathy", "cement_allergy", "outside_evidence", "kp_cause_excluded",
)
#: Every reason a student may name as deciding: a red flag first (above both standards,
#: widgets.candidacy.red_flags), then the rules of both standards, each once.
REASON_IDS: tuple[str, ...] = (URGENT,) + PRACTICE_RULE_IDS + tuple(r for r in RULE_IDS if r not in PRACTICE_RULE_IDS)
#: What can decide a case under each standard: its rules, or a red flag above them.
LEAFLET_DECIDING_IDS: tuple[str, ...] = (URGENT,) + RULE_IDS
PRACTICE_DECIDING_IDS: tuple[str, ...] = (URGENT,) + PRACTICE_RULE_IDS
#: The two standards every quiz answer is graded against, by the names attempts store them under: the leaflet's
#: rules (the quiz's answer key) and current practice's (widgets/content/practice_rules.yaml).
LEAFLET, PRACTICE = "leaflet", "current_practice"
STANDARDS: tuple[str, ...] = (LEAFLET, PRACTICE)


class CandidacyError(ContentError):
    """A case bank or rules file could not be used (file, case id or line, field, fix)."""



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
    standard: str = LEAFLET      # "not recommended" is the leaflet's word; current practice does not use it

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.reasons)

    @property
    def verdict(self) -> str:
        if self.rule_ids == (URGENT,):
            return load_red_flags().verdict
        return "candidate" if self.eligible else (
            "not recommended" if self.rule_ids == ("kp_cause_excluded",) and self.standard == LEAFLET
            else "not a candidate")


@dataclass(frozen=True)
class Assessment:
    """One standard's verdict on a patient: per procedure, eligible or not and the rules that decided.

    ``standard`` names the standard (``"leaflet"`` or ``"current_practice"``); ``order`` is its rules'
    order; ``cautions`` are (title, note) pairs the standard shows without changing the verdict.
    ``red_flags``: the red flags the patient shows (widgets.candidacy.red_flags); with any, both
    procedures are "not now: urgent referral and imaging", and ``beneath`` is what the standard's rules
    alone would say.
    """

    patient: Patient
    vertebroplasty: Decision
    kyphoplasty: Decision
    standard: str = LEAFLET
    order: tuple[str, ...] = RULE_IDS
    cautions: tuple[tuple[str, str], ...] = ()
    red_flags: tuple = ()
    beneath: Optional["Assessment"] = None

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
            return Decision(procedure, False, tuple(Reason.of(r) for r in hits), standard)
        return Decision(procedure, True, (Reason.of(indication),), standard)

    notes = tuple((c.title, " ".join(c.note.split())) for c in cautions if c.applies(patient))
    return Assessment(patient, decide("vertebroplasty"), decide("kyphoplasty"), standard,
                      tuple(r.id for r in rules), notes)


def above_red_flags(result: Assessment) -> Assessment:
    """Red flags come first: with any, both procedures are "not now: urgent referral and imaging" under this
    standard too (the reason :data:`~widgets.candidacy.red_flags.URGENT`); ``beneath`` keeps what the
    standard's rules alone say, for the feedback.  Without a red flag the assessment is returned as it is."""
    flags = flags_for(result.patient)
    if not flags:
        return result
    spec = load_red_flags()
    reason = Reason(URGENT, spec.title, " ".join(spec.explanation.split()),
                    tuple(dict.fromkeys(k for f in flags for k in f.cites)), None)
    return Assessment(result.patient, Decision("vertebroplasty", False, (reason,), result.standard),
                      Decision("kyphoplasty", False, (reason,), result.standard), result.standard, (URGENT,) + result.order,
                      result.cautions, flags, result)


def exclusions_for_both(patient: Patient) -> list[str]:
    """The ids of the leaflet's rules that exclude the patient from both procedures, in rule order."""
    return [r.id for r in load_rules() if r.applies_to == "both" and r.applies(patient)]


def assess(patient: Patient, rules: RuleSet | None = None) -> Assessment:
    """Grade ``patient`` against the leaflet's rules: eligibility and deciding reasons per procedure."""
    if not isinstance(patient, Patient):
        raise TypeError(f"assess() needs a Patient, not {type(patient).__name__}")
    return above_red_flags(evaluate(patient, rules or load_rules(), LEAFLET))


def case_notes(case, assessment: Assessment, rules: RuleSet | None = None) -> list[tuple[str, str]]:
    """The evidence notes to show with a graded case, as (title, note) pairs with ``[@id]`` keys kept.

    In order: the note of each deciding rule (the variant for the fracture's cause, where one exists),
    the note every case with this fracture cause carries (e.g. trauma), then the case's own note.
    ``case`` is anything with a ``patient`` (and optionally a ``note``), e.g. a quiz Vignette.  The
    notes never change the grade.  With a red flag, its notes come instead of the deciding rules' notes
    (a note about a rule that does not decide would mislead).
    """
    rules = rules or load_rules()
    cause = assessment.patient.fracture_cause
    out: list[tuple[str, str]] = list(red_flag_notes(assessment.red_flags))
    for rule_id in () if assessment.red_flags else assessment.deciding_rules:
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


def rules_markdown(citations=None, rules: RuleSet | None = None) -> str:
    """The rules as a Markdown table (id, applies to, effect, explanation, citation)."""
    rules = rules or load_rules()
    rows = ["| Rule id | Applies to | Verdict when it applies | What it says |", "|---|---|---|---|"]
    effect = {"candidate": "candidate", "not_candidate": "not a candidate"}
    for r in rules:
        applies = "both procedures" if r.applies_to == "both" else r.applies_to
        verdict = effect[r.effect] if r.id != "kp_cause_excluded" else "kyphoplasty not recommended"
        cite = citations.cite(r.cites) if citations is not None else markers(r.cites)
        text = plain_md(" ".join(r.explanation.split()), citations=True).replace("|", "\\|")
        rows.append(f"| `{r.id}` | {applies} | {verdict} | {text} {cite} |")
    return "\n".join(rows)
