"""Multiple-choice questions in a notebook (view: ipywidgets): each question with its own Check button,
feedback per answer (and the misconception a wrong answer reveals), and a score over attempts.

The questions and their grading are :mod:`widgets.core.questions`.  Every answer is recorded through the
``log`` a topic gives: anything with ``record_attempt(exercise, item, answer, grades)``, such as the
student's exercise log (:mod:`widgets.record.handin`), or a function that returns one, called at each
answer (so showing a quiz opens no file).  This keeps the view below the record layer; the topics'
own views give it the kernel's log (:class:`widgets.procedures.views.DecisionQuiz`,
:func:`widgets.recovery.views.aftercare_quiz`).
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.core.citations import Citations
from widgets.core.controls import RadioGroup, Shows
from widgets.core.questions import Question, QuizScore, grade_decision


def status_html(text: str, extra: str = "") -> str:
    """A live status line (read out by screen readers when it changes); ``text`` is escaped, ``extra`` is HTML."""
    return (f'<div role="status" aria-live="polite" class="vkp-status">{html.escape(text)}{extra}</div>')


def button(description: str, tooltip: str, **kw) -> ipw.Button:
    """A button as wide as its label, with a tooltip."""
    return ipw.Button(description=description, tooltip=tooltip, layout=ipw.Layout(width="auto"), **kw)


class MultipleChoiceQuiz(Shows):
    """Multiple-choice questions, each with its own Check button and feedback, and a score."""

    def __init__(self, questions: list[Question], citations: Citations, *, exercise: str, log):
        self.questions = questions
        self.citations = citations
        self.exercise = exercise
        self._log = log
        self.score = QuizScore([q.id for q in questions])
        self.choices: dict[str, RadioGroup] = {}
        self.buttons: dict[str, ipw.Button] = {}
        self.feedback: dict[str, ipw.HTML] = {}
        self.score_html = ipw.HTML(status_html(self.score.text()))
        boxes = []
        for n, q in enumerate(questions, start=1):
            prompt = ipw.HTML(f"<p><strong>Question {n}.</strong> {html.escape(q.prompt)}</p>")
            radio = RadioGroup(f"Answer to question {n}:", options=[(o.text, o.id) for o in q.options], vertical=True)
            check = button(f"Check answer {n}", "Check this answer and read the feedback")
            fb = ipw.HTML()
            check.on_click(lambda _, q=q: self.answer(q.id))
            radio.observe(lambda change, q=q, n=n: self._chosen(q, n, change["new"]), names="value")
            self.choices[q.id], self.buttons[q.id], self.feedback[q.id] = radio, check, fb
            boxes.append(ipw.VBox([prompt, radio, check, fb]))
        self.widget = ipw.VBox(boxes + [self.score_html])
        self.widget.add_class("vkp-quiz")

    @property
    def log(self):
        """Where answers are recorded: the log given, or what the function given returns (asked at each answer)."""
        return self._log if hasattr(self._log, "record_attempt") else self._log()

    def _chosen(self, q: Question, n: int, option_id: str | None) -> None:
        """Confirm the choice (the kernel has it) and say what to do next."""
        if option_id is None:
            return
        self.feedback[q.id].value = status_html(f"Chosen: {q.option(option_id).text}. Press Check answer {n}.")

    def answer(self, question_id: str):
        q = next(q for q in self.questions if q.id == question_id)
        chosen = self.choices[question_id].value
        if chosen is None:
            self.feedback[question_id].value = status_html("Choose an answer first (Tab to the choices, arrow keys to pick).")
            return None
        result = grade_decision(q, chosen)
        self.score.record(result)
        self.log.record_attempt(
            self.exercise, q.id, {"option": chosen},
            {"course": {"correct": result.correct, "expected": {"option": result.answer}}})
        verdict = "Correct." if result.correct else "Not quite."
        misconception = q.option(chosen).misconception
        reveals = (f" The misconception behind this answer: {' '.join(misconception.split())}"
                   if misconception and not result.correct else "")
        self.feedback[question_id].value = status_html(
            f"{verdict} {' '.join(result.feedback.split())}{reveals} ", f"Sources: {self.citations.html.cite(q.cites)}")
        self.score_html.value = status_html(self.score.text())
        return result
