"""The candidacy quiz widget: small views over the pure :class:`widgets.candidacy.quiz.Quiz`, wired together.

From the top: today's five, the streak and where the student is (:class:`~widgets.candidacy.session_view.SessionBar`,
where a returning student lands); the case, history first (:class:`~widgets.candidacy.card_view.CaseCard`); the
answer form, the reason in two short steps (:class:`~widgets.candidacy.answer_view.AnswerForm`); the feedback,
current practice first (:class:`~widgets.candidacy.feedback_view.FeedbackView`); the score
(:class:`~widgets.candidacy.session_view.ScoreBar`); the study tools
(:class:`~widgets.candidacy.session_view.StudyTools`); where answers are saved and the hand-in
(:class:`~widgets.candidacy.saving_view.SavingBox`).

Every answer is saved through the student's :class:`widgets.record.handin.ExerciseLog` (the progress file) as
soon as it is graded.  When nothing can be saved the quiz says so once, keeps the answers in the notebook,
offers them at once as a browser download, and lets the student choose another folder without a restart.
Everything works from the keyboard (Tab between controls, arrows in the radio groups, Space/Enter on buttons),
and every change of state has a text form in a live region.  Problems (an unreadable bank, a progress file that
cannot be written, a bad name) are shown in the widget, never as a traceback.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as ipw

from widgets.candidacy.answer_view import AnswerForm
from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.card_view import CaseCard
from widgets.candidacy.class_summary import DEFAULT_NAME, compare_rows, read_rules_summary
from widgets.candidacy.feedback_view import FeedbackView
from widgets.candidacy.flashcards import flashcards_filename
from widgets.candidacy.practice import load_practice_rules
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz, QuizError
from widgets.candidacy.rules import load_rules
from widgets.candidacy.saving_view import SavingBox
from widgets.candidacy.session_view import ScoreBar, SessionBar, StudyTools
from widgets.core.citations import Citations
from widgets.record.attempts import FileProblem
from widgets.record.handin import ExerciseLog, default_log
from widgets.record.progress import ProgressError, ProgressFile, atomic_write_text


def _esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


class QuizView(ipw.VBox):
    """The quiz as one widget (a VBox).  ``QuizView.for_notebook(citations)`` builds it from files."""

    def __init__(self, quiz: Quiz, progress: ProgressFile | ExerciseLog, citations: Citations | None = None,
                 *, export_dir: Path | str | None = None):
        self.quiz = quiz
        if isinstance(progress, ExerciseLog):
            self.exercise_log = progress
        else:
            self.exercise_log = ExerciseLog(progress, export_dir=export_dir if export_dir is not None
                                            else progress.path.parent)
        self.progress = self.exercise_log.store
        self.citations = citations or Citations()
        self.session = SessionBar()
        self.card = CaseCard()
        self.form = AnswerForm()
        self.error = ipw.HTML()
        self.error.add_class("vkp-quiz-error")
        self.feedback = FeedbackView(self.citations, load_rules(), load_practice_rules())
        self.score = ScoreBar(quiz.bank_total)
        self.tools = StudyTools()
        self.saving = SavingBox(self.exercise_log)
        for button, action in ((self.form.submit_button, self.on_submit), (self.form.next_button, self.on_next),
                               (self.session.daily_button, self.on_daily),
                               (self.tools.review_button, self.on_review), (self.tools.retry_button, self.on_retry),
                               (self.tools.due_button, self.on_review_due),
                               (self.tools.cards_button, self.on_flashcards), (self.tools.class_button, self.on_class),
                               (self.saving.folder_button, self.on_folder)):
            button.on_click(lambda _b, action=action: self._guard(action))
        super().__init__([self.session, self.card, self.form, self.error, self.feedback, self.score, self.tools,
                          self.saving])
        self.add_class("vkp-candidacy-quiz")
        self.saving.show_saved(self.progress.warning)
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
                                  attempts=quiz_attempts(log.store.attempts))
        except (ValueError, OSError) as exc:
            return error_box(str(exc))
        view = cls(quiz, log, citations)
        if log.save_problem:
            view.saving.saving_failed(log.save_problem, len(log.attempts()))
        return view

    # ----------------------------------------------------------------- student actions
    def _guard(self, action) -> None:
        """Run a student action; show any problem in the widget instead of a traceback."""
        self.error.value = ""
        try:
            action()
        except (QuizError, ProgressError, ValueError, OSError) as exc:
            self._show_error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a student never sees a traceback
            self._show_error(f"something went wrong ({type(exc).__name__}: {exc}); please tell your instructor")

    def _show_error(self, message: str) -> None:
        self.error.value = (f'<div role="alert" class="vkp-error" style="border-left:4px solid #D55E00;'
                            f'padding:0.3em 0.6em"><strong>Problem:</strong> {_esc(message)}</div>')

    def on_submit(self) -> None:
        grade = self.quiz.submit(*self.form.answer())
        self.form.lock()
        self.feedback.show(grade)
        self._show_progress()
        try:
            self.exercise_log.record(grade.attempt)
        except ProgressError as exc:
            self.saving.saving_failed(str(exc), len(self.exercise_log.attempts()))
        else:
            if not self.saving.failed:
                self.saving.show_saved(self.progress.warning)
        self.saving.handin.refresh()

    def on_folder(self) -> None:
        self.exercise_log.move_progress(self.saving.folder_box.value)
        self.saving.moved(len(self.exercise_log.attempts()), self.saving.folder_box.value.strip())

    def on_next(self) -> None:
        self.quiz.next()
        self._show_case()

    def on_daily(self) -> None:
        self.quiz.start_daily()
        self.tools.review.value = ""
        self._show_case()

    def on_review(self) -> None:
        self.tools.show_missed(self.quiz)

    def on_retry(self) -> None:
        self.quiz.start_retry(10)
        self.tools.review.value = ""
        self._show_case()

    def on_review_due(self) -> None:
        self.quiz.start_review()
        self.tools.review.value = ""
        self._show_case()

    def on_flashcards(self) -> None:
        """Write the flashcards next to the notebook and offer them as a download (which always works)."""
        text = self.quiz.flashcards()
        cards = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
        plural = "s" if cards != 1 else ""
        name = flashcards_filename(self.exercise_log.identity.slug, self.exercise_log.today())
        link = self.tools.cards_link
        link.filename, link.content, link.disabled = name, text, False
        link.label = f"Download the flashcards ({cards} card{plural})"
        try:
            atomic_write_text(Path(self.exercise_log.export_dir) / name, text, mode=0o644)
        except OSError as exc:
            self.tools.say(f"{cards} flashcard{plural} could not be saved next to the notebook "
                           f"({_esc(exc.strerror or str(exc))}); use the download instead.", alert=True)
            return
        self.tools.say(f"{cards} flashcard{plural} saved next to this notebook as <code>{_esc(name)}</code>. To "
                       "study them in Anki: <em>File &gt; Import</em>, choose the file, and accept the settings it "
                       "carries (a Basic card per case, front and back, in its own deck).")

    def on_class(self) -> None:
        """Load the class summary the instructor shared; show the class's most-missed rules beside the student's."""
        path = Path(self.tools.class_box.value.strip() or DEFAULT_NAME).expanduser()
        if not path.is_absolute():
            path = Path(self.exercise_log.export_dir) / path
        try:
            summary = read_rules_summary(path)
        except FileProblem as exc:
            self.tools.class_problem(path.name, str(exc))
            return
        attempts = self.quiz.attempts
        self.tools.show_class(summary, [
            ("Under current practice", compare_rows(summary, attempts, "current_practice")),
            ("What the patient leaflet says", compare_rows(summary, attempts, "leaflet"))])

    # ----------------------------------------------------------------- drawing
    def _show_case(self) -> None:
        self.card.show(self.quiz.current)
        self.form.reset()
        self.feedback.clear()
        self._show_progress()

    def _show_progress(self) -> None:
        self.score.show(self.quiz)
        self.tools.show(self.quiz)
        self.session.show(self.quiz)


def error_box(message: str) -> ipw.HTML:
    """A widget that shows a problem in words (used when the quiz cannot start)."""
    box = ipw.HTML(f'<div role="alert" style="border-left:4px solid #D55E00;padding:0.3em 0.6em">'
                   f"<strong>The quiz could not start:</strong> {_esc(message)}</div>")
    box.add_class("vkp-quiz-error")
    return box
