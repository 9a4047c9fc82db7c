"""The red flags in a notebook: the take-home line is the notebook's; this is the folded detail under it.

:func:`show_red_flags` shows one fold: the table of red flags from ``widgets/content/red_flags.yaml``
(what each looks like, how urgent it is, what to do) and the teaching section ``red_flags_first``
(how little one red flag tells, cancer and infection that hide, the clock), every number traced to the
evidence files and every citation numbered by the notebook's :class:`~widgets.core.citations.Citations`.
"""

from __future__ import annotations

from IPython.display import Markdown

from widgets.candidacy import red_flags
from widgets.core.citations import Citations
from widgets.core.text import fold
from widgets.core.sections import section_markdown


def red_flags_markdown(cites: Citations, section: str = "red_flags_first") -> str:
    """The fold's Markdown: the red flags' table, then the teaching section's notes (``cites`` numbers ``[@id]``
    keys)."""
    spec = red_flags.load_red_flags()
    body = red_flags.flags_markdown(cites, spec) + "\n\n" + section_markdown(section, cites)
    return fold("The red flags: what each looks like, how urgent it is, what to do", body,
                f"{len(spec.flags)} flags in a table, then four notes")


def show_red_flags(citations: Citations, section: str = "red_flags_first") -> Markdown:
    """Display the folded red flags, with the teaching section ``section``, in a notebook."""
    return Markdown(red_flags_markdown(citations.markdown, section))
