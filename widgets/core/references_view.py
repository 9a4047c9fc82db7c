"""The folded reference list at the end of a notebook, with citation links that open it."""

from __future__ import annotations

import ipywidgets as ipw
from IPython.display import Markdown, display

from widgets.core.citations import Citations
from widgets.core.controls import ReferenceOpener


class ReferenceList:
    """Shows the folded reference list (``citations.references_md()``) and the helper that opens it from a
    citation link."""

    def __init__(self, citations: Citations):
        self.citations = citations

    def _ipython_display_(self) -> None:
        display(Markdown(self.citations.references_md()))
        # A hidden box, so the helper renders like every other widget of the notebook.
        display(ipw.Box([ReferenceOpener()], layout=ipw.Layout(display="none")))

    def __repr__(self) -> str:
        return f"ReferenceList({len(self.citations.keys)} sources)"


def references(citations: Citations) -> ReferenceList:
    """The last cell of every notebook: ``references(cites)``."""
    return ReferenceList(citations)
