"""MyST sources and built notebooks: one source of truth, no key a student can see, code out of the way."""

from __future__ import annotations

import shutil

import jupytext
import nbformat
import pytest

from tests.conftest import ROOT, load_notebook, notebook_paths
from tools import build_notebooks as bn
from widgets.core.citations import CITE_RE, Citations

SOURCES = [p for p in bn.sources() if bn.is_notebook_source(p)]
SOURCE_IDS = [p.relative_to(ROOT).as_posix() for p in SOURCES]
NOTEBOOKS = notebook_paths()
NOTEBOOK_IDS = [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]


def test_every_notebook_has_a_source_and_agrees_with_it():
    """The committed .ipynb files are exactly what `make build` makes from the .md sources."""
    assert len(SOURCES) == len(NOTEBOOKS) >= 8
    problems = bn.check(SOURCES)
    assert not problems, "\n".join(problems)


def test_the_check_catches_an_edit_made_in_the_built_notebook(tmp_path):
    """An edit made to the .ipynb (which the next build would overwrite) is reported, naming the file."""
    src = tmp_path / "00-start-here.md"
    shutil.copy(ROOT / "notebooks" / "00-start-here.md", src)
    nb = bn.build(src)
    nb.cells[2].source += "\n\nA sentence typed into the built notebook."
    nbformat.write(nb, str(tmp_path / "00-start-here.ipynb"))
    problems = bn.check([src])
    assert any("00-start-here.ipynb differs from its source at cell 2" in p and "make build" in p for p in problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_no_citation_key_reaches_a_student(path):
    """Markdown and stored outputs show numbers that link to the list, never `[@key]`."""
    nb = load_notebook(path)
    for i, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"]) if cell["cell_type"] == "markdown" else ""
        for out in cell.get("outputs", []):
            for mime in ("text/markdown", "text/html", "text/plain"):
                text += "".join(out.get("data", {}).get(mime, ""))
        assert "[@" not in text, f"cell {i} shows a raw citation key"


@pytest.mark.parametrize("path", SOURCES, ids=SOURCE_IDS)
def test_markdown_numbers_match_the_kernels_numbers(path):
    """The built Markdown's [n] for a key is the number the kernel's Citations gives it (tables, plots)."""
    source = jupytext.read(path, fmt="md:myst")
    built = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    kernel = Citations.for_notebook(path.stem)
    for src_cell, out_cell in zip(source.cells, built.cells):
        if src_cell.cell_type != "markdown":
            continue
        for match in CITE_RE.finditer(src_cell.source):
            keys = [k.strip().lstrip("@") for k in match.group(1).split(";")]
            for n in kernel.numbers(*keys):
                assert f"[{n}](#ref-{n} " in out_cell.source, f"{path.name}: [{n}] for {keys} is missing"


@pytest.mark.parametrize("path", SOURCES, ids=SOURCE_IDS)
def test_code_is_collapsed_for_students(path):
    """No programming needed: every code cell is hidden (one click shows it) unless it teaches by showing code."""
    for i, cell in enumerate(jupytext.read(path, fmt="md:myst").cells):
        if cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            assert bn.HIDE in tags or "show-input" in tags, f"{path.name} cell {i}: tag it hide-input"
    for i, cell in enumerate(load_notebook(path.with_suffix(".ipynb"))["cells"]):
        if cell["cell_type"] == "code" and bn.HIDE in cell["metadata"].get("tags", []):
            assert cell["metadata"]["jupyter"]["source_hidden"] is True, f"cell {i} is not collapsed"


@pytest.mark.parametrize("path", SOURCES, ids=SOURCE_IDS)
def test_every_notebook_ends_with_its_folded_reference_list(path):
    nb = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    if not any(CITE_RE.search(c.source) for c in jupytext.read(path, fmt="md:myst").cells):
        pytest.skip("cites nothing")
    last = nb.cells[-1]
    shown = "".join(o.get("data", {}).get("text/markdown", "") for o in last.outputs)
    assert shown.startswith("<details>") and 'id="ref-1"' in shown
    assert "ReferenceOpener()" in "".join(o.get("data", {}).get("text/plain", "") for o in last.outputs)
