"""The course's glossary: each term a third-year student may not know, defined once, shown where a notebook first uses it.  Pure logic.

``widgets/content/glossary.yaml`` holds the terms: an id, the term as it is written, the forms a text
may use it in (plural, adjective, abbreviation) and a short plain definition with no clinical number.
:func:`load_glossary` validates it: every form belongs to one term only, so a word is defined once.

Authors mark nothing.  ``tools/build_notebooks.py`` finds, in each notebook's Markdown in reading
order, the first use of every term (:func:`first_uses`) and puts its definition right under the
paragraph, list, table or heading that uses it (:func:`define_first_uses`): a native ``<details>``
disclosure whose summary names the words ("**C-arm, caudal** (what the words mean; select to show)"),
closed until the reader opens it, reached with Tab and opened with Enter or Space, announced by a
screen reader as a collapsed disclosure, and drawn the same by JupyterLab, the course website and any
other Markdown reader.  (A term cannot carry its own pop-up inside a sentence: JupyterLab's Markdown
sanitizer removes ``tabindex`` and ``aria-*`` from inline elements, a ``title`` tooltip cannot be
reached from the keyboard, and a ``<details>`` element inside a paragraph ends the paragraph.)

Where a use is looked for: the visible words of the Markdown, not the addresses or titles of links,
HTML tags and their attributes, code, or a definition already given.  A form written with a capital
after its first letter (``PMMA``, ``mSv``, ``CI``) is matched as written; every other form in any case.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from widgets.core.loading import ContentModel, content_path, load_content

#: The class of a definition's disclosure (the build, the website and the tests find it by it).
GLOSSARY_CLASS = "vkp-glossary"
_OPEN = f'<details class="{GLOSSARY_CLASS}">'
#: A definition stays short enough to read at a glance.
MAX_DEFINITION_WORDS = 60


class Term(ContentModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    term: str = Field(min_length=2, description="the term as the definition names it")
    forms: list[str] = Field(min_length=1, description="the words that count as a use of the term")
    definition: str = Field(min_length=20)

    @field_validator("definition")
    @classmethod
    def _plain_and_short(cls, text: str) -> str:
        text = " ".join(text.split())
        n = len(text.split())
        if n > MAX_DEFINITION_WORDS:
            raise ValueError(f"a definition of {n} words; keep it to {MAX_DEFINITION_WORDS} at most")
        if re.search(r"\d", text.replace("95 %", "")):
            raise ValueError("a definition holds no number (clinical numbers come from the evidence files, "
                             "with their source)")
        if re.search(r"[<>\[\]`]", text):
            raise ValueError("a definition is plain text: no HTML, links, citations or code")
        return text

    @field_validator("forms")
    @classmethod
    def _forms(cls, forms: list[str]) -> list[str]:
        cleaned = [" ".join(f.split()) for f in forms]
        if any(len(f) < 2 for f in cleaned):
            raise ValueError("a form is at least two characters long")
        if len({f.lower() for f in cleaned}) != len(cleaned):
            raise ValueError("a form is listed twice")
        return cleaned

    @model_validator(mode="after")
    def _term_is_a_form(self):
        if self.term.lower() not in {f.lower() for f in self.forms}:
            raise ValueError(f"the term '{self.term}' must also be one of its forms")
        return self

    def pattern(self) -> re.Pattern:
        """A use of any of the forms, as a whole word (a hyphen may join it to another: 'sham-controlled')."""
        parts = []
        for form in sorted(self.forms, key=len, reverse=True):
            body = re.escape(form).replace(r"\ ", r"\s+")
            parts.append(body if _as_written(form) else f"(?i:{body})")
        return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


def _as_written(form: str) -> bool:
    """Matched as written when a capital follows the first letter (PMMA, mSv, CI, AP)."""
    return any(c.isupper() for c in form[1:])


class Glossary(ContentModel):
    terms: list[Term] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_word_defined_once(self):
        seen_ids, seen_terms, owner = set(), set(), {}
        for t in self.terms:
            if t.id in seen_ids:
                raise ValueError(f"the id '{t.id}' is used twice")
            if t.term.lower() in seen_terms:
                raise ValueError(f"the term '{t.term}' is defined twice")
            seen_ids.add(t.id)
            seen_terms.add(t.term.lower())
            for form in t.forms:
                key = form if _as_written(form) else form.lower()
                if key in owner:
                    raise ValueError(f"the form '{form}' belongs to both '{owner[key]}' and '{t.id}': "
                                     "a word is defined once")
                owner[key] = t.id
        return self

    def term(self, term_id: str) -> Term:
        for t in self.terms:
            if t.id == term_id:
                return t
        raise KeyError(f"no glossary term '{term_id}'")


def load_glossary(path: str | Path | None = None) -> Glossary:
    """The validated ``glossary.yaml`` (or the file at ``path``), cached per file."""
    return _load_glossary(str(content_path(path or "glossary.yaml")))


@lru_cache(maxsize=2)
def _load_glossary(path: str) -> Glossary:
    return load_content(Path(path), Glossary)


# ---------------------------------------------------------------------------------- finding uses
_MASKS = (
    re.compile(r'<aside class="vkp-key-points".*?</aside>', re.S),   # the closing summary: terms are defined before it
    re.compile(r"```.*?```", re.S),                             # fenced code
    re.compile(r"`[^`\n]+`"),                                   # code spans
    re.compile(rf"{re.escape(_OPEN)}.*?</details>", re.S),      # a definition already given
    re.compile(r"<!--.*?-->", re.S),                            # comments
    re.compile(r"<[^>\n]+>"),                                   # HTML tags and their attributes
    re.compile(r"\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)"),   # a link's address and title
    re.compile(r"!\[[^\]]*\]"),                                 # an image's alt text (not read as prose)
)


def masked(text: str) -> str:
    """``text`` with everything that is not visible prose blanked out (same length, so offsets hold)."""
    out = list(text)
    for pattern in _MASKS:
        for m in pattern.finditer(text):
            out[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(out)


@dataclass(frozen=True)
class Use:
    term: Term
    cell: int       # index of the Markdown text in the sequence given
    start: int      # offset of the use in that text
    text: str       # the words as written


def first_uses(texts: list[str], glossary: Glossary | None = None) -> list[Use]:
    """The first use of every glossary term in ``texts`` (Markdown, in reading order), in reading order."""
    glossary = glossary or load_glossary()
    visible = [masked(t) for t in texts]
    found = []
    for term in glossary.terms:
        pattern = term.pattern()
        for i, text in enumerate(visible):
            m = pattern.search(text)
            if m:
                found.append(Use(term, i, m.start(), texts[i][m.start():m.end()]))
                break
    return sorted(found, key=lambda u: (u.cell, u.start))


# ---------------------------------------------------------------------------------- the definitions
def disclosure(terms: list[Term], indent: str = "", used_below: bool = False) -> str:
    """The definitions of ``terms`` in one closed ``<details>`` (Markdown inside), indented by ``indent``
    (so it stays inside the list item it follows); ``used_below``: the words are first used in what follows."""
    names = ", ".join(html.escape(t.term) for t in terms)
    what = "what the word means" if len(terms) == 1 else "what the words mean"
    if used_below:
        what += ", used below"
    lines = [_OPEN, f"<summary><strong>{names}</strong> ({what}; select to show)</summary>", ""]
    for t in terms:
        lines += [f"**{t.term}**: {t.definition}", ""]
    lines.append("</details>")
    return "\n".join(indent + line if line else "" for line in lines)


_BLANK = re.compile(r"\n[ \t]*\n")
_BLANK_BEFORE = re.compile(r"\n[ \t]*\n")   # searched in the reversed text: the blank line before a block


def _block_end(text: str, pos: int) -> int:
    """The offset where the block holding ``pos`` ends (its last character before a blank line, or the end).
    A heading's definitions go under the paragraph that follows it, not between the heading and its text."""
    m = _BLANK.search(text, pos)
    end = m.start() if m else len(text.rstrip("\n"))
    line_start = text.rfind("\n", 0, pos) + 1
    if text[line_start:pos].lstrip().startswith("#") and m:
        following = m.end()
        if following < len(text.rstrip()):
            return _block_end(text, following)
    return end


def _indent_at(text: str, pos: int) -> str:
    """The indentation of the block holding ``pos`` (a block inserted after it with the same indentation stays
    where the block is: inside a list item, a fold or the box it sits in)."""
    start = _BLANK_BEFORE.search(text[:pos][::-1])
    block_start = pos - start.start() if start else 0
    first = text[block_start:].split("\n", 1)[0]
    return first[:len(first) - len(first.lstrip())]


def define_first_uses(texts: list[str], glossary: Glossary | None = None, title_block: int | None = None,
                      editable: list[bool] | None = None) -> tuple[list[str], list[Use]]:
    """``texts`` (what a notebook shows, in reading order) with each term's definition under the block of its
    first use; returns the new texts and the uses defined.  Several terms first used in one block share one
    disclosure, in the order they appear.

    ``title_block``: the offset in the first text where its title block ends (title, purpose, objectives,
    time): the terms it uses share one disclosure there, so the title block keeps its shape.  ``editable``:
    which texts may change (Markdown cells); a term first used in another (a stored table the kernel prints) is
    defined at the end of the Markdown just before it, as a word used below."""
    editable = editable or [True] * len(texts)
    uses = first_uses(texts, glossary)
    out = list(texts)
    by_place: dict[tuple[int, int], list[Use]] = {}
    below: set[tuple[int, int]] = set()
    for use in uses:
        if not editable[use.cell]:
            cell = max((i for i in range(use.cell) if editable[i]), default=None)
            if cell is None:
                continue
            place = (cell, len(texts[cell].rstrip()))
            below.add(place)
        elif use.cell == 0 and title_block is not None and use.start < title_block:
            place = (0, len(texts[0][:title_block].rstrip()))
        else:
            place = (use.cell, _block_end(texts[use.cell], use.start))
        by_place.setdefault(place, []).append(use)
    # insert from the end of each text backwards, so earlier offsets hold
    for (cell, end), group in sorted(by_place.items(), reverse=True):
        text = out[cell]
        indent = "" if (cell, end) in below else _indent_at(text, group[0].start)
        block = disclosure([u.term for u in group], indent, used_below=(cell, end) in below)
        out[cell] = f"{text[:end]}\n\n{block}\n\n{text[end:].lstrip(chr(10))}".rstrip("\n") + (
            "\n" if text.endswith("\n") else "")
    return out, uses


def defined_terms(text: str) -> list[str]:
    """The terms (as written in the summary) a text defines, in order: what the tests read back."""
    out = []
    for block in re.findall(rf"{re.escape(_OPEN)}\s*<summary><strong>(.*?)</strong>", text, flags=re.S):
        out += [html.unescape(name.strip()) for name in block.split(",")]
    return out
