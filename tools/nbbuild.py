"""Author a notebook from a list of cells (used by notebook-writing scripts, not by students).

    from tools.nbbuild import md, code, write
    write("notebooks/07-x.ipynb", [md("# Title"), code("x = 1", check=True)])

``check=True`` tags a code cell ``nbval-check-output``: its output teaches, is stored, and
nbval compares it.  Run ``make outputs`` (tools/store_outputs.py) afterwards to store outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str, *, check: bool = False, tags: list[str] | None = None):
    cell = new_code_cell(text.strip("\n"))
    all_tags = list(tags or []) + (["nbval-check-output"] if check else [])
    if all_tags:
        cell.metadata["tags"] = all_tags
    return cell


def write(path: str | Path, cells: list) -> None:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
