"""The fracture explorer: three height sliders, the body drawn to scale, and its grade.

A student sets the anterior, middle and posterior heights of a fractured
vertebral body (the unfractured heights come from CT morphometry of L5,
evidence ``fg_lumbar_L5_cook2021``).  The outline moves in place and a status
line reads out the percentage height loss, the Genant grade (thresholds from
``fg_genant_sq_grades``), the wedge angle and the fracture's shape.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.anatomy.drawing import SagittalDrawing
from widgets.anatomy.geometry import REGIONS, FractureGeometry, Heights, reference_vertebra
from widgets.anatomy.scene import Drawing
from widgets.core.citations import Citations
from widgets.core.controls import Shows, Slider
from widgets.fractures.texts import describe

MIN_HEIGHT_MM = 5.0


class FractureExplorer(Shows):
    """Sliders for the three heights; outline, % loss, Genant grade, wedge angle and shape."""

    def __init__(self, citations: Citations, *, anterior: float = 20.0, middle: float = 26.0,
                 posterior: float | None = None):
        self.citations = citations
        ref = reference_vertebra()
        self.expected = ref.expected
        self.depth = ref.depth_mm
        start = {"anterior": anterior, "middle": middle,
                 "posterior": ref.expected.posterior if posterior is None else posterior}
        self.sliders: dict[str, Slider] = {}
        for region in REGIONS:
            top = getattr(self.expected, region)
            self.sliders[region] = Slider(f"{region.capitalize()} height", min=MIN_HEIGHT_MM, max=top,
                                          value=start[region], step=0.1, unit="mm", decimals=1)
        self.message = ipw.HTML()
        self.result = ipw.HTML()
        self.geometry = FractureGeometry(self.expected, self._heights(), self.depth)
        self.drawing = SagittalDrawing(self.geometry.fractured, self.depth, expected=self.expected,
                                       title="Fractured vertebral body (L5), side view", state=Drawing(
                                           caption="No procedure: the fracture alone."), devices=False)
        for slider in self.sliders.values():
            slider.observe(self._changed, names="value")
        self._show_result()
        self.widget = ipw.VBox([*self.sliders.values(), self.result, self.message, self.drawing.widget])
        self.widget.add_class("vkp-fracture-explorer")

    def _heights(self) -> Heights:
        return Heights(*(self.sliders[r].value for r in REGIONS))

    def set_heights(self, anterior: float, middle: float, posterior: float) -> None:
        """Set all three heights with one redraw (used by the notebook's worked examples)."""
        for region, value in zip(REGIONS, (anterior, middle, posterior)):
            s = self.sliders[region]
            s.unobserve(self._changed, names="value")
            try:
                s.value = value
            finally:
                s.observe(self._changed, names="value")
        self._changed(None)

    def _changed(self, _change) -> None:
        try:
            self.geometry = FractureGeometry(self.expected, self._heights(), self.depth)
        except ValueError as exc:
            self.message.value = f'<p role="alert">{html.escape(str(exc))}</p>'
            return
        self.message.value = ""
        self._show_result()
        self.drawing.update(heights=self.geometry.fractured)

    def _show_result(self) -> None:
        g = self.geometry
        losses = g.region_loss_percent()
        per_region = ", ".join(f"{r} {losses[r]:.1f} %" for r in REGIONS)
        self.result.value = (
            '<div role="status" aria-live="polite">'
            f"<p><strong>{html.escape(describe(g))}</strong></p>"
            f"<p>Loss by region: {per_region}. The largest loss sets the Genant grade "
            f"{self.citations.html.cite('fg_genant_sq_grades')}; "
            f"the unfractured body is {self.expected.anterior:g} mm high at the front and "
            f"{self.expected.posterior:g} mm at the back, {self.depth:g} mm deep "
            f"{self.citations.html.cite('fg_lumbar_L5_cook2021')} (middle drawn halfway between).</p></div>")

    def summary(self) -> str:
        return describe(self.geometry)
