"""Handing in from a notebook: who you are, a Hand in button, and a real browser download.

:class:`DownloadLink` is a link that saves a file the kernel prepared: the text travels with the
widget, and the browser makes the file from it (a ``blob:`` URL), so the download works without a
server round trip, even when no folder on the server can be written.  :class:`HandInBox` is what
every notebook shows under its exercises: name and student id (or the hub login), **Hand in my
answers** (:meth:`widgets.record.handin.ExerciseLog.hand_in`) and the download of the same file.
"""

from __future__ import annotations

import html

import anywidget
import ipywidgets as ipw
import traitlets

from widgets.record.handin import ExerciseLog, default_log
from widgets.core.controls import STATIC, STYLESHEET
from widgets.core.settings import current_settings

WIDE = {"description_width": "initial"}


class DownloadLink(anywidget.AnyWidget):
    """A link that saves ``content`` as ``filename`` in the browser (a ``blob:`` URL; no server round trip)."""

    _esm = STATIC / "download_link.js"
    _css = STYLESHEET

    filename = traitlets.Unicode("answers.jsonl").tag(sync=True)
    content = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("Download").tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)
    mime = traitlets.Unicode("application/x-ndjson").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)


def _hub_service() -> bool:
    return bool(current_settings().handin_url)


def _status(text: str, *, alert: bool = False) -> str:
    role = 'role="alert"' if alert else 'role="status" aria-live="polite"'
    style = ' style="border-left:4px solid #D55E00;padding:0.3em 0.6em"' if alert else ""
    return f"<div {role}{style}>{text}</div>"


class HandInBox(ipw.VBox):
    """Name and student id, **Hand in my answers**, and **Download my answers**, for one student's log."""

    def __init__(self, log: ExerciseLog | None = None, *, what: str = "your answers in this course"):
        self.exercise_log = log or default_log()
        identity = self.exercise_log.identity
        hub = identity.hub_user
        self.name = ipw.Text(value=identity.name, description="Your name:" if not hub else "Your name (optional):",
                             placeholder="e.g. Sam Lee", style=WIDE, layout=ipw.Layout(width="26em"),
                             continuous_update=False)
        self.student_id = ipw.Text(value=identity.student_id, description="Student id (if your course uses them):",
                                   placeholder="e.g. s1234567", style=WIDE, layout=ipw.Layout(width="30em"),
                                   continuous_update=False)
        self.button = ipw.Button(description="Hand in my answers", icon="upload", button_style="primary",
                                 layout=ipw.Layout(width="auto"),
                                 tooltip="Save all your answers so far in one file for your instructor")
        self.download = DownloadLink(label="Download my answers", hint="Save the same file to your computer")
        self.status = ipw.HTML()
        self.status.add_class("vkp-handin-status")
        who = (f"<p>You are signed in as <strong>{html.escape(hub)}</strong>; your hand-ins carry this name.</p>"
               if hub else "")
        where = ("and a copy goes to your instructor's hand-in folder." if self.exercise_log.handin_dir is not None
                 else "and your instructor receives it through the hub." if _hub_service()
                 else "; send that file to your instructor, as they ask (or they collect it from your folder).")
        self.help = ipw.HTML(
            f"{who}<p><strong>Hand in my answers</strong> saves {html.escape(what)} in one file next to this "
            f"notebook{'' if where.startswith(';') else ', '}{where} Press it again later: new answers are added, "
            "nothing is overwritten. "
            "<strong>Download my answers</strong> saves the same file to your computer, which always works, "
            "even if the server cannot save anything.</p>")
        self.button.on_click(lambda _b: self.hand_in())
        for box in (self.name, self.student_id):
            box.observe(lambda _c: self._identity_changed(), names="value")
        super().__init__([self.help, ipw.HBox([self.name, self.student_id], layout=ipw.Layout(flex_flow="row wrap")),
                          ipw.HBox([self.button, self.download], layout=ipw.Layout(align_items="center")),
                          self.status])
        self.add_class("vkp-handin")
        self.refresh()

    def _identity_changed(self) -> None:
        try:
            self.exercise_log.set_identity(self.name.value, self.student_id.value)
        except ValueError as exc:
            self.status.value = _status(f"<strong>Problem:</strong> {html.escape(str(exc))}.", alert=True)
            return
        self.status.value = ""
        self.refresh()

    def refresh(self) -> None:
        """Bring the download up to date with every answer recorded so far."""
        filename, text = self.exercise_log.download()
        n = len(self.exercise_log.attempts())
        self.download.filename = filename
        self.download.content = text if n else ""
        self.download.disabled = n == 0
        self.download.label = f"Download my answers ({n})" if n else "Download my answers (none yet)"

    def hand_in(self) -> None:
        try:
            self.exercise_log.set_identity(self.name.value, self.student_id.value)
            result = self.exercise_log.hand_in()
        except ValueError as exc:
            self.status.value = _status(f"<strong>Problem:</strong> {html.escape(str(exc))}.", alert=True)
            return
        self.download.filename, self.download.content = result.filename, result.content
        self.download.disabled = False
        self.download.label = f"Download my answers ({result.answers})"
        done = []
        if result.file is not None:
            done.append(f"Handed in {result.answers} answer{'s' if result.answers != 1 else ''} to "
                        f"<code>{html.escape(result.file.name)}</code> next to this notebook")
        if result.copy is not None:
            done.append("a copy is in your instructor's hand-in folder")
        if result.receipt is not None:
            done.append("your instructor has received them through the hub")
        text = "; ".join(done) + "." if done else ""
        if result.problems:
            text += (" <strong>Problem:</strong> " + html.escape("; ".join(result.problems)) + ". Use "
                     "<strong>Download my answers</strong> and send the file to your instructor.")
        self.status.value = _status(text.strip(), alert=bool(result.problems))
