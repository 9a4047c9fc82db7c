"""`make lab` and `make test` set up .venv once: nothing is reinstalled when pyproject.toml has not changed."""

import shutil
import subprocess

import pytest

from tests.conftest import ROOT

MAKE = shutil.which("make")


def dry_run(*args: str) -> str:
    return subprocess.run([MAKE, "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not (ROOT / ".venv" / ".installed").exists(), reason="needs a .venv set up by make")
@pytest.mark.parametrize("target", ["test", "lab"])
def test_nothing_reinstalled_when_nothing_changed(target):
    assert "pip install" not in dry_run(target)


@pytest.mark.parametrize("target", ["test", "lab"])
def test_a_changed_pyproject_reinstalls(target):
    plan = dry_run("-W", "pyproject.toml", target)   # as if pyproject.toml had just been edited
    assert 'pip install --quiet -e ".[test]"' in plan
