"""The kyphoplasty balloon interactive (view over :mod:`widgets.procedures.balloon`).

A slider inflates the balloon in the example wedge fracture (notebook 01's); the
upper endplate rises in the drawing, and a status line gives the heights, the
height loss and Genant grade before and after, and how much of the lost height came
back.  At full inflation the lift is the mean gain of a kyphoplasty CT cohort
(``hr_winkelmann2018_abc_heights``), said to be a mean, with the pooled KP-and-VP
mean (``hr_marino2025_combined_mm``) named beside it; both cited in the widget.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.procedures.balloon import GAIN_ID, POOLED_ID, BalloonModel
from widgets.core.citations import Citations
from widgets.core.controls import Slider
from widgets.procedures.views import example_geometry
from widgets.anatomy.drawing import SagittalDrawing
from widgets.anatomy.scene import Drawing
from widgets.core.controls import Shows


class BalloonView(Shows):
    def __init__(self, citations: Citations, *, model: BalloonModel | None = None, inflation_percent: float = 0):
        self.citations = citations
        self.model = model or BalloonModel(example_geometry())
        g = self.model.geometry
        self.slider = Slider("Balloon inflation", min=0, max=100, value=inflation_percent, step=5, unit="%")
        self.bound = ipw.HTML(
            f"<p>What full inflation shows: {html.escape(self.model.gains.text().rstrip('.'))} "
            f"{citations.html.cite([GAIN_ID, POOLED_ID])}. The slider runs from empty to this typical lift; "
            "it is not a model of how far a real balloon can push.</p>")
        self.status = ipw.HTML()
        self.drawing = SagittalDrawing(self.model.lifted(inflation_percent / 100), g.depth_mm, expected=g.expected,
                                       title="Kyphoplasty balloon in a wedge fracture (L5), side view",
                                       state=self._state(inflation_percent))
        self.slider.observe(self._changed, names="value")
        self._show_status()
        self.widget = ipw.VBox([self.slider, self.status, self.bound, self.drawing.widget])
        self.widget.add_class("vkp-balloon")

    @staticmethod
    def _state(percent: float) -> Drawing:
        return Drawing(needle="body", balloon=percent / 100, xray=True,
                       caption=f"The balloon is inflated to {percent:.0f} % of its volume.")

    def _changed(self, _change) -> None:
        p = self.slider.value
        self._show_status()
        self.drawing.update(self._state(p), self.model.lifted(p / 100))

    def _show_status(self) -> None:
        self.status.value = ('<div role="status" aria-live="polite"><p>'
                             f"{html.escape(self.result().text())}</p></div>")

    def result(self):
        return self.model.result(self.slider.value / 100)
