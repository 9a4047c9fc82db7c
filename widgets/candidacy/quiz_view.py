"""The candidacy quiz widget: a vignette, answers per procedure, the deciding rule, feedback, hand-in.

:class:`QuizView` draws a :class:`widgets.candidacy.quiz.Quiz` and saves every answer through the
student's :class:`widgets.record.handin.ExerciseLog` (the progress file) as soon as it is graded.
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
from IPython.display import HTML as HTMLOutput

from widgets.candidacy.case_image import CANNOT_SHOW, read_image
from widgets.candidacy.case_image_view import case_image_html
from widgets.candidacy.flashcards import flashcards_filename
from widgets.candidacy.practice import assess_practice, compare, load_practice_rules, reason_title
from widgets.candidacy.quiz import GradedAnswer, Quiz, QuizError, quiz_records
from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.rules import REASON_IDS, assess, case_notes, load_rules
from widgets.candidacy.class_summary import DEFAULT_NAME, own_rule_misses, read_rules_summary
from widgets.record.handin import ExerciseLog, default_log
from widgets.record.handin_view import DownloadLink, HandInBox
from widgets.record.progress import ProgressError, ProgressFile, atomic_write_text
from widgets.record.attempts import FileProblem
from widgets.core.course import PROCEDURES
from widgets.core.citations import Citations
from widgets.core.controls import RadioGroup
from widgets.candidacy.vignettes import Vignette, generate

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
        self.practice_rules = load_practice_rules()

        self.status = ipw.HTML()
        self.status.add_class("vkp-quiz-status")
        self.vignette = ipw.HTML()
        self.vignette.add_class("vkp-quiz-vignette")
        self.vignette.layout = ipw.Layout(flex="1 1 24em", min_width="18em")
        # The case's simulated x-ray (for cases that have one), beside the history where there is room.
        self.case_image = ipw.HTML(layout=ipw.Layout(display="none", flex="0 0 auto"))
        self.case_image.add_class("vkp-quiz-image")
        self.vp = RadioGroup("Vertebroplasty", CHOICES)
        self.kp = RadioGroup("Kyphoplasty", CHOICES)
        self.reason = RadioGroup("Deciding reason (the rule that decides this case)",
                                  [(reason_title(r), r) for r in REASON_IDS], vertical=True)
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
        self.due_button = ipw.Button(description="Review what is due today", icon="calendar", layout=AUTO,
                                     tooltip="The cases and rules you missed on earlier days that are due again")
        self.cards_button = ipw.Button(description="Flashcards of my missed cases", icon="clone", layout=AUTO,
                                       tooltip="An Anki file of every case you missed, saved next to this notebook")
        self.cards_link = DownloadLink(label="Download the flashcards (none yet)", disabled=True, mime="text/plain",
                                       filename="vkp-flashcards.txt",
                                       hint="Import it in Anki with File > Import; the settings are in the file")
        self.review = ipw.HTML()
        self.review.add_class("vkp-quiz-review")
        self.class_box = ipw.Text(value=DEFAULT_NAME, description="Your class's summary file:", style=WIDE,
                                  layout=ipw.Layout(width="34em"))
        self.class_button = ipw.Button(description="Compare with my class", icon="users", layout=AUTO,
                                       tooltip="Load the summary your instructor shared: the class's most-missed "
                                               "rules beside your own (no one's name is in it)")
        self.class_view = ipw.HTML()
        self.class_view.add_class("vkp-quiz-class")
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
        self.due_button.on_click(lambda _b: self._guard(self.on_review_due))
        self.cards_button.on_click(lambda _b: self._guard(self.on_flashcards))
        self.class_button.on_click(lambda _b: self._guard(self.on_class))

        super().__init__(children=[
            self.status, ipw.HBox([self.vignette, self.case_image],
                                  layout=ipw.Layout(flex_flow="row wrap", align_items="flex-start")), self.vp, self.kp, self.reason, self.answer_echo,
            ipw.HBox([self.submit_button, self.next_button]),
            self.error, self.feedback,
            ipw.HBox([self.bar, self.bar_text]),
            ipw.HBox([self.review_button, self.retry_button, self.due_button], layout=ipw.Layout(flex_flow="row wrap")),
            ipw.HBox([self.cards_button, self.cards_link], layout=ipw.Layout(align_items="center")), self.review,
            ipw.HBox([self.class_box, self.class_button]), self.class_view,
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
                                  records=quiz_records(log.store.attempts))
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

    def on_review_due(self) -> None:
        self.quiz.start_review()
        self.review.value = ""
        self._show_case()

    def on_flashcards(self) -> None:
        """Write the flashcards next to the notebook and offer them as a download (which always works)."""
        text = self.quiz.flashcards()
        cards = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
        name = flashcards_filename(self.exercise_log.identity.slug, self.exercise_log.today())
        self.cards_link.filename, self.cards_link.content = name, text
        self.cards_link.disabled = False
        self.cards_link.label = f"Download the flashcards ({cards} card{'s' if cards != 1 else ''})"
        target = Path(self.exercise_log.export_dir) / name
        try:
            atomic_write_text(target, text, mode=0o644)
        except OSError as exc:
            self.review.value = (f'<div role="alert">{cards} flashcard{"s" if cards != 1 else ""} could not be saved '
                                 f"next to the notebook ({_esc(exc.strerror or str(exc))}); use the download "
                                 "instead.</div>")
            return
        self.review.value = (f'<div role="status" aria-live="polite">{cards} flashcard{"s" if cards != 1 else ""} '
                             f"saved to <code>{_esc(str(target))}</code>. To study them in Anki: <em>File &gt; "
                             "Import</em>, choose the file, and accept the settings it carries (a Basic card per "
                             "case, front and back, in its own deck).</div>")

    def on_class(self) -> None:
        """Load the class summary the instructor shared; show the class's most-missed rules beside the student's."""
        path = Path(self.class_box.value.strip() or DEFAULT_NAME).expanduser()
        if not path.is_absolute():
            path = Path(self.exercise_log.export_dir) / path
        try:
            summary = read_rules_summary(path)
        except FileProblem as exc:
            self.class_view.value = (f'<div role="alert" style="border-left:4px solid #D55E00;padding:0.3em 0.6em">'
                                     f"<strong>{_esc(path.name)} cannot be used:</strong> {_esc(str(exc))}.</div>")
            return
        self.class_view.value = self.class_html(summary)

    # ----------------------------------------------------------------- rendering
    def _show_case(self) -> None:
        q, v = self.quiz, self.quiz.current
        if q.mode == "bank":
            where = f"Case bank: case {q.position(v)} of {q.bank_total} (your own order)"
        elif q.mode == "retry":
            where = f"Retry set: {len(q.queue)} more case{'s' if len(q.queue) != 1 else ''} after this one"
        elif q.mode == "review":
            where = f"Review of what is due: {len(q.queue)} more case{'s' if len(q.queue) != 1 else ''} after this one"
        else:
            where = "Practice: a generated case (the bank is done; practise as long as you like)"
        self.status.value = (f'<div role="status" aria-live="polite"><strong>{_esc(where)}</strong>'
                             f'<br><span class="vkp-quiz-due">{_esc(q.due_text())}</span></div>')
        due = q.due_today()
        self.due_button.description = f"Review what is due today ({due})"
        self.due_button.disabled = due == 0
        self.vignette.value = (f'<div class="vkp-vignette"><h3>{_esc(v.title)}</h3>'
                               f'<p style="overflow-wrap:normal;word-break:normal;hyphens:manual">'
                               f'{_esc(v.history)}</p></div>')
        if v.image is not None:
            self.case_image.value = case_image_html(v.image)
            self.case_image.layout.display = "block"
        else:
            self.case_image.value = ""
            self.case_image.layout.display = "none"
        for control in (self.vp, self.kp, self.reason):
            control.value = None
            control.disabled = False
        self.submit_button.disabled = False
        self.next_button.disabled = True
        self.feedback.value = ""
        self._show_progress()

    def _echo_answer(self) -> None:
        said = {None: "not chosen yet", "candidate": "candidate", "not_candidate": "not a candidate"}
        reason = reason_title(self.reason.value) if self.reason.value else "not chosen yet"
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
        return self.citations.html.cite(keys)

    def feedback_html(self, grade: GradedAnswer) -> str:
        """The feedback for one graded answer: both standards' verdicts side by side, where and why they
        differ, the deciding rules of each with citations, and the evidence notes."""
        r, a, p = grade.record, grade.assessment, grade.practice
        leaflet_cite = self._cite(["kochan2015"])
        head = (f"<p><strong>{'Correct' if r.correct else 'Not quite'}.</strong> The quiz grades against the "
                f"leaflet's rules {leaflet_cite}, and beside them against current practice, built from trials, "
                "guidelines and references.")
        if p is not None:
            head += (f" Under current practice your answer is <strong>{'right' if r.practice_correct else 'not right'}"
                     "</strong>.")
        rows = []
        for proc, given, ok in (("vertebroplasty", r.vertebroplasty_answer, r.vertebroplasty_correct),
                                ("kyphoplasty", r.kyphoplasty_answer, r.kyphoplasty_correct)):
            practice_cell = ""
            if p is not None:
                pok = getattr(r, f"practice_{proc}_correct")
                practice_cell = f"<td style=\'text-align:left\'>{_esc(p.decision(proc).verdict)} ({_mark(pok)})</td>"
            rows.append(f'<tr><th scope="row" style=\'text-align:left\'>{proc.capitalize()}</th><td style=\'text-align:left\'>{_say(given)}</td>'
                        f"<td style=\'text-align:left\'>{_esc(a.decision(proc).verdict)} ({_mark(ok)})</td>{practice_cell}</tr>")
        reason_cells = (f'<tr><th scope="row" style=\'text-align:left\'>Deciding reason</th><td style=\'text-align:left\'>{_esc(reason_title(r.reason_rule))}</td>'
                        f"<td style=\'text-align:left\'>{_esc('; '.join(reason_title(i) for i in r.deciding_rules))} ({_mark(r.reason_correct)})"
                        "</td>")
        if p is not None:
            reason_cells += (f"<td style=\'text-align:left\'>{_esc('; '.join(self.practice_rules[i].title for i in r.practice_deciding_rules))} "
                             f"({_mark(r.practice_reason_correct)})</td>")
        rows.append(reason_cells + "</tr>")
        practice_head = '<th scope="col" style=\'text-align:left\'>Current practice</th>' if p is not None else ""
        table = ('<table class="vkp-quiz-verdicts"><caption>Your answer and the two standards\' verdicts'
                 '</caption><thead><tr><th scope="col" style=\'text-align:left\'></th><th scope="col" style=\'text-align:left\'>You said</th>'
                 f'<th scope="col" style=\'text-align:left\'>The leaflet</th>{practice_head}</tr></thead><tbody>' + "".join(rows)
                 + "</tbody></table>")
        out = ['<div role="status" aria-live="polite" class="vkp-feedback">', head + "</p>", table]
        comparison = grade.comparison
        if comparison is not None:
            out.append(f'<p class="vkp-quiz-differ"><strong>{_esc(comparison.sentence())}</strong></p>')
            if comparison.why:
                out.append("<ul>" + "".join(f"<li><strong>{_esc(t)}</strong>: {self.citations.html.cited(_esc(x))}</li>"
                                            for t, x in comparison.why) + "</ul>")
        leaflet_rules = [self.rules[i] for i in a.deciding_rules]
        items = "".join(f"<li><strong>{_esc(rule.title)}</strong>: {_esc(rule.explanation)} "
                        f"{self._cite(rule.cites)}</li>" for rule in leaflet_rules)
        details = [f"<p>The leaflet's deciding rule{'s' if len(leaflet_rules) > 1 else ''}:</p><ul>{items}</ul>"]
        if p is not None:
            practice_items = []
            for rule_id in p.deciding_rules:
                rule = self.practice_rules[rule_id]
                text = rule.note_for(a.patient.fracture_cause)
                note = f" {self.citations.html.cited(_esc(text))}" if text else ""
                practice_items.append(f"<li><strong>{_esc(rule.title)}</strong> "
                                      f"({_esc(self.practice_rules.kind_words(rule_id))}): {_esc(rule.explanation)} "
                                      f"{self._cite(rule.cites)}{note}</li>")
            details.append(f"<p>Current practice's deciding rule{'s' if len(practice_items) > 1 else ''}:</p>"
                           "<ul>" + "".join(practice_items) + "</ul>")
            if p.cautions:
                details.append("<p>Current practice also notes (this changes no verdict):</p><ul>"
                               + "".join(f"<li><strong>{_esc(t)}</strong>: {self.citations.html.cited(_esc(n))}</li>"
                                         for t, n in p.cautions) + "</ul>")
        # The notes fit the case: a rule's note for this fracture cause, the cause's own note
        # (e.g. trauma) and the case's note (widgets.candidacy.rules.case_notes).
        seen_notes = [f"<li><strong>{_esc(title)}</strong>: {self.citations.html.cited(_esc(note))}</li>"
                      for title, note in case_notes(grade.vignette, a, self.rules)]
        if seen_notes:
            details.append("<p>What trials and guidelines say about the leaflet's rule and this case (an evidence "
                           "note; it does not change the grade):</p><ul>" + "".join(seen_notes) + "</ul>")
        image = getattr(grade.vignette, "image", None)
        if image is not None:
            out.append(f'<p class="vkp-quiz-image-said"><strong>{_esc(read_image(image).summary())}</strong> '
                       f"{_esc(CANNOT_SHOW)}</p>")
        out.append('<details class="vkp-quiz-why" open><summary>Why: the rules of each standard, with their '
                   "sources</summary>" + "".join(details) + "</details>")
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
            deciding = "; ".join(reason_title(i) for i in rec.deciding_rules)
            rows.append(f"<tr><td style=\'text-align:left\'>{_esc(title)}</td><td style=\'text-align:left\'>{_esc(', '.join(wrong))}</td>"
                        f"<td style=\'text-align:left\'>{_esc(deciding)}</td></tr>")
        counts = self.quiz.missed_rules()
        top = ", ".join(f"{reason_title(k)} ({n})" for k, n in counts.most_common(3))
        return ('<div role="status" aria-live="polite">'
                f"<p>{len(missed)} missed answer{'s' if len(missed) != 1 else ''} (under the leaflet, the quiz's "
                f"answer key). Rules behind them, most often first: {_esc(top)}. {_esc(self.quiz.due_text())}</p>"
                '<table><caption>Missed cases</caption><thead><tr><th scope="col" style=\'text-align:left\'>Case</th>'
                '<th scope="col" style=\'text-align:left\'>What was wrong</th><th scope="col" style=\'text-align:left\'>Deciding rule(s)</th></tr></thead>'
                "<tbody>" + "".join(rows) + "</tbody></table></div>")

    def class_html(self, summary, top: int = 6) -> str:
        """The class's most-missed rules (from the shared summary) beside the student's own first tries."""
        names = {"leaflet": "Under the leaflet", "current_practice": "Under current practice"}
        parts = [f'<div role="status" aria-live="polite"><p>Your class'
                 + (f" ({summary.students} students)" if summary.students else "")
                 + ": the rules most often missed at the first try, beside your own first tries. No one's name is in "
                 "the summary.</p>"]
        for standard in ("leaflet", "current_practice"):
            lines = summary.for_standard(standard)[:top]
            if not lines:
                continue
            mine = own_rule_misses(self.quiz.records, standard)
            rows = []
            for line in lines:
                m = mine.get(line.rule)
                yours = f"{m[0]} of {m[1]} missed" if m else "not met yet"
                rows.append(f"<tr><td style=\'text-align:left\'>{_esc(reason_title(line.rule))}</td>"
                            f"<td style=\'text-align:left\'>{line.first_missed} of {line.cases_answered} ({line.percent:g} %)</td>"
                            f"<td style=\'text-align:left\'>{_esc(yours)}</td></tr>")
            parts.append(f'<table class="vkp-quiz-class-table"><caption>{names[standard]}</caption><thead><tr>'
                         '<th scope="col" style=\'text-align:left\'>Rule</th><th scope="col" style=\'text-align:left\'>Class: missed at the first try</th>'
                         '<th scope="col" style=\'text-align:left\'>You: cases missed at the first try</th></tr></thead><tbody>'
                         + "".join(rows) + "</tbody></table>")
        if summary.problems:
            parts.append("<details><summary>Lines of the file that were left out</summary><ul>"
                         + "".join(f"<li>{_esc(x)}</li>" for x in summary.problems) + "</ul></details>")
        parts.append("</div>")
        return "".join(parts)


# --------------------------------------------------------------------------- for the notebook's prose

FINDING_WORDS = {
    "fracture_healed": "the fracture has healed (no oedema on MRI)",
    "neurological_deficit": "weakness, numbness or cord signs from the fractured level",
    "radicular_pain": "nerve-root (radicular) pain",
    "systemic_infection": "an infection elsewhere in the body, or sepsis",
    "cement_allergy": "allergy to bone cement",
    "epidural_tumour": "tumour spreading into the spinal canal",
}
CAUSE_WORDS = {"osteoporosis": "osteoporosis", "trauma": "an injury (trauma)", "tumor": "a tumour",
               "vascular": "a vascular lesion", "infection": "an infection", "other": "bone thinned by another condition"}


def findings_words(patient) -> list[str]:
    """A patient's findings in plain words (what a clinician would list on a card)."""
    p = patient
    out = []
    if p.compression_fracture:
        lesion = {"haemangioma": ", a haemangioma", "other": ", not a haemangioma"}.get(p.vascular_lesion or "", "")
        out.append(f"a compression fracture caused by {CAUSE_WORDS[p.fracture_cause]}{lesion}")
    else:
        out.append("no compression fracture")
    out.append(("severe" if p.severe_back_pain else "mild or moderate") + " back pain, "
               + ("eased" if p.pain_relieved_by_medication_and_bed_rest else "not eased")
               + " by pain medication and bed rest")
    if p.posterior_cortical_defect:
        out.append("a broken back wall of the vertebral body (posterior cortical defect)")
    if p.infected:
        out.append("an infection in the vertebra")
    if p.pain_from_herniated_disc:
        out.append("pain from a herniated disc rather than from the fracture")
    out += [words for field, words in FINDING_WORDS.items() if getattr(p, field)]
    if p.coagulopathy != "none":
        out.append(f"a bleeding tendency that {'can' if p.coagulopathy == 'correctable' else 'cannot'} be corrected")
    return out


def case_card(vignette, citations: Citations) -> HTMLOutput:
    """A patient card: the case, its findings in plain words, and both standards' verdicts side by side."""
    leaflet, practice = assess(vignette.patient), assess_practice(vignette.patient)
    comparison = compare(leaflet, practice)
    prules = load_practice_rules()
    rows = "".join(f'<tr><th scope="row" style=\'text-align:left\'>{proc.capitalize()}</th><td style=\'text-align:left\'>{_esc(leaflet.decision(proc).verdict)}</td>'
                   f"<td style=\'text-align:left\'>{_esc(practice.decision(proc).verdict)}</td></tr>" for proc in PROCEDURES)
    rows += (f'<tr><th scope="row" style=\'text-align:left\'>Deciding</th><td style=\'text-align:left\'>{_esc("; ".join(reason_title(r) for r in leaflet.deciding_rules))}'
             f' {citations.html.cite("kochan2015")}</td><td style=\'text-align:left\'>'
             f'{_esc("; ".join(prules[r].title for r in practice.deciding_rules))} '
             + citations.html.cite(k for r in practice.deciding_rules for k in prules[r].cites)
             + "</td></tr>")
    why = "".join(f"<li><strong>{_esc(t)}</strong>: {citations.html.cited(_esc(x))}</li>" for t, x in comparison.why)
    card = (f'<div class="vkp-case-card" style="border:1px solid #767676;border-left:6px solid #0072B2;'
            f'padding:0.5em 0.9em;max-width:52em">'
            f"<p><strong>{_esc(vignette.title)}</strong></p>"
            f'<p style="overflow-wrap:normal;word-break:normal">{_esc(vignette.history)}</p>'
            "<p>Findings: " + "; ".join(_esc(w) for w in findings_words(vignette.patient)) + ".</p>"
            '<table><caption>The two standards\' verdicts</caption><thead><tr><th scope="col" style=\'text-align:left\'></th>'
            '<th scope="col" style=\'text-align:left\'>The leaflet</th><th scope="col" style=\'text-align:left\'>Current practice</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            f"<p><strong>{_esc(comparison.sentence())}</strong></p>" + (f"<ul>{why}</ul>" if why else "") + "</div>")
    return HTMLOutput(card)


def standards_tables(citations: Citations) -> HTMLOutput:
    """Both standards' rules in plain words, each in a disclosure: what applies, to which procedure, and why."""
    leaflet, practice = load_rules(), load_practice_rules()

    def table(rules, kind_words, caption: str) -> str:
        head = ('<thead><tr><th scope="col" style=\'text-align:left\'>Rule</th><th scope="col" style=\'text-align:left\'>Applies to</th><th scope="col" style=\'text-align:left\'>Verdict when it '
                'applies</th><th scope="col" style=\'text-align:left\'>What it says</th></tr></thead>')
        body = []
        for r in rules:
            applies = "both procedures" if r.applies_to == "both" else r.applies_to
            verdict = "candidate" if r.effect == "candidate" else kind_words(r)
            body.append(f"<tr><td style=\'text-align:left\'>{_esc(r.title)}</td><td style=\'text-align:left\'>{_esc(applies)}</td><td style=\'text-align:left\'>{_esc(verdict)}</td>"
                        f"<td style=\'text-align:left\'>{_esc(r.explanation)} {citations.html.cite(r.cites)}</td></tr>")
        return (f'<table class="vkp-rules"><caption>{_esc(caption)}</caption>{head}<tbody>{"".join(body)}'
                "</tbody></table>")

    leaflet_kind = lambda r: "kyphoplasty not recommended" if r.id == "kp_cause_excluded" else "not a candidate"  # noqa: E731
    practice_kind = lambda r: practice.kinds[r.kind]  # noqa: E731
    return HTMLOutput(
        f"<details><summary>The leaflet's rules ({len(leaflet)}), the quiz's first grade</summary>"
        + table(leaflet, leaflet_kind, "The leaflet's candidacy rules") + "</details>"
        + f"<details><summary>Current practice's rules ({len(practice)}), the second grade</summary>"
        + table(practice, practice_kind, "Current practice, from trials, guidelines and references") + "</details>")


def example_case(case_id: str | None = None, *, seed: int | None = None, citations: Citations | None = None):
    """The card of a bank case (by id) or of the first generated case for ``seed``."""
    cites = citations or Citations()
    if case_id is not None:
        return case_card(Vignette.from_case(load_case_bank().case(case_id)), cites)
    return case_card(generate(seed or 0, 1)[0], cites)


def error_box(message: str) -> ipw.HTML:
    """A widget that shows a problem in words (used when the quiz cannot start)."""
    box = ipw.HTML(f'<div role="alert" style="border-left:4px solid #D55E00;padding:0.3em 0.6em">'
                   f"<strong>The quiz could not start:</strong> {_esc(message)}</div>")
    box.add_class("vkp-quiz-error")
    return box
