"""Numbered citations: ``[@id]`` keys resolve to the evidence base and source texts.

A notebook makes one :class:`Citations` list (usually with
:meth:`Citations.for_notebook`, which numbers the keys of its Markdown cells in
order of first use), renders text with :meth:`Citations.cite` / :meth:`md`, and
ends with :meth:`references_md`, the numbered list with each full source, its
kind of evidence and the address where it was checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable

from widgets.core.evidence import EvidenceBase, load_evidence

#: ``[@id]`` or ``[@id; @other]``
CITE_RE = re.compile(r"\[@([A-Za-z][A-Za-z0-9_]*(?:\s*;\s*@[A-Za-z][A-Za-z0-9_]*)*)\]")

_HIDDEN = re.compile(r"not shown|not printed|^\s*$", re.I)


class UnknownCitation(KeyError):
    """A ``[@id]`` key that names nothing in the evidence base or source texts."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return self.args[0]


def keys_in(text: str) -> list[str]:
    """The citation keys in ``text``, in order, repeats kept."""
    return [k.strip().lstrip("@") for group in CITE_RE.findall(text) for k in group.split(";")]


class Citations:
    """An ordered, numbered list of the sources one notebook cites."""

    def __init__(self, evidence: EvidenceBase | None = None, keys: Iterable[str] = ()):
        self.evidence = evidence or load_evidence()
        self._order: list[str] = []
        for key in keys:
            self.number(key)

    @classmethod
    def for_notebook(cls, path: str | Path, evidence: EvidenceBase | None = None) -> "Citations":
        """Pre-number the keys cited in a notebook's Markdown cells, in reading order."""
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        keys = [k for cell in nb.get("cells", []) if cell.get("cell_type") == "markdown"
                for k in keys_in("".join(cell.get("source", "")))]
        return cls(evidence, keys)

    @property
    def keys(self) -> list[str]:
        return list(self._order)

    def number(self, key: str) -> int:
        """The reference number of ``key`` (given the next number on first use)."""
        if key not in self.evidence:
            raise UnknownCitation(
                f"unknown citation key '[@{key}]': it is neither in {self.evidence.path.name} nor in "
                "sources.yaml (widgets/content/); check the spelling of the id")
        if key not in self._order:
            self._order.append(key)
        return self._order.index(key) + 1

    def marker(self, *keys: str) -> str:
        return "[" + ", ".join(str(self.number(k)) for k in keys) + "]"

    def cite(self, text: str) -> str:
        """Replace every ``[@id]`` in ``text`` with its number, e.g. ``[3]``."""
        def sub(match: re.Match) -> str:
            return self.marker(*[k.strip().lstrip("@") for k in match.group(1).split(";")])
        return CITE_RE.sub(sub, text)

    def reference(self, key: str) -> str:
        """The full reference of ``key`` as Markdown."""
        if key in self.evidence.sources:
            src = self.evidence.sources[key]
            return f"{src.citation} Address: <{src.url}>" + (f" ({src.note})" if src.note else "")
        entry = self.evidence.entry(key)
        s = entry.source
        parts = []
        for text in (s.authors, f"({s.year})" if not _HIDDEN.search(str(s.year)) else ""):
            if text and not _HIDDEN.search(str(text)):
                parts.append(str(text))
        head = " ".join(parts)
        body = [f"{head}. {s.title}." if head else f"{s.title}."]
        journal = s.journal if not _HIDDEN.search(s.journal) else ""
        volume = s.volume_pages if not _HIDDEN.search(s.volume_pages) else ""
        if journal or volume:
            body.append(f"*{journal}*{' ' + volume if volume else ''}.".replace("**", ""))
        if not _HIDDEN.search(s.doi):
            body.append(f"doi:{s.doi}.")
        if s.citation_note:
            body.append(f"Note: {s.citation_note}")
        body.append(f"Evidence: {entry.evidence_type}.")
        body.append(f"Checked at: <{entry.url_seen}>")
        return " ".join(body)

    def references_md(self) -> str:
        """The numbered reference list as Markdown."""
        if not self._order:
            return "_No references cited._"
        lines = ["**References**", ""]
        for i, key in enumerate(self._order, start=1):
            lines.append(f"{i}. `[@{key}]` {self.reference(key)}")
        return "\n".join(lines)

    # Display helpers (IPython only; no widget or plotting library).
    def md(self, text: str):
        """``text`` with numbered citations, as a displayable Markdown object."""
        from IPython.display import Markdown
        return Markdown(self.cite(text))

    def references(self):
        """The numbered reference list, as a displayable Markdown object."""
        from IPython.display import Markdown
        return Markdown(self.references_md())
