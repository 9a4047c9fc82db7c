"""Patient cards and the two standards' rules, for the quiz notebook's prose around the quiz.

:func:`case_card` shows a case as a clinician would present it: the history, its findings in plain words, and
both standards' verdicts side by side (current practice first, then what the patient leaflet says);
:func:`example_case` is the card of a bank case or of a generated one; :func:`standards_tables` shows both
standards' rules in plain words, each in a disclosure.
"""

from __future__ import annotations

import html

from IPython.display import HTML as HTMLOutput

from widgets.candidacy import red_flags
from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.case_image_view import case_image_html
from widgets.candidacy.feedback import LEAFLET_NAME, PRACTICE_NAME, practice_title
from widgets.candidacy.patient import findings_words
from widgets.candidacy.practice import assess_practice, compare, load_practice_rules, reason_title
from widgets.candidacy.rules import assess, load_rules
from widgets.candidacy.vignettes import Vignette, generate
from widgets.core.citations import Citations
from widgets.core.course import PROCEDURES


def _esc(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


L = "style='text-align:left'"


def case_card(vignette, citations: Citations, fold: str | None = None) -> HTMLOutput:
    """A patient card: the history first, the case's x-ray where it has one (as the quiz shows it), its findings in
    plain words, and both standards' verdicts side by side (current practice first, then what the patient leaflet
    says); with ``fold``, folded under that summary."""
    leaflet, practice = assess(vignette.patient), assess_practice(vignette.patient)
    comparison = compare(leaflet, practice)
    prules = load_practice_rules()
    rows = "".join(f"<tr><th scope='row' {L}>{proc.capitalize()}</th><td {L}>{_esc(practice.decision(proc).verdict)}"
                   f"</td><td {L}>{_esc(leaflet.decision(proc).verdict)}</td></tr>" for proc in PROCEDURES)
    practice_cites = (red_flags.cites(practice.red_flags) if practice.red_flags
                      else [k for r in practice.deciding_rules for k in prules[r].cites])
    leaflet_cites = ["kochan2015"] + list(red_flags.cites(leaflet.red_flags))
    rows += (f"<tr><th scope='row' {L}>Deciding</th><td {L}>"
             f"{_esc('; '.join(practice_title(prules, r) for r in practice.deciding_rules))} "
             f"{citations.html.cite(practice_cites)}</td><td {L}>"
             f"{_esc('; '.join(reason_title(r) for r in leaflet.deciding_rules))} "
             f"{citations.html.cite(leaflet_cites)}</td></tr>")
    why = "".join(f"<li><strong>{_esc(t)}</strong>: {citations.html.cited(_esc(x))}</li>" for t, x in comparison.why)
    card = ('<div class="vkp-case-card" style="border:1px solid #767676;border-left:6px solid #0072B2;'
            'padding:0.5em 0.9em;max-width:52em">'
            f'<p class="vkp-case-label" style="margin:0;color:var(--jp-ui-font-color2,#555)">{_esc(vignette.title)}</p>'
            f'<p style="overflow-wrap:normal;word-break:normal">{_esc(vignette.history)}</p>'
            + (case_image_html(vignette.image) if vignette.image is not None else "")
            + "<p>Findings: " + "; ".join(_esc(w) for w in findings_words(vignette.patient)) + ".</p>"
            f"<table><caption>The two standards' verdicts</caption><thead><tr><th scope='col' {L}></th>"
            f"<th scope='col' {L}>{PRACTICE_NAME}</th><th scope='col' {L}>{LEAFLET_NAME}</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            f"<p><strong>{_esc(comparison.sentence())}</strong></p>" + (f"<ul>{why}</ul>" if why else "") + "</div>")
    if fold:
        card = f"<details><summary>{_esc(fold)} (select to show)</summary>{card}</details>"
    return HTMLOutput(card)


def standards_tables(citations: Citations) -> HTMLOutput:
    """Both standards' rules in plain words, each in a disclosure (current practice's first): what applies, to
    which procedure, and why."""
    leaflet, practice = load_rules(), load_practice_rules()

    def table(rules, kind_words, caption: str) -> str:
        head = (f"<thead><tr><th scope='col' {L}>Rule</th><th scope='col' {L}>Applies to</th>"
                f"<th scope='col' {L}>Verdict when it applies</th><th scope='col' {L}>What it says</th></tr></thead>")
        body = []
        for r in rules:
            applies = "both procedures" if r.applies_to == "both" else r.applies_to
            verdict = "candidate" if r.effect == "candidate" else kind_words(r)
            body.append(f"<tr><td {L}>{_esc(r.title)}</td><td {L}>{_esc(applies)}</td><td {L}>{_esc(verdict)}</td>"
                        f"<td {L}>{_esc(r.explanation)} {citations.html.cite(r.cites)}</td></tr>")
        return (f'<table class="vkp-rules"><caption>{_esc(caption)}</caption>{head}<tbody>{"".join(body)}'
                "</tbody></table>")

    leaflet_kind = lambda r: "kyphoplasty not recommended" if r.id == "kp_cause_excluded" else "not a candidate"  # noqa: E731
    practice_kind = lambda r: practice.kinds[r.kind]  # noqa: E731
    return HTMLOutput(
        f"<details><summary>Current practice's rules ({len(practice)}), the grade you see first</summary>"
        + table(practice, practice_kind, "Current practice, from trials, guidelines and references") + "</details>"
        + f"<details><summary>The patient leaflet's rules ({len(leaflet)}), the grade beside it</summary>"
        + table(leaflet, leaflet_kind, "The leaflet's candidacy rules") + "</details>")


def example_case(case_id: str | None = None, *, seed: int | None = None, citations: Citations | None = None,
                 fold: str | None = None):
    """The card of a bank case (by id) or of the first generated case for ``seed`` (folded under ``fold``)."""
    cites = citations or Citations()
    if case_id is not None:
        return case_card(Vignette.from_case(load_case_bank().case(case_id)), cites, fold)
    return case_card(generate(seed or 0, 1)[0], cites, fold)
