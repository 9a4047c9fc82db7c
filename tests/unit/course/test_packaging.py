"""pyproject.toml and environment.yml name the same packages with the same versions."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from tests.conftest import ROOT


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = data["dependencies"] + data["optional-dependencies"]["test"]
    return {norm(Requirement(r).name): str(Requirement(r).specifier) for r in reqs}


def conda_requirements() -> tuple[dict[str, str], dict]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out, python = {}, None
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                if pip_dep.strip() in {"-e .", "."}:
                    continue
                r = Requirement(pip_dep)
                out[norm(r.name)] = str(r.specifier)
            continue
        name = re.split(r"[<>=!\s]", dep, maxsplit=1)[0]
        if name in {"python", "pip"}:
            python = dep if name == "python" else python
            continue
        out[norm(name)] = str(Requirement(dep.replace(" ", "")).specifier)
    return out, {"python": python, "env": env}


def test_same_packages_and_versions():
    ours, _ = conda_requirements()
    assert ours == pyproject_requirements()


def test_python_pinned_and_package_installed_through_pip():
    _, info = conda_requirements()
    assert re.fullmatch(r"python=3\.1[0-9]", info["python"]), "Binder defaults to an old Python unless pinned"
    pip = [d for d in info["env"]["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip or "." in pip, "the module itself is installed by the pip section"
    assert info["env"]["channels"] == ["conda-forge"]


def test_no_binder_folder_overrides_environment_yml():
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), (
        "repo2docker reads only binder/ when it exists, and would ignore environment.yml")


def test_the_course_ships_its_jupyterlab_settings():
    """No 'get notified about Jupyter news?' prompt over a student's notebook, on any route:
    the wheel (Binder, a hub image) installs the override, and `make` copies it for the editable venv."""
    import json
    import sys
    override = json.loads((ROOT / "config/jupyterlab/vkp-teaching.json").read_text())
    assert override["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert data_files["share/jupyter/lab/settings/overrides.d"] == ["config/jupyterlab/vkp-teaching.json"]
    assert "overrides.d/vkp-teaching.json" in (ROOT / "Makefile").read_text()
    installed = ROOT / ".venv/share/jupyter/lab/settings/overrides.d/vkp-teaching.json"
    if sys.prefix == str(ROOT / ".venv"):
        assert installed.exists(), "make did not install the JupyterLab settings into .venv"


def test_the_controls_javascript_and_css_ship_as_package_data():
    """Every file anywidget loads for the course's controls exists and is package data (a wheel, Binder or a hub
    image without it would draw blank controls); the students' copy carries the same files
    (tests/unit/course/test_student_release.py)."""
    import fnmatch

    import anywidget

    from widgets.core import controls
    from widgets.record import handin_view
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["widgets.core"]
    static = ROOT / "widgets" / "core" / "static"
    loaded = {str(getattr(cls, key)) for module in (controls, handin_view) for cls in vars(module).values()
              if isinstance(cls, type) and issubclass(cls, anywidget.AnyWidget) and cls is not anywidget.AnyWidget
              for key in ("_esm", "_css") if key in vars(cls)}
    files = {p.read_text(encoding="utf-8"): p for p in static.iterdir()}
    assert loaded == set(files), "each control loads a file of widgets/core/static, and every file there is used"
    assert all(any(fnmatch.fnmatch(f"static/{p.name}", g) for g in globs) for p in files.values()), globs
