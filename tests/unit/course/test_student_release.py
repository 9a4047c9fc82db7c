"""`make student-release` (issue 12): the students' copy holds what they need and no instructor file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tools import student_release as sr


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "student"
    written = sr.build(out, git=True)
    return out, written


def test_no_instructor_file_is_in_the_students_copy(release):
    out, written = release
    files = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert sorted(files) == sorted(written)
    for rel in files:
        assert not rel.startswith(("lessons/", "tests/", "tools/", "benchmarks/", "deploy/", ".ci/")), rel
        for word in ("answer-key", "answer_key", "plans/", "class-results", "sample-exports", "results_view"):
            assert word not in rel, rel
    assert not any(rel.endswith(".md") and rel.startswith("notebooks/") for rel in files), "no MyST sources"
    for package in sr.INSTRUCTOR_PACKAGES:
        assert not (out / package).exists(), package
    for module in ("answer_keys.py", "lessons.py", "results.py", "results_view.py", "grading.py", "export.py"):
        assert (ROOT / "widgets" / "classroom" / module).is_file(), module   # the instructor's side, left out


def test_no_answer_key_or_instructor_path_appears_in_any_text(release):
    out, _ = release
    key_rows = [line for f in (ROOT / "lessons" / "answer-keys").glob("*.md")
                for line in f.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    assert key_rows
    for path in out.rglob("*"):
        if not path.is_file() or ".git" in path.parts or path.name.startswith("LICENSE"):
            continue   # the licences name what they cover, lessons/ included; they point no student at it
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "lessons/" not in text and "answer-keys" not in text, f"{path.relative_to(out)} points at instructor files"
        assert not any(row in text for row in key_rows), f"{path.relative_to(out)} reproduces an answer key"


def test_it_holds_every_student_notebook_the_package_its_content_and_the_lab_and_binder_files(release):
    out, _ = release
    assert sorted(p.name for p in (out / "notebooks").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (out / "widgets" / "content").rglob("*.yaml")) == sorted(
        p.name for p in (ROOT / "widgets" / "content").rglob("*.yaml"))
    assert (out / "widgets" / "core" / "static" / "controls.css").is_file(), "the controls' JavaScript and CSS ship"
    assert (out / "widgets" / "content" / "generated" / "notebook_citations.yaml").is_file(), \
        "the notebooks' citation order, which the build generates, ships with the content"
    for name in ("pyproject.toml", "environment.yml", "Makefile", "README.md", "LICENSE", "LICENSE-content",
                 "config/jupyterlab/vkp-teaching.json"):
        assert (out / name).is_file(), name
    env = (out / "environment.yml").read_text()
    assert "- ." in env and "pytest" not in env and "playwright" not in env, "Binder installs the module, not the tests"
    dry = subprocess.run(["make", "-n", "lab"], cwd=out, capture_output=True, text=True)
    assert dry.returncode == 0 and "jupyter lab" in dry.stdout and "notebooks/00-start-here.ipynb" in dry.stdout


def test_it_is_a_git_repository_nbgitpuller_can_pull(release):
    out, written = release
    tracked = subprocess.run(["git", "ls-files"], cwd=out, capture_output=True, text=True, check=True).stdout.split()
    assert sorted(tracked) == sorted(written)
    assert subprocess.run(["git", "status", "--porcelain"], cwd=out, capture_output=True, text=True).stdout == ""


def test_every_import_the_student_notebooks_make_works_in_the_copy(release):
    out, _ = release
    imports = set()
    for nb in (out / "notebooks").glob("*.ipynb"):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                imports |= set(re.findall(r"^from (widgets[\w.]*) import", "".join(cell["source"]), flags=re.M))
    assert "widgets.candidacy.quiz_view" in imports and "widgets.record.handin_view" in imports
    code = ("import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)\n"
            "import widgets; print(widgets.__file__)")
    done = subprocess.run([sys.executable, "-c", code, *sorted(imports)], cwd=out / "notebooks",
                          env={**os.environ, "PYTHONPATH": str(out)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().startswith(str(out)), "the copy's own package was imported"


def test_the_quiz_notebook_runs_from_the_copy(release, tmp_path):
    from nbclient import NotebookClient
    import nbformat
    out, _ = release
    nb = nbformat.read(out / "notebooks" / "06-candidacy-quiz.ipynb", as_version=4)
    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(out)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(out / "notebooks")}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = env_before
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]


def test_the_release_refuses_to_overwrite_the_course():
    with pytest.raises(SystemExit, match="refusing"):
        sr.build(ROOT / "notebooks")
    with pytest.raises(SystemExit, match="refusing"):
        sr.build(ROOT)
