"""How the notebooks read (issue 13): one key-points box in every notebook, folds that say what they hold,
citation numbers in tables that link to the reference list like the text's."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, load_notebook
from tools import build_notebooks as bn
from widgets.core.citations import Citations
from widgets.core.text import (KEY_POINTS_CLASS, KEY_POINTS_STYLE, KeyPointsError, box_key_points, fold, fold_html,
                               prose_html)

STUDENT = sorted((ROOT / "notebooks").glob("*.ipynb"))
STUDENT_IDS = [p.name for p in STUDENT]
BOX_OPEN = f'<aside class="{KEY_POINTS_CLASS}" style="{KEY_POINTS_STYLE}">'


def markdown_cells(path) -> list[str]:
    return ["".join(c["source"]) for c in load_notebook(path)["cells"] if c["cell_type"] == "markdown"]


def markdown_outputs(path):
    """(cell index, Markdown) of every stored Markdown output: the tables students read before running."""
    for i, cell in enumerate(load_notebook(path)["cells"]):
        for out in cell.get("outputs", []):
            text = "".join(out.get("data", {}).get("text/markdown", ""))
            if text:
                yield i, text


# ---------------------------------------------------------------- the key-points box
@pytest.mark.parametrize("path", STUDENT, ids=STUDENT_IDS)
def test_every_notebook_ends_with_its_key_points_in_the_one_shared_box(path):
    cells = markdown_cells(path)
    boxed = [c for c in cells if BOX_OPEN in c]
    # one key-points box, in the one style (the ward-round box at the top is another kind: tests/unit/core/test_rounds.py)
    assert len(boxed) == 1 and all(c.count(f'<aside class="{KEY_POINTS_CLASS}"') == c.count(BOX_OPEN) for c in cells), \
        "one box, one style"
    cell = boxed[0]
    inside = cell.split(BOX_OPEN, 1)[1].split("</aside>", 1)[0].strip()
    after = cell.split("</aside>", 1)[1]
    # The box holds the heading and its points, nothing else; the "Next" link (or the way back) follows it.
    assert inside.startswith("## Key points\n\n- ")
    assert all(line.startswith(("- ", "  ")) or not line.strip() for line in inside.splitlines()[1:])
    assert re.search(r"\*\*Next:\*\*|Back to the course map", after)
    assert cells.index(cell) == len(cells) - 1, "the key points close the notebook (only references follow)"
    assert cell.index("## Check yourself") < cell.index(BOX_OPEN) if "## Check yourself" in cell else True


def test_the_box_is_drawn_with_the_course_palette_and_a_landmark():
    from widgets.core.style import OKABE_ITO
    assert BOX_OPEN.startswith("<aside ")      # a complementary landmark a screen reader can jump to
    assert OKABE_ITO["blue"] in KEY_POINTS_STYLE and "border" in KEY_POINTS_STYLE
    assert "rgba(0, 114, 178, 0.07)" in KEY_POINTS_STYLE   # a tint of the same blue: readable in dark themes


def test_boxing_keeps_the_text_around_the_points_and_changes_nothing_twice():
    cell = ("## Check yourself\n\nA question?\n\n<details><summary>Answer</summary>\n\nIt.\n\n</details>\n\n"
            "## Key points\n\n- One.\n- Two,\n  continued.\n\n- Three.\n\n**Next:** [02](02-x.ipynb)")
    boxed = box_key_points(cell)
    assert boxed.startswith("## Check yourself\n\nA question?\n\n<details>")
    assert f"{BOX_OPEN}\n\n## Key points\n\n- One.\n- Two,\n  continued.\n\n- Three.\n\n</aside>" in boxed
    assert boxed.endswith("</aside>\n\n**Next:** [02](02-x.ipynb)")
    assert box_key_points(boxed) == boxed
    assert box_key_points("No key points here.") == "No key points here."


def test_a_key_points_heading_without_points_is_refused_with_the_fix(tmp_path):
    src = tmp_path / "09-example.md"
    src.write_text((ROOT / "notebooks" / "07-recovery.md").read_text(encoding="utf-8").replace(
        "## Key points\n\n- ", "## Key points\n\nThese:\n\n- "), encoding="utf-8")
    with pytest.raises(KeyPointsError):
        box_key_points("## Key points\n\nJust a sentence.")
    with pytest.raises(bn.BuildError, match=r"09-example\.md: '## Key points' must be followed by a list"):
        bn.build(src)


# ---------------------------------------------------------------- folds
def test_a_fold_says_what_it_holds_and_that_it_opens():
    md = fold("Full evidence: <pain>", "| a | b |\n|---|---|", "3 results")
    assert md == ("<details>\n<summary><strong>Full evidence: &lt;pain&gt;</strong> (3 results; select to show)"
                  "</summary>\n\n| a | b |\n|---|---|\n\n</details>")
    assert fold_html("T", "<p>x</p>") == "<details><summary><strong>T</strong> (select to show)</summary><p>x</p></details>"
    assert prose_html("<p>x</p>") == '<div class="vkp-prose" style="line-height: 1.5"><p>x</p></div>'


@pytest.mark.parametrize("path", STUDENT, ids=STUDENT_IDS)
def test_every_fold_a_student_meets_is_closed_and_labelled(path):
    texts = markdown_cells(path) + [t for _, t in markdown_outputs(path)]
    for text in texts:
        assert "<details open" not in text
        for summary in re.findall(r"<details>\s*<summary>(.*?)</summary>", text, flags=re.S):
            assert re.sub(r"<[^>]+>", "", summary).strip(), f"{path.name}: a fold with an empty summary"


# ---------------------------------------------------------------- citation numbers in tables
TABLE_CASES = STUDENT


@pytest.mark.parametrize("path", TABLE_CASES)
def test_citation_numbers_in_stored_tables_link_to_the_reference_list(path):
    """What a student reads in a stored output cites as the Markdown does: [n] links to #ref-n."""
    for i, text in markdown_outputs(path):
        if 'id="ref-1"' in text:
            continue   # the reference list itself
        plain = re.findall(r"(?<![\\\]])\[(\d+(?:, \d+)*)\](?!\()", text)
        assert not plain, f"{path.name} cell {i}: citation numbers that are not links: {plain[:5]}"
        for n in re.findall(r"\[(\d+)\]\(#ref-\d+", text):
            assert f'[{n}](#ref-{n} "' in text, f"{path.name} cell {i}: [{n}] links elsewhere"


def test_a_link_names_its_source_by_first_author_and_year_never_a_working_note():
    cites = Citations()
    assert cites.short("kochan2015") == "Kochan 2015"
    assert cites.short("pain_buchbinder2009_sham").startswith("Buchbinder 2009, ")
    assert cites.short("cl_high_viscosity_cement") == "2018"          # the year field carries a search date note
    for key in list(cites.evidence.entries) + list(cites.evidence.sources):
        title = cites.short(key)
        assert title and not title.startswith(",") and "not displayed" not in title and "search to" not in title
    link = cites.html.cite("kochan2015")
    assert link == ('[<a href="#ref-1" title="Kochan 2015" style="color: var(--jp-content-link-color, #0072B2)">1</a>]')
