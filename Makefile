# The two commands of the README:
#   make lab   set up .venv when missing, then open JupyterLab on the start notebook
#   make test  set up .venv when missing, then run every test (unit, notebooks, browser, hub)
# and, for a class on one server:
#   sudo make hub   a class hub on this machine (deploy/local-hub): a system account per person; Ctrl+C stops it
# Nothing is reinstalled when pyproject.toml and config/jupyterlab/ have not changed since the last set-up.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8888
LAB_FLAGS ?=
HUB_PORT ?= 8000
HUB_IP ?= 127.0.0.1
# The class hub's folder (database, homes, hand-ins) and its class (deploy/README.md); absolute, so `make hub`
# works from wherever the checkout is.
HUB_STATE ?= /srv/vkp-hub
HUB_ROSTER ?= deploy/local-hub/roster.txt
ROSTER ?= $(HUB_ROSTER)
# configurable-http-proxy for the hub (npm, deploy/local-hub/package-lock.json); installed when npm is here.
CHP    := deploy/local-hub/node_modules/.bin/configurable-http-proxy
HUB_DEPS := $(if $(shell command -v npm 2>/dev/null),$(CHP),)
# The course website's tools (Jupyter Book, myst-to-html) for its test; installed when npm (Node.js) is here.
SITE_DEPS := $(if $(shell command -v npm 2>/dev/null),site-tools,)
# JupyterLab refuses to run as root unless told it may (CI and containers run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test unit notebooks browser hub-test hub bench build check-build site site-tools student-release clean help

help:
	@echo "make lab    open JupyterLab on notebooks/00-start-here.ipynb"
	@echo "make test   run every test (unit, nbval notebooks, browser, hub)"
	@echo "sudo make hub  run a class hub on this machine (deploy/local-hub; ROSTER=file); Ctrl+C stops it"
	@echo "make build  build the notebooks (.ipynb) from their MyST sources (.md) and store checked outputs"
	@echo "make bench  print the benchmarks' figures"
	@echo "make site   build the course website (Jupyter Book 2, static HTML) into build/site/_build/html"
	@echo "make student-release  write the students' copy (no lessons/, answer keys or plans) to build/student/"

$(STAMP): pyproject.toml config/jupyterlab/vkp-teaching.json config/jupyterlab/labextension/package.json $(wildcard config/jupyterlab/labextension/static/*)
	@test -x $(PY) || { echo "== creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "== installing the module and its test tools into $(VENV)"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@# An editable install skips data files: put the course's JupyterLab settings (no news prompt) in place.
	install -D -m 644 config/jupyterlab/vkp-teaching.json $(VENV)/share/jupyter/lab/settings/overrides.d/vkp-teaching.json
	@# ... and its stylesheet, a style-only prebuilt extension (a collapsed code cell shows no line of code).
	install -D -m 644 config/jupyterlab/labextension/package.json $(VENV)/share/jupyter/labextensions/vkp-teaching/package.json
	install -D -m 644 -t $(VENV)/share/jupyter/labextensions/vkp-teaching/static config/jupyterlab/labextension/static/*
	@touch $(STAMP)

lab: $(STAMP)
	@echo "== JupyterLab on http://$(HOST):$(PORT)/lab/tree/notebooks/00-start-here.ipynb (the token is in the URL printed below)"
	$(PY) -m jupyter lab --ServerApp.ip=$(HOST) --ServerApp.port=$(PORT) $(ROOT_FLAG) \
	  --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb $(LAB_FLAGS)

$(CHP): deploy/local-hub/package.json deploy/local-hub/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the hub: apt-get install nodejs npm"; exit 1; }
	cd deploy/local-hub && npm ci --no-audit --no-fund
	@touch $(CHP)

# The four suites, each run by its own pytest process so that no suite's state (settings, kernels, servers,
# Playwright) reaches another.  `make test` runs all four, one after the other, and fails if any failed.
UNIT_TESTS     := $(PY) -m pytest tests -m "not browser and not hub" -o addopts="-ra"
NOTEBOOK_TESTS := $(PY) -m pytest notebooks lessons
BROWSER_TESTS  := $(PY) -m pytest tests/browser -m browser
HUB_TESTS      := $(PY) -m pytest tests/hub -m hub

test: $(STAMP) $(HUB_DEPS) $(SITE_DEPS)
	@failed=""; \
	echo "== unit tests"; $(UNIT_TESTS) || failed="$$failed unit"; \
	echo "== notebooks (nbval)"; $(NOTEBOOK_TESTS) || failed="$$failed notebooks"; \
	echo "== browser tests"; $(BROWSER_TESTS) || failed="$$failed browser"; \
	echo "== hub tests"; $(HUB_TESTS) || failed="$$failed hub"; \
	if [ -n "$$failed" ]; then echo "== failed:$$failed"; exit 1; fi

unit: $(STAMP)
	$(UNIT_TESTS)

notebooks: $(STAMP)
	$(NOTEBOOK_TESTS)

browser: $(STAMP)
	$(BROWSER_TESTS)

hub-test: $(STAMP) $(CHP)
	$(HUB_TESTS)

# A class hub on this machine, on 127.0.0.1:$(HUB_PORT) (see deploy/README.md), run as root: a system account for
# each person in $(ROSTER), each server started as its person; Ctrl+C stops the hub, the proxy, the hand-in
# service and every server.  The course students pull: the student release of this checkout.  Homes, hand-ins
# and the hub's database stay in $(HUB_STATE) from one run to the next.
hub: $(STAMP) $(CHP)
	$(PY) tools/local_hub.py --ip $(HUB_IP) --port $(HUB_PORT) --state "$(abspath $(HUB_STATE))" --roster "$(abspath $(ROSTER))"

bench: $(STAMP)
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Build the .ipynb students open from the MyST sources authors edit (notebooks/*.md, lessons/*.md):
# citations rendered, code collapsed, run on a fresh kernel, outputs kept only where nbval checks them.
# One notebook: make build NB=notebooks/02-vertebroplasty.md
build: $(STAMP)
	$(PY) tools/build_notebooks.py $(NB)

# Fails when a built notebook and its source disagree (also a unit test).
check-build: $(STAMP)
	$(PY) tools/build_notebooks.py --check

# The course website: Jupyter Book 2 (site/requirements.txt) builds each page's content from the built notebooks,
# and mystmd's renderer myst-to-html (site/package-lock.json, Node.js 18+) turns it into static HTML.
#   make site [REPO=https://github.com/OWNER/REPO] [HUB=https://hub.example.edu] [SITE_THEME=book|dir]
SITE_STAMP := $(VENV)/.site-installed
SITE_NPM   := site/node_modules/.package-lock.json
# Order-only on the module's own set-up: the site's tools are installed after it, but reinstalling the module
# (a changed pyproject.toml) does not reinstall them; only a changed site/requirements.txt does.
$(SITE_STAMP): site/requirements.txt | $(STAMP)
	@command -v node >/dev/null || { echo "The course website needs Node.js 18 or newer: apt-get install nodejs"; exit 1; }
	$(PY) -m pip install --quiet -r site/requirements.txt
	@touch $(SITE_STAMP)

$(SITE_NPM): site/package.json site/package-lock.json
	@command -v npm >/dev/null || { echo "The course website needs npm (Node.js 18 or newer): apt-get install nodejs npm"; exit 1; }
	cd site && npm ci --no-audit --no-fund --loglevel=error
	@touch $(SITE_NPM)

site-tools: $(SITE_STAMP) $(SITE_NPM)

site: site-tools
	$(PY) tools/site.py $(if $(REPO),--repo "$(REPO)") $(if $(HUB),--hub "$(HUB)") $(if $(SITE_THEME),--theme "$(SITE_THEME)")
# The students' copy of the course (notebooks, widgets and their content, make lab / Binder files; no
# lessons/, answer keys or lesson plans), for nbgitpuller or Binder to point at. Add GIT=1 to commit it.
student-release: $(STAMP)
	$(PY) tools/student_release.py --out build/student $(if $(GIT),--git,)

clean:
	rm -rf $(VENV) .pytest_cache site/node_modules deploy/local-hub/node_modules
