"""Views for notebook 05: outcome plots, the height-restoration explorer, leaflet vs evidence.

Views draw what :mod:`widgets.outcomes.model` and :mod:`widgets.outcomes.height` computed;
they parse no YAML and invent no number.  Each plot shows every value with its
spread and kind of evidence, and numbered citations (from the notebook's
:class:`~widgets.core.citations.Citations`) under it.  The explorer moves its
artists in place and renders once per change through
:class:`~widgets.core.figures.FigureView`; its readout is a live region so a screen
reader hears each change.
"""

from __future__ import annotations

import html
import re
import textwrap

import ipywidgets as ipw
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from widgets.core.citations import Citations
from widgets.core.controls import KeyboardShield, Slider
from widgets.core.figures import BlitFigureView, FigureView, new_figure
from widgets.fractures.geometry import REGIONS, Heights, sagittal_outline
from widgets.imaging.anatomy import load_anatomy
from widgets.imaging.segment import segment, side_outlines
from widgets.outcomes.height import (LOSS_MAX, LOSS_MIN, PROCEDURES, SHAPES, ExplorerInputError, HeightExplorer,
                              default_explorer)
from widgets.outcomes.model import (Outcome, OutcomeSet, PatientQuestion, Row, default_outcomes, fmt, grade_answer,
                       load_patient_questions)
from widgets.core.style import COLOURS, OKABE_ITO

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
    """Escape ``text`` and turn its ``[@id]`` keys into the notebook's reference numbers."""
    return _esc(citations.cite(text))


def sources_html(citations: Citations, evidence_ids: list[str]) -> str:
    """A short numbered source list to sit under a plot."""
    ev = citations.evidence
    parts = []
    for eid in evidence_ids:
        entry = ev.entry(eid)
        authors = entry.source.authors.split(",")[0]
        if "not shown" in authors or "not displayed" in authors:
            authors = "authors not shown"
        year = str(entry.source.year).split(" ")[0]
        year = "" if "not" in year else f" {year}"
        parts.append(f"{citations.marker(eid)} {_esc(authors)}{_esc(year)}, {_esc(entry.evidence_type)}")
    return ('<div class="vkp-sources" style="font-size:0.9em"><b>Sources:</b> ' + "; ".join(parts)
            + " (full references at the end of the notebook)</div>")


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
            parts.append(f"{s['item'].label} {citations.marker(s['item'].evidence)}: {pts}; {s['evidence_type']}.")
        for r in panel.rows:
            parts.append(f"{r.label} {citations.marker(r.evidence_id)}: {_row_text(r)}; {r.evidence_type}.")
    return " ".join(parts)


def draw_outcome(outcome: Outcome, citations: Citations):
    """A static figure: one forest-style (or time-course) panel per unit, spreads as error bars."""
    heights = [max(1.6, 0.6 * max(len(p.rows), 2) + 1.0) if p.spec.kind == "forest" else 2.8
               for p in outcome.panels]
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
                            label=f"{s['item'].label} {citations.marker(s['item'].evidence)} "
                                  "(mean ± SD, spread between patients)")
            ax.set_xticks(x, [lab for lab in panel.spec.category_labels])
            ax.set_xlabel("Time after the procedure (categories, not to scale)")
            ax.set_ylabel(panel.spec.axis)
            ax.set_ylim(bottom=0)
            ax.legend(loc="upper right", frameon=False)
            continue
        n = len(panel.rows)
        ys = list(range(n))[::-1]
        labels = []
        for y, r in zip(ys, panel.rows):
            colour = ARM_COLOURS[r.item.arm]
            labels.append(textwrap.fill(f"{r.label} {citations.marker(r.evidence_id)}", 40) + f"\n{r.design}")
            if r.statement is not None:
                statement = textwrap.fill(r.statement, 64)
                if r.item.direction:
                    statement += f"\n({r.item.direction})"
                ax.text(0.02, y, statement, transform=ax.get_yaxis_transform(), va="center", fontsize=8.5,
                        style="italic", color=colour)
                continue
            if r.value is None:
                ax.plot([r.low.value, r.high.value], [y, y], color=colour, lw=6, alpha=0.6, solid_capstyle="butt")
            else:
                xerr = None
                if r.low is not None:
                    xerr = [[r.value.value - r.low.value], [r.high.value - r.value.value]]
                ax.errorbar([r.value.value], [y], xerr=xerr, fmt="o", color=colour, capsize=4, ms=7)
            ax.text(1.01, y, _row_text(r, short=True), transform=ax.get_yaxis_transform(), va="center",
                    fontsize=8.5)
        ax.set_yticks(ys, labels, fontsize=8.5)
        ax.set_ylim(-0.7, n - 0.3)
        if panel.spec.reference is not None:
            ax.axvline(panel.spec.reference, color=COLOURS["bone"], lw=1, ls=":")
    return fig


class OutcomeView:
    """One outcome: its question, figure (with alt text), numbered sources and what was left out."""

    def __init__(self, outcome: Outcome, citations: Citations):
        self.outcome = outcome
        self.citations = citations
        for eid in outcome.evidence_ids():   # number sources in plotting order
            citations.number(eid)
        self.alt = outcome_alt(outcome, citations)
        self.figure = FigureView(draw_outcome(outcome, citations), self.alt, dpi=72)
        not_plotted = ""
        if outcome.spec.not_plotted:
            items = "".join(f"<li>{citations.marker(x.evidence)} {_esc(x.reason)}</li>"
                            for x in outcome.spec.not_plotted)
            not_plotted = f"<div><b>Not plotted</b> (not verified as numbers, or flagged):<ul>{items}</ul></div>"
        self.header = ipw.HTML(f"<h3>{_esc(outcome.spec.title)}</h3><p><i>{_esc(outcome.spec.question)}</i></p>")
        self.footer = ipw.HTML(
            f"<p>{cited_html(citations, outcome.summary)}</p>"
            f"<p style='font-size:0.9em'>Points are means or rates as reported. Bars show what each source "
            f"reported: a 95% CI (how precisely a mean or difference is known), an SD (how much patients "
            f"differed, not how precisely the mean is known) or a range; rows with no bar reported none. A "
            f"between-group row says which sign favours which arm. Colours: KP vermilion, VP blue, "
            f"non-surgical green, sham purple, pooled or mixed grey.</p>"
            + sources_html(citations, outcome.evidence_ids()) + not_plotted)
        self.widget = ipw.VBox([self.header, self.figure.widget, self.footer])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class OutcomeComparison:
    """Pick an outcome from a list.  Every outcome's figure is drawn once, when the widget is made,
    so switching only swaps which one is shown (no figure is rebuilt on a change)."""

    def __init__(self, citations: Citations, outcomes: OutcomeSet | None = None):
        self.outcomes = outcomes or default_outcomes()
        self.citations = citations
        self.views: dict[str, OutcomeView] = {}
        ids = list(self.outcomes.outcomes)
        self.choice = ipw.Dropdown(
            options=[(self.outcomes.outcome(i).spec.title, i) for i in ids], value=ids[0],
            description="Outcome to compare:", style=WIDE, layout=ipw.Layout(width="auto"))
        self.status = ipw.HTML()
        self.body = ipw.Box()
        self.choice.observe(self._on_choice, names="value")
        self.widget = ipw.VBox([self.choice, self.status, self.body, KeyboardShield(".vkp-outcome-comparison")])
        self.widget.add_class("vkp-outcome-comparison")
        for outcome_id in ids:   # numbers the sources in outcome order, draws each figure once
            self.view(outcome_id)
        self.show(ids[0])

    def view(self, outcome_id: str) -> OutcomeView:
        if outcome_id not in self.views:
            self.views[outcome_id] = OutcomeView(self.outcomes.outcome(outcome_id), self.citations)
        return self.views[outcome_id]

    def show(self, outcome_id: str) -> None:
        view = self.view(outcome_id)
        ids = list(self.outcomes.outcomes)
        self.body.children = [view.widget]
        self.status.value = (f'<span {_STATUS}>Showing outcome {ids.index(outcome_id) + 1} of {len(ids)}: '
                             f"{_esc(view.outcome.spec.title)}</span>")

    def _on_choice(self, change) -> None:
        self.show(change["new"])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


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


def _walls_text(state) -> str:
    """Per wall that lost height: before and the band after; the share of the lost height given back
    only at the wall(s) the chosen loss applies to (elsewhere the model set the loss)."""
    parts = []
    for r in REGIONS:
        if state.band_low is None or float(state.band_high[r]) == float(state.fractured[r]):
            continue
        text = (f"{r} {fmt(state.fractured[r])} mm before, {fmt(state.band_low[r])} to "
                f"{fmt(state.band_high[r])} mm after (mean {fmt(state.band_mean[r])} mm)")
        if r in state.restored_percent:
            low, high = state.restored_percent[r]
            further = " (a negative share is a further loss)" if low.value < 0 else ""
            text += f", giving back {fmt(low)} to {fmt(high)} % of the lost height{further}"
        parts.append(text)
    return "; ".join(parts)


def _model_notes(state) -> str:
    """Why some walls get no share, and where the model stops a gain at the expected height."""
    notes = []
    others = [r for r in REGIONS if r not in state.principal and float(state.expected[r]) > float(state.fractured[r])]
    if others:
        notes.append(f"No share is given for the {' and '.join(others)}: in this {state.shape} model its smaller loss "
                     "follows from the shape rule, while the measured gains come from fractures of every shape, so a "
                     "share of it would be an artefact of the model.")
    if state.capped:
        notes.append(f"At the {' and '.join(state.capped)} the band's top or the pooled mean gain is larger than the "
                     "height this model lost, so the drawing stops at the expected height: the model never lifts a "
                     "wall above it, and reaching it here is not a full restoration.")
    return " ".join(notes)


def describe_state(state, citations: Citations, model: HeightExplorer) -> tuple[str, str]:
    """(plain-text readout, alt text) for an explorer state; every number comes from the state."""
    c = citations
    band_src = c.marker(model.spec.band_evidence)
    pooled_src = c.marker(model.spec.pooled_evidence)
    head = (f"{state.level_label}, {state.shape} fracture, {fmt(state.loss)} % height loss: "
            f"{state.grade_name}.")
    lines = [head]
    if state.procedure == "kyphoplasty":
        walls = _walls_text(state)
        lines.append(f"Kyphoplasty, band = mean ± SD of a CT cohort, the spread between its patients {band_src}: "
                     + (walls + "." if walls else "no wall lost height, so nothing is restored."))
    else:
        lines.append(f"Vertebroplasty: no verified VP-only gain in mm, so no band is drawn {pooled_src}.")
    if state.pooled:
        pooled = "; ".join(f"{r} {fmt(v)} mm" + (f" ({fmt(state.pooled_percent[r])} % of the lost height)"
                                                 if r in state.pooled_percent else "")
                           for r, v in state.pooled.items())
        lines.append(f"Dashed line, mean gain of KP and VP pooled (no spread reported) {pooled_src}: {pooled}.")
    notes = _model_notes(state)
    if notes:
        lines.append(notes)
    if state.wedge_before is not None:
        w = (f"Wedge angle: {fmt(state.wedge_expected)}° unfractured, {fmt(state.wedge_before)}° fractured")
        if state.wedge_after:
            w += f", {fmt(state.wedge_after[0])}° to {fmt(state.wedge_after[1])}° after KP (band)"
        lines.append(w + " (positive: front lower than back).")
    else:
        lines.append(f"No wedge angle: {state.depth_note}.")
    text = " ".join(lines)
    alt = (f"Side view of the {state.level_label} vertebral body: dashed expected outline, grey fractured "
           f"body, " + ("orange band for the height after kyphoplasty (spread between patients), "
                        if state.band_low else "")
           + "dashed black line for the pooled mean gain. " + text)
    return text, alt


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
        self.shape = ipw.Dropdown(options=[(v, k) for k, v in SHAPES.items()], value=shape,
                                  description="Fracture shape:", style=WIDE)
        self.loss = Slider("Height loss (% of expected height)", min=LOSS_MIN, max=LOSS_MAX, value=loss,
                           step=1, unit="%")
        self.grade = ipw.Dropdown(options=[("grade 0: below grade 1", 0), ("grade 1: mild", 1),
                                           ("grade 2: moderate", 2), ("grade 3: severe", 3)],
                                  description="Or set severity by Genant grade:", style=WIDE,
                                  layout=ipw.Layout(width="max-content"))
        self.procedure = ipw.ToggleButtons(options=[(v, k) for k, v in PROCEDURES.items()], value=procedure,
                                           description="Procedure:", style=WIDE,
                                           tooltips=["Balloon, then cement", "Cement only"])
        self.readout = ipw.HTML()
        self.readout.add_class("vkp-explorer-readout")
        self.assumptions = ipw.HTML()
        self._syncing = False
        self._build_figure()
        for level_id in self.model.levels:   # draw each level's static frame once, so every change blits
            self.art.draw(self.model.explore(level_id, loss, procedure, shape))
            self.figure.render(background=level_id)
        self.state = None
        self.update()
        self.grade.value = self.state.grade
        for w in (self.level, self.shape, self.procedure):
            w.observe(self._changed, names="value")
        self.loss.observe(self._changed, names="value")
        self.grade.observe(self._grade_changed, names="value")
        self.widget = ipw.VBox([
            ipw.HTML("<b>Height-restoration explorer</b>: choose a fracture and a procedure; the band spans the "
                     "restored height from mean − SD to mean + SD of a kyphoplasty cohort: how much its patients "
                     "differed, not how precisely the mean is known."),
            ipw.HBox([self.level, self.shape]), self.loss, self.grade, self.procedure,
            self.figure.widget, self.readout, self.assumptions, KeyboardShield(".vkp-height-explorer")])
        self.widget.add_class("vkp-height-explorer")

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
        return describe_state(state, self.citations, self.model)

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
        self.readout.value = f'<div {_STATUS}>{_esc(text)}</div>{notes}'
        items = "".join(f"<li>{_esc(a.text())}</li>" for a in state.assumptions)
        self.assumptions.value = (f"<details><summary>Every assumption this picture makes "
                                  f"({len(state.assumptions)})</summary><ul>{items}</ul></details>")

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
        self.table = ipw.HTML(
            "<table class='vkp-leaflet'><caption>The leaflet's claims (our paraphrase) beside what trials and "
            "guidelines report</caption><thead><tr><th scope='col'>The leaflet says</th>"
            "<th scope='col'>The evidence says</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
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
        self.choice = ipw.RadioButtons(options=[(o.text, o.id) for o in question.options], value=None,
                                       layout=ipw.Layout(width="auto"))
        self.check = ipw.Button(description="Check my answer", layout=ipw.Layout(width="auto"), tooltip="Compare your answer with the evidence",
                                button_style="primary")
        self.feedback = ipw.HTML(f'<div {_STATUS}></div>')
        self.check.on_click(self._on_check)
        self.widget = ipw.VBox([
            ipw.HTML(f"<p><b>What would you tell this patient?</b> {cited_html(citations, question.patient)}</p>"
                     f"<p>{_esc(question.prompt)}</p>"),
            self.choice, self.check, self.feedback])

    def _on_check(self, _button=None) -> None:
        try:
            verdict = grade_answer(self.question, self.choice.value, self.evidence)
        except ValueError as exc:
            self.feedback.value = f'<div {_STATUS}>{_esc(str(exc)).capitalize()}.</div>'
            return
        from widgets.classroom.handin import default_log
        right = next(o.id for o in self.question.options if o.correct)
        (self._log or default_log()).record_attempt(
            "patient-questions", self.question.id, {"option": self.choice.value},
            {"evidence": {"correct": verdict.correct, "expected": {"option": right}}})
        head = "Good answer." if verdict.correct else "Not the best answer."
        colour = OKABE_ITO["bluish_green"] if verdict.correct else OKABE_ITO["vermillion"]
        self.feedback.value = (f'<div {_STATUS} style="border-left:4px solid {colour};padding-left:0.5em">'
                               f"<b>{head}</b> {cited_html(self.citations, verdict.feedback)}</div>")


def visible_text(html_text: str) -> str:
    """The text a reader sees in a snippet of view HTML (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", html_text))


# ----------------------------------------------------------------------------------- notebook helpers
def evidence_table(outcome_id: str, citations: Citations, outcomes: OutcomeSet | None = None):
    """The evidence behind one outcome as a displayable Markdown table (nbval checks it)."""
    from IPython.display import Markdown

    from widgets.outcomes.model import outcome_table_md
    outcome = (outcomes or default_outcomes()).outcome(outcome_id)
    return Markdown(outcome_table_md(outcome, lambda key: citations.marker(key)))


def explorer_summary(citations: Citations, level: str = "L5", loss: float = 30.0,
                     procedure: str = "kyphoplasty", shape: str = "wedge", explorer: HeightExplorer | None = None):
    """One explorer scenario in words, with every assumption (entry, key, value), as Markdown."""
    from IPython.display import Markdown
    model = explorer or default_explorer()
    state = model.explore(level, loss, procedure, shape)
    text, _ = describe_state(state, citations, model)
    lines = [text, "", "Assumptions:", ""] + [f"- {a.text()}" for a in state.assumptions]
    return Markdown("\n".join(lines))
