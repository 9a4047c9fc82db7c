"""Flashcards of the cases a student missed, as a text file Anki imports as it is.

:func:`missed_cards` makes one card per case the student got wrong at least once (under the grade a
student sees first, current practice's), in the order first missed; :func:`anki_text` writes them as a
tab-separated text file with Anki's file headers (Anki 2.1.55 or later reads them; see
https://docs.ankiweb.net/importing/text-files.html, "File Headers")::

    #separator:tab
    #html:true
    #notetype:Basic
    #deck:VP and KP candidacy (missed cases)
    #columns:Front	Back	Tags	GUID
    #tags column:3
    #guid column:4
    <front>	<back>	vkp-candidacy rule::pain_relieved ...	vkp-<case id>

* **Front**: the case's title and history (with its simulated x-ray in words, for a case that shows
  one), and the question (vertebroplasty? kyphoplasty? the
  deciding rule?).
* **Back**: both standards' verdicts for each procedure and their deciding rules in plain words (current
  practice first, then what the patient leaflet says), and whether and why the two standards differ.
* **Tags**: ``vkp-candidacy``, one tag per deciding rule (``rule::<id>``), and
  ``standards-differ`` where the leaflet and current practice disagree.
* **GUID**: one per case, so importing a newer file updates the cards instead of doubling them.

To import: in Anki, *File > Import*, choose the file; the headers set the separator, the note type
(Basic), the deck, the tags and HTML, so the defaults can be accepted.  The text of a case is
escaped for HTML (``<`` becomes ``&lt;``), lines are joined with ``<br>``, and no field holds a tab
or a line break, so a case written by an instructor cannot break a card or run as markup.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable

from widgets.core.citations import strip_citations
from widgets.core.course import PROCEDURES
from widgets.candidacy.case_image import words_for
from widgets.candidacy.exercise import right
from widgets.candidacy.practice import assess_practice, compare, reason_title
from widgets.candidacy.rules import assess
from widgets.record.attempts import Attempt

DECK = "VP and KP candidacy (missed cases)"
HEADERS = ("#separator:tab", "#html:true", "#notetype:Basic", f"#deck:{DECK}", "#columns:Front\tBack\tTags\tGUID",
           "#tags column:3", "#guid column:4")


@dataclass(frozen=True)
class Card:
    case_id: str
    front: str          # HTML (escaped text, <br> and <b> only)
    back: str
    tags: tuple[str, ...]

    @property
    def guid(self) -> str:
        return "vkp-" + re.sub(r"[^A-Za-z0-9_.-]", "-", self.case_id)


def _e(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def card_for(vignette) -> Card:
    """The card of one case (any object with ``id``, ``title``, ``history`` and ``patient``)."""
    leaflet, practice = assess(vignette.patient), assess_practice(vignette.patient)
    comparison = compare(leaflet, practice)
    picture = words_for(getattr(vignette, "image", None))
    front = (f"<b>{_e(vignette.title)}</b><br>{_e(vignette.history)}<br>"
             + (f"<i>The x-ray, in words:</i> {_e(picture)}<br>" if picture else "") + "<br>"
             "Vertebroplasty: candidate or not? Kyphoplasty: candidate or not? Which rule decides it?")
    lines = []
    for name, a in (("Current practice", practice), ("What the patient leaflet says", leaflet)):
        verdicts = "; ".join(f"{proc} {a.decision(proc).verdict}" for proc in PROCEDURES)
        rules = "; ".join(reason_title(r) for r in a.deciding_rules)
        lines.append(f"<b>{name}:</b> {_e(verdicts)}. Deciding: {_e(rules)}.")
    lines.append(_e(comparison.sentence()))
    for title, text in comparison.why:
        plain = strip_citations(text)       # citation keys are for the notebook's reference list
        lines.append(f"<i>{_e(title)}</i>: {_e(plain)}")
    tags = ["vkp-candidacy"] + [f"rule::{r}" for r in dict.fromkeys(leaflet.deciding_rules + practice.deciding_rules)]
    if comparison.differ:
        tags.append("standards-differ")
    return Card(vignette.id, front, "<br>".join(lines), tuple(tags))


def missed_cards(attempts: Iterable[Attempt], lookup) -> list[Card]:
    """One card per case answered wrong at least once (current practice's grade), in the order first missed.

    ``attempts`` are the quiz's answers (oldest first); ``lookup(case_id)`` gives a case's vignette or
    None (a case no longer in the bank is left out).
    """
    cards, seen = [], set()
    for a in attempts:
        if right(a) or a.item in seen:
            continue
        seen.add(a.item)
        vignette = lookup(a.item)
        if vignette is not None:
            cards.append(card_for(vignette))
    return cards


def _field(text: str) -> str:
    """A field that cannot break the file: no tab, no line break, no leading quote."""
    text = re.sub(r"[\t\r\n]+", " ", text)
    return text.replace('"', "&quot;")


def anki_text(cards: list[Card]) -> str:
    """The whole file: Anki's headers, then one line per card (UTF-8 text, ``\\n`` line ends)."""
    lines = list(HEADERS)
    for c in cards:
        lines.append("\t".join(_field(f) for f in (c.front, c.back, " ".join(c.tags), c.guid)))
    return "\n".join(lines) + "\n"


def flashcards_filename(slug: str, day: str) -> str:
    """``vkp-flashcards-<name>-<date>.txt``."""
    return f"vkp-flashcards-{slug or 'student'}-{day}.txt"
