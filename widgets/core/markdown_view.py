"""Markdown a notebook cell ends with: a folded table and a teaching section, as IPython's displayable Markdown.

The text itself is pure logic (:func:`widgets.core.text.fold`, :func:`widgets.core.sections.section_markdown`);
this view only hands it to the notebook, so nbval compares what students read.
"""

from __future__ import annotations

from IPython.display import Markdown

from widgets.core.citations import Citations
from widgets.core.sections import section_markdown
from widgets.core.text import fold


def folded(title: str, markdown: str, detail: str | None = None) -> Markdown:
    """A notebook cell's Markdown, folded: ``folded("The whole procedure at a glance", table)``."""
    return Markdown(fold(title, markdown, detail))


def show_section(section_id: str, citations: Citations, fold_title: str | None = None,
                 shown: int | None = None) -> Markdown:
    """One teaching section in a notebook, its citations numbered by the notebook's Citations, each a link to the
    reference list; ``fold_title`` and ``shown`` fold all or part of it
    (:func:`~widgets.core.sections.section_markdown`)."""
    return Markdown(section_markdown(section_id, citations.markdown, fold_title, shown))
