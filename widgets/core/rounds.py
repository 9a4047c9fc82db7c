"""What a student would say on a ward round after each notebook, and the check that asks it back.  Pure logic.

``widgets/content/rounds.yaml`` holds, for every student notebook, the few points a student should be able
to repeat on a ward round (``say``), each with the question that asks for it (``ask``).  They are at most
:data:`MAX_WORDS` words in all and carry no clinical number (the numbers, with their sources, stay in the
notebook's body).  ``tools/build_notebooks.py`` draws them twice, so a notebook cannot drift from them:

- the *rounds box* (:func:`rounds_box`) right under the notebook's title block: "What you would say on a
  ward round", the points as a list, in an ``<aside>`` landmark framed like the key-points box in the
  course's bluish green (Okabe-Ito);
- the *check* (:func:`rounds_check`) at the top of the notebook's ``## Check yourself`` section: the same
  points asked as questions, the answers folded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from widgets.core.loading import ContentModel, content_path, load_content
from widgets.core.style import OKABE_ITO
from widgets.core.text import fold

#: The most words a rounds box may hold: what a student can say in half a minute.
MAX_WORDS = 120
ROUNDS_TITLE = "What you would say on a ward round"
ROUNDS_HEADING = f"## {ROUNDS_TITLE}"
#: The class of the rounds box (the build's check, the website and the tests find it by it).
ROUNDS_CLASS = "vkp-rounds"
_GREEN = OKABE_ITO["bluish_green"]
#: The same frame as the key-points box (JupyterLab's Markdown sanitizer keeps these styles), in green.
ROUNDS_STYLE = (f"border: 2px solid {_GREEN}; border-left-width: 8px; border-radius: 4px; "
                "padding: 0.1em 1em 0.3em 1em; margin: 1em 0 0.8em 0; background: rgba(0, 158, 115, 0.07)")
CHECK_HEADING = "## Check yourself"
#: The sentence that opens the rounds check (the tests find the check by it).
CHECK_LEAD = "**Say it as you would on the ward round**, without scrolling up:"


def word_count(text: str) -> int:
    return len(re.findall(r"[^\W_](?:[\w'’.-]*[^\W_])?", text))


class Point(ContentModel):
    say: str = Field(min_length=20, description="the point, as a student would say it")
    ask: str = Field(min_length=10, description="the question that asks for it")

    @field_validator("say", "ask")
    @classmethod
    def _one_line_of_prose(cls, text: str) -> str:
        text = " ".join(text.split())
        if re.search(r"[<>`]|\[@", text):
            raise ValueError("plain prose: no HTML, code or citation (the sources are cited in the notebook's body)")
        return text

    @field_validator("ask")
    @classmethod
    def _a_question(cls, text: str) -> str:
        if not text.rstrip().endswith("?"):
            raise ValueError("a question ends with '?'")
        return text


class NotebookRounds(ContentModel):
    notebook: str = Field(pattern=r"^\d\d-[a-z0-9-]+$", description="the notebook's name, e.g. 02-vertebroplasty")
    points: list[Point] = Field(min_length=2, max_length=5)

    @model_validator(mode="after")
    def _short_enough(self):
        n = self.words
        if n > MAX_WORDS:
            raise ValueError(f"the points of '{self.notebook}' are {n} words; a ward round takes at most {MAX_WORDS}")
        return self

    @property
    def words(self) -> int:
        return sum(word_count(p.say) for p in self.points)


class Rounds(ContentModel):
    notebooks: list[NotebookRounds] = Field(min_length=1)

    @model_validator(mode="after")
    def _once_each(self):
        names = [n.notebook for n in self.notebooks]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"notebooks listed twice: {twice}")
        return self

    def for_notebook(self, name: str) -> NotebookRounds | None:
        return next((n for n in self.notebooks if n.notebook == name), None)


def load_rounds(path: str | Path | None = None) -> Rounds:
    """The validated ``rounds.yaml`` (or the file at ``path``), cached per file."""
    return _load_rounds(str(content_path(path or "rounds.yaml")))


@lru_cache(maxsize=2)
def _load_rounds(path: str) -> Rounds:
    return load_content(Path(path), Rounds, id_field="notebook")


def rounds_box(rounds: NotebookRounds) -> str:
    """The rounds box: the heading and the points in the shared frame (Markdown inside an ``<aside>``)."""
    points = "\n".join(f"- {p.say}" for p in rounds.points)
    return f'<aside class="{ROUNDS_CLASS}" style="{ROUNDS_STYLE}">\n\n{ROUNDS_HEADING}\n\n{points}\n\n</aside>'


def rounds_check(rounds: NotebookRounds) -> str:
    """The same points asked back: the questions, then the answers folded."""
    questions = "\n".join(f"{i}. {p.ask}" for i, p in enumerate(rounds.points, 1))
    answers = "\n".join(f"{i}. {p.say}" for i, p in enumerate(rounds.points, 1))
    return f"{CHECK_LEAD}\n\n{questions}\n\n" + fold("What you would say", answers, "the ward-round points")


class RoundsError(ValueError):
    """A notebook the build cannot give its rounds; the message says how to fix it."""


_CHECK = re.compile(rf"^{re.escape(CHECK_HEADING)}[ \t]*$", re.M)


def add_check(markdown: str, rounds: NotebookRounds) -> str:
    """``markdown`` with the rounds check right under its ``## Check yourself`` heading (unchanged without one)."""
    found = _CHECK.search(markdown)
    if not found or CHECK_LEAD in markdown:
        return markdown
    rest = markdown[found.end():].lstrip("\n")
    return f"{markdown[:found.end()]}\n\n{rounds_check(rounds)}" + (f"\n\n{rest}" if rest else "")
