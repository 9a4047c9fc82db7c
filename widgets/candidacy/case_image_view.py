"""A quiz case's simulated lateral x-ray, drawn with the imaging package's renderer.

:func:`case_image_html` gives the ``<img>`` (with alt text saying the level and which height is
lost) for a case's :class:`~widgets.candidacy.case_image.CaseImage`.  The radiograph itself is
:func:`widgets.anatomy.xray.radiograph` (the same projection as the fluoroscopy views of notebook
04); this module only frames it, labels the three vertebrae and says on the figure what it is.
Each image is drawn once per level and shape and kept (a case shown again costs nothing).
"""

from __future__ import annotations

from functools import lru_cache

from matplotlib import patheffects

from widgets.candidacy.case_image import FIGURE_LABEL, CaseImage, ImageReading, read_image
from widgets.core.figures import img_html, new_figure, png_bytes
from widgets.core.style import OKABE_ITO
from widgets.anatomy import camera
from widgets.anatomy.segment import Segment, segment
from widgets.anatomy.xray import Frame, forget_voxels, radiograph

#: The side view, wide enough for the treated body and the whole of its neighbours (mm).
FRAME = Frame(-24.0, 90.0, -46.0, 80.0)
WIDTH_IN, HEIGHT_IN, DPI = 4.5, 5.0, 80
LABEL = OKABE_ITO["yellow"]
_OUTLINE = [patheffects.withStroke(linewidth=2.5, foreground="black")]


def image_segment(image: CaseImage) -> Segment:
    """The segment the image draws: its level, the treated body at the image's heights (mm)."""
    return segment(image.level, read_image(image).heights_mm)


def _key(image: CaseImage) -> tuple[str, tuple[float, float, float]]:
    return image.level, image.heights_fraction.as_tuple()


@lru_cache(maxsize=32)
def _png(level: str, fractions: tuple[float, float, float]) -> bytes:
    image = CaseImage(level=level, heights_fraction=dict(zip(("anterior", "middle", "posterior"), fractions)))
    seg = image_segment(image)
    fig = new_figure(WIDTH_IN, HEIGHT_IN, layout=None)
    ax = fig.add_axes((0.16, 0.1, 0.8, 0.76))
    ax.imshow(radiograph(level, seg.heights, camera.lateral(), FRAME), cmap="gray", vmin=0.0, vmax=1.0,
              extent=FRAME.extent, origin="lower", interpolation="bilinear")
    ax.set_xlim(FRAME.u_min, FRAME.u_max)
    ax.set_ylim(FRAME.v_min, FRAME.v_max)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=8)
    ax.set_xlabel("front (anterior) \u2190  mm  \u2192 back (posterior)", fontsize=8.5)
    ax.set_ylabel("mm", fontsize=8.5)
    fig.text(0.5, 0.985, "Simulated lateral x-ray", ha="center", va="top", fontsize=11.5, fontweight="bold")
    fig.text(0.5, 0.935, "(illustrative, drawn to the course's anatomy)", ha="center", va="top", fontsize=9)
    # Each vertebra's name in front of its body, clear of the bone.
    for vertebra in (seg.above, seg.treated, seg.below):
        body = vertebra.body
        middle = float(body.bottom(body.depth / 2) + body.height(body.depth / 2) / 2)
        ax.text(FRAME.u_min + 2.0, middle, vertebra.name, color=LABEL, fontsize=10, fontweight="bold",
                ha="left", va="center", path_effects=_OUTLINE)
    png = png_bytes(fig, DPI)
    forget_voxels()
    return png


def case_image_png(image: CaseImage) -> bytes:
    """The image as PNG bytes (drawn once per level and shape, then kept)."""
    return _png(*_key(image))


def case_image_html(image: CaseImage) -> str:
    """The image as an ``<img>`` with alt text, in a figure with a caption saying what it cannot show."""
    reading: ImageReading = read_image(image)
    return ('<figure class="vkp-case-image" style="margin:0">'
            + img_html(case_image_png(image), reading.alt_text(), width_px=int(WIDTH_IN * DPI))
            + '<figcaption style="font-size:0.85em;line-height:1.4;max-width:26em">Read the vertebral body\'s shape from the '
            "image. It shows heights only: fresh or healed, a broken back wall, tumour or infection come from "
            "the history.</figcaption></figure>")
