"""Figures with alt text that update in place.

matplotlib's inline output is an ``<img>`` with no alt text, and rebuilding a
figure on every slider move flickers and lags.  :class:`FigureView` keeps one
:class:`matplotlib.figure.Figure` (no pyplot, so nothing is displayed twice or
kept alive by pyplot's registry), lets a view move its artists, and
re-renders once per change into an ``<img>`` with alt text inside an
``ipywidgets.HTML``.  :func:`show_figure` does the same for a static figure.
"""

from __future__ import annotations

import base64
import html
import io

import ipywidgets as ipw
import matplotlib
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image as PILImage

from widgets.core import pictures, style
from widgets.core.idle import when_idle


def apply_style() -> None:
    """Apply the module's rcParams (Okabe-Ito colour cycle, readable fonts)."""
    rc = dict(style.RC)
    rc["axes.prop_cycle"] = cycler(color=style.CYCLE)
    matplotlib.rcParams.update(rc)


def new_figure(width: float = 6.4, height: float = 4.0, *, layout: str | None = "constrained") -> Figure:
    """A figure in the module's style, attached to an Agg canvas (no pyplot).

    ``layout=None`` suits a view that places its axes once: constrained layout lays the
    figure out again on every render, which doubles the cost of an interactive update.
    """
    apply_style()
    fig = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
    return buf.getvalue()


def img_html(png: bytes, alt: str, width_px: int | None = None, mime: str = "image/png") -> str:
    """An ``<img>`` tag for PNG (or ``mime``) bytes with escaped alt text."""
    data = base64.b64encode(png).decode("ascii")
    width = f' style="max-width:100%;width:{width_px}px"' if width_px else ' style="max-width:100%"'
    return (f'<img src="data:{mime};base64,{data}" alt="{html.escape(alt, quote=True)}"'
            f' role="img"{width}>')


def swap_legend(figure: Figure, legends: dict, shown, key: tuple, handles_for, layer=None, **style):
    """Show the legend of ``key`` (what is on screen now) in place of ``shown``, and return it (None: nothing to
    list).  Each key's legend is made once, from ``handles_for(key)``, kept in ``legends`` and drawn animated, in
    ``layer`` (a blitted view's overlay) when one is given: a blitted figure changes its legend without a redraw."""
    if key not in legends:
        handles = handles_for(key)
        legend = figure.legend(handles=handles, loc="lower center", fontsize=7.5, frameon=False, handlelength=1.8,
                               **style) if handles else None
        if legend is not None:
            legend.set_animated(True)
            legend.set_visible(False)
        legends[key] = legend
    if shown is not None:
        shown.set_visible(False)
    legend = legends[key]
    if legend is not None:
        legend.set_visible(True)
        if layer is not None and legend not in layer:
            layer.append(legend)
    return legend


class FigureView:
    """A figure shown as an image with alt text, re-rendered in place.

    A view changes ``fig``'s artists (``line.set_data``, ``patch.set_xy``...),
    then calls :meth:`render` once.  ``render_count`` lets tests and benchmarks
    check that one change renders once.
    """

    def __init__(self, fig: Figure, alt: str, *, dpi: int = 80, render: bool = True):
        self.figure = fig
        self.alt = alt
        self.dpi = dpi
        self.render_count = 0
        self.widget = ipw.HTML(layout=ipw.Layout(width="auto"))
        self.widget.add_class("vkp-figure")
        if render:
            self.render()

    def render(self, alt: str | None = None) -> None:
        if alt is not None:
            self.alt = alt
        self.widget.value = img_html(png_bytes(self.figure, self.dpi), self.alt)
        self.render_count += 1


class StoredFigureView:
    """A static figure shown as an image with alt text: the picture shipped with the package when it is
    current (:mod:`widgets.core.pictures`), else drawn by ``draw`` (and stored when the notebooks are being
    built).  Nothing moves in it, so nothing is ever redrawn; :attr:`figure` draws the figure on request
    (tests read its colours) when the picture came from the store."""

    def __init__(self, draw, alt: str, *, name: str, code: str, dpi: int = 72, store=None):
        self._draw = draw
        self.alt = alt
        self.dpi = dpi
        self.name = name
        self._figure = None
        self.render_count = 0
        how = pictures.mode()
        self.key = pictures.picture_key(alt, f"dpi={dpi}", code)
        store = store or pictures.PictureStore()
        png = store.get(name, self.key) if how != "off" else None
        self.stored = png is not None
        if png is None:
            self._figure = draw()
            png = png_bytes(self._figure, dpi)
            self.render_count = 1
            if how == "write":
                store.put(name, self.key, png, alt)
        self.png = png
        self.widget = ipw.HTML(img_html(png, alt), layout=ipw.Layout(width="auto"))
        self.widget.add_class("vkp-figure")

    @property
    def figure(self) -> Figure:
        if self._figure is None:
            self._figure = self._draw()
        return self._figure


def show_figure(fig: Figure, alt: str, *, dpi: int = 90):
    """Display a static figure as an image with alt text; returns the HTML object."""
    from IPython.display import HTML
    return HTML(img_html(png_bytes(fig, dpi), alt))


class BlitFigureView(FigureView):
    """A :class:`FigureView` that redraws only the moving artists over a cached background.

    The static frame (axes, ticks, labels, legend) is drawn once per background key and kept as
    pixels; each render restores it, draws the moving artists and encodes the buffer as PNG.  The
    picture is the same as a full draw; the cost is a fraction of it.
    """

    def __init__(self, fig: Figure, alt: str, moving: list, *, dpi: int = 64, image_format: str = "png",
                 stored: tuple[str, str] | None = None):
        """``image_format="jpeg"`` suits photograph-like figures (simulated x-rays): it encodes in a
        fraction of PNG's time, a third of its size; line drawings keep PNG.

        ``stored=(name, key)``: the first picture may come from the pictures shipped with the package
        (:mod:`widgets.core.pictures`; ``key`` says everything the picture shows and the code that draws it).
        When the store holds a current one, it is shown as it is and the figure is drawn only while the kernel
        is idle (:func:`widgets.core.idle.when_idle`), or at the first change if that comes sooner: Run All
        draws nothing.  ``make build`` (``VKP_PICTURES=write``) stores what the first render drew."""
        if image_format not in ("png", "jpeg"):
            raise ValueError(f"image_format must be 'png' or 'jpeg', not {image_format!r}")
        self.image_format = image_format
        self.moving = moving
        for artist in moving:
            artist.set_animated(True)   # left out of full draws; drawn over the background
        self._backgrounds: dict = {}
        self.image_bytes = b""
        #: The figure's own background is opaque, so every pixel is (see :meth:`render`).
        self._opaque = fig.patch.get_visible() and to_rgba(fig.get_facecolor())[3] >= 1.0
        fig.set_dpi(dpi)
        suffix = ".jpg" if image_format == "jpeg" else ".png"
        how = pictures.mode() if stored else "off"
        first = pictures.PictureStore().get(*stored, suffix=suffix) if how != "off" else None
        #: Whether the first picture shown came from the store (nothing drawn for it).
        self.stored = first is not None
        super().__init__(fig, alt, dpi=dpi, render=first is None)
        if first is not None:
            self.widget.value = img_html(first, alt, mime=f"image/{image_format}")
            when_idle([self._draw_ahead])
        elif how == "write":
            pictures.PictureStore().put(*stored, self.image_bytes, alt, suffix=suffix)
        # The background was laid out on the first render; keep that layout for every later one.
        fig.set_layout_engine("none")

    def _draw_ahead(self) -> None:
        """Draw what the stored first picture shows, so that the first change only blits (nothing if a change
        came first and drew it)."""
        if self.render_count == 0:
            self.prepare_first()

    def prepare_first(self) -> None:
        """Draw and keep the frame the figure shows when it is made (see :meth:`prepare`)."""
        self.prepare(None)

    def prepare(self, background) -> None:
        """Draw and keep the static frame for ``background`` now (the figure's static artists must
        already show that state), so that the first render with this key only blits."""
        if background not in self._backgrounds:
            self.figure.canvas.draw()
            self._backgrounds[background] = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def render(self, alt: str | None = None, background=None) -> None:
        if alt is not None:
            self.alt = alt
        fig = self.figure
        canvas = fig.canvas
        if background not in self._backgrounds:
            self.prepare(background)
        else:
            canvas.restore_region(self._backgrounds[background])
        for artist in self.moving:
            fig.draw_artist(artist)
        width, height = canvas.get_width_height(physical=True)
        buf = io.BytesIO()
        image = PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        if self.image_format == "jpeg":
            image.convert("RGB").save(buf, format="jpeg", quality=90, subsampling=0)
        elif self._opaque:
            # An opaque figure's alpha is 255 everywhere: RGB encodes a fifth faster and smaller, the same picture.
            image.convert("RGB").save(buf, format="png", compress_level=1)
        else:
            image.save(buf, format="png", compress_level=1)
        self.image_bytes = buf.getvalue()
        self.widget.value = img_html(self.image_bytes, self.alt, mime=f"image/{self.image_format}")
        self.render_count += 1
