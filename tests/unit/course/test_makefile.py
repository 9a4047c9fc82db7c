"""`make lab` and `make test` set up .venv once: nothing is reinstalled when nothing has changed since the last
set-up, and `make test` runs each suite in its own pytest process.

What make would do is asked of the real Makefile (`make -n`) in a scratch folder holding copies of the files its
set-up depends on, after `make -t` has marked every step of the target done, as a first `make test` or `make lab`
leaves them: so the answer does not depend on how (or whether) this checkout's own .venv was made.
"""

import shutil
import subprocess

import pytest

from tests.conftest import ROOT

MAKE = shutil.which("make")
#: What the Makefile's set-up steps depend on (the module, the hub's proxy, the website's tools).
INPUTS = ["pyproject.toml", "config/jupyterlab/vkp-teaching.json", "config/jupyterlab/labextension/package.json",
          *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "config/jupyterlab/labextension/static").iterdir()),
          "site/requirements.txt", "site/package.json",
          "site/package-lock.json", "deploy/local-hub/package.json", "deploy/local-hub/package-lock.json"]
#: The folders its stamps live in.
STAMP_FOLDERS = [".venv", "site/node_modules", "deploy/local-hub/node_modules/.bin"]


def make(folder, *args: str) -> str:
    return subprocess.run([MAKE, "-f", str(ROOT / "Makefile"), *args], cwd=folder, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def set_up(tmp_path):
    """A scratch copy of what the set-up reads, set up once for ``target`` (every step marked done)."""
    for rel in INPUTS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, tmp_path / rel)          # the files keep their (older) times
    for rel in STAMP_FOLDERS:
        (tmp_path / rel).mkdir(parents=True, exist_ok=True)

    def done(target: str):
        make(tmp_path, "-t", target)
        return tmp_path
    return done


@pytest.mark.parametrize("target", ["test", "lab"])
def test_nothing_reinstalled_when_nothing_changed(set_up, target):
    folder = set_up(target)
    plan = make(folder, "-n", target)
    assert "pip install" not in plan and "npm ci" not in plan, plan


@pytest.mark.parametrize("target", ["test", "lab"])
def test_a_changed_pyproject_reinstalls(target):
    plan = make(ROOT, "-n", "-W", "pyproject.toml", target)   # as if pyproject.toml had just been edited
    assert 'pip install --quiet -e ".[test]"' in plan


def test_a_changed_pyproject_reinstalls_the_module_not_the_websites_tools(set_up):
    folder = set_up("test")
    plan = make(folder, "-n", "-W", "pyproject.toml", "test")
    assert 'pip install --quiet -e ".[test]"' in plan and "site/requirements.txt" not in plan, plan
    plan = make(folder, "-n", "-W", "site/requirements.txt", "test")
    if shutil.which("npm"):                     # the website's tools are set up only where npm is (the Makefile)
        assert "pip install --quiet -r site/requirements.txt" in plan, plan


def test_make_test_runs_each_suite_in_its_own_process(set_up):
    plan = make(set_up("test"), "-n", "test")
    runs = [line for line in plan.replace("\\\n", " ").split(";") if "-m pytest" in line]
    suites = ["tests -m \"not browser and not hub\"", "notebooks lessons", "tests/browser -m browser",
              "tests/hub -m hub"]
    assert len(runs) == len(suites) and all(s in r for s, r in zip(suites, runs)), runs
