"""Notebook 05's pictures in words: an outcome picture's alt text and each of its rows' values, and the
height-restoration explorer's state (the readout and alt text, the one sentence a student can repeat, and the
model's assumptions with their sources by name).  Every number comes from the outcomes' rows
(:mod:`widgets.outcomes.model`) or the explorer's state (:mod:`widgets.outcomes.height`); the pictures
(:mod:`widgets.outcomes.plots`) and the views (:mod:`widgets.outcomes.views`) only show these.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import textwrap

from widgets.anatomy.geometry import REGIONS
from widgets.core.citations import Citations
from widgets.core.numbers import fmt
from widgets.outcomes.height import HeightExplorer
from widgets.outcomes.model import Outcome, Row

__all__ = ["assumption_text", "describe_state", "outcome_alt", "take_home"]


# ----------------------------------------------------------------------------------- an outcome picture in words
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


# ----------------------------------------------------------------------------------- the explorer's state in words
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


def take_home(state) -> str:
    """The explorer's state in one sentence a student can repeat (every number from the state): the wall the
    chosen loss applies to, before and after, against the height before the fracture."""
    wall = state.principal[0] if state.principal else "anterior"
    lost = float(state.expected[wall]) - float(state.fractured[wall])
    where = f"{state.level_label}, {state.shape}: the {wall} wall"
    if lost <= 0:
        return f"{where} lost no height, so there is nothing to restore."
    before = f"{fmt(state.fractured[wall])} mm after the fracture, {fmt(state.expected[wall])} mm before it"
    if state.procedure != "kyphoplasty" or state.band_low is None:
        pooled = state.pooled.get(wall)
        line = f"; the dashed line, both procedures pooled, reaches {fmt(pooled)} mm" if pooled is not None else ""
        return (f"{where} is {before}. No verified gain exists for vertebroplasty alone, so no band is drawn{line}.")
    low, high = state.band_low[wall], state.band_high[wall]
    short = (f"short of the {fmt(state.expected[wall])} mm before the fracture" if float(high) < float(state.expected[wall])
             else "reaching the height before the fracture only at the top of the spread")
    return (f"{where} is {before}; after kyphoplasty it would be {fmt(low)} to {fmt(high)} mm (the spread of a CT "
            f"cohort's patients), {short}.")


def assumption_text(assumption, citations: Citations) -> str:
    """An assumption as a student reads it: what it is, its value and the source it comes from by name (first
    author, year, journal), never the evidence file's internal id (the id and key stay in the model and its tests)."""
    if not assumption.evidence_id:
        return assumption.meaning
    value = f"{assumption.value:g}" if isinstance(assumption.value, (int, float)) else str(assumption.value)
    return f"{assumption.meaning}: {value} ({citations.short(assumption.evidence_id)})"


def describe_state(state, citations: Citations, model: HeightExplorer) -> tuple[str, str]:
    """(readout, alt text) for an explorer state; every number comes from the state.  Citations are written in
    the style of ``citations`` (``citations.plain`` for the widget's readout, Markdown for a notebook cell)."""
    band_src = citations.cite(model.spec.band_evidence)
    pooled_src = citations.cite(model.spec.pooled_evidence)
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
