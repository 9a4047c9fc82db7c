"""The pre-test and the post-test in a notebook: one question at a time, no feedback, a hand-in box.

:class:`PrePostTestView` draws a :class:`widgets.assessment.prepost.PrePostTest`: a case (its history, a
simulated x-ray when it has one, both verdicts and the deciding rule, as in the quiz) or a decision point
(its options), **Save and go on**, and at the end the student's score (and, after the post-test, their
gain over the pre-test).  Every answer is recorded at once in the student's exercise log and handed in
with **Hand in my answers**, like every exercise.  Everything works from the keyboard (Tab between
controls, arrows in a radio group, Enter or Space on a button); every change of state is also said in a
live region.  Content text is escaped; a problem shows in the widget, never as a traceback.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.assessment.exercise import POST_TEST, PRE_TEST
from widgets.assessment.forms import question, vignette
from widgets.assessment.prepost import PrePostTest, PrePostError
from widgets.candidacy.case_image_view import case_image_html
from widgets.candidacy.practice import reason_title
from widgets.candidacy.rules import REASON_IDS
from widgets.core.controls import KeyboardShield, RadioGroup
from widgets.record.handin import ExerciseLog, default_log
from widgets.record.handin_view import HandInBox
from widgets.record.progress import ProgressError

AUTO = ipw.Layout(width="auto")
CHOICES = [("Candidate", "candidate"), ("Not a candidate", "not_candidate")]
ANSWER = {"candidate": True, "not_candidate": False, None: None}
NAMES = {test.id: test.title.lower() for test in (PRE_TEST, POST_TEST)}   # what the student reads


def _esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def _status(text: str, *, alert: bool = False) -> str:
    role = 'role="alert" style="border-left:4px solid #D55E00;padding:0.3em 0.6em"' if alert \
        else 'role="status" aria-live="polite"'
    return f"<div {role}>{text}</div>"


class PrePostTestView(ipw.VBox):
    """The test as one widget.  ``PrePostTestView.for_notebook('pre-test')`` builds it for this student."""

    def __init__(self, test: PrePostTest, log: ExerciseLog):
        self.test, self.exercise_log = test, log
        self.status = ipw.HTML()
        self.case = ipw.HTML(layout=ipw.Layout(flex="1 1 24em", min_width="18em"))
        self.case.add_class("vkp-test-case")
        self.image = ipw.HTML(layout=ipw.Layout(display="none", flex="0 0 auto"))
        self.vp = RadioGroup("Vertebroplasty", CHOICES)
        self.kp = RadioGroup("Kyphoplasty", CHOICES)
        self.reason = RadioGroup("Deciding reason (the rule that decides this case)",
                                 [(reason_title(r), r) for r in REASON_IDS], vertical=True)
        self.option = RadioGroup("Your answer", [("-", "-")], vertical=True)
        self.save = ipw.Button(description="Save and go on", icon="arrow-right", button_style="primary",
                               layout=AUTO, tooltip="Keep this answer (it cannot be changed) and show the next question")
        self.error = ipw.HTML()
        self.done = ipw.HTML()
        self.done.add_class("vkp-test-done")
        self.save.on_click(lambda _b: self._guard(self.on_save))
        self.case_controls = ipw.VBox([self.vp, self.kp, self.reason])
        self.handin = HandInBox(log, what=f"your {NAMES[test.phase]} answers (and any other exercises you did)")
        super().__init__([self.status, ipw.HBox([self.case, self.image], layout=ipw.Layout(
            flex_flow="row wrap", align_items="flex-start")), self.case_controls, self.option, ipw.HBox([self.save]),
            self.error,
            self.done, self.handin, KeyboardShield(".vkp-prepost")])
        self.add_class("vkp-prepost")
        self._show()

    @classmethod
    def for_notebook(cls, phase: str, *, log: ExerciseLog | None = None):
        """This student's test, resuming from the answers already saved; a problem is shown, not raised."""
        log = log or default_log()
        try:
            test = PrePostTest(phase, log.order_seed, log.attempts())
        except (ValueError, OSError) as exc:
            return ipw.HTML(_status(f"<strong>The {_esc(NAMES.get(phase, phase))} cannot start:</strong> "
                                    f"{_esc(exc)}. Tell your instructor.", alert=True))
        return cls(test, log)

    # ----------------------------------------------------------------- actions
    def _guard(self, action) -> None:
        self.error.value = ""
        try:
            action()
        except (PrePostError, ValueError, OSError) as exc:
            self.error.value = _status(f"<strong>Problem:</strong> {_esc(exc)}", alert=True)
        except Exception as exc:  # noqa: BLE001 - a student never sees a traceback
            self.error.value = _status(f"<strong>Problem:</strong> something went wrong ({_esc(type(exc).__name__)}); "
                                       "tell your instructor.", alert=True)

    def current_answer(self) -> dict:
        item = self.test.current
        if item is not None and item.kind == "case":
            return {"vertebroplasty": ANSWER[self.vp.value], "kyphoplasty": ANSWER[self.kp.value],
                    "reason": self.reason.value}
        return {"option": self.option.value}

    def on_save(self) -> None:
        attempt = self.test.answer(self.current_answer())
        try:
            self.exercise_log.record(attempt)
        except ProgressError as exc:
            self.error.value = _status(f"<strong>Your answers cannot be saved:</strong> {_esc(exc)}. They are kept "
                                       "while this notebook runs: use <strong>Download my answers</strong> below.",
                                       alert=True)
        self.handin.refresh()
        self._show()

    # ----------------------------------------------------------------- drawing
    def _show(self) -> None:
        item, result = self.test.current, self.test.result()
        name = NAMES[self.test.phase]
        if item is None:
            for w in (self.case_controls, self.option, self.save):
                w.layout.display = "none"
            self.case.value, self.image.value = "", ""
            self.image.layout.display = "none"
            self.status.value = _status(f"<strong>The {name} is done.</strong> {_esc(self.test.summary())}")
            self.done.value = ("<p>Now press <strong>Hand in my answers</strong> (and, if your course collects "
                               "files, <strong>Download my answers</strong>). Your instructor shows the class's "
                               "results, not yours, to everyone.</p>")
            return
        self.status.value = _status(f"<strong>{name.capitalize()}: question {self.test.position} of "
                                    f"{result.items}.</strong> No feedback until the end; answer as you would now.")
        for control in (self.vp, self.kp, self.reason, self.option):
            control.value = None
        if item.kind == "case":
            v = vignette(item.ref, self.test.bank)
            self.case.value = (f'<div class="vkp-vignette"><h3>{_esc(v.title)}</h3>'
                               f'<p style="overflow-wrap:normal;word-break:normal">{_esc(v.history)}</p>'
                               "<p>Is this patient a candidate for each procedure, and which rule decides?</p></div>")
            self.image.value = case_image_html(v.image) if v.image is not None else ""
            self.image.layout.display = "block" if v.image is not None else "none"
            self.case_controls.layout.display = "flex"
            self.option.layout.display = "none"
        else:
            q = question(item.ref)
            self.case.value = f'<div class="vkp-vignette"><h3>A decision point</h3><p>{_esc(q.prompt)}</p></div>'
            self.image.value = ""
            self.image.layout.display = "none"
            self.option.options = [(o.text, o.id) for o in q.options]
            self.case_controls.layout.display = "none"
            self.option.layout.display = "flex"
