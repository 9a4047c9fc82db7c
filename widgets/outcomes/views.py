"""Views for notebook 05: the outcome pictures and their folded tables, the height-restoration explorer,
the leaflet beside the evidence.

Views draw what :mod:`widgets.outcomes.model` and :mod:`widgets.outcomes.height` computed;
they parse no YAML and invent no number.  An outcome's picture (:class:`OutcomeView`) shows the
panels that carry its take-home message, every other panel one press away, each value with its
spread and kind of evidence and its citation number (from the notebook's
:class:`~widgets.core.citations.Citations`); :func:`evidence_table` folds the full table under it,
its numbers linked to the reference list.  The explorer moves its artists in place and renders once
per change through :class:`~widgets.core.figures.FigureView`; its readout is a live region so a
screen reader hears each change.
"""

from __future__ import annotations

import hashlib
import html
import inspect
import re
import textwrap
from functools import lru_cache
from dataclasses import replace

import ipywidgets as ipw
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from widgets.core.citations import Citations
from widgets.core.controls import KeyboardShield, RadioGroup, Slider
from widgets.core import figures as core_figures, style as core_style
from widgets.core.figures import BlitFigureView, StoredFigureView, new_figure
from widgets.core.idle import when_idle
from widgets.core.pictures import code_digest, mode as pictures_mode
from widgets.core.text import count_phrase, fold, fold_html, plain_md, prose_html
from widgets.anatomy.geometry import REGIONS, Heights, sagittal_outline
from widgets.anatomy.levels import load_anatomy
from widgets.anatomy.segment import segment, side_outlines
from widgets.outcomes.height import (LOSS_MAX, LOSS_MIN, PROCEDURE_LABELS, SHAPE_LABELS, ExplorerInputError,
                                     HeightExplorer, default_explorer)
from widgets.core.numbers import fmt
from widgets.outcomes import model as outcomes_model
from widgets.outcomes.exercise import PATIENT_QUESTIONS
from widgets.outcomes.sentences import assumption_text, describe_state, take_home
from widgets.outcomes.model import (Outcome, OutcomeSet, PatientQuestion, Row, default_outcomes, grade_patient_answer,
                                    load_patient_questions, outcome_table_md)
from widgets.core.style import COLOURS, OKABE_ITO
from widgets.record.handin import default_log

ARM_COLOURS = {
    "kyphoplasty": COLOURS["kyphoplasty"], "vertebroplasty": COLOURS["vertebroplasty"],
    "non_surgical": COLOURS["non_surgical"], "sham": COLOURS["sham"], "pooled": COLOURS["bone"],
    "difference": COLOURS["needle"],
}
WIDE = {"description_width": "initial"}
_STATUS = 'role="status" aria-live="polite"'


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def cited_html(citations: Citations, text: str) -> str:
    """Escape ``text`` and turn its ``[@id]`` keys into the notebook's reference numbers, each a link
    to its reference at the end of the notebook (as in the notebook's Markdown)."""
    return citations.html.cited(_esc(text))


# ----------------------------------------------------------------------------------- outcome plots
def _row_text(row: Row, direction: bool = True, short: bool = False) -> str:
    """A row's value and spread in words; ``direction`` adds which sign favours which arm.  ``short`` is
    the text beside a plotted point (the footer explains the spreads; notes stay in the alt text)."""
    if row.statement is not None:
        text = row.statement
    elif row.value is None:
        text = f"range {fmt(row.low)} to {fmt(row.high)}"
    else:
        text = row.value_text(direction=False)
        if short and row.printed is not None:
            text = f"{fmt(row.value)} ({fmt(row.count[0])}/{fmt(row.count[1])}; printed {fmt(row.printed)})"
        if row.spread_kind == "sd":
            text += f", SD {fmt(row.sd)}" + ("" if short else " (between patients)")
        elif row.spread_kind in ("ci95", "range"):
            text += f", {'95% CI' if row.spread_kind == 'ci95' else 'range'} {fmt(row.low)} to {fmt(row.high)}"
    if direction and row.item.direction:
        text += ("\n" + textwrap.fill(row.item.direction, 30)) if short else f"; {row.item.direction}"
    if row.note and not short:
        text += f" ({row.note})"
    return text


def outcome_alt(outcome: Outcome, citations: Citations) -> str:
    """Alt text: what the figure shows, row by row, with values, spreads, kinds and citations."""
    parts = [f"{outcome.spec.title}."]
    for panel in outcome.panels:
        parts.append(f"Panel: {panel.spec.title}.")
        for s in panel.series:
            pts = ", ".join(f"{lab} {fmt(m)} (SD {fmt(sd)})"
                            for lab, m, sd in zip(panel.spec.category_labels, s["means"], s["sds"]))
            parts.append(f"{s['item'].label} {citations.plain.cite(s['item'].evidence)}: {pts}; {s['evidence_type']}.")
        for r in panel.rows:
            parts.append(f"{r.label} {citations.plain.cite(r.evidence_id)}: {_row_text(r)}; {r.evidence_type}.")
    return " ".join(parts)


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
def _drawing_code() -> str:
    """The digest of the code an outcome picture depends on (the functions here that draw it, the outcomes'
    model, the figure helpers and the palette): a stored picture drawn by other code is never shown."""
    drawing = [draw_outcome, _forest_rows, _row_text, _honest_x_range, _share_scales, outcome_alt,
               core_figures.new_figure, core_figures.apply_style, core_figures.png_bytes]
    source = "\n".join(inspect.getsource(f) for f in drawing) + repr(ARM_COLOURS)
    return hashlib.sha256(source.encode()).hexdigest() + code_digest(outcomes_model.__file__, core_style.__file__)


class OutcomeView:
    """One outcome's picture, at the top of its section of notebook 05.

    It shows the panels that carry the section's take-home message (``panels``, default: all of
    them); when some are left out, a button shows every panel of the outcome and back.  The full
    figure is drawn on the first press and kept, so a press only swaps which picture is shown: no
    figure is redrawn on a change.  Every value of every panel is also in the outcome's evidence
    table, which the notebook folds below the take-home message.
    """

    def __init__(self, outcome: Outcome, citations: Citations, panels: list[str] | tuple[str, ...] | None = None):
        known = [p.spec.id for p in outcome.panels]
        unknown = [p for p in (panels or ()) if p not in known]
        if unknown:
            raise ValueError(f"outcome '{outcome.id}' has no panel {', '.join(map(repr, unknown))}; "
                             f"its panels are {', '.join(known)} (widgets/content/outcomes.yaml)")
        self.outcome = outcome
        self.citations = citations
        for eid in outcome.evidence_ids():   # number sources in plotting order
            citations.number(eid)
        main = [p for p in outcome.panels if not panels or p.spec.id in panels]
        self.main = replace(outcome, panels=tuple(main))
        self.figures = {"main": self._draw(self.main)}
        if panels and len(main) < len(outcome.panels) and pictures_mode() == "write":
            self.figures["all"] = self._draw(self.outcome)   # the build stores it too, so the first press is instant
        self.showing_all = False
        self.left_out = len(outcome.panels) - len(main)
        self.body = ipw.Box([self.figures["main"].widget])
        children = [self.body]
        self.toggle = None
        if self.left_out:
            self.toggle = ipw.Button(description=f"Show all {len(outcome.panels)} panels",
                                     tooltip="Show every panel of this outcome", layout=ipw.Layout(width="auto"))
            self.toggle.on_click(self._on_toggle)
            self.status = ipw.HTML(layout=ipw.Layout(width="11em"))
            # beside the picture, in the room its width leaves (below it when the notebook is narrow)
            side = ipw.VBox([self.toggle, self.status], layout=ipw.Layout(margin="0.5em 0 0 0.5em"))
            children = [ipw.HBox([self.body, side], layout=ipw.Layout(flex_flow="row wrap", align_items="flex-start")),
                        KeyboardShield(".vkp-outcome-view")]
            self._say()
        self.widget = ipw.VBox(children)
        self.widget.add_class("vkp-outcome-view")

    def _draw(self, outcome: Outcome) -> StoredFigureView:
        """The picture of ``outcome``'s panels: shipped with the package when current (drawn at build time),
        else drawn here; either way, never drawn again."""
        which = "-".join(p.spec.id for p in outcome.panels) if len(outcome.panels) < len(self.outcome.panels) else "all"
        return StoredFigureView(lambda: draw_outcome(outcome, self.citations), outcome_alt(outcome, self.citations),
                                name=f"outcome-{outcome.id}-{which}", code=_drawing_code(), dpi=72)

    @property
    def figure(self) -> StoredFigureView:
        """The picture shown now."""
        return self.figures["all" if self.showing_all else "main"]

    def show_all(self, on: bool = True) -> None:
        if on and "all" not in self.figures:
            self.figures["all"] = self._draw(self.outcome)
        self.showing_all = on
        self.body.children = [self.figure.widget]
        if self.toggle is not None:
            n = len(self.outcome.panels)
            self.toggle.description = (f"Show only the main panel{'s' if len(self.main.panels) > 1 else ''}"
                                       if on else f"Show all {n} panels")
            self._say()

    def _say(self) -> None:
        shown = len(self.figure_panels())
        n = len(self.outcome.panels)
        self.status.value = prose_html(f'<span {_STATUS}>Showing {shown} of {n} panels'
                                       + ("" if shown == n else "; the table below lists every result") + "</span>")

    def figure_panels(self) -> list[str]:
        return [p.spec.id for p in (self.outcome if self.showing_all else self.main).panels]

    def _on_toggle(self, _button=None) -> None:
        self.show_all(not self.showing_all)

    def describe(self) -> str:
        """What the picture shows, in one line: the notebook keeps it as the picture's stored text, which
        JupyterLab shows until the notebook runs (and nbval compares)."""
        titles = "; ".join(p.spec.title for p in self.main.panels)
        more = f" (and {count_phrase(self.left_out, 'more panel')} on request)" if self.left_out else ""
        return f"[Picture, drawn when the notebook runs: {titles}{more}]"

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.describe()   # not the widget's repr, which holds the whole image
        return bundle


class OutcomeEvidence:
    """One outcome's evidence in a notebook cell: its picture, then its evidence table, folded."""

    def __init__(self, outcome_id: str, citations: Citations, panels: list[str] | None = None,
                 outcomes: OutcomeSet | None = None):
        outcomes = outcomes or default_outcomes()
        self.picture = OutcomeView(outcomes.outcome(outcome_id), citations, panels)
        self.table = evidence_table(outcome_id, citations, outcomes)

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.picture)
        display(self.table)


def outcome_evidence(outcome_id: str, citations: Citations, panels: list[str] | None = None,
                     outcomes: OutcomeSet | None = None) -> OutcomeEvidence:
    """What follows an outcome's take-home message: ``outcome_evidence("pain_trials", cites, ["sham_difference"])``
    shows the picture of the named panels (every panel on request) and the folded table of every result."""
    return OutcomeEvidence(outcome_id, citations, panels, outcomes)


# ----------------------------------------------------------------------------------- explorer
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


class HeightExplorerView:
    """Controls -> :class:`HeightExplorer` state -> artists moved in place -> one render."""

    def __init__(self, citations: Citations, explorer: HeightExplorer | None = None, *,
                 level: str = "L5", loss: float = 30.0, procedure: str = "kyphoplasty", shape: str = "wedge"):
        self.model = explorer or default_explorer()
        self.citations = citations
        for eid in (self.model.spec.band_evidence, self.model.spec.pooled_evidence):
            citations.number(eid)
        self.level = ipw.Dropdown(options=self.model.level_options(), value=level, description="Vertebra:",
                                  style=WIDE, tooltip="Typical heights for this level come from the evidence data")
        self.shape = ipw.Dropdown(options=[(v, k) for k, v in SHAPE_LABELS.items()], value=shape,
                                  description="Fracture shape:", style=WIDE)
        self.loss = Slider("Height loss (% of expected height)", min=LOSS_MIN, max=LOSS_MAX, value=loss,
                           step=1, unit="%")
        self.grade = ipw.Dropdown(options=[("grade 0: below grade 1", 0), ("grade 1: mild", 1),
                                           ("grade 2: moderate", 2), ("grade 3: severe", 3)],
                                  description="Or set severity by Genant grade:", style=WIDE,
                                  layout=ipw.Layout(width="max-content"))
        self.procedure = ipw.ToggleButtons(options=[(v, k) for k, v in PROCEDURE_LABELS.items()], value=procedure,
                                           description="Procedure:", style=WIDE,
                                           tooltips=["Balloon, then cement", "Cement only"])
        self.readout = ipw.HTML()
        self.readout.add_class("vkp-explorer-readout")
        self.assumptions = ipw.HTML()
        self._syncing = False
        self._assumption_lists: dict[tuple, str] = {}
        self._build_figure()
        self.state = None
        self.update()                        # the first level's static frame is drawn with the first picture
        # Every other level's static frame is drawn ahead, while the kernel is idle after Run All (at once
        # outside a kernel), so that every change blits; a level reached before its turn is drawn then.
        when_idle([lambda lv=lv: self._prepare_level(lv) for lv in self.model.levels if lv != level])
        self.grade.value = self.state.grade
        for w in (self.level, self.shape, self.procedure):
            w.observe(self._changed, names="value")
        self.loss.observe(self._changed, names="value")
        self.grade.observe(self._grade_changed, names="value")
        row = ipw.Layout(flex_flow="row wrap", align_items="center")   # side by side where the notebook is wide
        self.widget = ipw.VBox([
            ipw.HBox([self.level, self.shape], layout=row), self.loss, ipw.HBox([self.grade, self.procedure], layout=row),
            self.figure.widget, self.readout, self.assumptions, KeyboardShield(".vkp-height-explorer")])
        self.widget.add_class("vkp-height-explorer")

    def _prepare_level(self, level_id: str) -> None:
        """Draw and keep ``level_id``'s static frame (axes, ticks, labels), then put back the artists of the state
        shown (nothing is sent to the page)."""
        self.art.draw(self.model.explore(level_id, self.loss.value, self.procedure.value, self.shape.value))
        self.figure.prepare(level_id)
        if self.state is not None:
            self.art.draw(self.state)

    # -- figure: artists made once, moved on every change
    def _build_figure(self) -> None:
        self.art = ExplorerArtists(new_figure(6.4, 3.6, layout=None), fixed_axes=True)
        self.ax = self.art.ax
        self.figure = BlitFigureView(self.art.figure, "", self.art.moving, dpi=80)

    def _x(self, state) -> list[float]:
        return explorer_x(state)

    def _draw(self, state) -> None:
        self.art.draw(state)

    # -- text
    def describe(self, state) -> tuple[str, str]:
        """(plain-text readout, alt text) for a state; every number comes from the state."""
        return describe_state(state, self.citations.plain, self.model)

    def update(self) -> None:
        """Recompute the state from the controls, move the artists, render once."""
        try:
            state = self.model.explore(self.level.value, self.loss.value, self.procedure.value, self.shape.value)
        except ExplorerInputError as exc:
            colour = OKABE_ITO["vermillion"]
            self.readout.value = (f'<div {_STATUS} style="color:{colour}"><b>Cannot show this:</b> '
                                  f"{_esc(str(exc))}</div>")
            return
        self.state = state
        self._draw(state)
        text, alt = self.describe(state)
        self.figure.render(alt=alt, background=self.art.background_key(state))
        notes = "".join(f"<p>{cited_html(self.citations, t)}</p>" for t, _ in state.notes)
        # The take-home first (the live region a screen reader hears on each change), the numbers folded under it.
        self.readout.value = prose_html(
            f'<div {_STATUS}><strong>In short:</strong> {_esc(take_home(state))}</div>'
            + fold_html("The numbers behind the picture", f"<p>{_esc(text)}</p>{notes}", "every wall, the model's rules"))
        self.assumptions.value = self._assumptions_html(tuple(state.assumptions))

    def _assumptions_html(self, assumptions: tuple) -> str:
        """The folded list of a state's assumptions; the same few lists come back as the slider moves."""
        if assumptions not in self._assumption_lists:
            items = "".join(f"<li>{_esc(assumption_text(a, self.citations))}</li>" for a in assumptions)
            self._assumption_lists[assumptions] = prose_html(fold_html(
                "Every assumption this picture makes", f"<ul>{items}</ul>",
                count_phrase(len(assumptions), "assumption")))
        return self._assumption_lists[assumptions]

    def _changed(self, change) -> None:
        if self._syncing:
            return
        self.update()
        if self.state is not None and self.grade.value != self.state.grade:
            self._syncing = True
            try:
                self.grade.value = self.state.grade
            finally:
                self._syncing = False

    def _grade_changed(self, change) -> None:
        if self._syncing:
            return
        target = self.model.loss_for_grade(change["new"])
        if self.state is not None and self.state.grade == change["new"]:
            return
        self.loss.value = target   # one render, through _changed

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# ----------------------------------------------------------------------------------- leaflet vs evidence
class LeafletView:
    """The leaflet's claims beside the evidence, then 'what would you tell this patient?' questions."""

    def __init__(self, citations: Citations, outcomes: OutcomeSet | None = None,
                 questions: list[PatientQuestion] | None = None, *, log=None):
        self.outcomes = outcomes or default_outcomes()
        self.citations = citations
        self.questions = questions if questions is not None else load_patient_questions(
            evidence=self.outcomes.evidence)
        ev = self.outcomes.evidence
        rows = []
        for claim, text, _ in self.outcomes.claims():
            rows.append(f"<tr><td>{cited_html(citations, claim.leaflet + ' [@kochan2015]')}</td>"
                        f"<td>{cited_html(citations, text)}</td></tr>")
        table = ("<table class='vkp-leaflet'><caption>The leaflet's claims (our paraphrase) beside what trials and "
                 "guidelines report</caption><thead><tr><th scope='col'>The leaflet says</th>"
                 "<th scope='col'>The evidence says</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        self.table = ipw.HTML(prose_html(fold_html(
            "The leaflet's claims beside the evidence", table, count_phrase(len(rows), "claim") + " side by side")))
        self.cards = [QuestionCard(q, citations, ev, log=log) for q in self.questions]
        self.widget = ipw.VBox([self.table] + [card.widget for card in self.cards]
                               + [KeyboardShield(".vkp-leaflet-view")])
        self.widget.add_class("vkp-leaflet-view")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class QuestionCard:
    """One patient question: radio buttons, a Check button, feedback read aloud."""

    def __init__(self, question: PatientQuestion, citations: Citations, evidence=None, *, log=None):
        self.question = question
        self.citations = citations
        self.evidence = evidence
        self._log = log
        # The core radio group wraps long answers (ipywidgets' RadioButtons draws them over one another).
        self.choice = RadioGroup(question.prompt, options=[(o.text, o.id) for o in question.options], vertical=True)
        self.check = ipw.Button(description="Check my answer", layout=ipw.Layout(width="auto"), tooltip="Compare your answer with the evidence",
                                button_style="primary")
        self.feedback = ipw.HTML(f'<div {_STATUS}></div>')
        self.check.on_click(self._on_check)
        self.widget = ipw.VBox([
            ipw.HTML(prose_html(f"<p><b>What would you tell this patient?</b> "
                                f"{cited_html(citations, question.patient)}</p>")),
            self.choice, self.check, self.feedback])

    def _on_check(self, _button=None) -> None:
        try:
            verdict = grade_patient_answer(self.question, self.choice.value, self.evidence)
        except ValueError as exc:
            self.feedback.value = prose_html(f'<div {_STATUS}>{_esc(str(exc)).capitalize()}.</div>')
            return
        right = next(o.id for o in self.question.options if o.correct)
        (self._log or default_log()).record_attempt(
            PATIENT_QUESTIONS, self.question.id, {"option": self.choice.value},
            {"evidence": {"correct": verdict.correct, "expected": {"option": right}}})
        head = "Good answer." if verdict.correct else "Not the best answer."
        colour = OKABE_ITO["bluish_green"] if verdict.correct else OKABE_ITO["vermillion"]
        self.feedback.value = prose_html(f'<div {_STATUS} style="border-left:4px solid {colour};padding-left:0.5em">'
                                         f"<b>{head}</b> {cited_html(self.citations, verdict.feedback)}</div>")


def visible_text(html_text: str) -> str:
    """The text a reader sees in a snippet of view HTML (tags dropped, entities decoded): an inline tag
    (a link, bold) joins its text to its neighbours', any other tag separates them."""
    inline = re.sub(r"</?(?:a|b|i|em|strong|span|sup|sub|small)\b[^>]*>", "", html_text)
    return html.unescape(re.sub(r"<[^>]+>", " ", inline))


# ----------------------------------------------------------------------------------- notebook helpers
def evidence_table(outcome_id: str, citations: Citations, outcomes: OutcomeSet | None = None):
    """The evidence behind one outcome as a Markdown table (nbval checks it), folded under a summary
    that says what it holds; its citation numbers link to the reference list, as the text's do."""
    from IPython.display import Markdown

    outcome = (outcomes or default_outcomes()).outcome(outcome_id)
    results = sum(len(p.rows) + len(p.series) * len(p.spec.categories) for p in outcome.panels)
    keys = [r.evidence_id for r in outcome.rows] + [s["item"].evidence for p in outcome.panels for s in p.series]
    detail = f"{count_phrase(results, 'result')} from {count_phrase(len(citations.numbers(*keys)), 'source')}"
    table = outcome_table_md(outcome, citations.markdown, title=False)
    return Markdown(fold(f"Full evidence: {outcome.spec.title.lower()}", table, detail))


def explorer_summary(citations: Citations, level: str = "L5", loss: float = 30.0,
                     procedure: str = "kyphoplasty", shape: str = "wedge", explorer: HeightExplorer | None = None):
    """One explorer scenario in words, with every assumption (entry, key, value) folded under it, as Markdown."""
    from IPython.display import Markdown
    model = explorer or default_explorer()
    state = model.explore(level, loss, procedure, shape)
    text, _ = describe_state(state, citations.markdown, model)
    assumptions = "\n".join(f"- {plain_md(assumption_text(a, citations))}" for a in state.assumptions)
    body = f"{text}\n\nEvery assumption, with the value and the source it comes from:\n\n{assumptions}"
    return Markdown(fold("One case in words, to check against the picture", body,
                         f"{state.level_id} {state.shape}, {fmt(state.loss)} % loss, {state.procedure}; "
                         f"{count_phrase(len(state.assumptions), 'assumption')}"))
