"""Where the quiz's answers go: a line saying they are saved (in words, never a path), a fallback folder when
they cannot be, and the hand-in box.

:class:`SavingBox` says once, in an alert, when answers cannot be saved, keeps a count of the answers held in
the notebook, offers another folder, and holds the :class:`~widgets.record.handin_view.HandInBox`.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.record.handin_view import HandInBox

WIDE = {"description_width": "initial"}
AUTO = ipw.Layout(width="auto")
#: Where answers are saved, in words (the file itself lives in the student's own data folder).
SAVED = ("Your answers are saved as you give them, in your own progress file on this computer (kept with your "
         "user settings, not in this notebook's folder), so closing the notebook loses nothing.")


def esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def _held(n: int) -> str:
    return f'<p class="vkp-quiz-held">{n} answer{"s" if n != 1 else ""} held in this notebook only.</p>'


class SavingBox(ipw.VBox):
    def __init__(self, exercise_log):
        self.saved_to = ipw.HTML()
        self.saved_to.add_class("vkp-quiz-saved-to")
        self.folder_box = ipw.Text(description="Save my answers in this folder instead:", style=WIDE,
                                   layout=ipw.Layout(width="34em"), placeholder="e.g. ~/quiz-answers")
        self.folder_button = ipw.Button(description="Save to this folder", icon="folder", layout=AUTO,
                                        tooltip="Save every answer so far in this folder, and the next ones too")
        self.folder_row = ipw.HBox([self.folder_box, self.folder_button], layout=ipw.Layout(display="none"))
        self.handin = HandInBox(exercise_log, what="your quiz answers (and any other exercises you did)")
        self.failed = False
        super().__init__([self.saved_to, self.folder_row, self.handin])

    def show_saved(self, warning: str | None = None) -> None:
        alert = (f'<div role="alert" style="border-left:4px solid #E69F00;padding:0.3em 0.6em">'
                 f"<strong>Warning:</strong> {esc(warning)}</div>") if warning else ""
        self.saved_to.value = f"<div>{alert}{SAVED}</div>"

    def saving_failed(self, problem: str, held: int) -> None:
        """Say once that answers cannot be saved (then only the count of answers held changes)."""
        if not self.failed:
            self.failed = True
            self.folder_row.layout.display = "flex"
            self.saved_to.value = (
                '<div role="alert" style="border-left:4px solid #D55E00;padding:0.3em 0.6em">'
                f"<strong>Your answers cannot be saved:</strong> {esc(problem)}. They are kept in this notebook "
                "while it runs. Use <strong>Download my answers</strong> below now, or type another folder and "
                "press <strong>Save to this folder</strong>.</div>" + _held(held))
        else:
            self.saved_to.value = self.saved_to.value.split('<p class="vkp-quiz-held">')[0] + _held(held)

    def moved(self, n: int, folder: str) -> None:
        """Answers saved in the folder the student typed (said back as they typed it)."""
        self.failed = False
        self.folder_row.layout.display = "none"
        self.saved_to.value = (f'<div role="status" aria-live="polite">Saved {n} answer{"s" if n != 1 else ""} in '
                               f"the folder you chose, <code>{esc(folder)}</code>; your next answers are saved there "
                               "too.</div>")
