"""Notebook hygiene: what a student opens is clean, thin, titled, timed and listed."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, load_notebook, notebook_paths
from widgets.core.course import load_course

NOTEBOOKS = notebook_paths()
STUDENT = [p for p in NOTEBOOKS if p.parent.name == "notebooks"]
IDS = [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]
STUDENT_IDS = [p.relative_to(ROOT).as_posix() for p in STUDENT]
CHECK = "nbval-check-output"
MAX_CODE_LINES = 12


def markdown(nb) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def code_cells(nb):
    return [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_kernelspec_is_python3(path):
    assert load_notebook(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_only_on_check_output_cells(path):
    nb = load_notebook(path)
    assert "widgets" not in nb["metadata"], "stale widget state is stored in the notebook"
    for i, cell in code_cells(nb):
        tags = cell["metadata"].get("tags", [])
        if CHECK in tags:
            assert cell["outputs"], f"cell {i} is tagged {CHECK} but stores no output to compare"
            assert cell["execution_count"] is not None, (
                f"cell {i} is tagged {CHECK} but has no execution count, so nbval would not compare it")
        else:
            assert not cell["outputs"], f"cell {i} stores outputs but is not tagged {CHECK}"
            assert cell["execution_count"] is None, f"cell {i} stores a stale execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_one_h1(path):
    text = markdown(load_notebook(path))
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    h1 = re.findall(r"^# \S.*$", text, flags=re.M)
    assert len(h1) == 1, f"expected one H1 title, found {h1}"
    assert load_notebook(path)["cells"][0]["source"][0].startswith("# "), "the title comes first"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_markdown_images_have_alt_text(path):
    text = markdown(load_notebook(path))
    for alt in re.findall(r"!\[([^\]]*)\]\(", text):
        assert alt.strip(), "a Markdown image has empty alt text"
    for tag in re.findall(r"<img\b[^>]*>", text, flags=re.I):
        assert re.search(r'\balt="[^"]+"', tag), f"an <img> without alt text: {tag[:80]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_thin_code_and_our_import_names(path):
    for i, cell in code_cells(load_notebook(path)):
        src = "".join(cell["source"])
        assert not re.search(r"import\s+ipywidgets\s+as\s+widgets\b", src), f"cell {i}: `widgets` is our name"
        assert not re.search(r"^\s*(def|class)\s", src, flags=re.M), f"cell {i}: logic belongs in widgets/"
        lines = [ln for ln in src.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(lines) <= MAX_CODE_LINES, f"cell {i} has {len(lines)} lines; move plumbing into widgets/"


def test_course_map_lists_every_student_notebook():
    listed = [n.file for n in load_course().notebooks]
    present = [p.name for p in STUDENT]
    assert sorted(present) == listed, "notebooks/ and widgets/content/course.yaml disagree"


@pytest.mark.parametrize("path", STUDENT, ids=STUDENT_IDS)
def test_student_notebook_has_the_teaching_frame(path):
    text = markdown(load_notebook(path))
    entry = {n.file: n for n in load_course().notebooks}[path.name]
    assert re.search(r"\*\*Objectives?:?\*\*", text), "states its objectives"
    assert f"**Estimated time:** {entry.minutes} minutes" in text, "states the course map's minutes"
    assert "**Prerequisites:**" in text
    assert re.search(r"^## Check yourself", text, flags=re.M), "has a check-yourself question"
    assert re.search(r"^## Key points", text, flags=re.M)
    files = [n.file for n in load_course().notebooks]
    if path.name != files[-1]:
        nxt = files[files.index(path.name) + 1]
        assert f"]({nxt})" in text, f"ends with a link to the next notebook, {nxt}"


@pytest.mark.parametrize("path", STUDENT, ids=STUDENT_IDS)
def test_links_between_notebooks_resolve(path):
    for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", markdown(load_notebook(path))):
        assert (path.parent / target).exists(), f"link to missing notebook {target}"
