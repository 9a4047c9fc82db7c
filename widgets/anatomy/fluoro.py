"""The two fluoroscopic views side by side: the front (AP) view and the side (lateral) view.

One figure, two axes.  Each shows the simulated radiograph of the segment
(:func:`widgets.anatomy.xray.radiograph`) seen by its camera as a C-arm screen shows it
(:mod:`widgets.anatomy.carm`: dense things dark, a round field with the image intensifier's edge),
and over it the needle (near black, as metal is), the balloon and the cement (grey: an x-ray has
no colours), the "what can go wrong" leakage routes, the guides (the pedicle's medial wall, the
posterior wall, the target) and labels that sit on the structures they name, with a short leader
line.  Labels and guides can be switched off, and the legend lists only what is on the screen, each
entry drawn as the screen draws it.  Everything drawn is the same 3-D geometry projected by the two
cameras of :mod:`widgets.anatomy.camera`, so the views always agree; the barrel view turns and tilts
the C-arm along the planned path, which it sees end-on.  ``needles`` shows each view's own needle
(what its last shot showed, in a test).

The figure is built once.  :meth:`FluoroViews.update` moves the artists and renders once.  What
changes only with the level, the heights, the C-arm or a switch (radiographs, labels, overlays) is
drawn once per state into a cached frame over a cached base (:class:`LayeredBlitView`, a
:class:`widgets.core.figures.BlitFigureView`); a change of the needle or the devices only restores
that frame and draws them.  The figure says which of its dimensions are illustrative, and the alt
text says where the needle tip is and which wall it is near.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, FancyArrowPatch, Patch, Polygon

from functools import lru_cache

from widgets.core.figures import BlitFigureView, new_figure, swap_legend
from widgets.core.pictures import PictureStore, code_digest, picture_key, mode as pictures_mode
from widgets.core.settings import current_settings
from widgets.core.style import COLOURS, OKABE_ITO, ON_XRAY
from widgets.anatomy import camera as cameras
from widgets.anatomy import carm
from widgets.anatomy import scene as sc
from widgets.anatomy.scene import Scene
from widgets.anatomy.segment import Segment, segment
from widgets.anatomy.xray import Frame, forget_voxels, radiograph

VIEWS = ("AP", "lateral")


def _sources() -> list:
    settings = current_settings()
    anatomy = settings.package_dir / "anatomy"
    core = settings.package_dir / "core"
    return (sorted(anatomy.glob("*.py")) + [core / "figures.py", core / "style.py"]
            + sorted(settings.content_dir.glob("anatomy*.yaml")) + sorted(settings.content_dir.glob("evidence*.yaml")))


FRAMES = {"AP": Frame(-45.0, 45.0, -30.0, 62.0), "lateral": Frame(-12.0, 96.0, -30.0, 62.0)}
LABEL, WALL, TARGET, LEAK = (ON_XRAY[k] for k in ("label", "wall", "target", "danger"))
BEFORE = OKABE_ITO["orange"]
#: Metal, cement and a contrast-filled balloon stop x-rays: on the screen (dense things dark) they are
#: near black, dark grey and grey.  Never coloured.
NEEDLE = ON_XRAY["metal"]
CEMENT = "#3a3a3a"
BALLOON = "#6e6e6e"
N_LABELS = 9


@lru_cache(maxsize=16)
def screen_image(level_id: str, heights: tuple[float, float, float], camera: cameras.Camera, frame: Frame):
    """The simulated radiograph as the C-arm screen shows it: dense things dark, in a round field."""
    img = carm.to_screen(radiograph(level_id, heights, camera, frame, soft_tissue=True))
    out = carm.round_field(img, frame)
    out.setflags(write=False)
    return out


class _ViewArtists:
    """The moving artists of one view (one axes)."""

    def __init__(self, ax, kind: str):
        self.ax, self.kind = ax, kind
        frame = FRAMES[kind]
        self.image = ax.imshow(np.zeros(frame.shape), cmap="gray", vmin=0.0, vmax=1.0, extent=frame.extent,
                               origin="lower", interpolation="bilinear")
        self.title = ax.title
        self.wall, = ax.plot([], [], color=WALL, lw=1.6, ls=(0, (4, 2)))
        self.expected, = ax.plot([], [], color=BEFORE, lw=1.2, ls=(0, (3, 3)))
        self.target = Polygon([[0, 0]], closed=True, fill=False, edgecolor=TARGET, lw=1.6, ls=(0, (4, 2)),
                              visible=False)
        ax.add_patch(self.target)
        self.cavity = Ellipse((0, 0), 1, 1, fill=False, edgecolor=BALLOON, lw=1.4, ls=":", visible=False)
        self.cement = Polygon([[0, 0]], closed=True, facecolor=CEMENT, edgecolor="none", lw=0.0, visible=False)
        self.balloon = Ellipse((0, 0), 1, 1, facecolor=BALLOON, edgecolor="black", lw=1.0, alpha=0.85,
                               visible=False)
        for patch in (self.cavity, self.cement, self.balloon):
            ax.add_patch(patch)
        self.needle, = ax.plot([], [], color=NEEDLE, lw=2.4, solid_capstyle="round")
        self.tip, = ax.plot([], [], ls="none", marker="o", ms=4, mfc=NEEDLE, mec=NEEDLE)
        self.breach, = ax.plot([], [], ls="none", marker="X", ms=11, mfc=LEAK, mec="black", mew=1.0)
        self.leaks = []
        for _ in range(4):
            arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=12, color=LEAK, lw=1.8,
                                    visible=False)
            ax.add_patch(arrow)
            text = ax.text(0, 0, "", color=LEAK, fontsize=8.5, fontweight="bold", visible=False,
                           path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])
            self.leaks.append((arrow, text))
        self.labels = [ax.annotate("", xy=(0, 0), xytext=(0, 0), color=LABEL, fontsize=8.0, ha="center",
                                   va="center", visible=False,
                                   bbox={"boxstyle": "round,pad=0.15", "facecolor": "black", "alpha": 0.55,
                                         "edgecolor": "none"},
                                   arrowprops={"arrowstyle": "-", "color": LABEL, "lw": 1.0, "shrinkA": 1,
                                               "shrinkB": 0})
                       for _ in range(N_LABELS)]

    @property
    def moving(self) -> list:
        """What changes with the needle and the devices (drawn on every render)."""
        return [self.cavity, self.cement, self.balloon, self.needle, self.tip, self.breach]

    @property
    def layer(self) -> list:
        """What changes only with the level, the heights, the C-arm or a toggle (cached per state)."""
        return [self.image, self.title, self.target, self.wall, self.expected,
                *[a for pair in self.leaks for a in pair], *self.labels]


class LayeredBlitView(BlitFigureView):
    """A :class:`BlitFigureView` with two cached layers: the base (axes, ticks, legend), drawn once,
    and over it, per state key, the ``layer`` artists (radiographs, labels, overlays), drawn once
    per key.  A render restores the key's frame and draws only the moving artists."""

    def __init__(self, fig, alt: str, moving: list, layer: list, *, dpi: int = 80, background=None,
                 stored: tuple[str, str] | None = None, before_draw=None):
        """``before_draw``: called before any frame is drawn (what a stored first picture let the figure leave
        undone until then)."""
        self.layer = layer
        self.before_draw = before_draw
        for artist in layer:
            artist.set_animated(True)
        self._base = None
        self._first = background          # the state the figure shows when it is made: drawn once, not twice
        super().__init__(fig, alt, moving, dpi=dpi, image_format="jpeg", stored=stored)

    def prepare_first(self) -> None:
        self.prepare(self._first)

    def render(self, alt: str | None = None, background=None) -> None:
        if background is None and self.render_count == 0:
            background = self._first
        super().render(alt, background)

    def prepare(self, background) -> None:
        if background in self._backgrounds:
            return
        if self.before_draw is not None:
            self.before_draw()
        canvas = self.figure.canvas
        if self._base is None:
            canvas.draw()                       # draws all but the animated (layer and moving) artists
            self._base = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._base)
        for artist in self.layer:
            self.figure.draw_artist(artist)
        self._backgrounds[background] = canvas.copy_from_bbox(self.figure.bbox)


class FluoroViews:
    """AP and lateral fluoroscopic views of one segment, updated in place, with alt text."""

    def __init__(self, level_id: str = "L5", heights: tuple[float, float, float] | None = None,
                 scene: Scene | None = None, *, labels: bool = True, guides: bool | None = None,
                 oblique_deg: float = 0.0, tilt_deg: float = 0.0, title: str | None = None, width: float = 8.8,
                 height: float = 5.6, dpi: int = 80, stored: str | None = None):
        """``stored``: the name under which the first picture is shipped (:mod:`widgets.core.pictures`), for a
        view a notebook shows in the same first state on every run: it is then shown from the store, drawn
        while the kernel is idle (see :class:`~widgets.core.figures.BlitFigureView`)."""
        self.seg = segment(level_id, tuple(heights) if heights else None)
        self.scene = scene or Scene()
        self.labels = labels
        self.guides = labels if guides is None else bool(guides)
        self.oblique = float(oblique_deg)
        self.tilt = float(tilt_deg)
        self.breach_point = None
        self.needles: dict | None = None
        self.title = title
        fig = new_figure(width, height, layout=None)
        self.figure = fig
        axes = {"AP": fig.add_axes((0.065, 0.27, 0.4, 0.62)), "lateral": fig.add_axes((0.545, 0.27, 0.45, 0.62))}
        for kind, ax in axes.items():
            frame = FRAMES[kind]
            ax.set_facecolor("black")
            ax.set_xlim(frame.u_min, frame.u_max)
            ax.set_ylim(frame.v_min, frame.v_max)
            ax.set_aspect("equal")
            ax.set_title(" ", fontsize=10.5)
            ax.tick_params(labelsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.yaxis.set_major_locator(MaxNLocator(5))
        axes["AP"].set_xlabel("patient's right \u2190  mm  \u2192 patient's left", fontsize=8.5)
        axes["lateral"].set_xlabel("front (anterior) \u2190  mm  \u2192 back (posterior)", fontsize=8.5)
        self.axes = axes
        self.art = {kind: _ViewArtists(ax, kind) for kind, ax in axes.items()}
        self.badge = fig.text(0.01, 0.975, "", fontsize=9, va="top", color="black",
                              bbox={"boxstyle": "round,pad=0.25", "facecolor": COLOURS["highlight"],
                                    "edgecolor": "black", "linewidth": 0.8})
        self.heading = fig.text(0.5, 0.975, title or "", fontsize=12, ha="center", va="top", fontweight="bold")
        self.note = fig.text(0.01, 0.01, "", fontsize=7.5, va="bottom", ha="left", wrap=True, color="black")
        self._legends: dict[tuple, object] = {}
        self.legend = None
        self._image_keys: dict[str, tuple] = {}
        # A first picture shipped with the package stands in until the figure is first drawn (while the kernel
        # is idle, or at the first change): the radiographs, the costly part, are computed only then.
        self._images_due = bool(stored) and pictures_mode() != "off"
        self._draw()
        self._set_legend()
        if self._images_due and PictureStore().get(stored, self.picture_key(dpi), suffix=".jpg") is None:
            self._images_now()
        moving = [a for kind in VIEWS for a in self.art[kind].moving]
        layer = [self.badge, self.note, *[a for kind in VIEWS for a in self.art[kind].layer]]
        layer += [self.legend] if self.legend else []
        self.view = LayeredBlitView(fig, self.alt_text(), moving, layer, dpi=dpi, background=self.frame_key(),
                                    stored=(stored, self.picture_key(dpi)) if stored else None,
                                    before_draw=self._images_now)
        forget_voxels()

    def _images_now(self) -> None:
        """Put the radiographs of the state shown into the views, if a stored picture let them wait."""
        if self._images_due:
            self._images_due = False
            for kind in VIEWS:
                self._set_image(kind, self.camera(kind))
            forget_voxels()

    # ------------------------------------------------------------------ public
    @property
    def widget(self):
        return self.view.widget

    def picture_key(self, dpi: int) -> str:
        """The key of the picture the view shows now (:func:`widgets.core.pictures.picture_key`): its alt text,
        everything its frame and moving parts are drawn from, its size, and the code and content that draw it
        (the anatomy package, the figure and style helpers, the anatomy and its evidence)."""
        state = repr((self.frame_key(), self.scene, self.needles, self.breach_point, self.title))
        size = f"{self.figure.get_figwidth()}x{self.figure.get_figheight()}in dpi={dpi} mpl={matplotlib.__version__}"
        return picture_key(self.alt_text() + "\n" + state, size, code_digest(*_sources()))

    @property
    def level(self):
        return self.seg.level

    def camera(self, kind: str) -> cameras.Camera:
        if kind == "lateral":
            return cameras.lateral()
        ped = self.seg.pedicle
        pivot = (float(ped.centre_x(ped.y_mid)), ped.y_mid, ped.z_centre)
        return cameras.ap(self.oblique, pivot, self.seg.side, self.tilt)

    def update(self, scene: Scene | None = None, *, heights=None, level_id: str | None = None,
               oblique_deg: float | None = None, tilt_deg: float | None = None, labels: bool | None = None,
               guides: bool | None = None, breach=None, needles: dict | None = None, render: bool = True) -> None:
        """Change any of the scene, the treated body's heights, the level, the C-arm's turn and tilt,
        the labels and the guides; ``needles`` gives each view its own needle (``None``: the scene's
        in both); then render once."""
        if level_id is not None or heights is not None:
            lv = level_id or self.seg.level.id
            hs = tuple(heights) if heights is not None else (None if level_id else self.seg.heights)
            self.seg = segment(lv, hs)
        if scene is not None:
            self.scene = scene
        if oblique_deg is not None:
            self.oblique = float(oblique_deg)
        if tilt_deg is not None:
            self.tilt = float(tilt_deg)
        if labels is not None:
            self.labels = bool(labels)
        if guides is not None:
            self.guides = bool(guides)
        self.needles = needles
        self.breach_point = breach
        self._draw()
        if render:
            self.render()

    def render(self) -> None:
        self._set_legend()
        self.view.render(alt=self.alt_text(), background=self.frame_key())

    def frame_key(self) -> tuple:
        """What the cached frame (images, labels, overlays, legend) depends on."""
        s = self.scene
        return (self.seg.level.id, self.seg.heights, self.oblique, self.tilt, self.labels, self.guides, s.leaks,
                s.xray, self._leak_anchor(), tuple(self.on_screen()))

    def _leak_anchor(self):
        if not self.scene.leaks:
            return None
        return tuple(round(float(v), 3) for v in sc.tip_centre(self.seg, self.scene))

    def prepare(self, states) -> None:
        """Draw the frames of the given states now, each ``(level_id, heights, oblique_deg, labels,
        scene)`` (or with ``tilt_deg`` after ``oblique_deg``), so that reaching one later only blits.
        The view shows its current state afterwards."""
        keep = (self.seg, self.scene, self.oblique, self.tilt, self.labels, self.breach_point)
        for state in states:
            level_id, heights, oblique, *rest = state
            tilt = rest[0] if len(rest) == 3 else 0.0
            labels, scene = rest[-2], rest[-1]
            self.seg = segment(level_id, tuple(heights) if heights else None)
            self.scene, self.oblique, self.tilt, self.labels = scene, float(oblique), float(tilt), bool(labels)
            self._draw()
            self._set_legend()
            self.view.prepare(self.frame_key())
        self.seg, self.scene, self.oblique, self.tilt, self.labels, self.breach_point = keep
        self._draw()
        self._set_legend()
        forget_voxels()

    # ------------------------------------------------------------------ drawing
    def view_name(self) -> str:
        if not self.oblique and not self.tilt:
            return "Front (AP) view"
        if self.tilt:
            way = "feet" if self.tilt > 0 else "head"
            return f"Barrel view: C-arm turned {self.oblique:g}\u00b0, tilted {abs(self.tilt):g}\u00b0 to the {way}"
        return f"Oblique view: C-arm turned {self.oblique:g}\u00b0"

    def _draw(self) -> None:
        seg, scene = self.seg, self.scene
        lv = seg.level
        self.note.set_text(lv.illustrative_note() + " Parallel projection: every ray parallel, no magnification. "
                           + carm.DISPLAY_NOTE[carm.DENSE])
        live = scene.xray
        self.badge.set_text("live x-ray (fluoroscopy) on" if live else "x-ray off: the last images")
        for kind in VIEWS:
            art, cam = self.art[kind], self.camera(kind)
            if not self._images_due:
                self._set_image(kind, cam)
            art.image.set_alpha(1.0 if live else 0.55)
            name = self.view_name() if kind == "AP" else "Side (lateral) view"
            art.title.set_text(f"{lv.id}: {name}")
            self._needle(art, cam)
            self._devices(art, cam)
            self._leaks(art, cam)
            self._labels(art, cam)

    def _set_image(self, kind: str, cam) -> None:
        seg = self.seg
        key = (seg.level.id, seg.heights, cam.key)
        if self._image_keys.get(kind) != key:
            self.art[kind].image.set_data(screen_image(seg.level.id, seg.heights, cam, FRAMES[kind]))
            self._image_keys[kind] = key

    def needle_in(self, kind: str):
        """The needle a view shows: its own (in a test: its last shot's) or the scene's."""
        if self.needles is not None:
            return self.needles.get(kind)
        return self.scene.needle

    def _needle(self, art: _ViewArtists, cam) -> None:
        n = self.needle_in(art.kind)
        if n is None:
            art.needle.set_data([], [])
            art.tip.set_data([], [])
        else:
            ends = cam.project(np.array([n.back_to(self.seg.skin_y), n.tip]))
            art.needle.set_data(ends[:, 0], ends[:, 1])
            art.tip.set_data([ends[1, 0]], [ends[1, 1]])
        if self.breach_point is not None:
            u, v = cam.project(np.asarray(self.breach_point, dtype=float))
            art.breach.set_data([u], [v])
        else:
            art.breach.set_data([], [])

    def _devices(self, art: _ViewArtists, cam) -> None:
        seg, scene = self.seg, self.scene
        for patch, shape in ((art.balloon, sc.balloon(seg, scene)), (art.cavity, sc.cavity(seg, scene))):
            if shape is None:
                patch.set_visible(False)
                continue
            ring = shape.outline(cam, n=8)
            centre = cam.project(np.array(shape.centre))
            patch.set_center(tuple(centre))
            patch.set_width(2 * (ring[:, 0].max() - centre[0]))
            patch.set_height(2 * shape.radii[2])
            patch.set_visible(True)
        cem = sc.cement(seg, scene)
        if cem is None:
            art.cement.set_visible(False)
        else:
            shape, wobble = cem
            art.cement.set_xy(shape.outline(cam, wobble))
            art.cement.set_alpha(1.0 if scene.cement_set else 0.75)
            art.cement.set_visible(True)

    def _leaks(self, art: _ViewArtists, cam) -> None:
        routes = [r for r in sc.leak_routes(self.seg, self.scene) if art.kind in r.views] if self.scene.leaks else []
        for i, (arrow, text) in enumerate(art.leaks):
            if i >= len(routes):
                arrow.set_visible(False)
                text.set_visible(False)
                continue
            pts = cam.project(np.array(routes[i].points))
            start, end = pts[0], pts[-1]
            if np.hypot(*(end - start)) < 1.5:          # seen end-on in this view: a short stub
                end = start + np.array([0.0, -2.0])
            arrow.set_positions(tuple(start), tuple(end))
            arrow.set_visible(True)
            du, dv = routes[i].label_offset.get(art.kind, (1.0, 0.0))
            text.set_position((end[0] + du, end[1] + dv))
            text.set_text(routes[i].label)
            text.set_ha("left" if du >= 0 else "right")
            text.set_visible(True)

    def _labels(self, art: _ViewArtists, cam) -> None:
        seg = self.seg
        items = _label_items(seg, art.kind, cam, self.oblique or self.tilt, minimal=self.scene.leaks,
                             guides=self.guides) if self.labels else []
        for i, ann in enumerate(art.labels):
            if i < len(items):
                anchor, text_at, words = items[i]
                ann.xy = tuple(float(v) for v in anchor)
                ann.set_position(tuple(float(v) for v in text_at))
                ann.set_text(words)
                ann.set_visible(True)
            else:
                ann.set_visible(False)
        ped = seg.pedicle
        body = seg.treated.body
        on = self.guides
        if on and art.kind == "AP" and not self.oblique and not self.tilt:
            x = ped.medial_wall_x
            art.wall.set_data([x, x], [ped.z_centre - ped.height / 2 - 3, ped.z_centre + ped.height / 2 + 3])
        elif on and art.kind == "lateral":
            d = seg.depth
            art.wall.set_data([d, d], [0, float(body.top(d))])
        else:
            art.wall.set_data([], [])
        expected = seg.level.expected_heights()
        if on and art.kind == "lateral" and any(abs(e - h) > 0.05 for e, h in zip(expected, seg.heights)):
            art.expected.set_data([0, seg.depth / 2, seg.depth], list(expected))
        else:
            art.expected.set_data([], [])
        if on and art.kind == "lateral":
            ys = np.linspace(0, seg.target_y, 12)
            top = body.top(ys)
            art.target.set_xy(np.concatenate([np.stack([ys, top], 1), [[seg.target_y, 0.0], [0.0, 0.0]]]))
            art.target.set_visible(True)
        elif on and art.kind == "AP" and not self.oblique and not self.tilt:
            # the one-pedicle target seen from the front: the middle third of the width, the body's height
            hw = seg.target_half_width()
            a = seg.heights[0]
            art.target.set_xy(np.array([[-hw, 0.0], [hw, 0.0], [hw, a], [-hw, a]]))
            art.target.set_visible(True)
        else:
            art.target.set_visible(False)

    # ------------------------------------------------------------------ the legend
    def on_screen(self) -> list[str]:
        """What the screen shows now (the legend lists exactly these, in this order)."""
        out = []
        if any(self.needle_in(k) is not None for k in VIEWS):
            out.append("needle")
        scene = self.scene
        if scene.balloon > 0:
            out.append("balloon")
        if scene.cavity and scene.cement == 0:
            out.append("cavity")
        if scene.cement > 0:
            out.append("cement")
        if self.guides:
            out.append("walls")
            out.append("target")
            if any(len(self.art[k].expected.get_xdata()) for k in VIEWS):
                out.append("before")
        if scene.leaks:
            out.append("leaks")
        if self.breach_point is not None:
            out.append("breach")
        return out

    def _set_legend(self) -> None:
        view = self.__dict__.get("view")
        self.legend = swap_legend(self.figure, self._legends, self.legend, tuple(self.on_screen()),
                                  lambda key: [_LEGEND[item]() for item in key],
                                  view.layer if view is not None else None,
                                  bbox_to_anchor=(0.5, 0.075), ncol=4, columnspacing=1.2)

    # ------------------------------------------------------------------ text
    def alt_text(self) -> str:
        seg, scene = self.seg, self.scene
        lv = seg.level
        a, m, p = seg.heights
        turned = ""
        if self.tilt:
            turned = (f" with the C-arm turned {self.oblique:g} degrees toward the left pedicle and tilted "
                      f"{abs(self.tilt):g} degrees toward the {'feet' if self.tilt > 0 else 'head'}, along the "
                      "planned path (the barrel view)")
        elif self.oblique:
            turned = f" with the C-arm turned {self.oblique:g} degrees toward the left pedicle"
        parts = [f"Two simulated fluoroscopic views of {lv.label}, with {lv.above} above and {lv.below} below, "
                 "as a C-arm screen shows them, in round fields, dense things dark: on the left the front (AP) view"
                 + turned + ", on the right the side (lateral) view, front to the left. The treated body is "
                 f"{a:.1f} mm high at the front and {p:.1f} mm at the back."]
        parts.append("Live x-ray is on." if scene.xray else "Live x-ray is off; the last images are shown.")
        if self.needles is not None:
            for kind, name in (("AP", "front"), ("lateral", "side")):
                n = self.needles.get(kind)
                parts.append(f"The {name} view's last shot: " + (sc.describe_tip(seg, n) if n is not None
                                                                  else "none yet."))
        elif scene.needle is not None:
            parts.append(sc.describe_tip(seg, scene.needle))
        elif scene.track:
            parts.append("The needle has been withdrawn.")
        else:
            parts.append("There is no needle.")
        devices = sc.device_phrases(scene.balloon, scene.cavity, scene.cement, scene.cement_set)
        if devices:
            parts.append("In the front of the body: " + "; ".join(devices) + ".")
        if self.breach_point is not None:
            parts.append("A red cross marks where the needle left the pedicle.")
        if scene.leaks:
            parts.append("The 'what can go wrong' overlay shows red arrows for the routes cement can leak by: "
                         "into the disc, back into the spinal canal, and into the veins (basivertebral, segmental).")
        parts.append("Labels are on." if self.labels else "Labels are off.")
        if self.guides:
            parts.append("Dashed lines mark the pedicle's medial wall, the posterior wall and the target.")
        parts.append(lv.illustrative_note())
        if scene.caption:
            parts.append(scene.caption)
        return " ".join(parts)


#: Each legend entry, drawn as the screen draws it.
_LEGEND = {
    "needle": lambda: Line2D([], [], color=NEEDLE, lw=2.4, label="needle (metal: near black)"),
    "balloon": lambda: Patch(facecolor=BALLOON, edgecolor="black", alpha=0.85, label="balloon (filled with contrast)"),
    "cavity": lambda: Patch(facecolor="none", edgecolor=BALLOON, ls=":", lw=1.4, label="cavity the balloon left"),
    "cement": lambda: Patch(facecolor=CEMENT, edgecolor="none", label="cement (dense: dark grey)"),
    "walls": lambda: Line2D([], [], color=WALL, lw=1.6, ls=(0, (4, 2)),
                            label="medial wall (front view), posterior wall (side view)"),
    "target": lambda: Line2D([], [], color=TARGET, lw=1.6, ls=(0, (4, 2)), label="target"),
    "before": lambda: Line2D([], [], color=BEFORE, lw=1.2, ls=(0, (3, 3)), label="height before the fracture"),
    "leaks": lambda: Line2D([], [], color=LEAK, lw=1.8, marker=">", label="cement leak route"),
    "breach": lambda: Line2D([], [], ls="none", marker="X", ms=9, mfc=LEAK, mec="black",
                             label="where the needle left the pedicle"),
}


def _label_items(seg: Segment, kind: str, cam, turned: float, minimal: bool = False, guides: bool = True) -> list:
    """(anchor, text position, words) of each label of one view: the anchor lies on the structure the
    label names (a short leader line joins them), the words where no needle passes.  ``minimal``:
    only the neighbours' names and the disc (the leakage overlay carries its own labels)."""
    lv = seg.level
    body = seg.treated.body
    ped = seg.pedicle
    a, m, p = seg.heights
    d = seg.depth
    half = body.width / 2
    above_bottom = float(seg.above.body.bottom(0.0))
    below_top = float(seg.below.body.top(d / 2))
    proj = cam.project
    spin = seg.treated.posterior[2]
    y_end = spin.polygon[2][1]
    spin_tip = np.array([0.0, y_end, spin.z0_low + spin.slope * (y_end - spin.y_ref) + (spin.z0_high - spin.z0_low) / 2])
    disc_z = (max(a, p) + above_bottom) / 2
    if kind == "AP":
        names = [(proj(np.array([-10.0, d / 2, above_bottom + 6])),) * 2 + (lv.above,),
                 (proj(np.array([-10.0, d / 2, below_top - 6])),) * 2 + (lv.below,),
                 (proj(np.array([-half - 9, d / 2, disc_z])),) * 2 + ("disc",)]
        if minimal:
            return names
        other = seg.treated.pedicle(-seg.side)
        other_top = proj(np.array([float(other.centre_x(other.y_back)), other.y_back,
                                   other.z_centre + other.height / 2]))
        spin_uv = proj(spin_tip)
        items = names + [
            (proj(np.array([-half * 0.55, d / 2, min(a, p) * 0.15])),) * 2 + (f"{lv.id} body",),
            (other_top, other_top + np.array([4.0, 6.0]), "pedicle"),
            (spin_uv, np.array([spin_uv[0], -3.5]), "spinous process"),
        ]
        if turned:
            ring = proj(np.array([float(ped.centre_x(ped.y_mid)), ped.y_mid, ped.z_centre]))
            items.append((ring + np.array([ped.width / 2, -ped.height / 2]), ring + np.array([12.0, -16.0]),
                          "pedicle end-on"))
        elif guides:
            low = np.array([ped.medial_wall_x, ped.z_centre - ped.height / 2 - 3])
            items.append((low, low + np.array([11.0, -6.0]), "medial wall"))
        return items
    names = [(np.array([d * 0.55, above_bottom + 7]),) * 2 + (lv.above,),
             (np.array([d * 0.55, below_top - 7]),) * 2 + (lv.below,),
             (np.array([4.0, above_bottom - 3]),) * 2 + ("disc",)]
    if minimal:
        return names
    canal = np.array([d + seg.level["canal_depth_mm"] / 2, p * 0.25])
    wall = np.array([d, min(a, p) * 0.15])
    ped_top = np.array([ped.y_mid, ped.z_centre + ped.height / 2])
    spin_uv = proj(spin_tip)
    front = np.array([d / 6, min(a, m) * 0.85])
    return names + [
        (np.array([d * 0.45, min(a, p) * 0.15]),) * 2 + (f"{lv.id} body",),
        (wall, np.array([d - 4.0, -4.0]), "posterior wall"),
        (ped_top, ped_top + np.array([0.0, 7.0]), "pedicle"),
        (canal, canal + np.array([8.0, -16.0]), "spinal canal"),
        (spin_uv, spin_uv + np.array([-4.0, -10.0]), "spinous process"),
        (front, np.array([d / 6, min(a, m) + 5.0]), "front third"),
    ]
