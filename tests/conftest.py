"""Shared test fixtures: where things are, and each test's own settings (:func:`vkp_settings`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from widgets.core.settings import ENVIRONMENT, Settings, use_settings

ROOT = Path(__file__).resolve().parents[1]

#: The class secret every test's settings carry (the pseudonyms S01, S02, ... are ordered by it).
TEST_SECRET = "a secret for the tests only"


def isolated_environment(progress: Path) -> dict[str, str]:
    """The course's environment for one test or one notebook: its own progress folder, the test secret, and no
    hand-in folder, class folder or hub (every variable of :data:`widgets.core.settings.ENVIRONMENT` else unset)."""
    return {"VKP_PROGRESS_DIR": str(progress), "VKP_CLASS_SECRET": TEST_SECRET}


@pytest.fixture(autouse=True)
def vkp_settings(tmp_path_factory, monkeypatch) -> Settings:
    """Each test's own settings (a fresh progress folder and data folder, no hand-in or class folder, no hub),
    given to the code through :func:`widgets.core.settings.use_settings` and to the processes the test starts
    (a kernel, a script) through the environment.  A test that needs others uses
    ``use_settings(vkp_settings.replace(...))``."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    for name, value in isolated_environment(tmp_path_factory.mktemp("progress")).items():
        monkeypatch.setenv(name, value)
    with use_settings(Settings.from_environ(data_folder=tmp_path_factory.mktemp("data"))) as settings:
        yield settings


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
