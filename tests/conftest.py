"""Shared test fixtures: where things are."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Tests (and the notebook kernels nbval starts, which inherit this environment) save progress in a
# throw-away folder, never in the developer's own, and read no hand-in or class folder they were not given.
if not os.environ.get("VKP_TEST_KEEP_ENV"):
    import atexit
    import shutil
    import tempfile
    os.environ["VKP_PROGRESS_DIR"] = _progress = tempfile.mkdtemp(prefix="vkp-test-progress-")
    atexit.register(shutil.rmtree, _progress, ignore_errors=True)
    os.environ["VKP_CLASS_SECRET"] = "a secret for the tests only"
    for _name in ("VKP_HANDIN_DIR", "VKP_CLASS_DIR", "JUPYTERHUB_USER"):
        os.environ.pop(_name, None)


def _find_shared() -> Path:
    """The project's shared/ folder (the leaflet and the verified evidence), beside the checkout.

    ``VKP_SHARED_DIR`` names it explicitly; otherwise the first ``shared/`` beside this checkout or
    one of its parents.  Tests that need it skip when it is absent (e.g. a student's laptop).
    """
    if os.environ.get("VKP_SHARED_DIR"):
        return Path(os.environ["VKP_SHARED_DIR"])
    for parent in ROOT.parents:
        if (parent / "shared" / "evidence" / "evidence.yaml").exists():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = _find_shared()


def notebook_paths() -> list[Path]:
    """Every committed notebook, students' first, then instructors'."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "lessons").rglob("*.ipynb"))
    return [p for p in paths if ".ipynb_checkpoints" not in p.parts]


def source_markdown_keys(name: str) -> set[str]:
    """Every citation key in the Markdown of a notebook's MyST source (``name`` like '02-vertebroplasty')."""
    import jupytext

    from widgets.core.citations import keys_in, notebook_name

    stem = notebook_name(name)
    src = next(p for p in (ROOT / "notebooks" / f"{stem}.md", ROOT / "lessons" / f"{stem}.md") if p.exists())
    nb = jupytext.read(src, fmt="md:myst")
    return {k for c in nb.cells if c.cell_type == "markdown" for k in keys_in(c.source)}


def load_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright for the whole run, shared by tests/browser and tests/hub: its sync API allows only one
    running at a time in a thread (a second fails with "using Playwright Sync API inside the asyncio loop")."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        yield p
