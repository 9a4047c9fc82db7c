"""A side view of the treated vertebra, to scale, whose artists move in place.

Used by the fracture explorer, the balloon interactive and the balloon and height explorers of
notebooks 01 and 03.  It draws the module's one anatomy (:mod:`widgets.imaging`): the vertebral
body with the heights given, and behind it the pedicle, the lamina and the spinous process of the
same level, placed as in the fluoroscopic views; the needle follows the same planned path through
the pedicle, and the balloon, cavity and cement sit at its tip.  The figure is built once;
:meth:`SagittalDrawing.update` moves the outline, needle, balloon, cavity and cement artists, then
renders once.  x runs from the front of the body (anterior, 0 mm) to the back (posterior), y is
height above the lower endplate, both in millimetres.
"""

from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Patch, Polygon

from widgets.core.figures import BlitFigureView, new_figure
from widgets.anatomy.geometry import Heights, sagittal_outline
from widgets.anatomy.needle_path import planned_needle
from widgets.anatomy.scene import Drawing, device_phrases
from widgets.anatomy.segment import segment, side_outlines
from widgets.core.style import COLOURS

NEEDLE_TEXT = {"none": "no needle", "skin": "a needle from the back resting on the back of the pedicle",
               "body": "a needle from the back through the pedicle with its tip in the front of the body",
               "removed": "no needle (withdrawn)"}
#: The level the side view draws (the reference vertebra of notebook 01).
LEVEL = "L5"


class SagittalDrawing:
    """One vertebral body seen from the side, with optional needle, balloon, cavity and cement."""

    def __init__(self, heights: Heights, depth_mm: float, *, expected: Heights | None = None,
                 title: str = "Vertebral body, side view", width: float = 7.2, height: float = 3.4,
                 state: Drawing | None = None, level: str = LEVEL, devices: bool = True):
        self.level = level
        anatomy_depth = segment(level).depth
        if abs(float(depth_mm) - anatomy_depth) > 1e-9:
            raise ValueError(f"the side view draws {level} of the anatomy, whose body is {anatomy_depth:g} mm deep; "
                             f"got a depth of {depth_mm:g} mm")
        self.depth = float(depth_mm)
        self.expected = expected
        self.heights = heights
        self.state = state or Drawing(caption="The vertebral body seen from the side.")
        fig = new_figure(width, height)
        ax = fig.add_subplot()
        self.ax = ax
        top = max((expected or heights).as_dict().values())
        ax.set_xlim(-4, self.depth + 34)
        ax.set_ylim(-3, top + 9)
        ax.set_aspect("equal")
        ax.set_title(title)
        ax.set_xlabel("Front (anterior) to back (posterior), mm")
        ax.set_ylabel("Height, mm")
        self.outline = Polygon(sagittal_outline(heights, self.depth), closed=True,
                               facecolor=COLOURS["bone_fill"], edgecolor=COLOURS["bone"], linewidth=2,
                               label="Vertebral body")
        ax.add_patch(self.outline)
        # the parts behind the body, from the same anatomy as the fluoroscopic views
        self.arch = {name: Polygon([[0, 0]], closed=True, facecolor=COLOURS["bone_fill"], edgecolor=COLOURS["bone"],
                                   linewidth=1.2) for name in ("pedicle", "lamina", "spinous process")}
        for patch in self.arch.values():
            ax.add_patch(patch)
        self.arch_labels = {name: ax.text(0, 0, name, fontsize=8, ha="center", va="bottom", color=COLOURS["bone"])
                            for name in ("pedicle", "spinal canal")}
        (self.expected_line,) = ax.plot([], [], linestyle="--", color=COLOURS["bone"], linewidth=1,
                                        label="Height before the fracture")
        if expected is not None:
            xs, ys = zip(*sagittal_outline(expected, self.depth)[1:4])
            self.expected_line.set_data(xs, ys)
        self.cavity = Ellipse((0, 0), 1, 1, fill=False, edgecolor=COLOURS["balloon"], linestyle=":",
                              linewidth=1.5, visible=False, label="Cavity")
        self.cement = Ellipse((0, 0), 1, 1, facecolor=COLOURS["cement"], edgecolor=COLOURS["vertebroplasty"],
                              alpha=0.9, visible=False, label="Cement")
        self.balloon = Ellipse((0, 0), 1, 1, facecolor=COLOURS["balloon"], edgecolor="black", alpha=0.85,
                               visible=False, label="Balloon")
        for patch in (self.cavity, self.cement, self.balloon):
            ax.add_patch(patch)
        self.needle = Line2D([], [], color=COLOURS["needle"], linewidth=3, solid_capstyle="round",
                             label="Needle")
        ax.add_line(self.needle)
        ax.text(0, top + 7, "front", ha="left", va="top", fontsize=9)
        ax.text(self.depth + 33, top + 7, "back", ha="right", va="top", fontsize=9)
        self.xray_label = ax.text((self.depth + 30) / 2, top + 7, "live x-ray (fluoroscopy) on", ha="center",
                                  va="top", fontsize=9, color=COLOURS["needle"], visible=False,
                                  bbox={"boxstyle": "round,pad=0.2", "facecolor": COLOURS["highlight"],
                                        "edgecolor": COLOURS["needle"], "linewidth": 0.8})
        proxies = [Patch(facecolor=COLOURS["bone_fill"], edgecolor=COLOURS["bone"], label="Vertebra")]
        if devices:   # a drawing of the fracture alone (the explorer) lists only what it can show
            proxies += [Line2D([], [], color=COLOURS["needle"], linewidth=3, label="Needle"),
                        Patch(facecolor=COLOURS["balloon"], edgecolor="black", label="Balloon"),
                        Patch(fill=False, edgecolor=COLOURS["balloon"], linestyle=":", label="Cavity"),
                        Patch(facecolor=COLOURS["cement"], edgecolor=COLOURS["vertebroplasty"], label="Cement")]
        if expected is not None:
            proxies.append(Line2D([], [], linestyle="--", color=COLOURS["bone"], label="Height before fracture"))
        fig.legend(handles=proxies, loc="outside right upper", fontsize=8, frameon=False)
        self.update(render=False)
        # The frame (axes, labels, legend, skin line, expected height) is drawn once and kept as
        # pixels; a change redraws only the moving artists over it.
        moving = [self.outline, *self.arch.values(), *self.arch_labels.values(), self.cavity, self.cement,
                  self.balloon, self.needle, self.xray_label]
        self.view = BlitFigureView(fig, self.alt_text(), moving, dpi=80)

    @property
    def widget(self):
        return self.view.widget

    # geometry ------------------------------------------------------------------------------------
    def segment(self):
        h = self.heights
        return segment(self.level, (h.anterior, h.middle, h.posterior))

    # updates -------------------------------------------------------------------------------------
    def update(self, state: Drawing | None = None, heights: Heights | None = None, *, render: bool = True) -> None:
        """Move the artists to ``state`` and ``heights`` (either may be kept), then render once."""
        if state is not None:
            self.state = state
        if heights is not None:
            self.heights = heights
        s = self.state
        seg = self.segment()
        self.outline.set_xy(sagittal_outline(self.heights, self.depth))
        outlines = side_outlines(seg)
        for name, patch in self.arch.items():
            patch.set_xy(outlines[name])
        ped = seg.pedicle
        self.arch_labels["pedicle"].set_position((ped.y_mid, ped.z_centre + ped.height / 2 + 1))
        lamina_low = min(z for _, z in outlines["lamina"])
        self.arch_labels["spinal canal"].set_position(
            ((self.depth + min(y for y, _ in outlines["lamina"])) / 2 + 3, lamina_low - 6))
        plan = planned_needle(seg)
        tx, ty = float(plan.tip[1]), float(plan.tip[2])
        # the needle enters from the back edge of the picture (its skin end lies beyond it)
        back = plan.back_to(self.depth + 40)
        if s.needle == "body":
            self.needle.set_data([float(back[1]), tx], [float(back[2]), ty])
        elif s.needle == "skin":
            start = plan.point(0.0)
            self.needle.set_data([float(back[1]), float(start[1])], [float(back[2]), float(start[2])])
        else:
            self.needle.set_data([], [])
        a, m, _ = (self.heights.anterior, self.heights.middle, self.heights.posterior)
        w, h = self.depth * 0.42, 0.75 * min(a, m)
        for patch, size, show in (
                (self.balloon, s.balloon, s.balloon > 0),
                (self.cavity, 1.0, s.cavity),
                (self.cement, s.cement, s.cement > 0)):
            patch.set_center((tx, ty))
            scale = max(size, 0.05)
            if patch is self.cement and not s.cavity:
                # vertebroplasty: cement spreads wider through the spongy bone
                patch.set_width(w * 1.1 * scale)
                patch.set_height(h * 0.95 * scale)
            else:
                patch.set_width(w * scale)
                patch.set_height(h * scale)
            patch.set_visible(show)
        self.xray_label.set_visible(s.xray)
        self.cement.set_facecolor(COLOURS["cement"])
        self.cement.set_alpha(1.0 if s.cement_set else 0.7)
        if render:
            self.view.render(alt=self.alt_text())

    def alt_text(self) -> str:
        s, h = self.state, self.heights
        parts = [f"Side view of a vertebral body drawn to scale, {self.depth:.1f} mm deep, front height "
                 f"{h.anterior:.1f} mm, middle {h.middle:.1f} mm, back {h.posterior:.1f} mm, with its pedicle, "
                 "the spinal canal and the arch behind it."]
        if self.expected is not None:
            parts.append(f"A dashed line shows the height before the fracture, {self.expected.anterior:.1f} mm "
                         "at the front.")
        if s.xray:
            parts.append("Live x-ray (fluoroscopy) is on. ")
        parts.append(f"It shows {NEEDLE_TEXT[s.needle]}")
        parts += [", " + p for p in device_phrases(s.balloon, s.cavity, s.cement, s.cement_set)]
        parts.append(". " + s.caption)
        return " ".join(parts[:2]) + " " + "".join(parts[2:])
