"""`make lab` serves JupyterLab on loopback at the printed URL, with the start notebook open and running clean."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time

from playwright.sync_api import expect

from tests.browser.labserver import _free_port
from tests.conftest import ROOT


def test_make_lab_opens_the_start_notebook(browser, tmp_path):
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"))
    make = shutil.which("make")
    proc = subprocess.Popen([make, "lab", f"PORT={port}", "LAB_FLAGS=--no-browser"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url, seen, deadline = None, [], time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = re.search(rf"(http://127\.0\.0\.1:{port}/lab/tree/notebooks/00-start-here\.ipynb\?token=\w+)", line)
            url = match.group(1) if match else None
        assert url, "make lab printed no URL for the start notebook:\n" + "".join(seen[-20:])
        page = browser.new_page()
        page.goto(url)
        expect(page.locator(".jp-NotebookPanel:visible .jp-Notebook")).to_be_visible(timeout=60_000)
        current = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
        expect(current).to_have_attribute("title", re.compile(r"00-start-here\.ipynb"), timeout=60_000)
        # Wait for the kernel, then run all from the Run menu, as a student would.
        expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=120_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        expect(page.get_by_text("All set: everything this module needs is installed.")).to_be_visible(timeout=120_000)
        expect(page.get_by_text("Widgets work: you can see this box")).to_be_visible()
        # The course's settings override keeps JupyterLab's news prompt from covering the notebook.
        assert page.get_by_text(re.compile(r"notified about (official )?Jupyter news", re.I)).count() == 0
        assert page.locator(".jp-toast-message").count() == 0, page.locator(".jp-toast-message").all_inner_texts()
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
