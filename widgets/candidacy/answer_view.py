"""The quiz's answer form: a verdict per procedure, then the deciding reason in two short steps.

:class:`AnswerForm` holds labelled radio groups (one Tab stop each, arrow keys choose): vertebroplasty,
kyphoplasty, the reason's family (:mod:`widgets.candidacy.reasons`) and the reason within that family;
picking a family fills the second group with its reasons (a family of one picks it).  A live region repeats
the answer the kernel has, so a screen reader hears each choice; Submit and Next follow.  The form holds no
logic beyond that: :meth:`answer` hands the choices to the quiz, which grades them.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.candidacy.practice import reason_title
from widgets.candidacy.reasons import load_families
from widgets.core.controls import RadioGroup

AUTO = ipw.Layout(width="auto")  # buttons as wide as their labels, never truncated
CHOICES = [("Candidate", "candidate"), ("Not a candidate", "not_candidate")]
ANSWER = {"candidate": True, "not_candidate": False, None: None}
REASON_PROMPT = "Deciding reason, step 2: which one?"
NO_FAMILY = "Deciding reason, step 2: choose a kind of reason first"


class AnswerForm(ipw.VBox):
    def __init__(self):
        self.families = load_families()
        self.vp = RadioGroup("Vertebroplasty", CHOICES)
        self.kp = RadioGroup("Kyphoplasty", CHOICES)
        self.family = RadioGroup("Deciding reason, step 1: what kind of reason decides this case?",
                                 self.families.options(), vertical=True)
        self.reason = RadioGroup(NO_FAMILY, [], vertical=True)
        self.echo = ipw.HTML()
        self.echo.add_class("vkp-quiz-answer")
        self.submit_button = ipw.Button(
            description="Submit answer", layout=AUTO, button_style="primary", icon="check",
            tooltip="Grade your answers for both procedures and your deciding reason")
        self.next_button = ipw.Button(description="Next case", icon="arrow-right", disabled=True, layout=AUTO,
                                      tooltip="Go on to the next case")
        self.family.observe(lambda change: self._show_family(change["new"]), names="value")
        for control in (self.vp, self.kp, self.reason):
            control.observe(lambda _change: self._echo(), names="value")
        super().__init__([self.vp, self.kp, self.family, self.reason, self.echo,
                          ipw.HBox([self.submit_button, self.next_button])])
        self.add_class("vkp-quiz-form")

    def _show_family(self, family_id: str | None) -> None:
        self.reason.value = None
        if family_id is None:
            self.reason.options, self.reason.description = [], NO_FAMILY
        else:
            family = self.families[family_id]
            self.reason.options = family.options()
            self.reason.description = f"{REASON_PROMPT} ({family.title})"
            if len(family.reasons) == 1:
                self.reason.value = family.reasons[0]
        self._echo()

    def _echo(self) -> None:
        words = {None: "not chosen yet", "candidate": "candidate", "not_candidate": "not a candidate"}
        reason = reason_title(self.reason.value) if self.reason.value else "not chosen yet"
        self.echo.value = ('<div role="status" aria-live="polite">Your answer: vertebroplasty, '
                           f"{words[self.vp.value]}; kyphoplasty, {words[self.kp.value]}; deciding reason, "
                           f"{html.escape(reason)}.</div>")

    def answer(self) -> tuple[bool | None, bool | None, str | None]:
        """(vertebroplasty, kyphoplasty, reason id), each None when not chosen."""
        return ANSWER[self.vp.value], ANSWER[self.kp.value], self.reason.value

    def choose(self, vertebroplasty: bool, kyphoplasty: bool, reason: str) -> None:
        """Set an answer as a student would: the verdicts, the reason's family, then the reason."""
        self.vp.value = "candidate" if vertebroplasty else "not_candidate"
        self.kp.value = "candidate" if kyphoplasty else "not_candidate"
        self.family.value = self.families.family_of(reason).id
        self.reason.value = reason

    def lock(self) -> None:
        """After Submit: the answer stays on screen, Next is offered."""
        for control in (self.vp, self.kp, self.family, self.reason, self.submit_button):
            control.disabled = True
        self.next_button.disabled = False

    def reset(self) -> None:
        """A new case: nothing chosen, Submit offered."""
        for control in (self.vp, self.kp, self.family):
            control.value = None
            control.disabled = False
        self.reason.disabled = False
        self.submit_button.disabled = False
        self.next_button.disabled = True
