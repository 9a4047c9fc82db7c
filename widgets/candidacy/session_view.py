"""The quiz's session parts: today's five and the streak at the top, the score under the case, the study tools.

* :class:`SessionBar` (the top of the quiz, where a returning student lands): today's five (what is due for
  review and what is new, from :meth:`widgets.candidacy.quiz.Quiz.daily_plan`) with its button, the streak,
  and where the student is (the bank, a retry, a review, today's five).
* :class:`ScoreBar`: the bank's progress and the score, current practice's first and what the patient leaflet
  says beside it (:meth:`~widgets.candidacy.quiz.Quiz.progress_text`).
* :class:`StudyTools`: review the missed cases, retry them, review what is due, flashcards, and the class's
  most-missed rules beside the student's own.

Each part draws what the quiz (pure) says; the quiz view wires the buttons.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.candidacy.class_summary import DEFAULT_NAME
from widgets.record.handin_view import DownloadLink

WIDE = {"description_width": "initial"}
AUTO = ipw.Layout(width="auto")
LEFT = "text-align:left"


def esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def _table(caption: str, heads: tuple[str, ...], rows, cls: str = "") -> str:
    head = "".join(f"<th scope='col' style='{LEFT}'>{esc(h)}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td style='{LEFT}'>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (f"<table{f' class={chr(39)}{cls}{chr(39)}' if cls else ''}><caption>{esc(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


class SessionBar(ipw.VBox):
    """Today's five, the streak, and where the student is."""

    def __init__(self):
        self.daily_text = ipw.HTML()
        self.daily_text.add_class("vkp-quiz-daily")
        self.daily_button = ipw.Button(description="Start today's five", icon="sun-o", layout=AUTO,
                                       button_style="info",
                                       tooltip="Five cases: what is due for review today, mixed with new ones")
        self.status = ipw.HTML()
        self.status.add_class("vkp-quiz-status")
        box = ipw.HBox([self.daily_text, self.daily_button],
                       layout=ipw.Layout(flex_flow="row wrap", align_items="center", grid_gap="0.2em 1em"))
        box.add_class("vkp-quiz-daily-box")
        super().__init__([box, self.status])

    def show(self, quiz) -> None:
        plan, streak = quiz.daily_plan(), quiz.streak()
        self.daily_text.value = (f'<div role="status" aria-live="polite"><strong>Five a day:</strong> '
                                 f"{esc(plan.text())}. {esc(streak.text())}</div>")
        self.daily_button.disabled = quiz.mode == "daily" or not len(plan)
        self.status.value = (f'<div role="status" aria-live="polite"><strong>{esc(quiz.where_text())}</strong>'
                             f'<br><span class="vkp-quiz-due">{esc(quiz.due_text())}</span></div>')


class ScoreBar(ipw.HBox):
    """The bank's progress bar and its text twin: the score under current practice, then the leaflet's."""

    def __init__(self, total: int):
        self.bar = ipw.IntProgress(min=0, max=max(1, total), value=0, description="Case bank progress:", style=WIDE)
        self.text = ipw.HTML()
        self.text.add_class("vkp-quiz-score")
        super().__init__([self.bar, self.text], layout=ipw.Layout(flex_flow="row wrap", align_items="center"))

    def show(self, quiz) -> None:
        self.bar.max = max(1, quiz.bank_total)
        self.bar.value = quiz.bank_done
        self.text.value = f'<span role="status" aria-live="polite">{esc(quiz.progress_text())}</span>'


class StudyTools(ipw.VBox):
    """Review, retry, what is due, flashcards, and the class beside the student."""

    def __init__(self):
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
                                  layout=ipw.Layout(width="34em", max_width="100%"))
        # Never narrower than its label (at 1024 px the row has no room for both: the button wraps under the box).
        self.class_button = ipw.Button(description="Compare with my class", icon="users",
                                       layout=ipw.Layout(width="auto", flex="0 0 auto"),
                                       tooltip="Load the summary your instructor shared: the class's most-missed "
                                               "rules beside your own (no one's name is in it)")
        self.class_view = ipw.HTML()
        self.class_view.add_class("vkp-quiz-class")
        super().__init__([
            ipw.HBox([self.review_button, self.retry_button, self.due_button], layout=ipw.Layout(flex_flow="row wrap")),
            ipw.HBox([self.cards_button, self.cards_link], layout=ipw.Layout(align_items="center")), self.review,
            ipw.HBox([self.class_box, self.class_button], layout=ipw.Layout(flex_flow="row wrap", align_items="center")),
            self.class_view,
        ])

    def show(self, quiz) -> None:
        due = quiz.due_today()
        self.due_button.description = f"Review what is due today ({due})"
        self.due_button.disabled = due == 0

    def show_missed(self, quiz) -> None:
        rows = quiz.missed_rows()
        if not rows:
            self.review.value = ('<div role="status" aria-live="polite">No missed cases so far'
                                 + (" (answer a case first)." if not quiz.attempts else ". Well done.") + "</div>")
            return
        top = ", ".join(f"{title} ({n})" for title, n in quiz.missed_rule_titles(3))
        self.review.value = (
            '<div role="status" aria-live="polite">'
            f"<p>{len(rows)} missed answer{'s' if len(rows) != 1 else ''} (under current practice). Rules behind "
            f"them, most often first: {esc(top)}. {esc(quiz.due_text())}</p>"
            + _table("Missed cases", ("Case", "What was wrong", "Deciding rule(s)"), rows) + "</div>")

    def say(self, message: str, alert: bool = False) -> None:
        role = 'role="alert"' if alert else 'role="status" aria-live="polite"'
        self.review.value = f"<div {role}>{message}</div>"

    def show_class(self, summary, tables) -> None:
        """``tables``: (caption, rows) per standard, current practice's first."""
        parts = ['<div role="status" aria-live="polite"><p>Your class'
                 + (f" ({summary.students} students)" if summary.students else "")
                 + ": the rules most often missed at the first try, beside your own first tries. No one's name is "
                 "in the summary.</p>"]
        for caption, rows in tables:
            if rows:
                parts.append(_table(caption, ("Rule", "Class: missed at the first try",
                                              "You: cases missed at the first try"), rows, "vkp-quiz-class-table"))
        if summary.problems:
            parts.append("<details><summary>Lines of the file that were left out</summary><ul>"
                         + "".join(f"<li>{esc(x)}</li>" for x in summary.problems) + "</ul></details>")
        self.class_view.value = "".join(parts) + "</div>"

    def class_problem(self, name: str, problem: str) -> None:
        self.class_view.value = (f'<div role="alert" style="border-left:4px solid #D55E00;padding:0.3em 0.6em">'
                                 f"<strong>{esc(name)} cannot be used:</strong> {esc(problem)}.</div>")
