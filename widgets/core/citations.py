"""Numbered citations: ``[@id]`` keys resolve to the evidence base and source texts.

Authors write ``[@id]`` (or ``[@a; @b]``) in a notebook's MyST source.  The
notebook build (``tools/build_notebooks.py``) turns every key in the Markdown
into a numbered link to the reference list at the end of the notebook, so a
student never sees a key.  In the kernel, :meth:`Citations.for_notebook` numbers
the same keys in the same order (the build records each notebook's order in
``widgets/content/generated/notebook_citations.yaml``), tables and plots cite keys through
:meth:`Citations.cite` (``cites.cite(["a", "b"])``; :meth:`Citations.cited` for text with ``[@id]`` markers),
in Markdown, or in HTML or plain text through ``cites.html`` and ``cites.plain`` (the same numbers), and the
last cell shows the folded reference list.  :func:`strip_citations` is the one way to drop the markers from
text read outside a notebook; :func:`markers` writes keys back as ``[@a; @b]``.

Numbers belong to *publications*, not to evidence entries: two entries read from
one paper share one number and one line in the list.  References read like a
journal's (authors, year, title, journal, volume and pages, a DOI or PubMed
link); the evidence file's working notes (what could not be read, confidence
remarks) stay out of the student's list.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import html
import re
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Iterable

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from widgets.core.evidence import EvidenceBase, evidence_of, load_evidence
from widgets.core.loading import ContentError, ContentModel, ContentProblem, load_content
from widgets.core.settings import current_settings
from widgets.core.reference_links import ReferenceLink, ReferenceLinks, load_reference_links, urls_in
from widgets.core.text import count_phrase, fold, plain_md

#: ``[@id]`` or ``[@id; @other]``
CITE_RE = re.compile(r"\[@([A-Za-z][A-Za-z0-9_]*(?:\s*;\s*@[A-Za-z][A-Za-z0-9_]*)*)\]")

#: A field the evidence file could not read ("not shown on retrieved page", "not applicable", ...).
_HIDDEN = re.compile(r"^\s*$|^\s*(not (shown|displayed|printed|visible|applicable|verified)|unattributed|"
                     r"cut off|unconfirmed)", re.I)
#: Working notes that authors left in bibliographic fields: never shown to a student.
_NOTE = re.compile(
    r"not (shown|displayed|printed|visible|identified|verified)|retrieved|from (url|link)|start page|"
    r"as quoted|\bcited\b|garbled|truncated|per doi|\bvia\b|\bpath\b|eissn|pmcid|\bpmc\d|aggregator|"
    r"mirror|\bocr\b|url slug|full list|\(c\)|access number|volume number|\bfeed\b|low-confidence|"
    r"verify|\.(com|org|ir|info)\b", re.I)

#: A citation link inside a widget's HTML looks like one in the notebook's text (JupyterLab styles only the latter).
LINK_STYLE = "color: var(--jp-content-link-color, #0072B2)"

#: The index the notebook build writes (among the generated files, never edited by hand): each notebook's
#: Markdown keys in reading order.
INDEX_NAME = "notebook_citations.yaml"


def index_path() -> Path:
    """Where the notebook build writes its citation index: ``widgets/content/generated/notebook_citations.yaml``."""
    return current_settings().generated_dir / INDEX_NAME


class UnknownCitation(KeyError):
    """A ``[@id]`` key that names nothing in the evidence base or source texts."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return self.args[0]


def keys_in(text: str) -> list[str]:
    """The citation keys in ``text``, in order, repeats kept."""
    return [k.strip().lstrip("@") for group in CITE_RE.findall(text) for k in group.split(";")]


def markers(keys: str | Iterable[str]) -> str:
    """``keys`` as an author writes them in text: ``[@a; @b]`` (for text that is numbered later by
    :meth:`Citations.cited`, such as feedback sentences and a plan an author edits)."""
    return "[" + "; ".join(f"@{k}" for k in ([keys] if isinstance(keys, str) else keys)) + "]"


_SPACED_MARKER = re.compile(r"\s*" + CITE_RE.pattern)


def strip_citations(text: str) -> str:
    """``text`` without its ``[@id]`` markers, for a reader outside a notebook (an export, a flash card): the
    marker and the space before it go, and no space is left before the punctuation that followed it."""
    return _SPACED_MARKER.sub("", text)


# ---------------------------------------------------------------- citation keys in content files
#: What to do about a key that names nothing.
KEY_FIX = ("use an id from evidence.yaml, evidence-imaging.yaml, evidence-care.yaml or sources.yaml "
           "(widgets/content/)")


def check_key(key: str, evidence: EvidenceBase, *, in_text: bool = False) -> str:
    """``key`` when it names an evidence entry or a source text; else :class:`ContentProblem` (the one
    citation-key check of every content file)."""
    if key not in evidence:
        raise ContentProblem(f"citation '[@{key}]' names no evidence entry or source" if in_text
                             else f"unknown citation key '{key}'", fix=KEY_FIX)
    return key


def _known_key(key: str, info: ValidationInfo) -> str:
    return check_key(key, evidence_of(info))


def _known_keys_in(text: str, info: ValidationInfo) -> str:
    evidence = evidence_of(info)
    for key in keys_in(text):
        check_key(key, evidence, in_text=True)
    return text


#: A citation key of a content file: an evidence entry's or a source text's id (a validated type: an unknown
#: key names the file, the line and the field; the evidence base is the one given to ``load_content``).
CiteKey = Annotated[str, AfterValidator(_known_key)]
#: A content record's list of citation keys (at least one).
CiteKeys = Annotated[list[CiteKey], Field(min_length=1)]
#: Text that cites with ``[@key]`` markers, every key checked as :data:`CiteKey` is.
CitedText = Annotated[str, AfterValidator(_known_keys_in)]


def _strip_notes(text: str) -> str:
    """Drop parenthetical working notes, innermost first: 'Spine (from URL)' -> 'Spine'."""
    while True:
        cut = re.sub(r"(\s*)\(([^()]*)\)",
                     lambda m: "" if _NOTE.search(m.group(0)) else m.group(1) + "\0" + m.group(2) + "\1", text)
        if cut == text:
            return text.replace("\0", "(").replace("\1", ")").strip()
        text = cut


def _shown(value) -> str:
    """A bibliographic field as a student should read it: unseen placeholders and the authors'
    working notes removed ('' when nothing is left); several sources joined with '; '."""
    parts = []
    for part in ("" if value is None else str(value)).split(" | "):
        if _HIDDEN.search(part):
            continue
        part = _strip_notes(part).strip(" ;,")
        if part and not _NOTE.search(part):
            parts.append(part)
    return "; ".join(parts)


def _untitled(raw, kind: str) -> str:
    """A title the source page did not show: the description the authors gave, else the kind, in
    square brackets as bibliographies describe an untitled work (never "Untitled ...")."""
    described = re.search(r"\(([^()]*)\)", str(raw))
    if described and not _NOTE.search(described.group(1)):
        text = described.group(1).strip()
        return plain_md(text[:1].upper() + text[1:])
    return f"[{plain_md(kind[:1].upper() + kind[1:])}; title not recorded]"


def _dois(value) -> list[str]:
    return [p for p in _shown(value).split("; ") if p.startswith("10.")]


def _filled(link: ReferenceLink | None, field: str) -> str:
    """A bibliographic field the overlay read on the preferred page ('' when it has none)."""
    value = getattr(link, field, None) if link else None
    return "" if value is None else str(value)


def _address(link: ReferenceLink | None, url: str) -> str:
    """The address to print: the overlay's preferred page, a labelled third-party copy, or ``url``."""
    if link is None:
        return autolink(url)
    if link.kind == "mirror":
        return f"Copy on a third-party site (no publisher, PubMed or PMC page was found): {autolink(link.url)}"
    if link.kind == "registry":
        return f"Trial registry record: {autolink(link.url)}"
    if link.kind == "repository":
        return f"Open-access repository copy: {autolink(link.url)}"
    return autolink(link.url)


def autolink(url: str) -> str:
    """``<https://...>``, a Markdown autolink: the content checks that an address starts with http(s)://, and the
    characters that could end the link early and start markup (``<``, ``>``, quotes, spaces) are percent-encoded."""
    return "<" + re.sub(r'[<>"\'\s`]', lambda m: "%{:02X}".format(ord(m.group(0))), url.strip()) + ">"


class NotebookCitations(ContentModel):
    """``generated/notebook_citations.yaml``: written by the notebook build, never by hand."""

    notebooks: dict[str, list[str]]

    @field_validator("notebooks")
    @classmethod
    def _names(cls, value):
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or name.endswith((".ipynb", ".md")):
                raise ValueError(f"notebook name '{name}' must be a bare name such as '02-vertebroplasty'")
        return value


@lru_cache(maxsize=2)
def _index(path: str) -> NotebookCitations:
    return load_content(Path(path), NotebookCitations)


def notebook_name(path_or_name: str | Path) -> str:
    """'notebooks/02-vertebroplasty.ipynb' -> '02-vertebroplasty'."""
    name = Path(str(path_or_name)).name
    for suffix in (".ipynb", ".md"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


class Citations:
    """An ordered, numbered list of the publications one notebook cites."""

    #: How :meth:`cite` writes numbers: ``markdown`` (a notebook cell), ``html`` (a widget), ``plain`` (a plot).
    STYLES = ("markdown", "html", "plain")

    def __init__(self, evidence: EvidenceBase | None = None, keys: Iterable[str] = (),
                 links: ReferenceLinks | None = None, *, style: str = "markdown"):
        if style not in self.STYLES:
            raise ValueError(f"a citation style is one of {', '.join(self.STYLES)}, not {style!r}")
        self.style = style
        self.evidence = evidence or load_evidence()
        #: Preferred pages (publisher, PubMed, PMC) over the mirrors some entries were read on.
        self.links = links if links is not None else load_reference_links()
        self._order: list[str] = []          # one publication identity per number
        self._first_key: dict[str, str] = {}  # publication identity -> the first key cited for it
        self._shorts: dict[str, str] = {}     # key -> short(key): the evidence does not change in a session
        for key in keys:
            self.number(key)

    @classmethod
    def for_notebook(cls, notebook: str | Path, evidence: EvidenceBase | None = None,
                     index: Path | str | None = None) -> "Citations":
        """The citations of one course notebook, numbered as its built Markdown is.

        ``notebook`` is its name (``"02-vertebroplasty"``) or any path to it; the order comes from
        the package's generated ``notebook_citations.yaml``, so it works whatever folder the kernel started in.
        """
        path = Path(index) if index else index_path()
        known = _index(str(path)).notebooks
        name = notebook_name(notebook)
        if name not in known:
            raise ContentError(path, f"no citation order is recorded for the notebook '{name}'",
                               fix="check the name (known: " + ", ".join(sorted(known)) + "), or rebuild "
                               "the notebooks with `make build`")
        return cls(evidence, known[name])

    @property
    def keys(self) -> list[str]:
        """The first key cited for each numbered publication, in number order."""
        return [self._first_key[p] for p in self._order]

    # -- identity and numbers ------------------------------------------------------------
    def publication(self, key: str) -> str:
        """What two keys must share to be one reference: the DOI, else the title and year."""
        if key in self.evidence.sources:
            return f"source:{key}"
        if key not in self.evidence.entries:
            raise UnknownCitation(
                f"unknown citation key '[@{key}]': it is neither in the evidence files "
                "(evidence.yaml, evidence-imaging.yaml, evidence-care.yaml) nor in sources.yaml (widgets/content/); "
                "check the spelling of the id")
        s = self.evidence.entry(key).source
        dois = _dois(s.doi)
        if dois:
            return f"doi:{dois[0].lower()}"
        title = re.sub(r"\W+", " ", _shown(s.title).lower()).strip()
        return f"title:{title}|{_shown(s.year)}" if title else f"entry:{key}"

    def number(self, key: str) -> int:
        """The reference number of ``key`` (given the next number on first use)."""
        pub = self.publication(key)
        if pub not in self._first_key:
            self._first_key[pub] = key
            self._order.append(pub)
        return self._order.index(pub) + 1

    def numbers(self, *keys: str) -> list[int]:
        """The distinct numbers of ``keys``, in the order cited."""
        out: list[int] = []
        for key in keys:
            n = self.number(key)
            if n not in out:
                out.append(n)
        return out

    # -- citing -----------------------------------------------------------------------------
    @property
    def markdown(self) -> "Citations":
        """These citations (the same numbers) citing in Markdown: ``\\[1, 2\\]`` whose numbers link to the
        reference list at the end of the notebook, as the notebook build writes them."""
        return self._styled("markdown")

    @property
    def html(self) -> "Citations":
        """These citations (the same numbers) citing in HTML: ``[1, 2]`` as links, for a widget's HTML."""
        return self._styled("html")

    @property
    def plain(self) -> "Citations":
        """These citations (the same numbers) citing in plain text: ``[1, 2]``, for plot labels and alt text."""
        return self._styled("plain")

    def _styled(self, style: str) -> "Citations":
        if style == self.style:
            return self
        view = object.__new__(Citations)
        view.__dict__.update(self.__dict__)        # the same evidence, links and numbering (shared, not copied)
        view.style = style
        return view

    def cite(self, keys: str | Iterable[str]) -> str:
        """The reference numbers of ``keys`` (one key, or several), in this style: ``[3]``, ``[1, 2]``."""
        numbers = self.numbers(*([keys] if isinstance(keys, str) else keys))
        if self.style == "plain":
            return "[" + ", ".join(str(n) for n in numbers) + "]"
        titles = [self.short(self._first_key[self._order[n - 1]]) for n in numbers]
        if self.style == "html":
            return "[" + ", ".join(f'<a href="#ref-{n}" title="{html.escape(title, quote=True)}" style="{LINK_STYLE}">'
                                   f'{n}</a>' for n, title in zip(numbers, titles)) + "]"
        # A Markdown link title is in double quotes; its markup characters are escaped (plain_md).
        titles = [plain_md(title.replace('"', "'").replace("\\", "/"), citations=True) for title in titles]
        return "\\[" + ", ".join(f'[{n}](#ref-{n} "{title}")' for n, title in zip(numbers, titles)) + "\\]"

    def cited(self, text: str) -> str:
        """``text`` with every ``[@id]`` (or ``[@a; @b]``) replaced by :meth:`cite` of its keys."""
        return CITE_RE.sub(lambda m: self.cite(k.strip().lstrip("@") for k in m.group(1).split(";")), text)

    # -- the references themselves -------------------------------------------------------
    def short(self, key: str) -> str:
        """'Buchbinder 2009, N Engl J Med': a hover title for a citation link (first author's surname,
        the year alone, the journal)."""
        if key not in self._shorts:
            self._shorts[key] = self._short(key)
        return self._shorts[key]

    def _short(self, key: str) -> str:
        if key in self.evidence.sources:
            citation = self.evidence.sources[key].citation
            year = re.search(r"\((\d{4})\)", citation)
            return citation.split(".")[0].strip().split(" ")[0] + (f" {year.group(1)}" if year else "")
        s, link = self.evidence.entry(key).source, self.links.get(key)
        first = (_filled(link, "authors") or _shown(s.authors)).split(",")[0].split(" ")[0]
        year = re.search(r"\b(1[89]|20)\d\d\b", _filled(link, "year") or _shown(s.year))
        who = " ".join(b for b in (first, year.group(0) if year else "") if b)
        text = ", ".join(p for p in (who, _filled(link, "journal") or _shown(s.journal)) if p)
        return text or textwrap.shorten(_filled(link, "title") or _shown(s.title) or "see the reference list", 60,
                                        placeholder="...")

    def reference(self, key: str) -> str:
        """The full reference of ``key`` as Markdown, as a journal would print it.

        Its link is the preferred page that ``reference_links.yaml`` names (publisher, PubMed, PMC)
        where the evidence file's own address is a mirror; a mirror with no such page is labelled."""
        link = self.links.get(key)
        if key in self.evidence.sources:
            src = self.evidence.sources[key]
            return f"{plain_md(src.citation.strip())} {_address(link, src.url)}"
        entry = self.evidence.entry(key)
        s = entry.source
        # Fields the overlay read on the preferred page replace what the evidence file could not show.
        authors = plain_md((_filled(link, "authors") or _shown(s.authors)).rstrip("."))
        year = re.match(r"\d{4}", _filled(link, "year") or _shown(s.year))
        title = plain_md((_filled(link, "title") or _shown(s.title)).rstrip(".")) or (
            f"[{plain_md(link.description)}]" if link and link.description
            else _untitled(s.title, entry.evidence_type))
        title += "" if title.endswith(("?", "!")) else "."
        when = f"({year.group(0)})" if year else ""
        parts = [f"{authors} {when}. {title}".replace(" .", ".") if authors
                 else " ".join(p for p in (title, f"{when}." if when else "") if p)]
        journal = plain_md(_filled(link, "journal") or _shown(s.journal))
        volume = plain_md(_filled(link, "volume_pages") or _shown(s.volume_pages))
        if journal or volume:
            where = " ".join(p for p in (f"*{journal}*" if journal else "", volume) if p)
            parts.append(where if where.endswith(".") else where + ".")
        dois = [link.doi] if link and link.doi else _dois(s.doi)
        pmids = [link.pmid] if link and link.pmid else [p for p in _shown(s.pmid).split("; ") if p.isdigit()]
        parts += [f"[doi:{d}](https://doi.org/{d})" for d in dois]
        parts += [f"[PubMed {p}](https://pubmed.ncbi.nlm.nih.gov/{p}/)" for p in pmids]
        if link is None:
            if not dois and not pmids:
                parts.append("Available at " + "; ".join(autolink(u) for u in urls_in(entry.url_seen)))
        elif link.kind == "pubmed":
            if link.pmid_in_url not in pmids:
                parts.append(f"[PubMed {link.pmid_in_url}]({link.url})")
        elif link.kind == "pmc":
            parts.append(f"[{link.pmcid}]({link.url})")
        elif link.kind in ("registry", "repository") or not (dois or pmids):
            parts.append(("Available at " if link.kind == "publisher" else "") + _address(link, link.url))
        return " ".join(parts)

    def references_md(self) -> str:
        """The numbered reference list, folded (an accessible disclosure), as Markdown with HTML."""
        if not self._order:
            return "_No references cited._"
        lines = [f'{i}. <span id="ref-{i}"></span>{self.reference(self._first_key[pub])}'
                 for i, pub in enumerate(self._order, start=1)]
        return fold("References", "\n".join(lines), count_phrase(len(self._order), "source"))
