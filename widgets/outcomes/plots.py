"""Notebook 05's pictures, drawn with matplotlib: each outcome's figure (a forest-style or time-course panel per
unit, every value with its spread) and the height explorer's side view of the vertebral body.

A picture draws what :mod:`widgets.outcomes.model` and :mod:`widgets.outcomes.height` computed and invents no
number; the words beside it (its alt text, a row's value in words) are :mod:`widgets.outcomes.sentences`, and the
views that show it are :mod:`widgets.outcomes.views`.  An outcome's figure is drawn whole (:func:`draw_outcome`);
:func:`drawing_code` is the digest of the code it depends on, part of the key of its copy shipped with the
package (:mod:`widgets.core.pictures`).  The explorer's artists are made once and moved for each state
(:class:`ExplorerArtists`), so that a change renders without a redraw of its frame.
"""

from __future__ import annotations

import hashlib
import inspect
import textwrap
from functools import lru_cache

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from widgets.core import figures as core_figures, style as core_style
from widgets.core.citations import Citations
from widgets.core.figures import new_figure
from widgets.core.pictures import code_digest
from widgets.core.style import COLOURS
from widgets.anatomy.geometry import REGIONS, Heights, sagittal_outline
from widgets.anatomy.levels import load_anatomy
from widgets.anatomy.segment import segment, side_outlines
from widgets.outcomes import model as outcomes_model
from widgets.outcomes.model import Outcome
from widgets.outcomes.sentences import _row_text, outcome_alt

__all__ = ["ARM_COLOURS", "ExplorerArtists", "anatomy_pedicle", "draw_outcome", "drawing_code", "explorer_x"]

ARM_COLOURS = {
    "kyphoplasty": COLOURS["kyphoplasty"], "vertebroplasty": COLOURS["vertebroplasty"],
    "non_surgical": COLOURS["non_surgical"], "sham": COLOURS["sham"], "pooled": COLOURS["bone"],
    "difference": COLOURS["needle"],
}


# ----------------------------------------------------------------------------------- outcome pictures
#: Height of one line of the 8.5-point row text, in inches (1.25 line spacing), and a row's margin.
_LINE_IN = 8.5 * 1.25 / 72
_ROW_PAD_IN = 0.12
#: A forest panel's title, axis and tick labels, in inches.
_PANEL_IN = 0.85


def _forest_rows(panel, citations: Citations) -> list[dict]:
    """Each row's texts, wrapped, and the height (inches) its longest text needs: rows are as tall as
    their text, so a panel is compact where it can be and nothing overlaps where it cannot."""
    rows = []
    for r in panel.rows:
        label = textwrap.fill(f"{r.label} {citations.plain.cite(r.evidence_id)}", 40) + f"\n{r.design}"
        if r.statement is not None:
            side = textwrap.fill(r.statement, 64) + (f"\n({r.item.direction})" if r.item.direction else "")
        else:
            side = _row_text(r, short=True)
        lines = max(label.count("\n"), side.count("\n")) + 1
        rows.append({"row": r, "label": label, "side": side, "height": _LINE_IN * lines + _ROW_PAD_IN})
    return rows


def _honest_x_range(ax, rows) -> None:
    """Values that barely differ (KAVIAR's 1 of 191 against 1 of 190) must not look far apart: when a panel's
    points and bars span less than a fifth of their size, its axis runs from zero."""
    xs = [float(v.value) for lay in rows for v in (lay["row"].value, lay["row"].low, lay["row"].high) if v is not None]
    if not xs:
        return
    lo, hi = min(xs), max(xs)
    size = max(abs(lo), abs(hi))
    if size and hi - lo < 0.2 * size:
        ax.set_xlim(min(0.0, lo) - 0.05 * size, max(0.0, hi) + 0.05 * size)


def draw_outcome(outcome: Outcome, citations: Citations):
    """A static figure: one forest-style (or time-course) panel per unit, spreads as error bars."""
    layouts = {p.spec.id: _forest_rows(p, citations) for p in outcome.panels if p.spec.kind == "forest"}
    heights = [max(1.3, sum(r["height"] for r in layouts[p.spec.id]) + _PANEL_IN) if p.spec.kind == "forest"
               else 2.6 for p in outcome.panels]
    fig = new_figure(9.0, sum(heights) + 0.3)
    axes = fig.subplots(len(outcome.panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, panel in zip(axes, outcome.panels):
        ax.set_title(textwrap.fill(panel.spec.title, 62), loc="left")
        ax.set_xlabel(panel.spec.axis)
        if panel.spec.kind == "timecourse":
            x = list(range(len(panel.spec.categories)))
            for k, s in enumerate(panel.series):
                shift = (k - 0.5) * 0.08
                colour = ARM_COLOURS[s["item"].arm]
                ax.errorbar([v + shift for v in x], [m.value for m in s["means"]],
                            yerr=[sd.value for sd in s["sds"]], color=colour, marker="o", capsize=3,
                            label=f"{s['item'].label} {citations.plain.cite(s['item'].evidence)} "
                                  "(mean ± SD, spread between patients)")
            ax.set_xticks(x, [lab for lab in panel.spec.category_labels])
            ax.set_xlabel("Time after the procedure (categories, not to scale)")
            ax.set_ylabel(panel.spec.axis)
            ax.set_ylim(bottom=0)
            ax.legend(loc="upper right", frameon=False)
            continue
        rows = layouts[panel.spec.id]
        total = sum(r["height"] for r in rows)
        ys, top = [], total
        for r in rows:                 # y is in inches from the bottom of the rows, first row on top
            ys.append(top - r["height"] / 2)
            top -= r["height"]
        for y, layout in zip(ys, rows):
            r = layout["row"]
            colour = ARM_COLOURS[r.item.arm]
            if r.statement is not None:
                ax.text(0.02, y, layout["side"], transform=ax.get_yaxis_transform(), va="center", fontsize=8.5,
                        style="italic", color=colour)
                continue
            if r.value is None:
                ax.plot([r.low.value, r.high.value], [y, y], color=colour, lw=6, alpha=0.6, solid_capstyle="butt")
            else:
                xerr = None
                if r.low is not None:
                    xerr = [[r.value.value - r.low.value], [r.high.value - r.value.value]]
                ax.errorbar([r.value.value], [y], xerr=xerr, fmt="o", color=colour, capsize=4, ms=7)
            ax.text(1.01, y, layout["side"], transform=ax.get_yaxis_transform(), va="center", fontsize=8.5)
        ax.set_yticks(ys, [r["label"] for r in rows], fontsize=8.5)
        ax.set_ylim(0, total)
        _honest_x_range(ax, rows)
        if panel.spec.reference is not None:
            ax.axvline(panel.spec.reference, color=COLOURS["bone"], lw=1, ls=":")
    if _share_scales(axes, outcome.panels):
        fig.supxlabel("Panels measured in the same unit share one scale, so their values compare by eye.",
                      fontsize=8, x=0.01, ha="left", color=COLOURS["bone"])
    return fig


def _share_scales(axes, panels) -> bool:
    """Give forest panels measured in the same unit (the same axis label) one x range, the union of theirs:
    side by side, 11-22 % beside 0-60 % would read as the same spread.  Whether any scale is shared."""
    groups: dict[str, list] = {}
    for ax, panel in zip(axes, panels):
        if panel.spec.kind == "forest":
            groups.setdefault(panel.spec.axis, []).append(ax)
    shared = False
    for group in groups.values():
        if len(group) < 2:
            continue
        lo = min(ax.get_xlim()[0] for ax in group)
        hi = max(ax.get_xlim()[1] for ax in group)
        for ax in group:
            ax.set_xlim(lo, hi)
        shared = True
    return shared


@lru_cache(maxsize=1)
def drawing_code() -> str:
    """The digest of the code an outcome picture depends on (the functions that draw it and write its alt text,
    the outcomes' model, the figure helpers and the palette): part of the key of the picture's stored copy
    (:mod:`widgets.core.pictures`), so that a stored picture drawn by other code is never shown."""
    drawing = [draw_outcome, _forest_rows, _row_text, _honest_x_range, _share_scales, outcome_alt,
               core_figures.new_figure, core_figures.apply_style, core_figures.png_bytes]
    source = "\n".join(inspect.getsource(f) for f in drawing) + repr(ARM_COLOURS)
    return hashlib.sha256(source.encode()).hexdigest() + code_digest(outcomes_model.__file__, core_style.__file__)



# ----------------------------------------------------------------------------------- the explorer's side view
def explorer_x(state) -> list[float]:
    """x of the anterior, middle and posterior walls: mm when the depth is verified, else 0-1."""
    depth = float(state.depth) if state.depth is not None else 1.0
    return [0.0, depth / 2, depth]


class ExplorerArtists:
    """The explorer's picture: the artists are made once; :meth:`draw` moves them for a state.

    ``moving`` lists the artists that change with the fracture or procedure; everything else
    (axes, ticks, labels, legend) changes only with the vertebral level (:meth:`background_key`).
    """

    def __init__(self, fig: Figure, fixed_axes: bool = True):
        self.figure = fig
        ax = fig.add_axes((0.1, 0.16, 0.56, 0.74)) if fixed_axes else fig.add_subplot(1, 1, 1)
        self.ax = ax
        self.expected_line, = ax.plot([], [], ls="--", color=COLOURS["bone"], lw=1.2)
        self.body = Polygon([[0, 0]], closed=True, facecolor=COLOURS["bone_fill"], edgecolor=COLOURS["bone"],
                            lw=1.5)
        ax.add_patch(self.body)
        self.band = Polygon([[0, 0]], closed=True, facecolor=COLOURS["uncertainty"], alpha=0.45, lw=0)
        ax.add_patch(self.band)
        self.mean_line, = ax.plot([], [], color=COLOURS["kyphoplasty"], lw=2)
        self.pooled_line, = ax.plot([], [], color=COLOURS["needle"], lw=1.8, ls=(0, (4, 2)), marker="o", ms=4)
        # the pedicle behind the body, from the module's one anatomy, where the anatomy has the level
        self.pedicle = Polygon([[0, 0]], closed=True, facecolor=COLOURS["bone_fill"], edgecolor=COLOURS["bone"],
                               lw=1.0, visible=False)
        ax.add_patch(self.pedicle)
        self.pedicle_label = ax.text(0, 0, "pedicle", fontsize=8, ha="center", va="bottom", color=COLOURS["bone"],
                                     visible=False)
        self.moving = [self.expected_line, self.body, self.band, self.mean_line, self.pooled_line]
        ax.legend(handles=[
            Line2D([], [], ls="--", color=COLOURS["bone"], label="expected (unfractured)"),
            Patch(facecolor=COLOURS["bone_fill"], edgecolor=COLOURS["bone"], label="fractured"),
            Patch(facecolor=COLOURS["uncertainty"], alpha=0.45, label="after KP: mean ± SD\n(spread between patients)"),
            Line2D([], [], color=COLOURS["kyphoplasty"], lw=2, label="after KP: mean"),
            Line2D([], [], color=COLOURS["needle"], ls=(0, (4, 2)), marker="o", ms=4,
                   label="KP and VP pooled\nmean gain"),
        ], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        ax.set_ylabel("Height (mm)")
        ax.set_title("Side view of the vertebral body", fontsize=10)
        self._level = None

    @staticmethod
    def background_key(state) -> str:
        return state.level_id

    def draw(self, state) -> None:
        x = explorer_x(state)
        exp = [float(v) for v in state.expected.values()]
        frac = [float(v) for v in state.fractured.values()]
        outline = sagittal_outline(Heights(*exp), x[2])      # the same body profile as every side view
        self.expected_line.set_data([p[0] for p in outline] + [x[0]], [p[1] for p in outline] + [0])
        self.body.set_xy(sagittal_outline(Heights(*frac), x[2]))
        if state.band_low is not None:
            low = [float(v) for v in state.band_low.values()]
            high = [float(v) for v in state.band_high.values()]
            self.band.set_xy(list(zip(x, low)) + list(zip(x[::-1], high[::-1])))
            self.band.set_visible(True)
            self.mean_line.set_data(x, [float(v) for v in state.band_mean.values()])
        else:
            self.band.set_visible(False)
            self.mean_line.set_data([], [])
        px = [x[REGIONS.index(r)] for r in state.pooled]
        self.pooled_line.set_data(px, [float(v) for v in state.pooled.values()])
        if state.level_id != self._level:    # the static frame changes only with the level
            self._level = state.level_id
            self.ax.set_ylim(0, max(exp) * 1.2)
            pad = (x[2] - x[0]) * 0.08
            right = x[2] + pad
            pedicle = anatomy_pedicle(state)
            self.pedicle.set_visible(pedicle is not None)
            self.pedicle_label.set_visible(pedicle is not None)
            if pedicle is not None:
                self.pedicle.set_xy(pedicle)
                ys = [p[0] for p in pedicle]
                right = max(ys) + pad
                self.pedicle_label.set_position(((min(ys) + max(ys)) / 2, max(p[1] for p in pedicle) + 0.5))
            self.ax.set_xlim(x[0] - pad, right)
            self.ax.set_xticks(x, ["front", "middle", "back"])
            if state.depth is not None:
                self.ax.set_xlabel(f"{state.level_label}: front (anterior) to back (posterior), depth in mm")
            else:
                self.ax.set_xlabel(f"{state.level_label}: front to back, not to scale (depth not verified)")


def anatomy_pedicle(state):
    """The side-view outline of the pedicle behind the explorer's body, when the module's anatomy
    has the level and the explorer draws it to the same scale (same heights and depth); else None."""
    anatomy = load_anatomy()
    if state.level_id not in anatomy.levels or state.depth is None:
        return None
    lv = anatomy.level(state.level_id)
    expected = tuple(float(v) for v in state.expected.values())
    if (abs(float(state.depth) - lv["body_depth_mm"]) > 1e-9
            or any(abs(e - a) > 1e-9 for e, a in zip(expected, lv.expected_heights()))):
        return None
    return side_outlines(segment(state.level_id))["pedicle"]

