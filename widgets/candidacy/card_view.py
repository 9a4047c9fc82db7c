"""The case on the quiz's screen: the history first, under a neutral label, with the case's simulated x-ray.

:class:`CaseCard` shows one :class:`~widgets.candidacy.vignettes.Vignette`: a small neutral label (who the
patient is, never the answer), the history as a clinician tells it, and, for a case that has one, its
simulated lateral x-ray beside the history where there is room.  Text is escaped, so markup in an
instructor's case shows as text.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.candidacy.case_image_view import case_image_html


def esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


class CaseCard(ipw.HBox):
    """The history (and the image, where the case has one), side by side where there is room."""

    def __init__(self):
        self.vignette = ipw.HTML(layout=ipw.Layout(flex="1 1 24em", min_width="18em"))
        self.vignette.add_class("vkp-quiz-vignette")
        self.image = ipw.HTML(layout=ipw.Layout(display="none", flex="0 0 auto"))
        self.image.add_class("vkp-quiz-image")
        super().__init__([self.vignette, self.image],
                         layout=ipw.Layout(flex_flow="row wrap", align_items="flex-start"))

    def show(self, vignette) -> None:
        self.vignette.value = (f'<div class="vkp-vignette"><p class="vkp-case-label" style="margin:0 0 0.2em;'
                               f'font-size:0.9em;color:var(--jp-ui-font-color2,#555)">{esc(vignette.title)}</p>'
                               f'<p class="vkp-case-history" style="font-size:1.05em;overflow-wrap:normal;'
                               f'word-break:normal;hyphens:manual;margin-top:0">{esc(vignette.history)}</p></div>')
        if vignette.image is not None:
            self.image.value = case_image_html(vignette.image)
            self.image.layout.display = "block"
        else:
            self.image.value = ""
            self.image.layout.display = "none"
