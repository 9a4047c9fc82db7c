"""Build the students' copy of the course: ``make student-release`` writes ``build/student/``.

Like nbgrader's release step, one master copy yields what students get, with the instructor
material left out: the built notebooks, the ``widgets`` package and its content, and what
``make lab`` and Binder need (``pyproject.toml``, a students' ``environment.yml`` without the test
tools, the JupyterLab settings, a short README and a Makefile with only ``make lab``), and the data
the package ships (``widgets/data/``: the real CT's crop with its licence and credit; ``widgets/core/static/``: the
controls' JavaScript and CSS).  Never in it:
``lessons/`` (lesson plans, answer keys, the class-results notebook and the sample class), the
instructor-only packages ``widgets/classroom`` (answer keys, lesson plans, reading a class's hand-ins)
and ``widgets/hubservice`` (the hub's hand-in service), the notebooks' MyST sources, tests, tools,
benchmarks, deployment files and CI.

The result is a plain folder that can be a git repository (``--git`` makes the first commit), so an
admin can push it to a branch that nbgitpuller and Binder point at.

    python tools/student_release.py [--out build/student] [--git]

The quiz stays formative: its rules engine and case bank ship with it (the notebooks say so).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Instructor-only packages, left out whole: reading classes' hand-ins, answer keys and lesson plans
#: (widgets/classroom) and the hub's hand-in service (widgets/hubservice).  No module a student's notebook
#: imports may import them (the import contracts in pyproject.toml check it), so the copy runs without them.
INSTRUCTOR_PACKAGES = ("widgets/classroom", "widgets/hubservice")
TOP_FILES = ["pyproject.toml", "LICENSE", "LICENSE-content", "SETUP.md"]
TEST_ONLY = {"pytest", "nbval", "nbformat", "nbclient", "hypothesis", "playwright", "axe-playwright-python",
             "nibabel", "import-linter"}

README = """# Vertebroplasty and kyphoplasty: interactive notebooks (students' copy)

Interactive Jupyter notebooks that teach vertebroplasty and kyphoplasty to medical students.
Start with `notebooks/00-start-here.ipynb` and work through the notebooks in order.

- **On a school JupyterHub or Binder:** everything is installed; open `notebooks/00-start-here.ipynb`.
- **On your own computer:** with Python 3.10 or newer, run `make lab`. It sets up what is needed
  the first time, then opens JupyterLab on the start notebook.
- **Step by step, Windows or conda included:** `SETUP.md`, the set-up to do before the first session.

Your answers in the exercises are saved as you give them. The notebooks with exercises end with
**Hand in my answers** (a file next to the notebook, and on a hub a copy for your instructor) and
**Download my answers** (the same file saved to your computer).

The quizzes are for practice: the rules that grade them ship with the course.

Code: MIT licence; content: CC BY 4.0 (see `LICENSE` and `LICENSE-content`).
"""

MAKEFILE = """# The students' copy: `make lab` sets up .venv when missing, then opens JupyterLab on the start notebook.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8888
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab clean

$(STAMP): pyproject.toml
\t@test -x $(PY) || $(PYTHON) -m venv $(VENV)
\t$(PY) -m pip install --quiet --upgrade pip
\t$(PY) -m pip install --quiet -e .
\tinstall -D -m 644 config/jupyterlab/vkp-teaching.json $(VENV)/share/jupyter/lab/settings/overrides.d/vkp-teaching.json
\t@touch $(STAMP)

lab: $(STAMP)
\t$(PY) -m jupyter lab --ServerApp.ip=$(HOST) --ServerApp.port=$(PORT) $(ROOT_FLAG) \\
\t  --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb

clean:
\trm -rf $(VENV)
"""

GITIGNORE = """.venv/
__pycache__/
*.egg-info/
.ipynb_checkpoints/
*.progress.json
"""


def student_environment(text: str) -> str:
    """environment.yml without the test tools (Binder builds faster; students never run the tests)."""
    import yaml
    env = yaml.safe_load(text)
    deps = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip = [p for p in dep.get("pip", []) if p.split(">")[0].split("=")[0].strip() not in TEST_ONLY]
            if pip:
                deps.append({"pip": pip})
        elif dep.split(">")[0].split("=")[0].split("<")[0].strip() not in TEST_ONLY:
            deps.append(dep)
    env["dependencies"] = deps
    head = "# conda / Binder (repo2docker) environment of the students' copy (made by tools/student_release.py).\n"
    return head + yaml.safe_dump(env, sort_keys=False)


def instructor_only(rel: str) -> bool:
    """Whether a file of the package (path relative to the course) belongs to an instructor-only package."""
    return any(rel == pkg or rel.startswith(pkg + "/") for pkg in INSTRUCTOR_PACKAGES)


def release_files(root: Path = ROOT) -> dict[str, Path]:
    """Relative path in the release -> source file."""
    files: dict[str, Path] = {}
    for nb in sorted((root / "notebooks").glob("*.ipynb")):
        files[f"notebooks/{nb.name}"] = nb
    for path in sorted((root / "widgets").rglob("*")):
        rel = path.relative_to(root).as_posix()
        shipped_data = rel.startswith("widgets/data/")      # the CT crop with its LICENSE and README
        if path.is_file() and "__pycache__" not in path.parts \
                and (path.suffix in {".py", ".yaml", ".js", ".css"} or shipped_data) \
                and not instructor_only(rel):
            files[rel] = path
    for path in sorted((root / "config").rglob("*")):
        if path.is_file():
            files[path.relative_to(root).as_posix()] = path
    for name in TOP_FILES:
        files[name] = root / name
    return files


def build(out: Path, root: Path = ROOT, *, git: bool = False) -> list[str]:
    """Write the students' copy into ``out`` (emptied first); returns the files written."""
    out, root = out.resolve(), root.resolve()
    inside = out.relative_to(root).parts if root in out.parents else ()
    if out == root or out in root.parents or (inside and inside[0] != "build"):
        raise SystemExit(f"refusing to write the release over the course itself: {out} (use a folder under build/ "
                         "or outside the course)")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for rel, src in release_files(root).items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
        written.append(rel)
    generated = {"README.md": README, "Makefile": MAKEFILE, ".gitignore": GITIGNORE,
                 "environment.yml": student_environment((root / "environment.yml").read_text(encoding="utf-8"))}
    for rel, text in generated.items():
        (out / rel).write_text(text, encoding="utf-8")
        written.append(rel)
    if git:
        run = dict(cwd=out, check=True, capture_output=True, text=True)
        subprocess.run(["git", "init", "-q"], **run)
        subprocess.run(["git", "add", "-A"], **run)
        subprocess.run(["git", "-c", "user.name=vkp-teaching release", "-c", "user.email=release@localhost",
                        "commit", "-q", "-m", "Students' copy of the course"], **run)
    return sorted(written)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    parser.add_argument("--git", action="store_true", help="make it a git repository with one commit")
    args = parser.parse_args()
    written = build(args.out, git=args.git)
    print(f"wrote {len(written)} files to {args.out}: notebooks, the widgets package and its content, "
          "make lab / Binder files; no lessons/, answer keys or lesson plans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
