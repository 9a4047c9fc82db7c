"""Vertebroplasty and kyphoplasty as ordered steps, and the Test-mode grading over them.

The steps live in ``widgets/content/procedures/<name>.yaml`` and the decision-point
questions in ``widgets/content/procedure_questions.yaml``; both are validated by the
models below through :func:`widgets.core.loading.load_content`, so a broken file names its
file, line and field.  This module is pure logic (no ipywidgets, no matplotlib): the
stepper, ordering test and quiz views in :mod:`widgets.procedures.views` only display
what it computes.

Contract used by other parts of the module:

* :func:`load_procedure` (``"vertebroplasty"`` or ``"kyphoplasty"``) returns a
  :class:`Procedure` whose ``.steps`` are in order, each with ``.id``, ``.title``, ``.text``.
* :func:`grade_order` returns an :class:`OrderResult` with ``.correct`` and ``.misplaced``;
  unknown, missing or repeated ids raise ``ValueError`` naming them.
* Attempts are recorded and handed in through :mod:`widgets.record.handin` (exercise
  ``step-order``, :mod:`widgets.procedures.exercise`, which also keeps a session's attempts); the version-1 ``vkp-ordering-export`` files of earlier releases are still read
  by the class results (:mod:`widgets.classroom.export`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from widgets.anatomy.scene import Drawing
from widgets.core.course import PROCEDURES
from widgets.core.citations import Citations, CiteKeys
from widgets.core.evidence import EvidenceBase, EvidenceNumber, Reported, load_evidence
from widgets.core.loading import ContentError, ContentModel, content_path, load_content, require_unique
from widgets.core.text import fold, plain_md
from widgets.core.questions import (  # noqa: F401  (the decision points' model, re-exported)
    ID_PATTERN, DecisionResult, Option, Question, QuestionFile, QuizScore, grade_decision,
)


#: The phases both procedures share, in order: one id per idea, used to line the two up.
PHASES = ("fluoroscopy", "skin_prep", "needle", "balloon_inflate", "balloon_deflate",
          "cement_inject", "cement_set", "lie_flat", "discharge")



# --------------------------------------------------------------------------- content models

class Step(ContentModel):
    id: str = Field(pattern=ID_PATTERN)
    phase: Literal[PHASES]  # type: ignore[valid-type]
    title: str = Field(min_length=3, max_length=60)
    text: str = Field(min_length=20, description="what happens")
    why: str = Field(min_length=20)
    risks: str = Field(min_length=10, description="what can go wrong")
    order_reason: str = Field(min_length=20, description="why the step comes where it does (shown by the "
                                                          "ordering test when the step is out of place)")
    cites: CiteKeys
    drawing: Drawing


class Setting(ContentModel):
    leaflet: str = Field(min_length=10, description="what the leaflet says")
    evidence: str = Field(min_length=10, description="what the evidence says")
    #: The same in a table cell's few words (the comparison table; the full sentences are folded under it).
    leaflet_short: str = Field(min_length=3, max_length=60)
    evidence_short: str = Field(min_length=3, max_length=80)
    cites: CiteKeys


class Procedure(ContentModel):
    name: Literal[PROCEDURES]  # type: ignore[valid-type]
    title: str
    abbreviation: str = Field(pattern=r"^[A-Z]{2,3}$")
    summary: str = Field(min_length=20)
    setting: Setting
    duration: EvidenceNumber
    steps: list[Step] = Field(min_length=3)

    @model_validator(mode="after")
    def _steps_consistent(self):
        ids = [s.id for s in self.steps]
        require_unique(ids, "step ids")
        titles = [s.title for s in self.steps]
        same = sorted({t for t in titles if titles.count(t) > 1})
        if same:
            raise ValueError(f"step titles used twice (the ordering test could not tell them apart): {same}")
        prefix = self.abbreviation.lower() + "_"
        wrong = [i for i in ids if not i.startswith(prefix)]
        if wrong:
            raise ValueError(f"step ids of {self.name} must start with '{prefix}': {wrong}")
        phases = [s.phase for s in self.steps]
        if phases != sorted(phases, key=PHASES.index):
            raise ValueError(f"steps are not in the order of the shared phases {list(PHASES)}")
        return self

    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(f"{self.name} has no step '{step_id}'; its steps are {self.step_ids}")

    def by_phase(self) -> dict[str, Step]:
        return {s.phase: s for s in self.steps}

    def duration_minutes(self, evidence: EvidenceBase | None = None) -> Reported:
        ev = evidence or load_evidence()
        return ev.number(self.duration.evidence, self.duration.key)

    def cite_keys(self) -> list[str]:
        keys: list[str] = []
        for s in self.steps:
            keys += [k for k in s.cites if k not in keys]
        return keys


# --------------------------------------------------------------------------- loading

def procedure_path(name: str) -> Path:
    return content_path(f"procedures/{name}.yaml")


def load_procedure_file(path: Path | str, evidence: EvidenceBase | None = None) -> Procedure:
    """Load and validate one procedure file (any path; used by tests and instructors): every citation key
    resolves and the duration is a verified number."""
    return load_content(Path(path), Procedure, evidence=evidence)


@lru_cache(maxsize=4)
def _load_named(name: str) -> Procedure:
    procedure = load_procedure_file(procedure_path(name))
    if procedure.name != name:
        raise ContentError(procedure_path(name), f"the file describes '{procedure.name}', not '{name}'",
                           field="name", fix=f"set name: {name}")
    return procedure


def load_procedure(name: str) -> Procedure:
    """The ordered steps of ``"vertebroplasty"`` or ``"kyphoplasty"``."""
    if name not in PROCEDURES:
        raise ValueError(f"unknown procedure {name!r}; choose one of {', '.join(PROCEDURES)}")
    return _load_named(name)


def check_questions(questions: list[Question], path: Path | str, *, prefix: str = "questions",
                    procedures: dict[str, Procedure] | None = None) -> None:
    """A question's ``step`` must name a step of its procedures; its citations must resolve."""
    procs = procedures or {n: load_procedure(n) for n in PROCEDURES}
    for i, q in enumerate(questions):
        if q.step is not None:
            owners = [p for p in q.procedures if q.step in procs[p].step_ids]
            if not owners:
                raise ContentError(path, f"step '{q.step}' is not a step of {q.procedures}",
                                   field=f"{prefix}[{i}].step (in id '{q.id}')",
                                   fix="use a step id from widgets/content/procedures/")


def load_questions(path: Path | str | None = None, procedures: dict[str, Procedure] | None = None
                   ) -> QuestionFile:
    """Decision-point questions (``procedure_questions.yaml``), validated and cross-checked."""
    path = Path(path) if path else content_path("procedure_questions.yaml")
    return load_content(path, QuestionFile,
                        check=lambda data, _: check_questions(data.questions, path, procedures=procedures))


def questions_for(procedure: str, path: Path | str | None = None) -> list[Question]:
    return [q for q in load_questions(path).questions if procedure in q.procedures]


# --------------------------------------------------------------------------- ordering test

@dataclass(frozen=True)
class OrderResult:
    procedure: str
    submitted: tuple[str, ...]
    correct: bool
    misplaced: tuple[str, ...]

    @property
    def in_place(self) -> int:
        return len(self.submitted) - len(self.misplaced)

    def summary(self, procedure: Procedure | None = None) -> str:
        """The result in a sentence, as Markdown for a notebook (the steps' titles shown as typed)."""
        n = len(self.submitted)
        if self.correct:
            return f"correct: all {n} steps are in order."
        names = [plain_md(procedure.step(i).title) if procedure else i for i in self.misplaced]
        text = f"not yet: {self.in_place} of {n} steps in place; out of place: " + "; ".join(names) + "."
        if procedure is not None:
            text += " " + " ".join(plain_md(h) for h in self.hints(procedure))
        return text

    def hints(self, procedure: Procedure) -> list[str]:
        """For each misplaced step, why it comes where it does (its ``order_reason``)."""
        return [f"{procedure.step(i).title}: {' '.join(procedure.step(i).order_reason.split())}"
                for i in self.misplaced]


def grade_order(procedure: Procedure | str, submitted_step_ids) -> OrderResult:
    """Compare a submitted order with the procedure's; a step is misplaced if its position differs."""
    proc = load_procedure(procedure) if isinstance(procedure, str) else procedure
    submitted = list(submitted_step_ids)
    expected = proc.step_ids
    problems = []
    unknown = [s for s in submitted if s not in expected]
    if unknown:
        problems.append(f"unknown step ids {unknown}")
    repeated = sorted({s for s in submitted if submitted.count(s) > 1})
    if repeated:
        problems.append(f"repeated step ids {repeated}")
    missing = [s for s in expected if s not in submitted]
    if missing:
        problems.append(f"missing step ids {missing}")
    if problems:
        raise ValueError(f"cannot grade this {proc.name} order: " + "; ".join(problems)
                         + f". The steps are {expected}")
    misplaced = tuple(s for i, s in enumerate(submitted) if expected[i] != s)
    return OrderResult(proc.name, tuple(submitted), not misplaced, misplaced)


def shuffled_ids(procedure: Procedure, seed: int) -> list[str]:
    """The step ids in a seeded random order that is never already correct."""
    ids = procedure.step_ids
    rng = random.Random(seed)
    order = list(ids)
    for _ in range(100):
        rng.shuffle(order)
        if order != ids:
            return order
    return ids[1:] + ids[:1]  # pragma: no cover - only for a one-step procedure


def move(order: list[str], index: int, delta: int) -> tuple[list[str], int]:
    """Move the item at ``index`` by ``delta`` places (clamped); returns (new order, new index)."""
    if not 0 <= index < len(order):
        raise ValueError(f"no step at position {index + 1}; there are {len(order)} steps")
    new = max(0, min(len(order) - 1, index + delta))
    out = list(order)
    out.insert(new, out.pop(index))
    return out, new


# --------------------------------------------------------------------------- comparison

@dataclass(frozen=True)
class ComparisonRow:
    phase: str
    vertebroplasty: str
    kyphoplasty: str


PHASE_NAMES = {
    "fluoroscopy": "Imaging", "skin_prep": "Preparation", "needle": "Access", "balloon_inflate": "Balloon",
    "balloon_deflate": "Cavity", "cement_inject": "Cement", "cement_set": "Setting of cement",
    "lie_flat": "Straight after", "discharge": "Going home",
}


def compare_steps(vp: Procedure, kp: Procedure) -> list[ComparisonRow]:
    """The two procedures lined up by shared phase; a phase one of them lacks reads 'no such step'."""
    a, b = vp.by_phase(), kp.by_phase()
    rows = []
    for phase in PHASES:
        if phase in a or phase in b:
            rows.append(ComparisonRow(PHASE_NAMES[phase], a[phase].title if phase in a else "no such step",
                                      b[phase].title if phase in b else "no such step"))
    return rows


# --------------------------------------------------------------------------- tables (Markdown text)

def _cell(text: str) -> str:
    return plain_md(" ".join(text.split()), citations=True).replace("|", "\\|")


def steps_markdown(procedure: Procedure, cites: Citations) -> str:
    """The ordered steps as a Markdown table, each citing its sources through ``cites``."""
    lines = ["| # | Step | What happens | Why | Sources |", "|---|---|---|---|---|"]
    for i, s in enumerate(procedure.steps, start=1):
        refs = cites.cite(s.cites)
        lines.append(f"| {i} | {_cell(s.title)} | {_cell(s.text)} | {_cell(s.why)} | {refs} |")
    return "\n".join(lines)


def comparison_markdown(vp: Procedure, kp: Procedure, cites: Citations, evidence: EvidenceBase | None = None) -> str:
    """VP and KP side by side: steps by phase, setting (leaflet and evidence) in a few words each and mean time;
    the setting's full sentences follow, folded."""
    ev = evidence or load_evidence()
    refs = cites.cite

    def evidence_keys(p):
        return [k for k in p.setting.cites if k != 'kochan2015']

    lines = [f"| | {_cell(vp.title)} ({_cell(vp.abbreviation)}) | {_cell(kp.title)} ({_cell(kp.abbreviation)}) |",
             "|---|---|---|"]
    for row in compare_steps(vp, kp):
        lines.append(f"| {row.phase} | {_cell(row.vertebroplasty)} | {_cell(row.kyphoplasty)} |")
    lines.append(f"| Setting (leaflet) | {_cell(vp.setting.leaflet_short)} {refs(['kochan2015'])} | "
                 f"{_cell(kp.setting.leaflet_short)} {refs(['kochan2015'])} |")
    lines.append(f"| Setting (evidence) | {_cell(vp.setting.evidence_short)} {refs(evidence_keys(vp))} | "
                 f"{_cell(kp.setting.evidence_short)} {refs(evidence_keys(kp))} |")
    dv, dk = vp.duration_minutes(ev), kp.duration_minutes(ev)
    lines.append(f"| Mean procedure time in a randomised trial | {dv} min {refs([dv.evidence_id])} | "
                 f"{dk} min {refs([dk.evidence_id])} |")
    full = "\n".join(f"- **{_cell(p.title)}.** {_cell(p.setting.leaflet)} {refs(['kochan2015'])} "
                     f"{_cell(p.setting.evidence)} {refs(evidence_keys(p))}" for p in (vp, kp))
    return "\n".join(lines) + "\n\n" + fold("The setting in full", full, "what the leaflet and the evidence say")
