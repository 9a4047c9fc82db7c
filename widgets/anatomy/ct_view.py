"""Fluoroscopy from the real CT, shot by shot: the front (AP) and side (lateral) views of one level of
the VerSe scan (:mod:`widgets.anatomy.ct`, pictures by :mod:`widgets.anatomy.ct_images`), as a C-arm screen
shows them, and the axial CT slice through the needle.

:class:`CtViews` keeps one figure with two round C-arm fields.  Each view shows what its last shot
showed: :meth:`CtViews.shoot` renders one view with the needle drawn into the scan (the two views
of one needle always agree, as both are made from the same 3-D needle).  Labels (switchable) sit on
the structures they name, with a short leader line; after an attempt :meth:`CtViews.reveal` outlines
the pedicle, the spinal canal and the target as the scan's vertebra mask gives them, and marks where
the needle left the pedicle.  The legend lists only what is on the screen, each entry drawn as it
is drawn on the screen.  Every picture carries the scan's credit (:data:`widgets.anatomy.ct.CREDIT`).

:class:`AxialView` shows the axial slice through the needle's tip (after an attempt), bone white as
CT is always shown.

The figures are built once; a shot moves only the changed artists (:class:`widgets.core.figures.BlitFigureView`).
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.ticker import MaxNLocator
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import io

from PIL import Image as PILImage

from widgets.core.figures import BlitFigureView, img_html, new_figure, swap_legend
from widgets.core.style import ON_XRAY
from widgets.anatomy import carm, ct, ct_images

VIEWS = ("AP", "lateral")
LABEL, PEDICLE, TARGET, NEEDLE_GREY = (ON_XRAY[k] for k in ("label", "wall", "target", "metal"))
CANAL = BREACH = ON_XRAY["danger"]
#: The regions revealed after an attempt, their colours and their legend words.
REVEALED = (("pedicle left", PEDICLE, "pedicle (from the scan's outline)"),
            ("canal", CANAL, "spinal canal"),
            ("target", TARGET, "target"))
#: Labels per view: (anchor name of ct_images.anchors, words, text offset from the anchor in mm (u, v)); an offset
#: of (0, 0) puts the words on the structure itself, any other joins them to it by a short leader line.
LABELS = {
    "AP": (("pedicle right", "pedicle", (-14.0, 11.0)), ("spinous process", "spinous process", (-16.0, -7.0)),
           ("body", "{level} body", (-22.0, -3.0)), ("disc above", "disc", (-18.0, 0.0))),
    "lateral": (("body", "{level} body", (0.0, -9.0)), ("front third", "front third", (0.0, -15.0)),
                ("posterior wall", "posterior wall", (-2.0, -17.0)), ("pedicle left", "pedicle", (0.0, 13.0)),
                ("spinal canal", "spinal canal", (12.0, -9.0)), ("disc above", "disc", (0.0, 0.0))),
}


def _outline_rgba(masks: list[tuple[np.ndarray, str]]) -> np.ndarray:
    """An RGBA overlay: each mask's edge drawn solid in its colour, its inside lightly tinted."""
    from matplotlib.colors import to_rgb
    shape = masks[0][0].shape
    out = np.zeros((*shape, 4), np.float32)
    for mask, colour in masks:
        if not mask.any():
            continue
        inner = mask.copy()
        inner[1:, :] &= mask[:-1, :]
        inner[:-1, :] &= mask[1:, :]
        inner[:, 1:] &= mask[:, :-1]
        inner[:, :-1] &= mask[:, 1:]
        edge = mask & ~inner
        # thicken the edge by a pixel so it reads at the figure's size
        thick = edge.copy()
        thick[1:, :] |= edge[:-1, :]
        thick[:, 1:] |= edge[:, :-1]
        rgb = np.array(to_rgb(colour), np.float32)
        tint = inner & (out[..., 3] < 0.2)
        out[tint, :3] = rgb
        out[tint, 3] = 0.16
        out[thick, :3] = rgb
        out[thick, 3] = 0.95
    return out


class OverlaidBlitView(BlitFigureView):
    """A :class:`BlitFigureView` for pictures with a cached overlay: the base (axes, ticks, credit) is drawn
    once; each render paints the x-ray pictures straight into their axes' pixels (resampled bilinearly,
    as ``imshow`` would show them), and lays over them the overlay artists (labels, outlines, marks,
    legend, titles), drawn once per ``layer`` key into a transparent layer.  A shot draws no artist at
    all: it repaints one picture and encodes the figure."""

    def __init__(self, fig, alt: str, overlay: list, *, dpi: int = 80, background=None, layer=None,
                 paints=None):
        self.overlay = overlay
        for artist in overlay:
            artist.set_animated(True)
        self._layers: dict = {}
        self._maps: dict = {}
        self._painted: dict = {}        # axes -> (stamp, its pixels)
        self._first = (background, layer, paints)   # the state the figure shows when it is made: drawn once
        super().__init__(fig, alt, [], dpi=dpi, image_format="jpeg")

    def _layer(self, key):
        if key not in self._layers:
            canvas = self.figure.canvas
            kept = canvas.copy_from_bbox(self.figure.bbox)
            canvas.get_renderer().clear()
            for artist in self.overlay:
                self.figure.draw_artist(artist)
            rgba = np.asarray(canvas.buffer_rgba())
            rows, cols = np.nonzero(rgba[..., 3])
            alpha = rgba[rows, cols, 3:4].astype(np.float32) / 255.0
            self._layers[key] = (rows, cols, rgba[rows, cols, :3].astype(np.float32) * alpha, 1.0 - alpha)
            while len(self._layers) > 8:
                self._layers.pop(next(iter(self._layers)))
            canvas.restore_region(kept)         # the canvas as it was: the cached frames stay good
        return self._layers[key]

    def _map(self, ax, extent, shape, height: int):
        """Where each pixel inside ``ax`` samples an image of ``shape`` spread over ``extent`` (bilinear; the
        axes show exactly the extent, so its pixels map linearly onto the image)."""
        box = ax.bbox
        key = (tuple(round(v, 3) for v in box.extents), tuple(extent), shape, height)
        if key not in self._maps:
            x0, y0, x1, y1 = box.extents
            c0, c1 = int(np.ceil(x0)) + 1, int(np.floor(x1)) - 1
            r0, r1 = height - (int(np.floor(y1)) - 1), height - (int(np.ceil(y0)) + 1)
            rows_n, cols_n = shape
            cx = (np.arange(c0, c1) + 0.5 - x0) / (x1 - x0)          # 0..1 across the axes
            cy = (height - np.arange(r0, r1) - 0.5 - y0) / (y1 - y0)
            fx = np.clip(cx * cols_n - 0.5, 0, cols_n - 1)
            fy = np.clip(cy * rows_n - 0.5, 0, rows_n - 1)
            i0 = np.floor(fx).astype(int)
            j0 = np.floor(fy).astype(int)
            i1, j1 = np.minimum(i0 + 1, cols_n - 1), np.minimum(j0 + 1, rows_n - 1)
            wx = (fx - i0).astype(np.float32)[None, :]
            wy = (fy - j0).astype(np.float32)[:, None]
            self._maps[key] = (slice(r0, r1), slice(c0, c1), j0, j1, i0, i1, wx, wy)
        return self._maps[key]

    def _paint(self, buf, ax, extent, grey, stamp) -> None:
        rows, cols, j0, j1, i0, i1, wx, wy = self._map(ax, extent, grey.shape, buf.shape[0])
        kept = self._painted.get(ax)
        if kept is not None and kept[0] == stamp:
            block = kept[1]
        else:
            top = grey[j0][:, i0] * (1 - wx) + grey[j0][:, i1] * wx
            bottom = grey[j1][:, i0] * (1 - wx) + grey[j1][:, i1] * wx
            block = np.clip((top * (1 - wy) + bottom * wy) * 255.0 + 0.5, 0, 255).astype(np.uint8)
            self._painted[ax] = (stamp, block)
        buf[rows, cols, :3] = block[..., None]

    def render(self, alt: str | None = None, background=None, layer=None, paints=None) -> None:
        """``paints``: (axes, extent, grey image 0..1 with row 0 at the bottom, stamp) per picture; a picture
        whose stamp is unchanged is not resampled again."""
        if alt is not None:
            self.alt = alt
        if self.render_count == 0 and background is None and layer is None:
            background, layer, paints = self._first
        canvas = self.figure.canvas
        over = self._layer(layer) if layer is not None else None
        if background not in self._backgrounds:
            self.prepare(background)
        else:
            canvas.restore_region(self._backgrounds[background])
        raw = canvas.buffer_rgba()
        buf = np.asarray(raw)
        for ax, extent, grey, stamp in paints or ():
            self._paint(buf, ax, extent, grey, stamp)
        if over is not None and len(over[0]):
            rows, cols, colour, keep = over
            buf[rows, cols, :3] = (colour + buf[rows, cols, :3] * keep).astype(np.uint8)
        out = io.BytesIO()
        height, width = buf.shape[:2]
        image = PILImage.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", 0, 1)
        image.convert("RGB").save(out, format="jpeg", quality=90, subsampling=0)
        self.widget.value = img_html(out.getvalue(), self.alt, mime="image/jpeg")
        self.render_count += 1


class _View:
    """The artists of one view."""

    def __init__(self, ax, kind: str):
        self.ax, self.kind = ax, kind
        # the picture is painted into the axes' pixels (OverlaidBlitView); this artist only holds it
        self.image = ax.imshow(np.zeros((2, 2), np.float32), cmap="gray", vmin=0.0, vmax=1.0, origin="lower",
                               interpolation="bilinear", extent=(0, 1, 0, 1), animated=True)
        self.overlay = ax.imshow(np.zeros((2, 2, 4), np.float32), origin="lower", interpolation="nearest",
                                 extent=(0, 1, 0, 1), visible=False)
        self.breach, = ax.plot([], [], ls="none", marker="X", ms=11, mfc=BREACH, mec="black", mew=1.0)
        # words in a dark box and one line for all their leaders: cheap to draw at every shot
        self.leaders, = ax.plot([], [], color=LABEL, lw=1.0, solid_capstyle="butt")
        self.labels = [ax.text(0, 0, "", color=LABEL, fontsize=8.0, ha="center", va="center", visible=False,
                               bbox={"boxstyle": "round,pad=0.15", "facecolor": "black", "alpha": 0.55,
                                     "edgecolor": "none"})
                       for _ in range(len(LABELS[kind]))]
        self.title = ax.set_title(" ", fontsize=10)
        self.shots = 0
        self.stamp = 0                  # changes whenever the picture changes

    @property
    def layer(self) -> list:
        return [self.overlay, self.breach, self.leaders, *self.labels, self.title]


class CtViews:
    """The AP and lateral C-arm views of one level of the real CT, shot by shot, with alt text."""

    def __init__(self, level: str = "L1", *, needle=None, labels: bool = True, approach: str = "unilateral",
                 title: str | None = None, width: float = 8.8, height: float = 5.7, dpi: int = 80):
        """``needle``: shown in both views from the start (the starting picture; no shot counted)."""
        self.level = level
        self.labels = labels
        self.approach = approach
        self.revealed = False
        self.breach_point = None
        self.needles: dict = {v: None for v in VIEWS}
        fig = new_figure(width, height, layout=None)
        fig.set_facecolor("white")
        self.figure = fig
        axes = {"AP": fig.add_axes((0.06, 0.25, 0.41, 0.64)), "lateral": fig.add_axes((0.56, 0.25, 0.41, 0.64))}
        for ax in axes.values():
            ax.set_facecolor("black")
            ax.set_aspect("equal")
            ax.tick_params(labelsize=7.5)
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.yaxis.set_major_locator(MaxNLocator(5))
        axes["AP"].set_xlabel("patient's right \u2190  mm  \u2192 patient's left", fontsize=8.5)
        axes["lateral"].set_xlabel("front (anterior) \u2190  mm  \u2192 back (posterior)", fontsize=8.5)
        axes["AP"].set_ylabel("up (head) \u2192  mm", fontsize=8.5)
        self.axes = axes
        self.art = {k: _View(ax, k) for k, ax in axes.items()}
        self.heading = fig.text(0.5, 0.985, title or "", fontsize=12, ha="center", va="top", fontweight="bold")
        fig.text(0.01, 0.04, textwrap.fill(carm.DISPLAY_NOTE[carm.DENSE], 150), fontsize=7.2, ha="left",
                 va="bottom")
        fig.text(0.01, 0.01, ct.CREDIT, fontsize=7.0, ha="left", va="bottom", color="#333333")
        self._legends: dict[tuple, object] = {}
        self.legend = None
        self._frames: dict = {}
        self._setup_level()
        if needle is not None:
            self.show(needle, render=False)
        self._set_legend()
        self._titles()
        overlay = [a for v in VIEWS for a in self.art[v].layer] + ([self.legend] if self.legend else [])
        self.view = OverlaidBlitView(fig, self.alt_text(), overlay, dpi=dpi, background=self.level,
                                     layer=self.layer_key(), paints=self.paints())

    # ------------------------------------------------------------------ public
    @property
    def widget(self):
        return self.view.widget

    def frame(self, view: str):
        return self._frames[view]

    def set_level(self, level: str, render: bool = True) -> None:
        """Another level: empty pictures until the next shots, overlays hidden."""
        self.level = level
        self.revealed = False
        self.breach_point = None
        self.needles = {v: None for v in VIEWS}
        for v in VIEWS:
            self.art[v].shots = 0
        self._setup_level()
        if render:
            self.render()

    def set_labels(self, on: bool, render: bool = True) -> None:
        self.labels = bool(on)
        self._place_labels()
        if render:
            self.render()

    def set_approach(self, approach: str) -> None:
        self.approach = approach

    def shoot(self, view: str, needle, render: bool = True) -> None:
        """One shot of ``view`` with ``needle`` drawn into the scan (what pressing the pedal shows)."""
        if view not in VIEWS:
            raise ValueError(f"a shot is of the 'AP' or the 'lateral' view, not {view!r}")
        r = ct_images.drr(view, needle, self.level, self._frames[view])
        self.art[view].image.set_data(ct_images.screen(r))
        self.art[view].stamp += 1
        self.needles[view] = needle
        self.art[view].shots += 1
        if render:
            self.render()

    def show(self, needle, render: bool = True) -> None:
        """Both views with ``needle`` without counting shots (the starting picture of an attempt)."""
        for view in VIEWS:
            r = ct_images.drr(view, needle, self.level, self._frames[view])
            self.art[view].image.set_data(ct_images.screen(r))
            self.art[view].stamp += 1
            self.needles[view] = needle
        if render:
            self.render()

    def reveal(self, breach_point=None, render: bool = True) -> None:
        """After an attempt: outline the pedicle, the canal and the target, and mark a breach."""
        self.revealed = True
        self.breach_point = breach_point
        for view in VIEWS:
            art = self.art[view]
            art.overlay.set_data(_overlay(self.level, view, self.approach))
            art.overlay.set_extent(self._frames[view].extent)
            art.overlay.set_visible(True)
            if breach_point is not None:
                u, v = ct_images.project(np.asarray(breach_point, dtype=float), view)
                art.breach.set_data([u], [v])
            else:
                art.breach.set_data([], [])
        if render:
            self.render()

    def hide(self, render: bool = True) -> None:
        """A new attempt: the overlays and the breach mark go."""
        self.revealed = False
        self.breach_point = None
        for view in VIEWS:
            self.art[view].overlay.set_visible(False)
            self.art[view].breach.set_data([], [])
        if render:
            self.render()

    def _titles(self) -> None:
        for view in VIEWS:
            name = "Front (AP) view" if view == "AP" else "Side (lateral) view"
            self.art[view].title.set_text(f"{self.level}: {name}, the last shot")

    def render(self) -> None:
        self._titles()
        self._set_legend()
        self.view.render(alt=self.alt_text(), background=self.level, layer=self.layer_key(), paints=self.paints())

    def paints(self) -> list:
        """Each view's picture, where it goes and its stamp (for :class:`OverlaidBlitView`)."""
        return [(self.art[v].ax, self._frames[v].extent, self.art[v].image.get_array(), (self.level, self.art[v].stamp))
                for v in VIEWS]

    def layer_key(self) -> tuple:
        """What the overlay (labels, outlines, marks, legend) depends on."""
        breach = None if self.breach_point is None else tuple(round(float(v), 3) for v in self.breach_point)
        return (self.level, self.labels, self.revealed, self.approach, breach, tuple(self.on_screen()))

    # ------------------------------------------------------------------ drawing
    def _setup_level(self) -> None:
        for view in VIEWS:
            frame = ct_images.frame_for(self.level, view)
            self._frames[view] = frame
            art = self.art[view]
            art.image.set_data(ct_images.screen(ct_images.drr(view, None, self.level, frame)))
            art.stamp += 1
            art.image.set_extent(frame.extent)
            art.overlay.set_extent(frame.extent)
            art.overlay.set_visible(False)
            art.breach.set_data([], [])
            art.ax.set_xlim(frame.u_min, frame.u_max)
            art.ax.set_ylim(frame.v_min, frame.v_max)
        self._place_labels()

    def _place_labels(self) -> None:
        anchors = ct_images.anchors(self.level)
        for view in VIEWS:
            art = self.art[view]
            frame = self._frames[view]
            cu, cv = frame.centre
            radius = (frame.u_max - frame.u_min) / 2 - 4
            xs, ys = [], []
            for text, (name, words, (du, dv)) in zip(art.labels, LABELS[view]):
                if not self.labels or name not in anchors:
                    text.set_visible(False)
                    continue
                u, v = ct_images.project(np.asarray(anchors[name]), view)
                tu, tv = u + du, v + dv
                # keep the words inside the round field
                r = float(np.hypot(tu - cu, tv - cv))
                if r > radius:
                    tu, tv = cu + (tu - cu) * radius / r, cv + (tv - cv) * radius / r
                if (tu, tv) != (u, v):
                    xs += [float(u), float(tu), np.nan]
                    ys += [float(v), float(tv), np.nan]
                text.set_position((float(tu), float(tv)))
                text.set_text(words.format(level=self.level))
                text.set_visible(True)
            art.leaders.set_data(xs, ys)
            art.label_anchors = [(x, y) for x, y in zip(xs[0::3], ys[0::3])]

    def on_screen(self) -> list[str]:
        """What the screen shows now, in the legend's words (the legend lists only these)."""
        out = []
        if any(n is not None for n in self.needles.values()):
            out.append("needle")
        if self.revealed:
            out += [words for _, _, words in REVEALED]
        if self.revealed and self.breach_point is not None:
            out.append("breach")
        return out

    def _set_legend(self) -> None:
        def handles(key):
            out = []
            for item in key:
                if item == "needle":
                    out.append(Line2D([], [], color=NEEDLE_GREY, lw=3.0, label="needle (metal: near black)"))
                elif item == "breach":
                    out.append(Line2D([], [], ls="none", marker="X", ms=9, mfc=BREACH, mec="black",
                                      label="where the needle left the pedicle"))
                else:
                    colour = next(c for _, c, w in REVEALED if w == item)
                    out.append(Patch(facecolor=(*_rgb(colour), 0.16), edgecolor=colour, lw=1.6, label=item))
            return out
        self.legend = swap_legend(self.figure, self._legends, self.legend, tuple(self.on_screen()), handles,
                                  self.view.overlay if hasattr(self, "view") else None,
                                  bbox_to_anchor=(0.5, 0.085), ncol=max(1, min(len(self.on_screen()), 5)))

    # ------------------------------------------------------------------ text
    def alt_text(self) -> str:
        parts = [f"Simulated fluoroscopy made from a real CT scan of {self.level} and its neighbours, in two round "
                 "C-arm fields, dense things dark: on the left the front (AP) view, on the right the side (lateral) "
                 "view, front to the left."]
        for view in VIEWS:
            n = self.needles[view]
            name = "front view" if view == "AP" else "side view"
            if n is None:
                parts.append(f"The {name} has no shot yet.")
            else:
                tip = ct.as_path(n).tip
                parts.append(f"The {name}'s last picture shows the needle {ct.as_path(n).depth:.0f} mm in, its tip "
                             f"{ct.where(self.level, tip)}.")
        if self.revealed:
            parts.append("Coloured outlines now show the pedicle, the spinal canal and the target, taken from the "
                         "scan's outline of the vertebra.")
            if self.breach_point is not None:
                parts.append("A red cross marks where the needle left the pedicle.")
        parts.append("Labels are on." if self.labels else "Labels are off.")
        parts.append(ct.CREDIT + ".")
        return " ".join(parts)


def _rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb
    return to_rgb(colour)


_OVERLAYS: dict = {}


def _overlay(level: str, view: str, approach: str) -> np.ndarray:
    """The revealed outlines of one view (made once per level, view and approach)."""
    key = (level, view, approach)
    if key not in _OVERLAYS:
        frame = ct_images.frame_for(level, view)
        masks = [(ct_images.region_projection(level, region, view, frame, approach=approach, side=1), colour)
                 for region, colour, _ in REVEALED]
        _OVERLAYS[key] = _outline_rgba(masks)
        while len(_OVERLAYS) > 4:
            _OVERLAYS.pop(next(iter(_OVERLAYS)))
    return _OVERLAYS[key]


class AxialView:
    """The axial CT slice through the needle's tip, seen from the feet (after an attempt).  The slice
    always spans the whole crop, so only the picture and its title change: they are drawn over a
    cached frame."""

    def __init__(self, *, width: float = 3.6, height: float = 4.4, dpi: int = 80):
        from matplotlib.ticker import FuncFormatter
        fig = new_figure(width, height, layout=None)
        ax = fig.add_axes((0.2, 0.17, 0.76, 0.72))
        ax.set_facecolor("black")
        ax.set_xlabel("patient's right \u2190  mm  \u2192 patient's left", fontsize=8.5)
        ax.set_ylabel("mm behind the front of the scan", fontsize=8.5)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):g}"))
        ax.tick_params(labelsize=7.5)
        s = ct.scan()
        (x0, x1), (y0, y1), _ = s.bounds
        ax.set_xlim(x0, x1)
        ax.set_ylim(-y1, -y0)
        self.ax = ax
        self.image = ax.imshow(np.zeros((2, 2), np.float32), cmap="gray", vmin=0.0, vmax=1.0, origin="lower",
                               interpolation="bilinear", extent=(x0, x1, -y1, -y0))
        self.title = ax.set_title("Axial CT slice through the needle's tip", fontsize=9)
        fig.text(0.01, 0.01, "CT: VerSe, verse012, CC BY-SA 4.0;\nbone window, seen from the feet, front at the top",
                 fontsize=6.8, ha="left", va="bottom", color="#333333")
        self.figure = fig
        self.level = None
        self.tip = None
        self.view = BlitFigureView(fig, self.alt_text(), [self.image, self.title], dpi=dpi, image_format="jpeg")

    @property
    def widget(self):
        return self.view.widget

    def show(self, level: str, needle) -> None:
        n = ct.as_path(needle)
        sl = ct_images.axial(n)
        self.image.set_data(ct_images.ct_window(sl.hu))
        self.image.set_extent(sl.frame.extent)
        self.title.set_text(f"{level}: axial CT slice\nthrough the tip ({sl.z:.0f} mm up the scan)")
        self.level, self.tip = level, n.tip
        self.view.render(alt=self.alt_text())

    def alt_text(self) -> str:
        if self.level is None:
            return "An axial CT slice, shown after an attempt."
        return (f"An axial CT slice of {self.level} through the needle's tip, seen from the feet, front at the top, "
                f"bone white: the needle shows as a white bar; its tip is {ct.where(self.level, self.tip)}. "
                + ct.CREDIT + ".")
