"""Views for notebook 05: the outcome pictures and their folded tables, the height-restoration explorer,
the leaflet beside the evidence.

Views show what :mod:`widgets.outcomes.model` and :mod:`widgets.outcomes.height` computed, in the pictures
:mod:`widgets.outcomes.plots` draws and the words :mod:`widgets.outcomes.sentences` writes; they parse no YAML
and invent no number.  An outcome's picture (:class:`OutcomeView`) shows the panels that carry its take-home
message, every other panel one press away, each value with its spread and kind of evidence and its citation
number (from the notebook's :class:`~widgets.core.citations.Citations`); :func:`evidence_table` folds the full
table under it, its numbers linked to the reference list.  The explorer moves its artists in place and renders
once per change through :class:`~widgets.core.figures.FigureView`; its readout is a live region so a screen
reader hears each change.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

import ipywidgets as ipw

from widgets.core.citations import Citations
from widgets.core.controls import KeyboardShield, RadioGroup, Slider
from widgets.core.figures import BlitFigureView, StoredFigureView, new_figure
from widgets.core.idle import when_idle
from widgets.core.pictures import mode as pictures_mode
from widgets.core.text import count_phrase, fold, fold_html, plain_md, prose_html
from widgets.outcomes.height import (LOSS_MAX, LOSS_MIN, PROCEDURE_LABELS, SHAPE_LABELS, ExplorerInputError,
                                     HeightExplorer, default_explorer)
from widgets.core.numbers import fmt
from widgets.outcomes.exercise import PATIENT_QUESTIONS
from widgets.outcomes.plots import ExplorerArtists, draw_outcome, drawing_code, explorer_x
from widgets.outcomes.sentences import assumption_text, describe_state, outcome_alt, take_home
from widgets.outcomes.model import (Outcome, OutcomeSet, PatientQuestion, default_outcomes, grade_patient_answer,
                                    load_patient_questions, outcome_table_md)
from widgets.core.style import OKABE_ITO
from widgets.record.handin import default_log

WIDE = {"description_width": "initial"}
_STATUS = 'role="status" aria-live="polite"'


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def cited_html(citations: Citations, text: str) -> str:
    """Escape ``text`` and turn its ``[@id]`` keys into the notebook's reference numbers, each a link
    to its reference at the end of the notebook (as in the notebook's Markdown)."""
    return citations.html.cited(_esc(text))


# ----------------------------------------------------------------------------------- outcome pictures
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
                                name=f"outcome-{outcome.id}-{which}", code=drawing_code(), dpi=72)

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
