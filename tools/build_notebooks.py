"""Build the notebooks students open from the MyST Markdown sources authors edit.

    python tools/build_notebooks.py                 # every notebooks/*.md and lessons/*.md (what `make build` runs)
    python tools/build_notebooks.py notebooks/02-vertebroplasty.md
    python tools/build_notebooks.py --check         # exit 1 if a built .ipynb and its source disagree

For each ``NN-name.md`` (a Jupytext MyST notebook) this writes ``NN-name.ipynb`` beside it:

- every ``[@key]`` in the Markdown becomes a numbered link to the reference list at the end
  (numbers follow the order of first citation, one number per publication), and each notebook's
  keys are recorded in ``widgets/content/generated/notebook_citations.yaml`` so that the kernel numbers
  tables and plots the same way (:meth:`widgets.core.citations.Citations.for_notebook`);
- the ``## Key points`` heading and its list are drawn in the course's key-points box, the same in
  every notebook (:func:`widgets.core.text.box_key_points`); authors write plain Markdown;
- code cells tagged ``hide-input`` are collapsed in JupyterLab (``jupyter.source_hidden``), one
  click to show; the same tag hides them on the course website;
- a student's notebook (``notebooks/``) opens with its ward-round box under the title block and asks the
  same points back at the top of its ``## Check yourself`` section (:mod:`widgets.core.rounds`, from
  ``widgets/content/rounds.yaml``), and every glossary term it uses is defined, folded, under the block
  where it first appears (:mod:`widgets.core.glossary`, from ``widgets/content/glossary.yaml``);
- the notebook runs top to bottom on a fresh kernel in its own folder; code cells tagged
  ``nbval-check-output`` keep their outputs (nbval compares them), all others are stored clean.

``--check`` builds in memory without running anything and compares cell types, sources, tags
and collapsed state with the committed ``.ipynb`` files, and the citation index with the sources;
``tests/unit/course/test_notebook_sources.py`` runs it.  ``--no-execute`` writes the notebooks without
running them (outputs already stored in the old ``.ipynb`` are dropped).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so `python tools/build_notebooks.py` finds the widgets package
    sys.path.insert(0, str(ROOT))

from widgets.core.citations import Citations, index_path, keys_in, notebook_name  # noqa: E402
from widgets.core.text import KeyPointsError, box_key_points  # noqa: E402
from widgets.core.glossary import define_first_uses  # noqa: E402
from widgets.core.rounds import add_check, load_rounds, rounds_box  # noqa: E402

CHECK = "nbval-check-output"
HIDE = "hide-input"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: Output metadata that marks a stored output whose widget view was dropped (only its text is kept).
WIDGET_FLAG = "vkp_widget"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
INDEX = index_path()
INDEX_HEADER = (
    "# Written by tools/build_notebooks.py (`make build`) from the notebooks' MyST sources: the citation\n"
    "# keys of each notebook's Markdown, in reading order.  Citations.for_notebook() numbers a notebook's\n"
    "# tables and plots from this list, so they match the numbers in its text.  Do not edit by hand.\n"
)


class BuildError(Exception):
    """A source that cannot be built; the message names the file and the fix."""


def sources(root: Path = ROOT) -> list[Path]:
    """Every notebook source: the students' notebooks, then the instructors'."""
    return sorted((root / "notebooks").glob("*.md")) + sorted((root / "lessons").glob("*.md"))


def is_notebook_source(path: Path) -> bool:
    """A MyST notebook (Jupytext front matter), as opposed to a plain Markdown page."""
    head = path.read_text(encoding="utf-8")[:400]
    return head.startswith("---") and "format_name: myst" in head


def markdown_keys(nb) -> list[str]:
    """The keys of the Markdown cells in reading order, each once."""
    keys = [k for cell in nb.cells if cell.cell_type == "markdown" for k in keys_in(cell.source)]
    return list(dict.fromkeys(keys))


def build(source: Path) -> nbformat.NotebookNode:
    """The notebook for ``source``, unexecuted, with rendered citations and collapsed code."""
    try:
        nb = jupytext.read(source, fmt="md:myst")
    except Exception as exc:  # jupytext raises many kinds; name the file
        raise BuildError(f"{source}: not a readable MyST notebook ({exc}). Fix: check its front matter "
                         "and the ```{{code-cell}} fences") from None
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    try:
        cites = Citations(keys=markdown_keys(nb))
    except KeyError as exc:
        raise BuildError(f"{source}: {exc}") from None
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "markdown":
            try:
                cell.source = box_key_points(cites.cited(cell.source))
            except KeyPointsError as exc:
                raise BuildError(f"{source}: {exc}") from None
        elif cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            if HIDE in tags:
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            cell.outputs = []
            cell.execution_count = None
    if source.parent.name == "notebooks":
        add_reading_frame(nb, source)
    nbformat.validate(nb)
    return nb


# ---------------------------------------------------------------- a student's notebook: rounds and glossary
def add_reading_frame(nb, source: Path) -> None:
    """The ward-round box at the end of the title cell and its check under ``## Check yourself`` (the glossary's
    definitions come after the notebook has run: :func:`add_definitions`)."""
    rounds = load_rounds().for_notebook(source.stem)
    if rounds is None:
        raise BuildError(f"{source}: no ward-round points for '{source.stem}'. Fix: add them to "
                         "widgets/content/rounds.yaml (what a student would say on a ward round, and the questions)")
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    if not md or nb.cells[0] is not md[0] or not md[0].source.lstrip().startswith("# "):
        raise BuildError(f"{source}: a student's notebook opens with its title block (a Markdown cell starting "
                         "'# Title'), under which the build puts the ward-round box. Fix: put the title first")
    checked = [c for c in md if c.source != add_check(c.source, rounds)]
    if len(checked) != 1:
        raise BuildError(f"{source}: the ward-round check goes under the '## Check yourself' heading, and the "
                         f"notebook has {len(checked)} of them. Fix: give it one '## Check yourself' section")
    checked[0].source = add_check(checked[0].source, rounds)
    md[0].metadata["vkp_title_block"] = len(md[0].source.rstrip())   # where the glossary gathers the title's words
    md[0].source = f"{md[0].source.rstrip()}\n\n{rounds_box(rounds)}"   # the title cell: no cell moves


def add_definitions(nb) -> None:
    """The glossary's definitions under the first use of each term in a student's notebook, its Markdown and
    its stored outputs read in order (a term first used in a stored table is defined just before it).  Runs on
    the executed notebook (and, for ``--check``, on the build with the committed outputs)."""
    texts, editable, cells = [], [], []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            texts.append(cell.source)
            editable.append(True)
            cells.append(cell)
        elif cell.cell_type == "code" and CHECK in cell.metadata.get("tags", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {}) if isinstance(out.get("data"), dict) else {}
                text = "".join(data.get("text/markdown") or data.get("text/html") or out.get("text") or "")
                if text and 'id="ref-1"' not in text:     # the reference list: titles of papers, not teaching
                    texts.append(text)
                    editable.append(False)
                    cells.append(None)
    title_block = nb.cells[0].metadata.pop("vkp_title_block", None) if nb.cells else None
    defined, _uses = define_first_uses(texts, title_block=title_block, editable=editable)
    for cell, text in zip(cells, defined):
        if cell is not None:
            cell.source = text


def execute(nb, folder: Path, label: str, pictures: str = "write") -> tuple[dict, dict[int, list[str]]]:
    """Run ``nb`` on a fresh kernel in ``folder``; keep outputs only where they are checked.  Returns what the
    kernel's widgets held when the notebook had run (their state, by model id) and, per code cell, the ids of
    the widgets it showed: the course website draws each widget's first state from them (tools/site.py)."""
    import atexit
    import os
    import shutil
    import tempfile

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    # A build is not a student: progress goes to a throw-away folder, and the class-results notebook
    # reads its shipped sample class, whatever the builder's own environment says.
    if "VKP_BUILD_PROGRESS" not in os.environ:
        os.environ["VKP_BUILD_PROGRESS"] = tempfile.mkdtemp(prefix="vkp-build-progress-")
        atexit.register(shutil.rmtree, os.environ["VKP_BUILD_PROGRESS"], ignore_errors=True)
    os.environ["VKP_PROGRESS_DIR"] = os.environ["VKP_BUILD_PROGRESS"]
    # Static pictures drawn while the notebook runs are stored with the package (widgets.core.pictures), so a
    # student's Run All shows them without drawing them again (``pictures="read"``: use them, store nothing).
    os.environ["VKP_PICTURES"] = pictures
    for name in ("VKP_HANDIN_DIR", "VKP_CLASS_DIR", "JUPYTERHUB_USER"):
        os.environ.pop(name, None)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        raise BuildError(f"{label}: a cell raised an error; fix the source and build again.\n{exc}") from None
    state = (nb.metadata.pop("widgets", None) or {}).get("application/vnd.jupyter.widget-state+json", {})
    views = {i: [o["data"][WIDGET_MIME]["model_id"] for o in cell.get("outputs", [])
                 if isinstance(o.get("data"), dict) and WIDGET_MIME in o["data"]]
             for i, cell in enumerate(nb.cells) if cell.cell_type == "code"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK in cell.metadata.get("tags", []):
            for out in cell.outputs:
                if isinstance(out.get("metadata"), dict):
                    out["metadata"].clear()
                # A stored widget view names a model that exists only in the kernel that built it: opened
                # before Run All, JupyterLab would show "model not found". Keep the text nbval compares.
                if isinstance(out.get("data"), dict) and out["data"].pop(WIDGET_MIME, None) is not None:
                    out["metadata"] = {WIDGET_FLAG: True}  # so the website still knows a widget was here
            continue
        cell.outputs = []
        cell.execution_count = None
    return state.get("state", {}), {i: ids for i, ids in views.items() if ids}


def index_for(paths: list[Path]) -> dict[str, list[str]]:
    out = {}
    for path in paths:
        if is_notebook_source(path):
            out[notebook_name(path)] = markdown_keys(jupytext.read(path, fmt="md:myst"))
    return out


def write_index(entries: dict[str, list[str]]) -> None:
    current = yaml.safe_load(INDEX.read_text(encoding="utf-8")) if INDEX.exists() else None
    notebooks = dict((current or {}).get("notebooks", {}))
    notebooks.update(entries)
    text = INDEX_HEADER + yaml.safe_dump({"notebooks": dict(sorted(notebooks.items()))},
                                         sort_keys=False, width=100)
    if not INDEX.exists() or INDEX.read_text(encoding="utf-8") != text:
        INDEX.write_text(text, encoding="utf-8")
        print(f"wrote {INDEX.relative_to(ROOT)}")


def _comparable(nb) -> list[tuple]:
    return [(c.cell_type, c.source, tuple(c.metadata.get("tags", [])),
             bool(c.metadata.get("jupyter", {}).get("source_hidden"))) for c in nb.cells]


def check(paths: list[Path]) -> list[str]:
    """Every disagreement between a source and its committed notebook, in words."""
    problems = []
    for src in paths:
        if not is_notebook_source(src):
            continue
        target = src.with_suffix(".ipynb")
        rel = src.relative_to(ROOT) if src.is_relative_to(ROOT) else src
        if not target.exists():
            problems.append(f"{rel}: its notebook {target.name} has not been built. Fix: make build")
            continue
        made, stored = build(src), nbformat.read(target, as_version=4)
        if src.parent.name == "notebooks":
            # the definitions depend on the stored outputs too: read them from the committed notebook
            for mine, theirs in zip(made.cells, stored.cells):
                if mine.cell_type == theirs.cell_type == "code":
                    mine.outputs = theirs.get("outputs", [])
            add_definitions(made)
        built, committed = _comparable(made), _comparable(stored)
        if built != committed:
            where = next((i for i, (a, b) in enumerate(zip(built, committed)) if a != b), min(len(built), len(committed)))
            problems.append(f"{rel}: {target.name} differs from its source at cell {where} "
                            f"({len(built)} cells in the source, {len(committed)} in the notebook). "
                            "Fix: edit the .md, then `make build`; never edit the .ipynb by hand")
    for ipynb in sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "lessons").glob("*.ipynb")):
        if not ipynb.with_suffix(".md").exists():
            problems.append(f"{ipynb.relative_to(ROOT)} has no MyST source {ipynb.with_suffix('.md').name}. "
                            "Fix: `jupytext --to myst` it and add it to the repository")
    recorded = (yaml.safe_load(INDEX.read_text(encoding="utf-8")) or {}).get("notebooks", {}) if INDEX.exists() else {}
    for name, keys in index_for(paths).items():
        if recorded.get(name) != keys:
            problems.append(f"{INDEX.relative_to(ROOT)}: the citation order of '{name}' is out of date. "
                            "Fix: make build")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="MyST sources (default: all)")
    parser.add_argument("--check", action="store_true", help="compare, build nothing")
    parser.add_argument("--no-execute", action="store_true", help="write without running the notebooks")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or sources()
    try:
        if args.check:
            problems = check(paths)
            for p in problems:
                print(p, file=sys.stderr)
            return 1 if problems else 0
        write_index(index_for(paths))
        for src in paths:
            if not is_notebook_source(src):
                continue
            nb = build(src)
            if not args.no_execute:
                execute(nb, src.parent, str(src))
            if src.parent.name == "notebooks":
                add_definitions(nb)
            nbformat.write(nb, str(src.with_suffix(".ipynb")))
            print(f"built {src.with_suffix('.ipynb').relative_to(ROOT)}")
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
