"""A sagittal drawing of one vertebral body, to scale, whose artists move in place.

Used by the fracture explorer, the procedure stepper and the balloon
interactive.  The figure is built once; :meth:`SagittalDrawing.update` moves
the outline, needle, balloon, cavity and cement artists, then renders once.
x runs from the front of the body (anterior, 0 mm) to the back (posterior),
y is height above the lower endplate, both in millimetres.
"""

from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Patch, Polygon

from widgets.core.figures import BlitFigureView, new_figure
from widgets.fractures.geometry import Heights, sagittal_outline
from widgets.procedures.steps import Drawing
from widgets.core.style import COLOURS

NEEDLE_TEXT = {"none": "no needle", "skin": "a needle through the skin",
               "body": "a needle from the back with its tip in the front of the body",
               "removed": "no needle (withdrawn)"}


class SagittalDrawing:
    """One vertebral body seen from the side, with optional needle, balloon, cavity and cement."""

    def __init__(self, heights: Heights, depth_mm: float, *, expected: Heights | None = None,
                 title: str = "Vertebral body, side view", width: float = 7.2, height: float = 3.4,
                 state: Drawing | None = None):
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
        ax.axvline(self.depth + 30, color=COLOURS["bone"], linewidth=1, linestyle="-.")
        ax.text(self.depth + 29, top + 7, "skin", ha="right", va="top", fontsize=9)
        ax.text(0, top + 7, "front", ha="left", va="top", fontsize=9)
        self.xray_label = ax.text((self.depth + 30) / 2, top + 7, "live x-ray (fluoroscopy) on", ha="center",
                                  va="top", fontsize=9, color=COLOURS["needle"], visible=False,
                                  bbox={"boxstyle": "round,pad=0.2", "facecolor": COLOURS["highlight"],
                                        "edgecolor": COLOURS["needle"], "linewidth": 0.8})
        proxies = [Patch(facecolor=COLOURS["bone_fill"], edgecolor=COLOURS["bone"], label="Vertebral body"),
                   Line2D([], [], color=COLOURS["needle"], linewidth=3, label="Needle"),
                   Patch(facecolor=COLOURS["balloon"], edgecolor="black", label="Balloon"),
                   Patch(fill=False, edgecolor=COLOURS["balloon"], linestyle=":", label="Cavity"),
                   Patch(facecolor=COLOURS["cement"], edgecolor=COLOURS["vertebroplasty"], label="Cement")]
        if expected is not None:
            proxies.append(Line2D([], [], linestyle="--", color=COLOURS["bone"], label="Height before fracture"))
        fig.legend(handles=proxies, loc="outside right upper", fontsize=8, frameon=False)
        self.update(render=False)
        # The frame (axes, labels, legend, skin line, expected height) is drawn once and kept as
        # pixels; a change redraws only the moving artists over it.
        moving = [self.outline, self.cavity, self.cement, self.balloon, self.needle, self.xray_label]
        self.view = BlitFigureView(fig, self.alt_text(), moving, dpi=80)

    @property
    def widget(self):
        return self.view.widget

    # geometry ------------------------------------------------------------------------------------
    def _target(self) -> tuple[float, float]:
        """Where the needle tip and balloon sit: front third of the body, below the lowest height."""
        h = self.heights
        return self.depth * 0.32, 0.45 * min(h.anterior, h.middle)

    def _space(self) -> tuple[float, float]:
        """Width and height available around the target inside the body."""
        h = self.heights
        return self.depth * 0.42, 0.75 * min(h.anterior, h.middle)

    # updates -------------------------------------------------------------------------------------
    def update(self, state: Drawing | None = None, heights: Heights | None = None, *, render: bool = True) -> None:
        """Move the artists to ``state`` and ``heights`` (either may be kept), then render once."""
        if state is not None:
            self.state = state
        if heights is not None:
            self.heights = heights
        s = self.state
        self.outline.set_xy(sagittal_outline(self.heights, self.depth))
        tx, ty = self._target()
        w, h = self._space()
        skin = (self.depth + 30, ty + 9)
        if s.needle == "body":
            self.needle.set_data([skin[0], tx], [skin[1], ty])
        elif s.needle == "skin":
            self.needle.set_data([skin[0], skin[0] - 10], [skin[1], skin[1] - 10 * 9 / (skin[0] - tx)])
        else:
            self.needle.set_data([], [])
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
                 f"{h.anterior:.1f} mm, middle {h.middle:.1f} mm, back {h.posterior:.1f} mm."]
        if self.expected is not None:
            parts.append(f"A dashed line shows the height before the fracture, {self.expected.anterior:.1f} mm "
                         "at the front.")
        if s.xray:
            parts.append("Live x-ray (fluoroscopy) is on. ")
        parts.append(f"It shows {NEEDLE_TEXT[s.needle]}")
        if s.balloon > 0:
            parts.append(f", a balloon inflated to {s.balloon * 100:.0f} %")
        if s.cavity and s.cement == 0:
            parts.append(", an empty cavity")
        if s.cement > 0:
            where = "filling the cavity" if s.cavity else "spread through the bone"
            parts.append(f", {'hardened' if s.cement_set else 'liquid'} cement {where}")
        parts.append(". " + s.caption)
        return " ".join(parts[:2]) + " " + "".join(parts[2:])
