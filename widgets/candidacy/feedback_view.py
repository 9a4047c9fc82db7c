"""The quiz's feedback on one answer, drawn: an HTML live region over :class:`widgets.candidacy.feedback.Feedback`.

Current practice comes first, the leaflet beside it as what the patient leaflet says; every text is escaped
and its ``[@id]`` keys become the notebook's numbered links.  What it says is decided in
:mod:`widgets.candidacy.feedback`; this module only draws it.
"""

from __future__ import annotations

import html

import ipywidgets as ipw

from widgets.candidacy.feedback import LEAFLET_NAME, PRACTICE_NAME, Feedback, feedback_for

LEFT = "text-align:left"


def esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def mark(ok: bool) -> str:
    return "&#10003; right" if ok else "&#10007; wrong"


def _notes(notes, citations) -> str:
    return "".join(f"<li><strong>{esc(n.title)}</strong>{f' ({esc(n.kind)})' if n.kind else ''}: "
                   f"{citations.html.cited(esc(n.text))}</li>" for n in notes)


def feedback_html(fb: Feedback, citations) -> str:
    """The feedback as HTML (a polite live region)."""
    head = (f"<p><strong>{fb.headline}</strong> The quiz grades against current practice first, built from "
            "trials, guidelines and references"
            + (f". {LEAFLET_NAME} {citations.html.cite('kochan2015')}: your answer is "
               f"<strong>{'right' if fb.leaflet_right else 'not right'}</strong> under its rules.</p>"))
    cells = []
    for row in fb.rows:
        practice = (f"<td style='{LEFT}'>{esc(row.practice)} ({mark(row.practice_ok)})</td>"
                    if fb.has_practice else "")
        cells.append(f"<tr><th scope='row' style='{LEFT}'>{esc(row.what)}</th><td style='{LEFT}'>{esc(row.said)}</td>"
                     f"{practice}<td style='{LEFT}'>{esc(row.leaflet)} ({mark(row.leaflet_ok)})</td></tr>")
    practice_head = f"<th scope='col' style='{LEFT}'>{PRACTICE_NAME}</th>" if fb.has_practice else ""
    table = ("<table class='vkp-quiz-verdicts'><caption>Your answer and the two standards' verdicts</caption>"
             f"<thead><tr><th scope='col' style='{LEFT}'></th><th scope='col' style='{LEFT}'>You said</th>"
             f"{practice_head}<th scope='col' style='{LEFT}'>{LEAFLET_NAME}</th></tr></thead><tbody>"
             + "".join(cells) + "</tbody></table>")
    out = ['<div role="status" aria-live="polite" class="vkp-feedback">', head, table]
    if fb.family_hint:
        out.append(f'<p class="vkp-quiz-family">{esc(fb.family_hint)}</p>')
    if fb.red_flag is not None:
        box = fb.red_flag
        out.append('<div class="vkp-quiz-red-flag" role="note" style="border-left:6px solid #D55E00;'
                   'padding:0.3em 0.8em;margin:0.4em 0">'
                   f"<p><strong>{esc(box.title)}.</strong> Under both standards the answer is "
                   f"<strong>{esc(box.verdict)}</strong>: vertebroplasty and kyphoplasty are both not for now.</p>"
                   f"<ul>{_notes(box.flags, citations)}</ul><p>{esc(box.alone)} "
                   f"{citations.html.cited(esc(box.leaflet_silent))}</p></div>")
    elif fb.agreement:
        out.append(f'<p class="vkp-quiz-differ"><strong>{esc(fb.agreement)}</strong></p>')
        if fb.why:
            out.append(f"<ul>{_notes(fb.why, citations)}</ul>")
    alone = " alone (the red flag above decides)" if fb.alone else ""
    details = []
    if fb.practice_rules:
        plural = "s" if len(fb.practice_rules) > 1 else ""
        details.append(f"<p>Current practice's deciding rule{plural}{alone}:</p><ul>{_notes(fb.practice_rules, citations)}</ul>")
    plural = "s" if len(fb.leaflet_rules) > 1 else ""
    details.append(f"<p>The leaflet's deciding rule{plural}{alone}:</p><ul>{_notes(fb.leaflet_rules, citations)}</ul>")
    if fb.cautions:
        details.append("<p>Current practice also notes (this changes no verdict):</p>"
                       f"<ul>{_notes(fb.cautions, citations)}</ul>")
    if fb.evidence:
        details.append("<p>What trials and guidelines say about this case (an evidence note; it does not change "
                       f"the grade):</p><ul>{_notes(fb.evidence, citations)}</ul>")
    if fb.image_said:
        out.append(f'<p class="vkp-quiz-image-said">{esc(fb.image_said)}</p>')
    out.append('<details class="vkp-quiz-why" open><summary>Why: the rules of each standard, with their '
               "sources</summary>" + "".join(details) + "</details></div>")
    return "".join(out)


class FeedbackView(ipw.HTML):
    """The feedback area under the answer form."""

    def __init__(self, citations, rules, practice_rules):
        super().__init__()
        self.add_class("vkp-quiz-feedback")
        self.citations, self.rules, self.practice_rules = citations, rules, practice_rules

    def show(self, grade) -> None:
        self.value = feedback_html(feedback_for(grade, self.rules, self.practice_rules), self.citations)

    def clear(self) -> None:
        self.value = ""
