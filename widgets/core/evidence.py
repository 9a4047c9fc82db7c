"""The evidence base: verified clinical figures, each with its source and address.

``widgets/content/evidence.yaml``, its second part ``evidence-imaging.yaml``
(anatomy and imaging, technique, radiation, complications, contraindications) and its third part
``evidence-care.yaml`` (red flags, conservative care, secondary prevention, imaging work-up, procedure
safety) are copies of the project's verified evidence files with their values unchanged; all three load
into one :class:`EvidenceBase`, whose ids are unique across them.  Code reads numbers only through
:meth:`EvidenceBase.number`, which returns a :class:`Reported` that carries the
evidence id it came from and refuses any value marked NOT VERIFIED (or cut
off), so every number a student sees traces to a checked source.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from widgets.core.loading import (
    ContentError, ContentModel, ContentProblem, content_path, load_content, require_unique, unique_ids,
)

#: Sections of evidence.yaml that hold evidence entries (in file order).
SECTIONS = (
    "height_restoration", "kyphotic_angle", "pain", "cement_leakage", "new_fractures",
    "fracture_grading", "procedure_facts", "candidacy", "epidemiology",
)
#: Sections of the second part, evidence-imaging.yaml (in file order).
IMAGING_SECTIONS = ("anatomy_and_imaging", "procedure_facts", "complications", "candidacy")
#: Sections of the third part, evidence-care.yaml (in file order).  Its ``meta.caution`` names weak
#: entries that are re-verified at their source before they are shown (see WEAK_CARE_ENTRIES).
CARE_SECTIONS = ("red_flags", "conservative_care", "secondary_prevention", "imaging_workup", "procedure_safety")
#: Entries the third part's ``meta.caution`` names as the weakest (mirrors, aggregators): not shown to
#: students unless re-verified at a source the module cites (tests/unit/core/test_evidence.py checks none is cited).
WEAK_CARE_ENTRIES = (
    "rf_myeloma_primary_care_features", "rf_spinal_metastases_red_flag_frequency",
    "cc_kortebein2007_bed_rest_older_adults", "iw_textbook_preprocedure_imaging",
    "ps_chinese_lumbar_depth_to_anterior_cortex", "ps_ajnr2006_fat_marrow_embolism_case",
)
#: Weak entries re-verified at their real source with the search tool (the checked address is the
#: sources.yaml entry named here): their values may be shown, cited to that source, never to the weak entry.
REVERIFIED_WEAK_ENTRIES = {"rf_myeloma_primary_care_features": "src_shephard2015_myeloma_primary_care"}
#: Every section name of any part, in order, each once.
ALL_SECTIONS = SECTIONS + tuple(s for s in IMAGING_SECTIONS + CARE_SECTIONS if s not in SECTIONS)

#: An evidence or source id, as content files cite it.
CITE_KEY = r"^[A-Za-z][A-Za-z0-9_]*$"
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


class _EvidencePart(ContentModel):
    """A further part of the evidence base: its meta, its sections of entries (:attr:`SECTION_NAMES`, the same
    entry schema as the first part's) and the list of what could not be verified; each id used once."""

    SECTION_NAMES: ClassVar[tuple[str, ...]] = ()
    meta: dict[str, Any]
    not_verified: list[str]

    @model_validator(mode="after")
    def _ids_unique(self):
        require_unique([e.id for s in self.SECTION_NAMES for e in getattr(self, s)], "evidence ids")
        return self


class ImagingEvidenceFile(_EvidencePart):
    """The second part of the evidence base, ``evidence-imaging.yaml``."""

    SECTION_NAMES: ClassVar[tuple[str, ...]] = IMAGING_SECTIONS
    anatomy_and_imaging: list[EvidenceEntry]
    procedure_facts: list[EvidenceEntry]
    complications: list[EvidenceEntry]
    candidacy: list[EvidenceEntry]


class CareEvidenceFile(_EvidencePart):
    """The third part of the evidence base, ``evidence-care.yaml``."""

    SECTION_NAMES: ClassVar[tuple[str, ...]] = CARE_SECTIONS
    red_flags: list[EvidenceEntry]
    conservative_care: list[EvidenceEntry]
    secondary_prevention: list[EvidenceEntry]
    imaging_workup: list[EvidenceEntry]
    procedure_safety: list[EvidenceEntry]


class SourcesFile(ContentModel):
    sources: list[SourceText]

    _unique = unique_ids("sources", "source ids")


def evidence_of(info: ValidationInfo | None) -> "EvidenceBase":
    """The evidence base a content file is checked against: the one given to
    :func:`~widgets.core.loading.load_content` (``evidence=``), else the shipped one."""
    given = (info.context or {}).get("evidence") if info is not None else None
    return given if given is not None else load_evidence()


def _evidence_id(value: str, info: ValidationInfo) -> str:
    if value not in evidence_of(info).entries:
        raise ContentProblem(f"evidence id '{value}' is not in the evidence files",
                             fix="check the spelling of the id against widgets/content/evidence.yaml, "
                                 "evidence-imaging.yaml and evidence-care.yaml")
    return value


def _discrepancy_id(value: str, info: ValidationInfo) -> str:
    known = evidence_of(info).discrepancies
    if value not in known:
        raise ContentProblem(f"'{value}' is not a seed discrepancy of evidence.yaml",
                             fix="use an id from its seed_discrepancies section: " + ", ".join(known))
    return value


#: The id of an evidence entry (a validated type: an unknown id names the file, line and field).
EvidenceId = Annotated[str, AfterValidator(_evidence_id)]
#: The id of a seed discrepancy of ``evidence.yaml`` (where the leaflet and the evidence differ).
DiscrepancyId = Annotated[str, AfterValidator(_discrepancy_id)]


class EvidenceNumber(ContentModel):
    """A pointer to one verified number in the evidence files: its entry and the key inside it (checked:
    a value that is missing or not a verified number is refused where the pointer is written)."""

    evidence: str = Field(pattern=CITE_KEY)
    key: str = Field(min_length=1)

    @model_validator(mode="after")
    def _verified(self, info: ValidationInfo):
        try:
            evidence_of(info).number(self.evidence, self.key)
        except (KeyError, ValueError) as exc:
            raise ContentProblem(str(exc).strip("'\""),
                                 fix="point at a verified number in the evidence files") from None
        return self


class NotVerifiedError(ValueError):
    """Raised when code asks to show a value that was not verified as a number."""


@dataclass(frozen=True)
class Reported:
    """One number as its source reported it, from the evidence base, with where it came from (its evidence id
    and key).  Beside it in :mod:`widgets.core.numbers`: a ``Derived`` number and a student's ``Choice``."""

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
                 imaging: ImagingEvidenceFile | None = None, imaging_path: Path | None = None,
                 care: CareEvidenceFile | None = None, care_path: Path | None = None):
        self.data = data
        self.imaging = imaging
        self.care = care
        self.path = path
        self.imaging_path = imaging_path
        self.care_path = care_path
        self._sections: dict[str, list[EvidenceEntry]] = {}
        self.file_of: dict[str, Path] = {}
        for part, names, where in ((data, SECTIONS, path), (imaging, IMAGING_SECTIONS, imaging_path),
                                   (care, CARE_SECTIONS, care_path)):
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
            where = " or ".join(str(p) for p in (self.path, self.imaging_path, self.care_path) if p)
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

    def number(self, evidence_id: str, key: str) -> Reported:
        """A verified number, or :class:`NotVerifiedError` if it is text (e.g. NOT VERIFIED)."""
        value = self.raw(evidence_id, key)
        if not is_verified_number(value):
            raise NotVerifiedError(
                f"evidence '{evidence_id}' value '{key}' is {value!r}, not a verified number; "
                "it must not be shown as a number")
        return Reported(float(value), evidence_id, key)

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
def _load(evidence_path: str, sources_path: str, imaging_path: str | None,
          care_path: str | None) -> EvidenceBase:
    data = load_content(evidence_path, EvidenceFile)
    sources = load_content(sources_path, SourcesFile)
    imaging = load_content(imaging_path, ImagingEvidenceFile) if imaging_path else None
    care = load_content(care_path, CareEvidenceFile) if care_path else None
    return EvidenceBase(data, sources, Path(evidence_path), imaging,
                        Path(imaging_path) if imaging_path else None,
                        care, Path(care_path) if care_path else None)


def load_evidence(path: Path | str | None = None, sources: Path | str | None = None,
                  imaging: Path | str | None = None, care: Path | str | None = None) -> EvidenceBase:
    """Load and validate the evidence base, all three parts (cached per path).

    ``imaging`` and ``care`` default to the shipped ``evidence-imaging.yaml`` and ``evidence-care.yaml``;
    pass ``""`` to leave that part out.
    """
    imaging_path = content_path("evidence-imaging.yaml") if imaging is None else imaging
    care_path = content_path("evidence-care.yaml") if care is None else care
    return _load(str(path or content_path("evidence.yaml")), str(sources or content_path("sources.yaml")),
                 str(imaging_path) if imaging_path else None, str(care_path) if care_path else None)
