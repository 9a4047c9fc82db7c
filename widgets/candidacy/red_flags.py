"""Red flags: what comes before any candidacy verdict, above both standards.  Pure logic.

``widgets/content/red_flags.yaml`` holds the flags: suspected metastatic spinal cord compression, a new
or worsening neurological deficit, suspected cauda equina syndrome, a suspected spinal infection and an
unexplained pattern that suggests cancer.  Each says which findings of a case show it (its ``when``
conditions), how urgent it is, what it looks like on the ward and what to do, with its sources from
the third part of the evidence base.  :func:`flags_for` lists the flags a case's findings show; the
rules engine (:mod:`widgets.candidacy.rules`) puts them above both standards' verdicts: a case with a
flag is answered "not now: urgent referral and imaging" (the reason :data:`URGENT`, and "not a
candidate" for both procedures) under the leaflet and under current practice alike.

This module knows the findings only by name (it imports nothing of the rules engine, which imports it):
the red-flag findings (:data:`RED_FLAG_FIELDS`) and the fracture's cause (:data:`CAUSES`, the same
values as :data:`widgets.candidacy.patient.FRACTURE_CAUSES`; a test keeps the two equal).

Texts quote numbers only as ``{evidence_id:dotted.key}`` placeholders, filled from the evidence base when
shown (:func:`filled`), so every number a student reads is traced; :func:`load_red_flags` refuses an
unknown finding, value, placeholder or citation with the file, the line and the fix.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Union

from pydantic import Field, StrictBool, field_validator, model_validator

from widgets.core.citations import Citations, CiteKeys, keys_in
from widgets.core.evidence import load_evidence
from widgets.core.loading import ContentModel, Parsed, by_id, load_content, require_unique
from widgets.core.numbers import EvidenceText, fill

#: The reason id a student names for a red flag, and the deciding rule of both standards when one applies.
URGENT = "urgent_referral"
#: The findings the red flags read (each false unless a case says otherwise).
RED_FLAG_FIELDS: tuple[str, ...] = ("deficit_worsening", "cauda_equina_signs", "infection_suspected",
                                    "malignancy_suspected")
#: The fracture causes a flag's condition may name (widgets.candidacy.patient.FRACTURE_CAUSES, kept equal by a test).
CAUSES: tuple[str, ...] = ("osteoporosis", "trauma", "tumor", "vascular", "infection", "other")
URGENCIES: tuple[str, ...] = ("emergency", "urgent")

Value = Union[StrictBool, str, list[str]]


def _check_condition(i: int, condition: dict) -> None:
    if not condition:
        raise ValueError(f"when[{i}] is empty; name at least one finding and its value")
    for field, want in condition.items():
        if field in RED_FLAG_FIELDS:
            if not isinstance(want, bool):
                raise ValueError(f"when[{i}].{field}: {want!r} is not a value this finding takes; use true or false")
        elif field == "fracture_cause":
            for cause in (want if isinstance(want, list) else [want]):
                if cause not in CAUSES:
                    raise ValueError(f"when[{i}].fracture_cause: {cause!r} is not a cause; use one of "
                                     + ", ".join(CAUSES))
        else:
            raise ValueError(f"when[{i}]: '{field}' is not a finding a red flag reads; use one of "
                             + ", ".join(RED_FLAG_FIELDS + ("fracture_cause",)))


class Flag(ContentModel):
    """One red flag: which findings show it, how urgent it is, what it looks like and what to do."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: EvidenceText = Field(min_length=5)
    when: list[dict[str, Value]] = Field(min_length=1)
    urgency: Literal["emergency", "urgent"]
    looks_like: EvidenceText = Field(min_length=20)
    action: EvidenceText = Field(min_length=20)
    cites: CiteKeys

    @field_validator("when")
    @classmethod
    def _known_findings(cls, when):
        for i, condition in enumerate(when):
            _check_condition(i, condition)
        return when

    def applies(self, findings) -> bool:
        """True when any one condition holds for ``findings`` (every finding it names has its value)."""
        def holds(field, want) -> bool:
            have = getattr(findings, field, None)
            return have in want if isinstance(want, list) else (type(have) is type(want) and have == want)
        return any(all(holds(f, w) for f, w in condition.items()) for condition in self.when)


class RedFlagFile(ContentModel):
    verdict: EvidenceText = Field(min_length=10)
    title: EvidenceText = Field(min_length=10)
    explanation: EvidenceText = Field(min_length=40)
    leaflet_silent: EvidenceText = Field(min_length=40)
    urgency: dict[Literal["emergency", "urgent"], EvidenceText]
    findings: dict[str, EvidenceText]
    flags: list[Flag] = Field(min_length=1)

    @field_validator("findings")
    @classmethod
    def _every_finding_worded(cls, findings):
        missing = [f for f in RED_FLAG_FIELDS if f not in findings]
        unknown = [f for f in findings if f not in RED_FLAG_FIELDS]
        if missing or unknown:
            raise ValueError(f"say in words each red-flag finding, exactly {list(RED_FLAG_FIELDS)}; "
                             f"missing {missing}, unknown {unknown}")
        return findings

    @model_validator(mode="after")
    def _unique_and_complete(self):
        require_unique([f.id for f in self.flags], "red flag ids")
        missing = [u for u in URGENCIES if u not in self.urgency]
        if missing:
            raise ValueError(f"say in words what each urgency means; missing {missing}")
        read = {f for flag in self.flags for c in flag.when for f in c if f in RED_FLAG_FIELDS}
        unread = [f for f in RED_FLAG_FIELDS if f not in read]
        if unread:
            raise ValueError(f"the findings {unread} are read by no flag; add a flag or leave them out")
        return self

    def __iter__(self):
        return iter(self.flags)

    def __getitem__(self, flag_id: str) -> Flag:
        return by_id(self.flags, flag_id, "red flag")


def _strings(spec: RedFlagFile):
    """(location in the file, text) for every string a student reads."""
    for key in ("verdict", "title", "explanation", "leaflet_silent"):
        yield (key,), getattr(spec, key)
    for key, words in spec.urgency.items():
        yield ("urgency", key), words
    for key, words in spec.findings.items():
        yield ("findings", key), words
    for i, flag in enumerate(spec.flags):
        for key in ("title", "looks_like", "action"):
            yield ("flags", i, key), getattr(flag, key)


def _check_cites(spec: RedFlagFile, parsed: Parsed) -> None:
    """Every source a flag's text cites is in its ``cites`` list."""
    for i, flag in enumerate(spec.flags):
        missing = [k for k in keys_in(flag.looks_like + " " + flag.action) if k not in flag.cites]
        if missing:
            raise parsed.error(("flags", i, "cites"), f"the flag's text cites {missing}, which its 'cites' list "
                               "leaves out", field=f"flags[{i}].cites (in id '{flag.id}')",
                               fix="list every source the flag's text cites")


@lru_cache(maxsize=4)
def _load(path: str | None) -> RedFlagFile:
    return load_content(Path(path) if path else "red_flags.yaml", RedFlagFile, check=_check_cites)


def load_red_flags(path: Path | str | None = None) -> RedFlagFile:
    """The red flags (validated; every finding, placeholder and citation resolves)."""
    return _load(str(path) if path else None)


def flags_for(findings, spec: RedFlagFile | None = None) -> tuple[Flag, ...]:
    """The red flags a patient's findings show, in the file's order (none: an empty tuple)."""
    return tuple(flag for flag in (spec or load_red_flags()) if flag.applies(findings))


def filled(text: str) -> str:
    """A red-flag text as students read it: placeholders filled with their traced values, keys kept."""
    return " ".join(fill(load_evidence(), " ".join(text.split()))[0].split())


def cites(flags) -> tuple[str, ...]:
    """Every source the given flags cite, each once, in order."""
    return tuple(dict.fromkeys(k for flag in flags for k in flag.cites))


def notes(flags, spec: RedFlagFile | None = None) -> list[tuple[str, str]]:
    """(title, text with ``[@id]`` keys) for each flag, as the feedback shows it: what it looks like and what
    to do, with its urgency."""
    spec = spec or load_red_flags()
    return [(f"Red flag: {flag.title}", filled(f"{spec.urgency[flag.urgency].capitalize()}. {flag.looks_like} "
                                                f"What to do: {flag.action}")) for flag in flags]


def findings_words(findings, spec: RedFlagFile | None = None) -> list[str]:
    """The red-flag findings a patient has, in plain words (for a patient card)."""
    spec = spec or load_red_flags()
    return [" ".join(spec.findings[f].split()) for f in RED_FLAG_FIELDS if getattr(findings, f, False)]


def flags_markdown(cites: Citations, spec: RedFlagFile | None = None) -> str:
    """The red flags as a Markdown table (flag, urgency, what it looks like, what to do); ``cites`` numbers
    the ``[@id]`` keys."""
    spec = spec or load_red_flags()
    rows = ["| Red flag | How urgent | What it looks like | What to do |", "|---|---|---|---|"]
    for flag in spec:
        cells = [flag.title, spec.urgency[flag.urgency], filled(flag.looks_like), filled(flag.action)]
        rows.append("| " + " | ".join(cites.cited(" ".join(c.split())).replace("|", "/") for c in cells) + " |")
    return "\n".join(rows)


def figures(spec: RedFlagFile | None = None) -> list:
    """Every number the red flags show, traced (for the tests that recompute them)."""
    ev, out = load_evidence(), []
    for _, text in _strings(spec or load_red_flags()):
        out += fill(ev, " ".join(text.split()))[1]
    return out
