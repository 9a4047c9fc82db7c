"""Every notebook runs in a real JupyterLab, with no error output and every widget drawn."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run, widget_outputs
from tests.conftest import ROOT, notebook_paths

NOTEBOOKS = [p.relative_to(ROOT).as_posix() for p in notebook_paths()]


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_runs_and_widgets_render(page, lab, path):
    open_and_run(page, lab, path)
    assert errors(page) == [], f"{path} shows error output"
    shown = widget_outputs(page)
    broken = [w for w in shown if not w["rendered"] or "Error displaying widget" in w["text"]]
    assert not broken, f"{path}: widgets that did not render: {broken}"
    expect(page.locator(".jp-OutputArea-output", has_text="Error displaying widget")).to_have_count(0)


def test_start_notebook_shows_the_widgets_box(page, lab):
    """The self-check's box appears only when the widgets front end works."""
    open_and_run(page, lab, "notebooks/00-start-here.ipynb")
    expect(page.get_by_text("Widgets work: you can see this box")).to_be_visible()
    expect(page.get_by_text("All set: everything this module needs is installed.")).to_be_visible()
