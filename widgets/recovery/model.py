"""After the procedure: after-care items, the procedure-day timeline, the natural rate of a
new fracture, and the after-care quiz.  Pure logic (no ipywidgets, no matplotlib).

Content: ``widgets/content/recovery.yaml``.  A timeline segment takes its minutes from a
verified evidence number or from one of the two durations the leaflet states (about 10
minutes for the cement to set, about an hour lying flat); nothing else is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from widgets.core.citations import Citations, CiteKeys
from widgets.core.course import PROCEDURES
from widgets.core.evidence import EvidenceBase, EvidenceNumber, load_evidence
from widgets.core.loading import ContentModel, content_path, load_content
from widgets.core.questions import Question, QuestionFile
from widgets.core.text import plain_md
from widgets.procedures.steps import check_questions   # the after-care questions name the procedures' steps

#: The only durations the leaflet gives (minutes): cement setting and lying flat.
LEAFLET_MINUTES = (10, 60)
NATURAL_HISTORY_ID = "nf_lindsay2001_natural_history"


class AftercareItem(ContentModel):
    id: str = Field(pattern=r"^ac_[a-z0-9_]+$")
    title: str = Field(min_length=3)
    text: str = Field(min_length=20)
    cites: CiteKeys


class Stage(ContentModel):
    """One stage of a procedure day's timeline (the procedure, rest, discharge) and where its minutes come from."""

    id: str = Field(pattern=r"^tl_[a-z0-9_]+$")
    label: str = Field(min_length=3)
    kind: Literal["procedure", "rest", "discharge"]
    minutes: EvidenceNumber | None = None
    leaflet_minutes: Literal[LEAFLET_MINUTES] | None = None  # type: ignore[valid-type]
    cites: CiteKeys

    @model_validator(mode="after")
    def _one_duration(self):
        given = (self.minutes is not None) + (self.leaflet_minutes is not None)
        if self.kind == "discharge" and given:
            raise ValueError("a discharge segment has no duration")
        if self.kind != "discharge" and given != 1:
            raise ValueError("give exactly one of minutes (an evidence number) or leaflet_minutes")
        if self.leaflet_minutes is not None and "kochan2015" not in self.cites:
            raise ValueError("a duration from the leaflet must cite kochan2015")
        if self.minutes is not None and self.minutes.evidence not in self.cites:
            raise ValueError(f"cite the evidence the minutes come from ({self.minutes.evidence})")
        return self


class RecoveryFile(ContentModel):
    aftercare: list[AftercareItem] = Field(min_length=1)
    timelines: dict[Literal[PROCEDURES], list[Stage]]  # type: ignore[valid-type]
    quiz: QuestionFile

    @model_validator(mode="after")
    def _both_timelines(self):
        missing = [p for p in PROCEDURES if p not in self.timelines]
        if missing:
            raise ValueError(f"timelines are missing for {missing}")
        for name, segments in self.timelines.items():
            if not segments or segments[-1].kind != "discharge":
                raise ValueError(f"the {name} timeline must end with a discharge segment")
        return self


@dataclass(frozen=True)
class TimedStage:
    id: str
    label: str
    kind: str
    start: float
    end: float | None  # None: open-ended (discharge)
    source: str        # evidence id or 'kochan2015'
    cites: tuple[str, ...]


@lru_cache(maxsize=2)
def _load(path: str) -> RecoveryFile:
    """Every citation key resolves and every duration is a verified number (checked as it loads)."""
    return load_content(Path(path), RecoveryFile)


def load_recovery(path: Path | str | None = None) -> RecoveryFile:
    return _load(str(path or content_path("recovery.yaml")))


def quiz_questions(path: Path | str | None = None) -> list[Question]:
    """The after-care quiz, with its step references and citations checked."""
    p = Path(path or content_path("recovery.yaml"))
    questions = list(load_recovery(p).quiz.questions)
    check_questions(questions, p, prefix="quiz.questions")
    return questions


def timeline(procedure: str, evidence: EvidenceBase | None = None, path: Path | str | None = None
             ) -> list[TimedStage]:
    """The procedure day as consecutive segments, in minutes from the start of the procedure."""
    if procedure not in PROCEDURES:
        raise ValueError(f"unknown procedure {procedure!r}; choose one of {', '.join(PROCEDURES)}")
    ev = evidence or load_evidence()
    t = 0.0
    out = []
    for seg in load_recovery(path).timelines[procedure]:
        if seg.kind == "discharge":
            out.append(TimedStage(seg.id, seg.label, seg.kind, t, None, "kochan2015", tuple(seg.cites)))
            continue
        if seg.minutes is not None:
            minutes, source = float(ev.number(seg.minutes.evidence, seg.minutes.key)), seg.minutes.evidence
        else:
            minutes, source = float(seg.leaflet_minutes), "kochan2015"
        out.append(TimedStage(seg.id, seg.label, seg.kind, t, t + minutes, source, tuple(seg.cites)))
        t += minutes
    return out


def _fmt(x: float) -> str:
    return f"{x:g}"


def timeline_markdown(cites: Citations, evidence: EvidenceBase | None = None) -> str:
    """Both procedure days as a Markdown table (minutes from the start of the procedure)."""
    lines = ["| Procedure | What | When (minutes from the start) | Source |", "|---|---|---|---|"]
    for name in PROCEDURES:
        for s in timeline(name, evidence):
            when = (f"from minute {_fmt(s.start)} on" if s.end is None
                    else f"minute {_fmt(s.start)} to minute {_fmt(s.end)}")
            refs = cites.cite(s.cites)
            label = plain_md(s.label).replace("|", "/")
            lines.append(f"| {name.capitalize()} | {label} | {when} | {refs} |")
    return "\n".join(lines)


def natural_rate(evidence: EvidenceBase | None = None):
    """(percent, ci low, ci high) of a new vertebral fracture within a year of one, untreated."""
    ev = evidence or load_evidence()
    i = NATURAL_HISTORY_ID
    return (ev.number(i, "new_VF_within_1yr_after_incident_VF_percent"),
            ev.number(i, "ci95.0"), ev.number(i, "ci95.1"))


def natural_rate_text(cites: Citations, evidence: EvidenceBase | None = None) -> str:
    rate, low, high = natural_rate(evidence)
    ev = evidence or load_evidence()
    n = ev.number(NATURAL_HISTORY_ID, "n_with_incident_VF")
    return (f"In the placebo arms of osteoporosis drug trials, {rate} % of the {n} women who had a new "
            f"vertebral fracture had another within a year (95 % CI {low} to {high} %), with no procedure and "
            f"no active drug {cites.cite(NATURAL_HISTORY_ID)}.")


def aftercare_markdown(cites: Citations, path: Path | str | None = None) -> str:
    lines = []
    for item in load_recovery(path).aftercare:
        refs = cites.cite(item.cites)
        lines.append(f"- **{plain_md(item.title)}.** {plain_md(' '.join(item.text.split()), citations=True)} {refs}")
    return "\n".join(lines)


def bed_rest_text(cites: Citations, evidence: EvidenceBase | None = None) -> str:
    """The leaflet's hour flat beside the clinical reference's range (a verified string range)."""
    ev = evidence or load_evidence()
    hours = ev.raw("pf_bed_rest_medscape", "post_procedure_bed_rest_hours")
    return (f"The leaflet gives about an hour flat on the back {cites.cite('kochan2015')}; a clinical reference "
            f"gives {hours} hours of bed rest {cites.cite('pf_bed_rest_medscape')}. No trial fixes this time, "
            "so centres differ.")
