# The two commands of the README:
#   make lab   set up .venv when missing, then open JupyterLab on the start notebook
#   make test  set up .venv when missing, then run every test (unit, notebooks, browser)
# Nothing is reinstalled when pyproject.toml has not changed since the last set-up.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8888
LAB_FLAGS ?=
# JupyterLab refuses to run as root unless told it may (CI and containers run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test unit notebooks browser bench build check-build student-release clean help

help:
	@echo "make lab    open JupyterLab on notebooks/00-start-here.ipynb"
	@echo "make test   run every test (unit, nbval notebooks, browser)"
	@echo "make build  build the notebooks (.ipynb) from their MyST sources (.md) and store checked outputs"
	@echo "make bench  print the benchmarks' figures"
	@echo "make student-release  write the students' copy (no lessons/, answer keys or plans) to build/student/"

$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "== creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "== installing the module and its test tools into $(VENV)"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@# An editable install skips data files: put the course's JupyterLab settings (no news prompt) in place.
	install -D -m 644 config/jupyterlab/vkp-teaching.json $(VENV)/share/jupyter/lab/settings/overrides.d/vkp-teaching.json
	@touch $(STAMP)

lab: $(STAMP)
	@echo "== JupyterLab on http://$(HOST):$(PORT)/lab/tree/notebooks/00-start-here.ipynb (the token is in the URL printed below)"
	$(PY) -m jupyter lab --ServerApp.ip=$(HOST) --ServerApp.port=$(PORT) $(ROOT_FLAG) \
	  --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb $(LAB_FLAGS)

test: $(STAMP)
	$(PY) -m pytest

unit: $(STAMP)
	$(PY) -m pytest tests -m "not browser" -o addopts="-ra"

notebooks: $(STAMP)
	$(PY) -m pytest notebooks lessons

browser: $(STAMP)
	$(PY) -m pytest tests -m browser

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Build the .ipynb students open from the MyST sources authors edit (notebooks/*.md, lessons/*.md):
# citations rendered, code collapsed, run on a fresh kernel, outputs kept only where nbval checks them.
# One notebook: make build NB=notebooks/02-vertebroplasty.md
build: $(STAMP)
	$(PY) tools/build_notebooks.py $(NB)

# Fails when a built notebook and its source disagree (also a unit test).
check-build: $(STAMP)
	$(PY) tools/build_notebooks.py --check

# The students' copy of the course (notebooks, widgets and their content, make lab / Binder files; no
# lessons/, answer keys or lesson plans), for nbgitpuller or Binder to point at. Add GIT=1 to commit it.
student-release: $(STAMP)
	$(PY) tools/student_release.py --out build/student $(if $(GIT),--git,)

clean:
	rm -rf $(VENV) .pytest_cache
