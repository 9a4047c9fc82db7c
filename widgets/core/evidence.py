"""The evidence base: verified clinical figures, each with its source and address.

``widgets/content/evidence.yaml`` is a copy of the project's verified evidence
file with its values unchanged.  Code reads numbers only through
:meth:`EvidenceBase.number`, which returns a :class:`Figure` that carries the
evidence id it came from and refuses any value marked NOT VERIFIED (or cut
off), so every number a student sees traces to a checked source.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from widgets.core.loading import ContentError, ContentModel, content_path, load_model, require_unique

#: Sections of evidence.yaml that hold evidence entries (in file order).
SECTIONS = (
    "height_restoration", "kyphotic_angle", "pain", "cement_leakage", "new_fractures",
    "fracture_grading", "procedure_facts", "candidacy", "epidemiology",
)

_UNVERIFIED = re.compile(r"not verified|cut off|not shown|not printed|not visible|unconfirmed", re.I)


class Source(ContentModel):
    authors: str
    year: int | str
    title: str
    journal: str
    volume_pages: str
    doi: str
    pmid: str | int
    pmcid: str | None = None
    citation_note: str | None = None


class EvidenceEntry(ContentModel):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    claim: str
    values: dict[str, Any]
    population: str
    source: Source
    url_seen: str = Field(pattern=r"^https?://")
    url_seen_alt: str | list[str] | None = None
    evidence_type: str
    verification_note: str | None = None
    differs_from_seed: str | None = None
    secondary_source: Source | None = None
    related_full_paper: dict[str, Any] | None = None


class SeedDiscrepancy(ContentModel):
    id: str
    seed_says: str
    evidence_says: str
    entries: list[str] = Field(min_length=1)


class UnverifiedItem(ContentModel):
    item: str
    status: str


class SourceText(ContentModel):
    """A reference that is not a clinical figure, e.g. the seed leaflet (Kochan 2015)."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    citation: str
    url: str = Field(pattern=r"^https?://")
    note: str | None = None


class EvidenceFile(ContentModel):
    meta: dict[str, Any]
    height_restoration: list[EvidenceEntry]
    kyphotic_angle: list[EvidenceEntry]
    pain: list[EvidenceEntry]
    cement_leakage: list[EvidenceEntry]
    new_fractures: list[EvidenceEntry]
    fracture_grading: list[EvidenceEntry]
    procedure_facts: list[EvidenceEntry]
    candidacy: list[EvidenceEntry]
    epidemiology: list[EvidenceEntry]
    seed_discrepancies: list[SeedDiscrepancy]
    unverified: list[UnverifiedItem]

    @model_validator(mode="after")
    def _ids_unique_and_resolvable(self):
        seen: set[str] = set()
        for section in SECTIONS:
            for entry in getattr(self, section):
                if entry.id in seen:
                    raise ValueError(f"evidence id '{entry.id}' is used twice")
                seen.add(entry.id)
        for disc in self.seed_discrepancies:
            missing = [e for e in disc.entries if e not in seen]
            if missing:
                raise ValueError(f"seed discrepancy '{disc.id}' names unknown evidence ids {missing}")
        return self


class SourcesFile(ContentModel):
    sources: list[SourceText]

    @field_validator("sources")
    @classmethod
    def _unique(cls, sources):
        ids = [s.id for s in sources]
        require_unique(ids, "source ids")
        return sources


class NotVerifiedError(ValueError):
    """Raised when code asks to show a value that was not verified as a number."""


@dataclass(frozen=True)
class Figure:
    """One number from the evidence base, with where it came from."""

    value: float
    evidence_id: str
    key: str

    def __float__(self) -> float:
        return float(self.value)

    def __str__(self) -> str:
        return f"{self.value:g}"


def is_verified_number(value: Any) -> bool:
    """True for a plain int/float (booleans excluded); strings never count as numbers."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class EvidenceBase:
    """Look-ups over the loaded evidence file."""

    def __init__(self, data: EvidenceFile, sources: SourcesFile, path: Path):
        self.data = data
        self.path = path
        self.entries: dict[str, EvidenceEntry] = {
            e.id: e for section in SECTIONS for e in getattr(data, section)}
        self.section_of: dict[str, str] = {
            e.id: section for section in SECTIONS for e in getattr(data, section)}
        self.sources: dict[str, SourceText] = {s.id: s for s in sources.sources}
        overlap = set(self.entries) & set(self.sources)
        if overlap:
            raise ContentError(path, f"ids used both as evidence and as source texts: {sorted(overlap)}",
                               fix="rename one of them")
        self.discrepancies = {d.id: d for d in data.seed_discrepancies}

    def __contains__(self, key: str) -> bool:
        return key in self.entries or key in self.sources

    def entry(self, evidence_id: str) -> EvidenceEntry:
        try:
            return self.entries[evidence_id]
        except KeyError:
            raise KeyError(f"unknown evidence id '{evidence_id}' (ids live in {self.path})") from None

    def section(self, name: str) -> list[EvidenceEntry]:
        if name not in SECTIONS:
            raise KeyError(f"unknown evidence section '{name}'; sections are {', '.join(SECTIONS)}")
        return list(getattr(self.data, name))

    def raw(self, evidence_id: str, key: str) -> Any:
        """A value by dotted key under ``values`` (``'anterior_height_gain_mm.mean'``)."""
        value: Any = self.entry(evidence_id).values
        for part in key.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                raise KeyError(f"evidence '{evidence_id}' has no value '{key}'")
        return value

    def number(self, evidence_id: str, key: str) -> Figure:
        """A verified number, or :class:`NotVerifiedError` if it is text (e.g. NOT VERIFIED)."""
        value = self.raw(evidence_id, key)
        if not is_verified_number(value):
            raise NotVerifiedError(
                f"evidence '{evidence_id}' value '{key}' is {value!r}, not a verified number; "
                "it must not be shown as a number")
        return Figure(float(value), evidence_id, key)

    def unverified_values(self, evidence_id: str) -> dict[str, str]:
        """Dotted keys whose stored text says the value was not verified or was cut off."""
        out: dict[str, str] = {}

        def walk(value: Any, prefix: str) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, f"{prefix}.{k}" if prefix else k)
            elif isinstance(value, str) and _UNVERIFIED.search(value):
                out[prefix] = value

        walk(self.entry(evidence_id).values, "")
        return out


@lru_cache(maxsize=4)
def _load(evidence_path: str, sources_path: str) -> EvidenceBase:
    data = load_model(evidence_path, EvidenceFile)
    sources = load_model(sources_path, SourcesFile)
    return EvidenceBase(data, sources, Path(evidence_path))


def load_evidence(path: Path | str | None = None, sources: Path | str | None = None) -> EvidenceBase:
    """Load and validate the evidence base (cached per path)."""
    return _load(str(path or content_path("evidence.yaml")), str(sources or content_path("sources.yaml")))
