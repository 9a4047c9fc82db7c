"""The package's layers hold (ARCHITECTURE.md): import-linter's contracts in pyproject.toml pass, and fail when an
import goes the wrong way.

`make test` and CI run these tests, so a change that imports upward (a topic importing the instructor's side,
the record importing a topic, a pure module importing a plotting library) fails with import-linter's message
naming the import and its line.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

CONTRACTS = {c["id"]: c for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
UI_LIBRARIES = ("ipywidgets", "anywidget", "matplotlib", "IPython")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports on the ``widgets`` package found in ``root``, with ``root``'s pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)


def package_modules(root: Path = ROOT) -> set[str]:
    """Every module of the widgets package, by its dotted name (a package by its own name)."""
    out = set()
    for path in (root / "widgets").rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        out.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def test_the_import_contracts_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout, done.stdout[-2000:]


def test_every_module_is_either_pure_or_a_view():
    """The purity contract lists every module of the package once: pure (source) or a view (forbidden)."""
    pure = set(CONTRACTS["pure"]["source_modules"])
    views = {m for m in CONTRACTS["pure"]["forbidden_modules"] if m.startswith("widgets.")}
    assert set(UI_LIBRARIES) <= set(CONTRACTS["pure"]["forbidden_modules"])
    assert not pure & views, f"listed as both pure and a view: {sorted(pure & views)}"
    missing = package_modules() - pure - views
    assert not missing, ("add each to the 'pure' contract in pyproject.toml: to source_modules if it is pure "
                         f"logic, to forbidden_modules if it is a view: {sorted(missing)}")
    gone = (pure | views) - package_modules()
    assert not gone, f"the 'pure' contract in pyproject.toml names modules that do not exist: {sorted(gone)}"


def test_no_pure_module_is_excused():
    """The purity contract grants no exception: a display helper lives in a view (core/markdown_view.py), not
    beside the pure text it shows."""
    assert not CONTRACTS["pure"].get("ignore_imports"), CONTRACTS["pure"].get("ignore_imports")


def test_pure_modules_import_no_widget_or_plotting_library():
    """At run time too: importing every pure module loads none of the widget, plotting or display libraries."""
    code = ("import importlib, sys\nfor m in sys.argv[2:]: importlib.import_module(m)\n"
            "print(sorted(m for m in sys.argv[1].split(',') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, ",".join(UI_LIBRARIES), *CONTRACTS["pure"]["source_modules"]],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_no_import_of_our_own_modules_inside_a_function():
    """Imports of widgets modules sit at the top of a module, where the contracts and a reader see them; a
    function-level import to dodge a cycle means a layer is wrong.  (Heavy third-party libraries may be lazy.)"""
    found = []
    for path in sorted((ROOT / "widgets").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("widgets")) \
                        or isinstance(node, ast.Import) and any(a.name.startswith("widgets") for a in node.names):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, "move these imports to the top of their module: " + ", ".join(found)


# ----------------------------------------------------------------------------- the contracts catch a wrong import

@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the package's Python files and its pyproject.toml, to plant wrong imports in."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "widgets", root / "widgets", ignore=shutil.ignore_patterns("__pycache__", "content", "*.yaml"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


PLANTED = [
    # (module the import is added to, the code added, the module it imports, the contract it breaks)
    ("widgets/record/attempts.py", "import widgets.candidacy.rules", "widgets.candidacy.rules", "layers"),
    ("widgets/core/citations.py", "from widgets.record import identity", "widgets.record.identity", "layers"),
    ("widgets/anatomy/geometry.py", "def _f():\n    from widgets.procedures import steps", "widgets.procedures.steps",
     "layers"),                                                   # inside a function: it counts all the same
    ("widgets/candidacy/quiz_view.py", "from widgets.classroom import results", "widgets.classroom.results", "layers"),
    ("widgets/fractures/texts.py", "from widgets.imaging import grading", "widgets.imaging.grading", "layers"),
    ("widgets/core/settings.py", "from widgets.core import loading", "loading", "acyclic"),   # loading imports settings
    ("widgets/outcomes/model.py", "def _f():\n    import matplotlib.pyplot", "matplotlib", "pure"),
    ("widgets/core/citations.py", "def _f():\n    from IPython.display import Markdown", "IPython", "pure"),
    ("widgets/core/sections.py", "from widgets.core import markdown_view", "widgets.core.markdown_view", "pure"),
    ("widgets/record/progress.py", "from widgets.record import handin_view", "widgets.record.handin_view", "pure"),
]


@pytest.mark.parametrize("module, code, imported, contract", PLANTED,
                         ids=[f"{c}:{m.split('/', 1)[1]}->{i}" for m, _, i, c in PLANTED])
def test_a_wrong_import_breaks_its_contract(source, module, code, imported, contract):
    path = source / module
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n\n" + code + "\n", encoding="utf-8")
    try:
        done = lint_imports(source)
    finally:
        path.write_text(before, encoding="utf-8")
    assert done.returncode != 0, done.stdout[-3000:]
    assert "Broken contracts" in done.stdout, done.stdout[-3000:]
    report = done.stdout.split("Broken contracts", 1)[1]
    assert CONTRACTS[contract]["name"] in report, report[-3000:]
    assert imported in report, f"the report names the planted import: {report[-3000:]}"


def test_the_copy_without_a_planted_import_keeps_every_contract(source):
    """The fixture's copy is the package as it is: the planted import, not the copy, breaks a contract."""
    done = lint_imports(source)
    assert done.returncode == 0, done.stdout[-3000:]
