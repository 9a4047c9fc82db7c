"""A real JupyterLab in headless Chromium, driven by Playwright.

``lab`` (session) starts ``jupyter lab`` on a free loopback port with a token,
serving a temporary copy of ``notebooks/`` and ``lessons/`` so tests never
rewrite committed files.  ``page`` opens a fresh Chromium page (Debian's
``/usr/bin/chromium``; no browser is downloaded).  Without Chromium these tests
skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("VKP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = (f"Chromium is not installed at {CHROMIUM}: install Debian's package "
              "(`apt-get install chromium`) to run the browser tests")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    base: str
    token: str
    root: Path

    def url(self, path: str) -> str:
        return f"{self.base}lab/tree/{path}?token={self.token}&reset"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    _need_chromium()
    work = tmp_path_factory.mktemp("lab")
    root = work / "course"
    for folder in ("notebooks", "lessons"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, root / folder,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.progress.json"))
    # Deliberately faulty notebooks that prove the checks catch what they claim to.
    shutil.copytree(ROOT / "tests" / "browser" / "fixtures", root / "_harness")
    config = work / "config"
    settings = work / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No news toast or update check over the notebook while testing.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Every cell stays in the page, so checks see all outputs, not only those scrolled into view.
    notebook_settings = work / "settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config),
               JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"),
               VKP_PROGRESS_DIR=str(work / "progress"))
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}/course/"
    log = (work / "lab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", "--allow-root", f"--IdentityProvider.token={token}",
         "--ServerApp.base_url=/course/", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}; log:\n"
                        + (work / "lab.log").read_text()[-3000:], pytrace=False)
        try:
            with urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("jupyter lab did not answer within 90 s; log:\n"
                        + (work / "lab.log").read_text()[-3000:], pytrace=False)
        time.sleep(0.3)
    yield Lab(base, token, root)
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(lab):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
