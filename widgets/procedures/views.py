"""Learn and Test modes over a procedure's steps (views: ipywidgets + matplotlib).

* :class:`StepperView` (Learn): Previous / Next buttons, "Step k of n" in a live
  status region with a progress bar, the step's what / why / what can go wrong
  with numbered citations, and the two fluoroscopic views (front and side,
  :class:`widgets.anatomy.fluoro.FluoroViews`) updated in place: a "within this step"
  slider plays out the needle advancing, the balloon inflating and deflating and the
  cement filling; a "what can go wrong" switch overlays the cement leakage routes.
* :class:`OrderingView` (Test): the steps shuffled with a seed in a keyboard
  list box; Move up / Move down, Check (marks steps out of place), Shuffle
  again, and the attempt history.  Every check is recorded as a ``step-order``
  attempt in the student's exercise log (:mod:`widgets.record.handin`), which the
  notebook's hand-in box hands in.
* :class:`DecisionQuiz` (Test): decision-point questions with per-answer feedback
  and a score over attempts; every answer is recorded (``decision-points``, or the
  exercise named, e.g. ``aftercare-quiz``).

All grading and data come from :mod:`widgets.procedures.steps`, and the attempts (the records the hand-in holds)
from :mod:`widgets.procedures.exercise`; nothing here parses YAML.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.anatomy.fluoro import FluoroViews
from widgets.anatomy.geometry import FractureGeometry, Heights, default_fracture, reference_vertebra
from widgets.anatomy.scene import LEAK_CITES, PROGRESS_PHASES, scene_for_step
from widgets.anatomy.segment import segment
from widgets.core.citations import Citations
from widgets.core.idle import when_idle
from widgets.core.controls import KeyboardShield, ListBox, RadioGroup, Shows, Slider
from widgets.core.questions_view import MultipleChoiceQuiz, button as _button
from widgets.core.questions_view import status_html as _status
from widgets.procedures.balloon import BalloonModel
from widgets.procedures.exercise import DECISION_POINTS, AttemptHistory, attempt_number, steps_in_place
from widgets.procedures.steps import Procedure, Question, grade_order, move, shuffled_ids
from widgets.record.handin import ExerciseLog, default_log

#: The level the procedure steppers draw: the reference vertebra of notebook 01 (L5, measured on CT).
STEPPER_LEVEL = "L5"
#: Positions of the "within this step" slider (%): few, so that each is drawn once, in advance.
PROGRESS_STEPS = (0, 25, 50, 75, 100)

WIDE = {"description_width": "initial"}


def example_geometry() -> FractureGeometry:
    """The reference L5 body with the illustrative wedge fracture the notebooks treat."""
    ref = reference_vertebra()
    return FractureGeometry(ref.expected, default_fracture(), ref.depth_mm)


# --------------------------------------------------------------------------- Learn mode

class StepperView(Shows):
    """Walk through a procedure one step at a time, watching the front and side fluoroscopic views."""

    def __init__(self, procedure: Procedure, citations: Citations, *, start: int = 0, prepare: bool = True):
        self.procedure = procedure
        self.citations = citations
        self.geometry = example_geometry()
        phases = [s.phase for s in procedure.steps]
        self.balloon = BalloonModel(self.geometry) if "balloon_inflate" in phases else None
        self._lift_from = phases.index("balloon_inflate") if self.balloon else None
        self.index = start
        if not 0 <= start < len(procedure.steps):
            raise ValueError(f"start must be a step index from 0 to {len(procedure.steps) - 1}; got {start}")
        self._syncing = False
        self.within = Slider("Within this step", min=0, max=100, value=100, step=25, unit="%")
        self.leaks = RadioGroup("What can go wrong: cement leak routes", options=[("Hide", "hide"), ("Show", "show")],
                                value="hide")
        self.labels = RadioGroup("Labels", options=[("On", "on"), ("Off", "off")], value="on")
        self.drawing = FluoroViews(STEPPER_LEVEL, self._heights_tuple(start), self.scene_at(start),
                                   title=f"{procedure.title}: the treated vertebra on fluoroscopy",
                                   stored=f"fluoro-steps-{procedure.name}-{start}")   # the same first picture every run
        if prepare:
            self.prepare()
        self.prev = _button("Previous step", "Go back one step (Enter or Space)")
        self.next = _button("Next step", "Go on to the next step (Enter or Space)", button_style="primary")
        self.status = ipw.HTML()
        self.card = ipw.HTML(layout=ipw.Layout(flex="1 1 22em", max_width="50em"))   # beside the views, or below them at full width
        self.within_note = ipw.HTML()
        self.prev.on_click(lambda _: self.go(self.index - 1))
        self.next.on_click(lambda _: self.go(self.index + 1))
        self.within.observe(lambda _: self._redraw(), names="value")
        self.leaks.observe(lambda _: self._redraw(), names="value")
        self.labels.observe(lambda _: self._redraw(), names="value")
        self.widget = ipw.VBox([
            self.status, ipw.HBox([self.prev, self.next]),
            ipw.HBox([self.within, self.within_note], layout=ipw.Layout(flex_flow="row wrap", align_items="center")),
            ipw.HBox([self.leaks, self.labels], layout=ipw.Layout(flex_flow="row wrap")),
            ipw.HBox([self.drawing.widget, self.card], layout=ipw.Layout(flex_flow="row wrap")),
            KeyboardShield(".vkp-stepper"),
        ])
        self.widget.add_class("vkp-stepper")
        self._show(render=False)  # the drawing was first rendered in this step's state

    @property
    def n(self) -> int:
        return len(self.procedure.steps)

    @property
    def step(self):
        return self.procedure.steps[self.index]

    def heights_at(self, index: int, progress: float = 1.0) -> Heights:
        """Fractured heights, lifted by the balloon from the inflation step on (KP only); while the
        balloon inflates, in proportion to ``progress`` through that step."""
        if self.balloon is None or index < self._lift_from:
            return self.geometry.fractured
        step = self.procedure.steps[index]
        inflation = step.drawing.balloon or 1.0
        if step.phase == "balloon_inflate":
            inflation *= progress
        return self.balloon.lifted(inflation)

    def _heights_tuple(self, index: int, progress: float = 1.0) -> tuple[float, float, float]:
        h = self.heights_at(index, progress)
        return (h.anterior, h.middle, h.posterior)

    def scene_at(self, index: int, progress: float = 1.0, leaks: bool = False):
        step = self.procedure.steps[index]
        seg = segment(STEPPER_LEVEL, self._heights_tuple(index, progress))
        return scene_for_step(seg, step.drawing, step.phase, progress, leaks=leaks)

    def frame_states(self) -> list[tuple]:
        """Every step's frame (and each position of the within-step slider where the body changes), the next
        steps first: what :meth:`prepare` draws."""
        states = []
        order = list(range(self.index + 1, self.n)) + list(range(0, self.index + 1))
        for i in order:
            step = self.procedure.steps[i]
            positions = PROGRESS_STEPS if step.phase == "balloon_inflate" else (100,)
            for pos in positions:
                p = pos / 100
                states.append((STEPPER_LEVEL, self._heights_tuple(i, p), 0.0, True, self.scene_at(i, p)))
        return states

    def prepare(self, now: bool = False) -> bool:
        """Draw every step's frame so that stepping only blits: in a kernel, while it is idle after the notebook
        has run (one frame per turn, widgets.core.idle), so Run All does not wait for frames nobody has reached
        yet; elsewhere, or with ``now``, at once.  A frame not drawn yet when it is reached is drawn then.
        Returns whether the drawing was deferred."""
        states = self.frame_states()
        if now:
            self.drawing.prepare(states)
            return False
        return when_idle([(lambda st=st: self.drawing.prepare([st])) for st in states])

    def go(self, index: int) -> None:
        """Show step ``index`` (0-based); past either end, stay and say so."""
        if index < 0 or index >= self.n:
            edge = "first" if index < 0 else "last"
            self.status.value = _status(
                f"Step {self.index + 1} of {self.n}: {self.step.title}. This is already the {edge} step.",
                self._bar())
            return
        self.index = index
        self._show(render=True)

    def _bar(self) -> str:
        return (f' <progress max="{self.n}" value="{self.index + 1}" '
                f'aria-label="Progress through the {html.escape(self.procedure.title.lower())} steps">'
                "</progress>")

    def _card(self) -> str:
        s = self.step
        esc = html.escape
        leak_note = (f"<p><strong>On the views:</strong> the red arrows show where cement can leak: into the disc, "
                     f"back into the spinal canal, into the veins {self.citations.html.cite(LEAK_CITES)}.</p>"
                     if self.leaks.value == "show" else "")
        return (f'<div class="vkp-step"><p><strong>{self.index + 1}. {esc(s.title)}</strong></p>'
                f"<p><strong>What happens:</strong> {esc(' '.join(s.text.split()))}</p>"
                f"<p><strong>Why:</strong> {esc(' '.join(s.why.split()))}</p>"
                f"<p><strong>What can go wrong:</strong> {esc(' '.join(s.risks.split()))}</p>"
                f"{leak_note}<p>Sources: {self.citations.html.cite(s.cites)}</p></div>")

    def _show(self, render: bool) -> None:
        s = self.step
        self.status.value = _status(f"Step {self.index + 1} of {self.n}: {s.title}", self._bar())
        playable = s.phase in PROGRESS_PHASES
        self._syncing = True
        try:
            self.within.value = 100
            self.within.disabled = not playable
        finally:
            self._syncing = False
        self.within_note.value = (f"<span>Slide back to watch {PROGRESS_PHASES[s.phase]} "
                                  "(Tab to the slider, then the arrow keys).</span>" if playable else
                                  "<span>Nothing moves within this step.</span>")
        self._redraw(render=render)

    def _redraw(self, render: bool = True) -> None:
        if self._syncing:
            return
        p = self.within.value / 100 if self.step.phase in PROGRESS_PHASES else 1.0
        leaks = self.leaks.value == "show"
        self.card.value = self._card()
        self.drawing.update(self.scene_at(self.index, p, leaks), heights=self._heights_tuple(self.index, p),
                            labels=self.labels.value == "on", render=render)


# --------------------------------------------------------------------------- Test mode: ordering

class OrderingView(Shows):
    """Put a procedure's steps in order, by keyboard: list box, Move up / Move down, Check."""

    def __init__(self, procedure: Procedure, *, seed: int = 0, history: AttemptHistory | None = None,
                 log: ExerciseLog | None = None):
        self.procedure = procedure
        self.seed = seed
        self._log = log
        self.history = history or AttemptHistory()
        self.order = shuffled_ids(procedure, seed)
        self.marks: dict[str, bool] = {}
        self.select = ListBox("Steps, first at the top:", rows=len(self.order))
        self._refreshing = False
        self.up = _button("Move up", "Move the selected step one place earlier")
        self.down = _button("Move down", "Move the selected step one place later")
        self.check = _button("Check order", "Check which steps are in the right place", button_style="primary")
        self.retry = _button("Shuffle and try again", "Start a new attempt with the steps shuffled")
        self.feedback = ipw.HTML(_status(
            "Select a step with the arrow keys, then use Move up and Move down; press Check order when done."))
        self.progress = ipw.HTML()
        self.up.on_click(lambda _: self.move_selected(-1))
        self.down.on_click(lambda _: self.move_selected(+1))
        self.check.on_click(lambda _: self.grade())
        self.retry.on_click(lambda _: self.reshuffle())
        self._refresh(select=self.order[0])
        self.select.observe(self._selected, names="value")
        self._show_progress()
        self.widget = ipw.VBox([
            self.select, ipw.HBox([self.up, self.down, self.check, self.retry]), self.feedback, self.progress,
        ])
        self.widget.add_class("vkp-ordering")

    @property
    def log(self) -> ExerciseLog:
        """The student's exercise log (the kernel's own unless one was given)."""
        return self._log or default_log()

    def _label(self, step_id: str) -> str:
        title = self.procedure.step(step_id).title
        if step_id in self.marks:
            return ("\u2713 " if self.marks[step_id] else "\u2717 out of place: ") + title
        return title

    def _refresh(self, select: str | None) -> None:
        self._refreshing = True
        try:
            self.select.options = [(self._label(i), i) for i in self.order]
            self.select.value = select
        finally:
            self._refreshing = False

    def _selected(self, change) -> None:
        """Confirm a student's choice in the status line (so the kernel has it before a move)."""
        if self._refreshing or change["new"] is None:
            return
        title = self.procedure.step(change["new"]).title
        self.feedback.value = _status(f"Selected: {title}, position {self.order.index(change['new']) + 1} "
                                      f"of {len(self.order)}.")

    def move_selected(self, delta: int) -> None:
        chosen = self.select.value
        if chosen is None:
            self.feedback.value = _status("Select a step first: Tab to the list, then use the arrow keys.")
            return
        index = self.order.index(chosen)
        self.order, new = move(self.order, index, delta)
        self.marks = {}
        self._refresh(select=chosen)
        title = self.procedure.step(chosen).title
        if new == index:
            where = "first" if delta < 0 else "last"
            self.feedback.value = _status(f"{title} is already {where}.")
        else:
            self.feedback.value = _status(f"{title} moved to position {new + 1} of {len(self.order)}.")

    def grade(self):
        result = grade_order(self.procedure, self.order)
        attempt = self.history.record(result)
        self.log.record_attempt(attempt.exercise, attempt.item, attempt.answer, attempt.grades, context=attempt.context)
        number = attempt_number(attempt)
        self.marks = {i: i not in result.misplaced for i in self.order}
        self._refresh(select=self.select.value)
        if result.correct:
            text = f"Attempt {number}: correct! All {len(self.order)} steps are in order."
        else:
            text = (f"Attempt {number}: not yet. {result.in_place} of {len(self.order)} steps are in "
                    f"place; the steps marked \u2717 are out of place. Move them and check again. "
                    + " ".join(result.hints(self.procedure)))
        self.feedback.value = _status(text)
        self._show_progress()
        return result

    def reshuffle(self) -> None:
        self.seed += 1
        self.order = shuffled_ids(self.procedure, self.seed)
        self.marks = {}
        self._refresh(select=self.order[0])
        self.feedback.value = _status("Shuffled again: put the steps in order, then press Check order.")

    def _show_progress(self) -> None:
        mine = [a for a in self.history.attempts if a.item == self.procedure.name]
        if not mine:
            self.progress.value = "<p>Attempts so far: none.</p>"
            return
        rows = "".join(
            f"<tr><td>{attempt_number(a)}</td><td>{steps_in_place(a)[0]} of {steps_in_place(a)[1]}</td>"
            f"<td>{'correct' if a.correct else 'not yet'}</td></tr>" for a in mine)
        self.progress.value = ("<table><caption>Your attempts</caption><thead><tr><th scope=\"col\">Attempt</th>"
                               "<th scope=\"col\">Steps in place</th><th scope=\"col\">Result</th></tr></thead>"
                               f"<tbody>{rows}</tbody></table>")


# --------------------------------------------------------------------------- Test mode: decisions

class DecisionQuiz(MultipleChoiceQuiz):
    """A procedure's decision points (:func:`widgets.procedures.steps.questions_for`), each with its own Check
    button and feedback, and a score; every answer is recorded as a ``decision-points`` attempt in the
    student's exercise log (the kernel's own unless one is given)."""

    def __init__(self, questions: list[Question], citations: Citations, *, exercise: str = DECISION_POINTS,
                 log: ExerciseLog | None = None):
        super().__init__(questions, citations, exercise=exercise, log=log if log is not None else default_log)
