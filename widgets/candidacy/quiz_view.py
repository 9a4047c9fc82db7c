"""The candidacy quiz widget: a vignette, answers per procedure, the deciding rule, feedback, hand-in.

:class:`QuizView` draws a :class:`widgets.candidacy.quiz.Quiz` and saves every answer through the
student's :class:`widgets.classroom.handin.ExerciseLog` (the progress file) as soon as it is graded.
When nothing can be saved it says so once, keeps the answers in the notebook, offers them at once
as a browser download, and lets the student choose another folder without a restart.  Everything a
student does works from the keyboard (Tab between controls, arrows in the radio
groups and the rule list, Space/Enter on buttons), and every change of state has
a text form in a live region.  Content text (an instructor's vignette, a rule's
explanation) is escaped with :func:`html.escape`, so markup in it shows as text.
Problems (an unreadable bank, a progress file that cannot be written, a bad
name) are shown in the widget, never as a traceback.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as ipw

from widgets.candidacy.quiz import Grade, Quiz, QuizError
from widgets.candidacy.rules import RULE_IDS, case_notes, load_case_bank, load_rules
from widgets.classroom.handin import ExerciseLog, default_log
from widgets.classroom.handin_view import HandInBox
from widgets.classroom.progress import ProgressError, ProgressFile
from widgets.core.citations import Citations
from widgets.core.controls import RadioGroup

WIDE = {"description_width": "initial"}
AUTO = ipw.Layout(width="auto")  # buttons as wide as their labels, never truncated
CHOICES = [("Candidate", "candidate"), ("Not a candidate", "not_candidate")]
ANSWER = {"candidate": True, "not_candidate": False, None: None}

def _esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def _mark(ok: bool) -> str:
    return "&#10003; right" if ok else "&#10007; wrong"


def _say(answer: bool) -> str:
    return "candidate" if answer else "not a candidate"


class QuizView(ipw.VBox):
    """The quiz as one widget (a VBox).  ``QuizView.for_notebook(citations)`` builds it from files."""

    def __init__(self, quiz: Quiz, progress: ProgressFile | ExerciseLog, citations: Citations | None = None,
                 *, export_dir: Path | str | None = None):
        self.quiz = quiz
        if isinstance(progress, ExerciseLog):
            self.exercise_log = progress
        else:
            self.exercise_log = ExerciseLog(progress, export_dir=export_dir if export_dir is not None else progress.path.parent)
        self.progress = self.exercise_log.store
        self.citations = citations or Citations()
        self._save_failed = False
        self.rules = load_rules()

        self.status = ipw.HTML()
        self.status.add_class("vkp-quiz-status")
        self.vignette = ipw.HTML()
        self.vignette.add_class("vkp-quiz-vignette")
        self.vp = RadioGroup("Vertebroplasty", CHOICES)
        self.kp = RadioGroup("Kyphoplasty", CHOICES)
        self.reason = RadioGroup("Deciding reason (the rule that decides this case)",
                                  [(r.title, r.id) for r in self.rules], vertical=True)
        # What the kernel has of the student's answer: a screen reader hears each choice, and a fast
        # keyboard user can see it arrived before pressing Submit.
        self.answer_echo = ipw.HTML()
        self.answer_echo.add_class("vkp-quiz-answer")
        for control in (self.vp, self.kp, self.reason):
            control.observe(lambda _change: self._echo_answer(), names="value")
        self.submit_button = ipw.Button(
            description="Submit answer", layout=AUTO, button_style="primary", icon="check",
            tooltip="Grade your answers for both procedures and your deciding reason")
        self.next_button = ipw.Button(description="Next case", icon="arrow-right", disabled=True, layout=AUTO,
                                      tooltip="Go on to the next case")
        self.feedback = ipw.HTML()
        self.feedback.add_class("vkp-quiz-feedback")
        self.error = ipw.HTML()
        self.error.add_class("vkp-quiz-error")
        self.bar = ipw.IntProgress(min=0, max=max(1, quiz.bank_total), value=quiz.bank_done,
                                   description="Case bank progress:", style=WIDE)
        self.bar_text = ipw.HTML()
        self.review_button = ipw.Button(description="Review missed cases", icon="list", layout=AUTO,
                                        tooltip="List the cases you did not get fully right")
        self.retry_button = ipw.Button(description="Retry: the cases I missed, then practice", icon="refresh",
                                       layout=AUTO, tooltip="The cases you got wrong again, then cases weighted "
                                                            "toward the rules you missed (ten at least)")
        self.review = ipw.HTML()
        self.review.add_class("vkp-quiz-review")
        self.saved_to = ipw.HTML()
        self.saved_to.add_class("vkp-quiz-saved-to")
        self.folder_box = ipw.Text(description="Save my answers in this folder instead:", style=WIDE,
                                   layout=ipw.Layout(width="34em"), placeholder="e.g. ~/quiz-answers")
        self.folder_button = ipw.Button(description="Save to this folder", icon="folder", layout=AUTO,
                                        tooltip="Save every answer so far in this folder, and the next ones too")
        self.folder_row = ipw.HBox([self.folder_box, self.folder_button], layout=ipw.Layout(display="none"))
        self.handin = HandInBox(self.exercise_log, what="your quiz answers (and any other exercises you did)")
        self.submit_button.on_click(lambda _b: self._guard(self.on_submit))
        self.next_button.on_click(lambda _b: self._guard(self.on_next))
        self.review_button.on_click(lambda _b: self._guard(self.on_review))
        self.retry_button.on_click(lambda _b: self._guard(self.on_retry))
        self.folder_button.on_click(lambda _b: self._guard(self.on_folder))

        super().__init__(children=[
            self.status, self.vignette, self.vp, self.kp, self.reason, self.answer_echo,
            ipw.HBox([self.submit_button, self.next_button]),
            self.error, self.feedback,
            ipw.HBox([self.bar, self.bar_text]),
            ipw.HBox([self.review_button, self.retry_button]), self.review,
            self.saved_to, self.folder_row, self.handin,
        ])
        self.add_class("vkp-candidacy-quiz")
        self._show_saved_to()
        self._show_case()

    # ----------------------------------------------------------------- building from files
    @classmethod
    def for_notebook(cls, citations: Citations | None = None, *, bank: Path | str | None = None,
                     progress: Path | str | None = None, seed: int | None = None,
                     export_dir: Path | str | None = None, log: ExerciseLog | None = None):
        """The quiz over the shipped (or an instructor's) bank, resuming from the student's progress.

        Each student gets their own case order (seeded by their identity).  If the bank cannot be
        used, the returned widget says why instead of raising; a progress file that cannot be read
        is kept aside and the quiz starts fresh.
        """
        if log is None:
            log = (ExerciseLog.open(progress, export_dir=export_dir) if progress is not None or export_dir is not None
                   else default_log())
        try:
            loaded = load_case_bank(bank)
            quiz = Quiz.from_bank(loaded, seed=log.quiz_seed if seed is None else seed, order_seed=log.order_seed,
                                  records=log.quiz_records())
        except (ValueError, OSError) as exc:
            return error_box(str(exc))
        view = cls(quiz, log, citations)
        if log.save_problem:
            view._saving_failed(log.save_problem)
        return view

    # ----------------------------------------------------------------- event handlers
    def _guard(self, action) -> None:
        """Run a student action; show any problem in the widget instead of a traceback."""
        self.error.value = ""
        try:
            action()
        except (QuizError, ProgressError, ValueError, OSError) as exc:
            self._show_error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a student never sees a traceback
            self._show_error(f"something went wrong ({type(exc).__name__}: {exc}); "
                             "please tell your instructor")

    def _show_error(self, message: str) -> None:
        self.error.value = (f'<div role="alert" class="vkp-error" style="border-left:4px solid #D55E00;'
                            f'padding:0.3em 0.6em"><strong>Problem:</strong> {_esc(message)}</div>')

    def on_submit(self) -> None:
        grade = self.quiz.submit(ANSWER[self.vp.value], ANSWER[self.kp.value], self.reason.value)
        for control in (self.vp, self.kp, self.reason, self.submit_button):
            control.disabled = True
        self.next_button.disabled = False
        self.feedback.value = self.feedback_html(grade)
        self._show_progress()
        try:
            self.exercise_log.record(grade.record)
        except ProgressError as exc:
            self._saving_failed(str(exc))
        else:
            if not self._save_failed:
                self._show_saved_to()
        self.handin.refresh()

    def _saving_failed(self, problem: str) -> None:
        """Say once that answers cannot be saved; offer the download and another folder."""
        held = len(self.exercise_log.attempts())
        if not self._save_failed:
            self._save_failed = True
            self.folder_row.layout.display = "flex"
            self.saved_to.value = (
                '<div role="alert" style="border-left:4px solid #D55E00;padding:0.3em 0.6em">'
                f"<strong>Your answers cannot be saved:</strong> {_esc(problem)}. They are kept in this notebook "
                "while it runs. Use <strong>Download my answers</strong> below now, or type another folder and "
                "press <strong>Save to this folder</strong>.</div>"
                f'<p class="vkp-quiz-held">{held} answer{"s" if held != 1 else ""} held in this notebook only.</p>')
        else:
            head = self.saved_to.value.split('<p class="vkp-quiz-held">')[0]
            self.saved_to.value = (head + f'<p class="vkp-quiz-held">{held} answer{"s" if held != 1 else ""} '
                                   "held in this notebook only.</p>")

    def on_folder(self) -> None:
        path = self.exercise_log.move_progress(self.folder_box.value)
        self._save_failed = False
        self.folder_row.layout.display = "none"
        n = len(self.exercise_log.attempts())
        self.saved_to.value = (f'<div role="status" aria-live="polite">Saved {n} answer{"s" if n != 1 else ""} to '
                               f"<code>{_esc(str(path))}</code>; your next answers are saved there too.</div>")

    def on_next(self) -> None:
        self.quiz.next()
        self._show_case()

    def on_review(self) -> None:
        self.review.value = self.review_html()

    def on_retry(self) -> None:
        self.quiz.start_retry(10)
        self.review.value = ""
        self._show_case()

    # ----------------------------------------------------------------- rendering
    def _show_case(self) -> None:
        q, v = self.quiz, self.quiz.current
        if q.mode == "bank":
            where = f"Case bank: case {q.position(v)} of {q.bank_total} (your own order)"
        elif q.mode == "retry":
            where = f"Retry set: {len(q.queue)} more case{'s' if len(q.queue) != 1 else ''} after this one"
        else:
            where = "Practice: a generated case (the bank is done; practise as long as you like)"
        self.status.value = f'<div role="status" aria-live="polite"><strong>{_esc(where)}</strong></div>'
        self.vignette.value = (f'<div class="vkp-vignette"><h3>{_esc(v.title)}</h3>'
                               f'<p>{_esc(v.history)}</p></div>')
        for control in (self.vp, self.kp, self.reason):
            control.value = None
            control.disabled = False
        self.submit_button.disabled = False
        self.next_button.disabled = True
        self.feedback.value = ""
        self._show_progress()

    def _echo_answer(self) -> None:
        said = {None: "not chosen yet", "candidate": "candidate", "not_candidate": "not a candidate"}
        titles = {r.id: r.title for r in self.rules}
        reason = titles.get(self.reason.value, "not chosen yet")
        self.answer_echo.value = (
            '<div role="status" aria-live="polite">Your answer: vertebroplasty, '
            f"{said[self.vp.value]}; kyphoplasty, {said[self.kp.value]}; deciding reason, {_esc(reason)}.</div>")

    def _show_progress(self) -> None:
        self.bar.max = max(1, self.quiz.bank_total)
        self.bar.value = self.quiz.bank_done
        self.bar_text.value = (f'<span role="status" aria-live="polite">'
                               f'{_esc(self.quiz.progress_text())}</span>')

    def _show_saved_to(self) -> None:
        parts = [f"Your answers are saved as you give them, to <code>{_esc(str(self.progress.path))}</code>."]
        if self.progress.warning:
            parts.insert(0, f'<div role="alert" style="border-left:4px solid #E69F00;padding:0.3em 0.6em">'
                            f'<strong>Warning:</strong> {_esc(self.progress.warning)}</div>')
        self.saved_to.value = "<div>" + " ".join(parts) + "</div>"

    def _cite(self, keys) -> str:
        return self.citations.cite("[" + "; ".join(f"@{k}" for k in keys) + "]")

    def feedback_html(self, grade: Grade) -> str:
        """The feedback for one graded answer: verdicts, the deciding rules with citations, evidence notes."""
        r, a = grade.record, grade.assessment
        head = "Correct" if r.correct else "Not quite"
        leaflet = self._cite(["kochan2015"])
        items = []
        for proc, given, ok in (("vertebroplasty", r.vertebroplasty_answer, r.vertebroplasty_correct),
                                ("kyphoplasty", r.kyphoplasty_answer, r.kyphoplasty_correct)):
            d = a.decision(proc)
            items.append(f"<li>{proc.capitalize()}: you said <em>{_say(given)}</em> ({_mark(ok)}). "
                         f"The leaflet's rules say <strong>{_esc(d.verdict)}</strong>.</li>")
        chosen = self.rules[r.reason_rule].title
        items.append(f"<li>Deciding reason: you chose <em>{_esc(chosen)}</em> ({_mark(r.reason_correct)}).</li>")
        rules_html = []
        for rule_id in RULE_IDS:
            if rule_id not in r.deciding_rules:
                continue
            rule = self.rules[rule_id]
            rules_html.append(f"<li><strong>{_esc(rule.title)}</strong> (rule <code>{rule.id}</code>): "
                              f"{_esc(rule.explanation)} {self._cite(rule.cites)}</li>")
        # The notes fit the case: a rule's note for this fracture cause, the cause's own note
        # (e.g. trauma) and the case's note (widgets.candidacy.rules.case_notes).
        seen_notes = [f"<li><strong>{_esc(title)}</strong>: {self.citations.cite(_esc(note))}</li>"
                      for title, note in case_notes(grade.vignette, a, self.rules)]
        out = ['<div role="status" aria-live="polite" class="vkp-feedback">',
               f"<p><strong>{head}.</strong> The quiz grades against the leaflet's rules {leaflet}.</p>",
               "<ul>" + "".join(items) + "</ul>",
               "<p>The rule" + ("s that decide" if len(rules_html) > 1 else " that decides") + " this case:</p>",
               "<ul>" + "".join(rules_html) + "</ul>"]
        if seen_notes:
            out.append("<p>What trials and guidelines say (an evidence note; it does not change the grade):</p>")
            out.append("<ul>" + "".join(seen_notes) + "</ul>")
        out.append("</div>")
        return "".join(out)

    def review_html(self) -> str:
        missed = self.quiz.missed()
        if not missed:
            return ('<div role="status" aria-live="polite">No missed cases so far'
                    + (" (answer a case first)." if not self.quiz.records else ". Well done.") + "</div>")
        rows = []
        for rec, v in missed:
            title = v.title if v is not None else rec.case_id
            wrong = [name for name, ok in (("vertebroplasty", rec.vertebroplasty_correct),
                                           ("kyphoplasty", rec.kyphoplasty_correct),
                                           ("reason", rec.reason_correct)) if not ok]
            deciding = "; ".join(self.rules[i].title for i in rec.deciding_rules)
            rows.append(f"<tr><td>{_esc(title)}</td><td>{_esc(', '.join(wrong))}</td>"
                        f"<td>{_esc(deciding)}</td></tr>")
        counts = self.quiz.missed_rules()
        top = ", ".join(f"{self.rules[k].title} ({n})" for k, n in counts.most_common(3))
        return ('<div role="status" aria-live="polite">'
                f"<p>{len(missed)} missed answer{'s' if len(missed) != 1 else ''}. "
                f"Rules behind them, most often first: {_esc(top)}.</p>"
                '<table><caption>Missed cases</caption><thead><tr><th scope="col">Case</th>'
                '<th scope="col">What was wrong</th><th scope="col">Deciding rule(s)</th></tr></thead>'
                "<tbody>" + "".join(rows) + "</tbody></table></div>")


def error_box(message: str) -> ipw.HTML:
    """A widget that shows a problem in words (used when the quiz cannot start)."""
    box = ipw.HTML(f'<div role="alert" style="border-left:4px solid #D55E00;padding:0.3em 0.6em">'
                   f"<strong>The quiz could not start:</strong> {_esc(message)}</div>")
    box.add_class("vkp-quiz-error")
    return box
