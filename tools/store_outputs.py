"""Execute notebooks on a fresh kernel and store only the outputs that teach.

Usage: python tools/store_outputs.py notebooks/*.ipynb lessons/*.ipynb

Each notebook runs top to bottom in its own folder.  Code cells tagged
``nbval-check-output`` keep their outputs and execution count (nbval compares
them); every other code cell is stored clean.  Widget state is dropped, and
the kernelspec is set to ``python3``.  A cell error stops with the notebook's
name and the cell number.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CHECK = "nbval-check-output"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def store(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        sys.exit(f"{path}: a cell raised an error; fix it and run again.\n{exc}")
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK in cell.metadata.get("tags", []):
            for out in cell.outputs:
                out.get("metadata", {}).clear() if isinstance(out.get("metadata"), dict) else None
            continue
        cell.outputs = []
        cell.execution_count = None
    nbformat.write(nb, path)
    print(f"stored {path}")


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit(__doc__)
    for p in paths:
        store(Path(p))


if __name__ == "__main__":
    main(sys.argv[1:])
