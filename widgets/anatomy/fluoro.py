"""The two fluoroscopic views side by side: the front (AP) view and the side (lateral) view.

One figure, two axes.  Each shows the simulated radiograph of the segment
(:func:`widgets.anatomy.xray.radiograph`, bone light on dark) seen by its camera, and over it the
needle, the balloon, the cavity and the cement, the "what can go wrong" leakage routes, and labels
that can be switched off.  Everything drawn is the same 3-D geometry projected by the two cameras
of :mod:`widgets.anatomy.camera`, so the views always agree.

The figure is built once.  :meth:`FluoroViews.update` moves the artists and renders once.  What
changes only with the level, the heights, the C-arm or a switch (radiographs, labels, overlays) is
drawn once per state into a cached frame over a cached base (:class:`LayeredBlitView`, a
:class:`widgets.core.figures.BlitFigureView`); a change of the needle or the devices only restores
that frame and draws them.  The figure says which of its dimensions are illustrative, and the alt
text says where the needle tip is and which wall it is near.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, FancyArrowPatch, Patch, Polygon

from widgets.core.figures import BlitFigureView, new_figure
from widgets.core.style import COLOURS, OKABE_ITO
from widgets.anatomy import camera as cameras
from widgets.anatomy import scene as sc
from widgets.anatomy.scene import Scene
from widgets.anatomy.segment import Segment, segment
from widgets.anatomy.xray import Frame, forget_voxels, radiograph

VIEWS = ("AP", "lateral")
FRAMES = {"AP": Frame(-45.0, 45.0, -30.0, 62.0), "lateral": Frame(-12.0, 96.0, -30.0, 62.0)}
LABEL = OKABE_ITO["yellow"]
WALL = OKABE_ITO["sky_blue"]
TARGET = OKABE_ITO["bluish_green"]
LEAK = OKABE_ITO["vermillion"]
NEEDLE = "#FFFFFF"
_OUTLINE = [patheffects.withStroke(linewidth=2.2, foreground="black")]
_NEEDLE_OUTLINE = [patheffects.Stroke(linewidth=4.2, foreground="black"), patheffects.Normal()]


class _ViewArtists:
    """The moving artists of one view (one axes)."""

    def __init__(self, ax, kind: str):
        self.ax, self.kind = ax, kind
        frame = FRAMES[kind]
        self.image = ax.imshow(np.zeros(frame.shape), cmap="gray", vmin=0.0, vmax=1.0, extent=frame.extent,
                               origin="lower", interpolation="bilinear")
        self.title = ax.title
        self.wall, = ax.plot([], [], color=WALL, lw=1.6, ls=(0, (4, 2)))
        self.expected, = ax.plot([], [], color=NEEDLE, lw=1.0, ls=(0, (3, 3)))
        self.target = Polygon([[0, 0]], closed=True, fill=False, edgecolor=TARGET, lw=1.6, ls=(0, (4, 2)),
                              visible=False)
        ax.add_patch(self.target)
        self.cavity = Ellipse((0, 0), 1, 1, fill=False, edgecolor=COLOURS["balloon"], lw=1.6, ls=":", visible=False)
        self.cement = Polygon([[0, 0]], closed=True, facecolor=COLOURS["cement"], edgecolor=COLOURS["vertebroplasty"],
                              lw=1.2, visible=False)
        self.balloon = Ellipse((0, 0), 1, 1, facecolor=COLOURS["balloon"], edgecolor="black", alpha=0.85,
                               visible=False)
        for patch in (self.cavity, self.cement, self.balloon):
            ax.add_patch(patch)
        self.needle, = ax.plot([], [], color=NEEDLE, lw=2.2, solid_capstyle="round", path_effects=_NEEDLE_OUTLINE)
        self.tip, = ax.plot([], [], ls="none", marker="o", ms=5, mfc=NEEDLE, mec="black", mew=1.2)
        self.breach, = ax.plot([], [], ls="none", marker="X", ms=11, mfc=LEAK, mec="black", mew=1.0)
        self.leaks = []
        for _ in range(4):
            arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=12, color=LEAK, lw=1.8,
                                    visible=False)
            ax.add_patch(arrow)
            text = ax.text(0, 0, "", color=LEAK, fontsize=8.5, fontweight="bold", visible=False,
                           path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])
            self.leaks.append((arrow, text))
        self.labels = [ax.text(0, 0, "", color=LABEL, fontsize=8.5, ha="left", va="center", visible=False,
                               path_effects=_OUTLINE) for _ in range(9)]

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

    def __init__(self, fig, alt: str, moving: list, layer: list, *, dpi: int = 80):
        self.layer = layer
        for artist in layer:
            artist.set_animated(True)
        self._base = None
        super().__init__(fig, alt, moving, dpi=dpi, image_format="jpeg")

    def prepare(self, background) -> None:
        if background in self._backgrounds:
            return
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
                 scene: Scene | None = None, *, labels: bool = True, oblique_deg: float = 0.0,
                 title: str | None = None, width: float = 8.8, height: float = 5.3, dpi: int = 80):
        self.seg = segment(level_id, tuple(heights) if heights else None)
        self.scene = scene or Scene()
        self.labels = labels
        self.oblique = float(oblique_deg)
        self.breach_point = None
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
        axes["AP"].set_xlabel("patient's right \u2190  mm  \u2192 patient's left", fontsize=8.5)
        axes["lateral"].set_xlabel("front (anterior) \u2190  mm  \u2192 back (posterior)", fontsize=8.5)
        self.axes = axes
        self.art = {kind: _ViewArtists(ax, kind) for kind, ax in axes.items()}
        self.badge = fig.text(0.01, 0.975, "", fontsize=9, va="top", color="black",
                              bbox={"boxstyle": "round,pad=0.25", "facecolor": COLOURS["highlight"],
                                    "edgecolor": "black", "linewidth": 0.8})
        self.heading = fig.text(0.5, 0.975, title or "", fontsize=12, ha="center", va="top", fontweight="bold")
        fig.legend(handles=[
            Line2D([], [], color="black", lw=2.2, label="needle"),
            Patch(facecolor=COLOURS["balloon"], edgecolor="black", label="balloon"),
            Patch(facecolor=COLOURS["cement"], edgecolor=COLOURS["vertebroplasty"], label="cement"),
            Line2D([], [], color=WALL, lw=1.6, ls=(0, (4, 2)), label="medial wall (AP), posterior wall (side)"),
            Line2D([], [], color=TARGET, lw=1.6, ls=(0, (4, 2)), label="target: front third"),
            Line2D([], [], color="black", lw=1.0, ls=(0, (3, 3)), label="height before the fracture"),
            Line2D([], [], color=LEAK, lw=1.8, marker=">", label="cement leak route"),
        ], loc="lower center", bbox_to_anchor=(0.5, 0.075), ncol=4, fontsize=7.5, frameon=False, handlelength=1.6,
           columnspacing=1.2)
        self.note = fig.text(0.01, 0.01, "", fontsize=7.5, va="bottom", ha="left", wrap=True, color="black")
        self._image_keys: dict[str, tuple] = {}
        self._frame_key = None
        self._draw()
        moving = [a for kind in VIEWS for a in self.art[kind].moving]
        layer = [self.badge, self.note, *[a for kind in VIEWS for a in self.art[kind].layer]]
        self.view = LayeredBlitView(fig, self.alt_text(), moving, layer, dpi=dpi)
        forget_voxels()

    # ------------------------------------------------------------------ public
    @property
    def widget(self):
        return self.view.widget

    @property
    def level(self):
        return self.seg.level

    def camera(self, kind: str) -> cameras.Camera:
        if kind == "lateral":
            return cameras.lateral()
        ped = self.seg.pedicle
        return cameras.ap(self.oblique, (float(ped.centre_x(ped.y_mid)), ped.y_mid), self.seg.side)

    def update(self, scene: Scene | None = None, *, heights=None, level_id: str | None = None,
               oblique_deg: float | None = None, labels: bool | None = None, breach=None, render: bool = True) -> None:
        """Change any of the scene, the treated body's heights, the level, the C-arm's turn and the
        labels; then render once."""
        if level_id is not None or heights is not None:
            lv = level_id or self.seg.level.id
            hs = tuple(heights) if heights is not None else (None if level_id else self.seg.heights)
            self.seg = segment(lv, hs)
        if scene is not None:
            self.scene = scene
        if oblique_deg is not None:
            self.oblique = float(oblique_deg)
        if labels is not None:
            self.labels = bool(labels)
        self.breach_point = breach
        self._draw()
        if render:
            self.view.render(alt=self.alt_text(), background=self.frame_key())

    def frame_key(self) -> tuple:
        """What the cached frame (images, labels, overlays) depends on."""
        s = self.scene
        return (self.seg.level.id, self.seg.heights, self.oblique, self.labels, s.leaks, s.xray,
                self._leak_anchor())

    def _leak_anchor(self):
        if not self.scene.leaks:
            return None
        return tuple(round(float(v), 3) for v in sc.tip_centre(self.seg, self.scene))

    def prepare(self, states) -> None:
        """Draw the frames of the given states now, each ``(level_id, heights, oblique_deg, labels,
        scene)``, so that reaching one later only blits.  The view shows its current state afterwards."""
        keep = (self.seg, self.scene, self.oblique, self.labels, self.breach_point)
        for level_id, heights, oblique, labels, scene in states:
            self.seg = segment(level_id, tuple(heights) if heights else None)
            self.scene, self.oblique, self.labels = scene, float(oblique), bool(labels)
            self._draw()
            self.view.prepare(self.frame_key())
        self.seg, self.scene, self.oblique, self.labels, self.breach_point = keep
        self._draw()
        forget_voxels()

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> None:
        seg, scene = self.seg, self.scene
        lv = seg.level
        self.note.set_text(lv.illustrative_note() + " Parallel projection (no magnification).")
        live = scene.xray
        self.badge.set_text("live x-ray (fluoroscopy) on" if live else "x-ray off: the last images")
        for kind in VIEWS:
            art, cam = self.art[kind], self.camera(kind)
            key = (lv.id, seg.heights, cam.key)
            if self._image_keys.get(kind) != key:
                art.image.set_data(radiograph(lv.id, seg.heights, cam, FRAMES[kind]))
                self._image_keys[kind] = key
            art.image.set_alpha(1.0 if live else 0.55)
            name = ("Front (AP) view" if not self.oblique else
                    f"Oblique view: C-arm turned {self.oblique:g}\u00b0") if kind == "AP" else "Side (lateral) view"
            art.title.set_text(f"{lv.id}: {name}")
            self._needle(art, cam)
            self._devices(art, cam)
            self._leaks(art, cam)
            self._labels(art, cam)

    def _needle(self, art: _ViewArtists, cam) -> None:
        n = self.scene.needle
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
        on = self.labels
        items = _label_items(seg, art.kind, cam, self.oblique, minimal=self.scene.leaks) if on else []
        for i, text in enumerate(art.labels):
            if i < len(items):
                (u, v), words, ha = items[i]
                text.set_position((u, v))
                text.set_text(words)
                text.set_ha(ha)
                text.set_visible(True)
            else:
                text.set_visible(False)
        ped = seg.pedicle
        body = seg.treated.body
        if on and art.kind == "AP" and not self.oblique:
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
        else:
            art.target.set_visible(False)

    # ------------------------------------------------------------------ text
    def alt_text(self) -> str:
        seg, scene = self.seg, self.scene
        lv = seg.level
        a, m, p = seg.heights
        parts = [f"Two simulated fluoroscopic views of {lv.label}, with {lv.above} above and {lv.below} below, "
                 "bone light on dark: on the left the front (AP) view"
                 + (f" with the C-arm turned {self.oblique:g} degrees toward the left pedicle" if self.oblique else "")
                 + ", on the right the side (lateral) view. The treated body is "
                 f"{a:.1f} mm high at the front and {p:.1f} mm at the back."]
        parts.append("Live x-ray is on." if scene.xray else "Live x-ray is off; the last images are shown.")
        if scene.needle is not None:
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
        parts.append(lv.illustrative_note())
        if scene.caption:
            parts.append(scene.caption)
        return " ".join(parts)


def _label_items(seg: Segment, kind: str, cam, oblique: float, minimal: bool = False) -> list:
    """(position, words, alignment) of each label of one view, placed where little else is.
    ``minimal``: only the neighbours' names and the disc (the leakage overlay carries its own labels)."""
    lv = seg.level
    body = seg.treated.body
    ped = seg.pedicle
    a, m, p = seg.heights
    d = seg.depth
    half = body.width / 2
    above_bottom = float(seg.above.body.bottom(0.0))
    below_top = float(seg.below.body.top(d / 2))
    proj = cam.project
    if kind == "AP":
        names = [((-half + 2, above_bottom + 4), lv.above, "left"), ((-half + 2, below_top - 4), lv.below, "left"),
                 ((-44, (a + above_bottom) / 2), "disc", "left"), ((44, 58), "patient's left \u2192", "right")]
        if minimal:
            return names
        pu, pv = proj(np.array([float(ped.centre_x(ped.y_back)), ped.y_back, ped.z_centre]))
        spin = seg.treated.posterior[2]
        y_end = spin.polygon[2][1]
        su, sv = proj(np.array([0.0, y_end, spin.z0_low + spin.slope * (y_end - spin.y_ref)]))
        other = seg.treated.pedicle(-seg.side)
        items = names + [
            ((-half + 2, a * 0.3), f"{lv.id} body", "left"),
            ((pu + 1, pv + ped.height / 2 + 2.5), "pedicle" if not oblique else "pedicle end-on (barrel view)",
             "left"),
            ((su, sv - 3.0), "spinous process", "center"),
            ((-(abs(float(other.centre_x(other.y_back))) + 21), other.z_centre - 8.5), "transverse\nprocess", "center"),
        ]
        if not oblique:
            items.append(((ped.medial_wall_x - 1, ped.z_centre + ped.height / 2 + 4), "medial wall", "right"))
        return items
    spin = seg.treated.posterior[2]
    names = [((2.0, above_bottom + 4), lv.above, "left"), ((2.0, below_top - 4), lv.below, "left"),
             ((-11, (a + above_bottom) / 2), "disc", "left"), ((d + 1.0, -4.0), "spinal canal", "left")]
    if minimal:
        return names
    return names + [
        ((d * 0.68, 2.5), f"{lv.id} vertebral body", "center"),
        ((d - 0.5, -7.5), "posterior wall", "right"),
        ((ped.y_mid - 2, ped.z_centre + ped.height / 2 + 2.5), "pedicle", "left"),
        ((spin.polygon[2][1] - 2, spin.z0_low - 9), "spinous process", "center"),
        ((1.0, -3.0), "front third", "left"),
    ]
