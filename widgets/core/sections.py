"""Teaching sections: short clinical passages whose every number is read from the evidence.  Pure logic.

``widgets/content/teaching_sections.yaml`` holds the passages the notebooks show beside their widgets
(complications to recognise, how the sham trials were built, who trials left out, choosing the level
and the moment, technique choices).  Each section is a list of blocks: a paragraph (``text``), a list
(``bullets``) or a table (``table``, optionally folded into a ``<details>`` element).  Text quotes a
number only as ``{evidence_id:dotted.key}`` and cites as ``[@id]``, as in ``outcomes.yaml``
(:data:`~widgets.core.numbers.EvidenceText`: an unknown id, a missing key or a value that is not verified
is a :class:`~widgets.core.loading.ContentError` naming the file and the line, as :func:`load_sections` reads it),
and :func:`render` returns the Markdown with the traced figures it used.
"""

from __future__ import annotations

import html

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator

from widgets.core.citations import Citations
from widgets.core.evidence import EvidenceBase, load_evidence
from widgets.core.numbers import EvidenceText, Number, fill
from widgets.core.loading import ContentError, ContentModel, content_path, load_content, require_unique
from widgets.core.text import fold, plain_md


class Table(ContentModel):
    caption: EvidenceText = Field(min_length=3)
    header: list[EvidenceText] = Field(min_length=2)
    rows: list[list[EvidenceText]] = Field(min_length=1)
    fold: EvidenceText | None = None       # a <details> summary: the table starts folded

    @model_validator(mode="after")
    def _rows_fit_header(self):
        for i, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(f"row {i + 1} has {len(row)} cells; the header has {len(self.header)}")
        return self


class Block(ContentModel):
    text: EvidenceText | None = None
    bullets: list[EvidenceText] = []
    table: Table | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [k for k in ("text", "bullets", "table") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("a block is exactly one of 'text', 'bullets' or 'table'")
        return self


class Section(ContentModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    notebook: str = Field(pattern=r"^\d\d-[a-z0-9-]+$", description="the notebook that shows it")
    blocks: list[Block] = Field(min_length=1)


class SectionsFile(ContentModel):
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        require_unique([s.id for s in self.sections], "section ids")
        return self


@dataclass(frozen=True)
class Rendered:
    markdown: str                 # citation keys still as [@id]
    numbers: tuple[Number, ...]   # every number shown, traced


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")


def _plain(text: str) -> str:
    """Content text shown as typed (its ``[@key]`` citations kept for ``cite``): never markup (widgets.core.text)."""
    return plain_md(text, citations=True)


def render(section: Section, evidence: EvidenceBase | None = None) -> Rendered:
    """The section as Markdown (placeholders filled, keys kept) and the figures it shows."""
    ev = evidence or load_evidence()
    used: list = []

    def filled(text: str) -> str:
        out, figs = fill(ev, " ".join(text.split()))
        used.extend(figs)
        return out

    def f(text: str) -> str:
        return _plain(filled(text))

    parts = []
    for block in section.blocks:
        if block.text:
            parts.append(f(block.text))
        elif block.bullets:
            parts.append("\n".join(f"- {f(b)}" for b in block.bullets))
        else:
            t = block.table
            lines = [f"*{f(t.caption)}*", "", "| " + " | ".join(_cell(f(h)) for h in t.header) + " |",
                     "|" + "---|" * len(t.header)]
            lines += ["| " + " | ".join(_cell(f(c)) for c in row) + " |" for row in t.rows]
            table = "\n".join(lines)
            if t.fold:
                summary = html.escape(filled(t.fold), quote=False)     # HTML here, not Markdown
                table = f"<details><summary>{summary}</summary>\n\n{table}\n\n</details>"
            parts.append(table)
    return Rendered("\n\n".join(parts), tuple(used))


def load_sections(path: Path | str | None = None, evidence: EvidenceBase | None = None) -> list[Section]:
    """Load and cross-check the teaching sections (every placeholder and citation must resolve)."""
    spec = load_content(Path(path) if path else "teaching_sections.yaml", SectionsFile, evidence=evidence)
    return list(spec.sections)


@lru_cache(maxsize=1)
def _default_sections() -> dict[str, Section]:
    return {s.id: s for s in load_sections()}


def section(section_id: str) -> Section:
    sections = _default_sections()
    if section_id not in sections:
        raise ContentError(content_path("teaching_sections.yaml"), f"no section '{section_id}'",
                           fix="use one of " + ", ".join(sections))
    return sections[section_id]


def section_markdown(section_id: str, cites: Citations, fold_title: str | None = None, shown: int | None = None
                     ) -> str:
    """One section as Markdown for a notebook cell, its ``[@id]`` keys numbered by ``cites``.

    With ``fold_title``, the blocks after the first ``shown`` (default: none) are folded under that title,
    for detail a first reading can pass over."""
    sec = section(section_id)
    if fold_title is None:
        return cites.cited(render(sec).markdown)
    keep = sec.blocks[:shown or 0]
    head = render(sec.model_copy(update={"blocks": keep})).markdown if keep else ""
    rest = sec.model_copy(update={"blocks": sec.blocks[len(keep):]})
    folded = fold(fold_title, render(rest).markdown)
    return cites.cited("\n\n".join(p for p in (head, folded) if p))
