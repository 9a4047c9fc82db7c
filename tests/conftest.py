"""Shared test fixtures: where things are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def notebook_paths() -> list[Path]:
    """Every committed notebook, students' first, then instructors'."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "lessons").rglob("*.ipynb"))
    return [p for p in paths if ".ipynb_checkpoints" not in p.parts]


def load_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def root() -> Path:
    return ROOT
