"""How text is laid out for reading, the same in every notebook: folds, the key-points box, prose in widgets.  Pure logic.

A *fold* is a native ``<details>`` disclosure: closed until the reader opens it, reached with Tab and
opened with Enter or Space, announced by screen readers as collapsed or expanded.  Its summary says
what is inside and how much, so a reader knows whether to open it.  The reference list, the full
evidence tables and the worked assumptions of notebook 05 and the folded teaching tables all use it.

The *key-points box* is how every notebook ends: ``tools/build_notebooks.py`` finds the ``## Key points``
heading in the Markdown and wraps it and the list under it in one ``<aside>`` (a landmark a screen
reader can jump to), drawn the same way in every notebook: a blue Okabe-Ito frame with a
faint tint of the same blue that keeps the text readable in light and dark themes.  Authors write
plain Markdown; the box is the build's job, so no notebook can drift from the shared style.

*Prose* inside a widget's HTML (:func:`prose_html`) gets the line spacing of the notebook's own text:
ipywidgets sets every line of an HTML widget to a control's height, which reads as double-spaced.
"""

from __future__ import annotations

import html
import re

from widgets.core.style import OKABE_ITO

#: The heading that opens the key points of a notebook (tests/unit/course/test_notebook_hygiene.py asks for it).
KEY_POINTS_HEADING = "## Key points"
#: The class of the key-points box (the build's check and the browser tests find the box by it).
KEY_POINTS_CLASS = "vkp-key-points"
_BLUE = OKABE_ITO["blue"]
#: JupyterLab keeps these inline styles (its Markdown sanitizer allows border, padding, margin, background).
KEY_POINTS_STYLE = (f"border: 2px solid {_BLUE}; border-left-width: 8px; border-radius: 4px; "
                    "padding: 0.1em 1em 0.3em 1em; margin: 1.2em 0 0.8em 0; background: rgba(0, 114, 178, 0.07)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _summary(title: str, detail: str | None) -> str:
    bits = [html.escape(detail)] if detail else []
    return f"<summary><strong>{html.escape(title)}</strong> ({'; '.join(bits + ['select to show'])})</summary>"


def fold(title: str, body: str, detail: str | None = None) -> str:
    """``body`` (Markdown) in a closed ``<details>`` disclosure whose summary reads
    "**title** (detail; select to show)": what is inside, how much, and that the line opens it.
    ``title`` and ``detail`` are plain text (escaped here)."""
    return f"<details>\n{_summary(title, detail)}\n\n{body.strip()}\n\n</details>"


def fold_html(title: str, body: str, detail: str | None = None) -> str:
    """The same fold around HTML (``body``, already escaped), for a widget's HTML."""
    return f"<details>{_summary(title, detail)}{body}</details>"


def plain_md(text: str, *, citations: bool = False) -> str:
    """Plain text from the content (a title, a label, an author list) for Markdown, shown as typed: ``<`` and
    ``>`` become entities, so no tag (a script, an image with a handler) and no autolink can start, and ``[``
    ``]`` are escaped, so no link can form (JupyterLab renders a notebook's own Markdown output as trusted: a
    script in it would run).  ``citations=True`` keeps ``[@key]`` markers for a later ``cite``; only ``](``,
    the start of a link's address, is escaped then."""
    out = str(text).replace("<", "&lt;").replace(">", "&gt;")
    if citations:
        return out.replace("](", "]\\(")
    return out.replace("[", "\\[").replace("]", "\\]")


def count_phrase(n: int, one: str, many: str | None = None) -> str:
    """'1 source', '12 sources'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


class KeyPointsError(ValueError):
    """A key-points section the build cannot box; the message says how to fix it."""


_HEADING = re.compile(rf"^{re.escape(KEY_POINTS_HEADING)}[ \t]*$", re.M)
_OPEN = f'<aside class="{KEY_POINTS_CLASS}"'


def has_key_points(markdown: str) -> bool:
    """Whether a Markdown cell holds the key-points heading."""
    return bool(_HEADING.search(markdown))


def box_key_points(markdown: str) -> str:
    """Wrap the key-points heading and the list under it in the shared box.  Text before the
    heading and after the list (the "Next:" link) stays outside the box; a cell without the
    heading, or already boxed, comes back unchanged."""
    found = _HEADING.search(markdown)
    if not found or _OPEN in markdown:
        return markdown
    before, after = markdown[:found.start()], markdown[found.start():]
    parts = re.split(r"(\n[ \t]*\n)", after)        # blocks, with the blank lines between them kept
    end = 1                                            # parts[0] is the heading
    while end + 1 < len(parts) and (_LIST_ITEM.match(parts[end + 1])
                                    or (end > 1 and parts[end + 1].startswith((" ", "\t")))):
        end += 2
    if end == 1:
        raise KeyPointsError(f"'{KEY_POINTS_HEADING}' must be followed by a list of points (lines starting '- ')")
    inside, rest = "".join(parts[:end]), "".join(parts[end:])
    return f'{before}{_OPEN} style="{KEY_POINTS_STYLE}">\n\n{inside}\n\n</aside>{rest}'


#: The notebook's own line spacing, for text inside an ipywidgets HTML widget.
PROSE_STYLE = "line-height: 1.5"


def prose_html(inner: str) -> str:
    """Widget HTML that reads like the notebook's Markdown (``inner`` is HTML, already escaped)."""
    return f'<div class="vkp-prose" style="{PROSE_STYLE}">{inner}</div>'
