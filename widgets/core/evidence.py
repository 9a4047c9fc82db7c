"""The evidence base: verified clinical figures, each with its source and address.

``widgets/content/evidence.yaml`` and its second part ``evidence-imaging.yaml``
(anatomy and imaging, technique, radiation, complications, contraindications)
are copies of the project's verified evidence files with their values unchanged;
both load into one :class:`EvidenceBase`, whose ids are unique across the two.  Code reads numbers only through
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
#: Sections of the second part, evidence-imaging.yaml (in file order).
IMAGING_SECTIONS = ("anatomy_and_imaging", "procedure_facts", "complications", "candidacy")
#: Every section name of either part, in order, each once.
ALL_SECTIONS = SECTIONS + tuple(s for s in IMAGING_SECTIONS if s not in SECTIONS)

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


class ImagingEvidenceFile(ContentModel):
    """The second part of the evidence base (same entry schema)."""

    meta: dict[str, Any]
    anatomy_and_imaging: list[EvidenceEntry]
    procedure_facts: list[EvidenceEntry]
    complications: list[EvidenceEntry]
    candidacy: list[EvidenceEntry]
    not_verified: list[str]

    @model_validator(mode="after")
    def _ids_unique(self):
        require_unique([e.id for s in IMAGING_SECTIONS for e in getattr(self, s)], "evidence ids")
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

    def __init__(self, data: EvidenceFile, sources: SourcesFile, path: Path,
                 imaging: ImagingEvidenceFile | None = None, imaging_path: Path | None = None):
        self.data = data
        self.imaging = imaging
        self.path = path
        self.imaging_path = imaging_path
        self._sections: dict[str, list[EvidenceEntry]] = {}
        self.file_of: dict[str, Path] = {}
        for part, names, where in ((data, SECTIONS, path), (imaging, IMAGING_SECTIONS, imaging_path)):
            if part is None:
                continue
            for name in names:
                for entry in getattr(part, name):
                    if entry.id in self.file_of:
                        raise ContentError(where, f"evidence id '{entry.id}' is also used in "
                                           f"{self.file_of[entry.id].name}", fix="give each entry its own id")
                    self.file_of[entry.id] = where
                    self._sections.setdefault(name, []).append(entry)
        self.entries: dict[str, EvidenceEntry] = {
            e.id: e for name in ALL_SECTIONS for e in self._sections.get(name, [])}
        self.section_of: dict[str, str] = {
            e.id: name for name in ALL_SECTIONS for e in self._sections.get(name, [])}
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
            where = f"{self.path}" + (f" or {self.imaging_path}" if self.imaging_path else "")
            raise KeyError(f"unknown evidence id '{evidence_id}' (ids live in {where})") from None

    def section(self, name: str) -> list[EvidenceEntry]:
        """The entries of one section, from both parts (the first part's first)."""
        if name not in ALL_SECTIONS:
            raise KeyError(f"unknown evidence section '{name}'; sections are {', '.join(ALL_SECTIONS)}")
        return list(self._sections.get(name, []))

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
def _load(evidence_path: str, sources_path: str, imaging_path: str | None) -> EvidenceBase:
    data = load_model(evidence_path, EvidenceFile)
    sources = load_model(sources_path, SourcesFile)
    imaging = load_model(imaging_path, ImagingEvidenceFile) if imaging_path else None
    return EvidenceBase(data, sources, Path(evidence_path), imaging,
                        Path(imaging_path) if imaging_path else None)


def load_evidence(path: Path | str | None = None, sources: Path | str | None = None,
                  imaging: Path | str | None = None) -> EvidenceBase:
    """Load and validate the evidence base, both parts (cached per path).

    ``imaging`` defaults to the shipped ``evidence-imaging.yaml``; pass ``""`` to load the first part only.
    """
    imaging_path = content_path("evidence-imaging.yaml") if imaging is None else imaging
    return _load(str(path or content_path("evidence.yaml")), str(sources or content_path("sources.yaml")),
                 str(imaging_path) if imaging_path else None)
