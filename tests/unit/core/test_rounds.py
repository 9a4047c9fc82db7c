"""Rounds first (issue 23): every student notebook opens with what a student would say on a ward round, at most 120
words, and asks the same points back in its check; what is visible reads in half the stated time."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT
from tools import build_notebooks as bn
from tools.reading_length import READING_SHARE, WORDS_PER_MINUTE, plain, visible_words, words
from widgets.core.course import load_course
from widgets.core.loading import ContentError, load_content
from widgets.core.rounds import (CHECK_HEADING, CHECK_LEAD, MAX_WORDS, ROUNDS_CLASS, ROUNDS_HEADING, Rounds,
                                 load_rounds, rounds_box, word_count)

COURSE = load_course()
STUDENT = [ROOT / "notebooks" / n.file for n in COURSE.notebooks]
IDS = [p.name for p in STUDENT]
BOX = re.compile(rf'<aside class="{ROUNDS_CLASS}"[^>]*>(.*?)</aside>', re.S)


def markdown(path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "markdown"]


def test_every_student_notebook_has_its_rounds_and_no_other():
    assert sorted(n.notebook for n in load_rounds().notebooks) == sorted(p.stem for p in STUDENT)


@pytest.mark.parametrize("path", STUDENT, ids=IDS)
def test_the_rounds_box_opens_the_notebook_and_holds_at_most_120_words(path):
    """Right under the title block (in the title's own cell, before any section), the shared box: its heading and
    the points, nothing else, at most 120 words a student can repeat."""
    cells = markdown(path)
    found = BOX.search(cells[0])
    assert found, f"{path.name}: no ward-round box in the first cell"
    assert not any(BOX.search(c) for c in cells[1:]), "one box per notebook"
    assert "\n## " not in cells[0][:found.start()], "the box comes before the first section"
    inside = found.group(1).strip()
    assert inside.startswith(ROUNDS_HEADING + "\n\n- ")
    points = [line[2:] for line in inside.splitlines() if line.startswith("- ")]
    rounds = load_rounds().for_notebook(path.stem)
    assert points == [p.say for p in rounds.points]
    assert 0 < sum(word_count(p) for p in points) <= MAX_WORDS
    assert words(inside) - words(ROUNDS_HEADING) <= MAX_WORDS + 10   # what is visible, glossary summaries included


@pytest.mark.parametrize("path", STUDENT, ids=IDS)
def test_the_check_asks_the_same_points_and_folds_the_answers(path):
    rounds = load_rounds().for_notebook(path.stem)
    (cell,) = [c for c in markdown(path) if re.search(rf"^{re.escape(CHECK_HEADING)}$", c, re.M)]
    check = cell.split(CHECK_HEADING, 1)[1]
    assert check.lstrip().startswith(CHECK_LEAD), "the ward-round questions come first in the check"
    for i, p in enumerate(rounds.points, 1):
        assert f"\n{i}. {p.ask}\n" in check
    answers = check.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "What you would say" in answers and all(f"{i}. {p.say}" in answers for i, p in enumerate(rounds.points, 1))


@pytest.mark.parametrize("path", STUDENT, ids=IDS)
def test_visible_words_read_in_at_most_half_the_stated_time(path):
    """At 200 words a minute, what a student sees with every fold closed (Markdown outside folds, and the stored
    tables and verdicts outside folds: tools/reading_length.py) takes at most half the notebook's stated time."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    n = visible_words(nb)
    minutes = {c.file: c.minutes for c in COURSE.notebooks}[path.name]
    assert n / WORDS_PER_MINUTE <= READING_SHARE * minutes, (
        f"{path.name}: {n} visible words take {n / WORDS_PER_MINUTE:.1f} min; the notebook states {minutes} min. "
        "Fold detail under the sentence it qualifies (widgets.core.text.fold), or state a longer time")


def test_the_counter_counts_what_is_visible():
    md = ('Two words.\n\n<details>\n<summary><strong>Fold title</strong> (select to show)</summary>\n\n'
          'Ten hidden words that a reader does not see until opening.\n\n</details>\n\n'
          'A [link](https://example.org/a/b "title words") and \\[[3](#ref-3 "Author 2020, Journal")\\].')
    assert plain(md).split() == ["Two", "words.", "Fold", "title", "(select", "to", "show)", "A", "link", "and", "."]
    assert words(md) == 10
    stored = {"cells": [{"cell_type": "code", "metadata": {"tags": ["nbval-check-output"]}, "source": "x",
                         "outputs": [{"output_type": "execute_result", "metadata": {},
                                      "data": {"text/markdown": "Three more words", "text/plain": "ignored"}}]},
                        {"cell_type": "code", "metadata": {"tags": []}, "source": "y", "outputs": []},
                        {"cell_type": "markdown", "metadata": {}, "source": md}]}
    assert visible_words(stored) == 13


def test_more_than_120_words_or_a_statement_for_a_question_is_refused(tmp_path):
    long = " ".join(["word"] * 121)
    path = tmp_path / "rounds.yaml"
    path.write_text(f"notebooks:\n  - notebook: 02-vertebroplasty\n    points:\n      - say: {long}\n"
                    "        ask: What is it?\n      - say: Another point of the round, long enough.\n"
                    "        ask: And what is this one?\n", encoding="utf-8")
    with pytest.raises(ContentError, match="are 128 words; a ward round takes at most 120"):
        load_content(path, Rounds, id_field="notebook")
    path.write_text("notebooks:\n  - notebook: 02-vertebroplasty\n    points:\n      - say: A point of the round, long.\n"
                    "        ask: What is it.\n      - say: Another point of the round, long enough.\n"
                    "        ask: And what is this one?\n", encoding="utf-8")
    with pytest.raises(ContentError, match="a question ends with"):
        load_content(path, Rounds, id_field="notebook")


def test_a_student_notebook_without_rounds_is_not_built(tmp_path):
    src = tmp_path / "notebooks" / "09-extra.md"
    src.parent.mkdir()
    src.write_text((ROOT / "notebooks" / "08-post-test.md").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(bn.BuildError, match="no ward-round points for '09-extra'.*widgets/content/rounds.yaml"):
        bn.build(src)


def test_the_box_is_a_landmark_in_the_course_palette():
    from widgets.core.rounds import ROUNDS_STYLE
    from widgets.core.style import OKABE_ITO
    box = rounds_box(load_rounds().notebooks[0])
    assert box.startswith(f'<aside class="{ROUNDS_CLASS}"') and OKABE_ITO["bluish_green"] in ROUNDS_STYLE
