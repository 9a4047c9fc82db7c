"""Every notebook runs in a real JupyterLab: no error output, every widget drawn, no serious
or critical accessibility finding (axe-core) in what the notebook shows, and no student notebook longer
than about six screenfuls."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.jlab import (MAX_SCREENFULS, READING_VIEWPORT, axe_violations, errors, open_and_run, screenfuls,
                                truncated_labels, wait_widgets_rendered, widget_outputs)
from tests.conftest import ROOT, notebook_paths

NOTEBOOKS = [p.relative_to(ROOT).as_posix() for p in notebook_paths()]


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_runs_renders_and_is_accessible(page, lab, path):
    open_and_run(page, lab, path)
    assert errors(page) == [], f"{path} shows error output"
    try:
        wait_widgets_rendered(page)
    except Exception:
        pass  # the assertion below names the widgets that did not render
    broken = [w for w in widget_outputs(page) if not w["rendered"]]
    assert not broken, f"{path}: widgets that did not render: {broken}"
    assert axe_violations(page) == [], f"{path}: serious or critical accessibility findings"
    assert truncated_labels(page) == [], f"{path}: control labels cut off (give the control layout width 'auto')"
    if path.startswith("notebooks/"):
        # About six screenfuls at most, run, every fold closed (the measure tools/screenshots.py prints).
        page.set_viewport_size(READING_VIEWPORT)
        page.wait_for_timeout(1500)   # JupyterLab lays the notebook out again for the new window
        length = screenfuls(page)
        assert length <= MAX_SCREENFULS, (
            f"{path} is {length:.1f} screenfuls at {READING_VIEWPORT['width']}x{READING_VIEWPORT['height']} "
            f"(at most {MAX_SCREENFULS}): fold detail a first reading can pass over (widgets.core.text.fold)")


def test_start_notebook_shows_the_widgets_box(page, lab):
    """The self-check's box appears only when the widgets front end works."""
    open_and_run(page, lab, "notebooks/00-start-here.ipynb")
    expect(page.get_by_text("Widgets work: you can see this box")).to_be_visible()
    expect(page.get_by_text("All set: everything this module needs is installed.")).to_be_visible()


def test_the_checks_catch_what_they_claim(page, lab):
    """A deliberately faulty notebook: the error, the unlabelled slider and the cut-off label are reported."""
    open_and_run(page, lab, "_harness/harness-check.ipynb")
    assert errors(page) == ["cell 3: ZeroDivisionError: division by zero"]
    wait_widgets_rendered(page)
    assert [w["rendered"] for w in widget_outputs(page)] == [True, True]
    found = axe_violations(page)
    assert any("aria-input-field-name" in f for f in found), found
    cut = truncated_labels(page)
    assert any(text.startswith("A very long button label") for text in cut), cut


def test_a_citation_number_opens_the_folded_reference_list(page, lab):
    """Students see numbers, not keys; a number links to its reference, opening the folded list."""
    open_and_run(page, lab, "notebooks/02-vertebroplasty.ipynb")
    wait_widgets_rendered(page)
    assert page.locator(".jp-MarkdownOutput", has_text="[@").count() == 0
    fold = page.locator("details", has_text="References")
    expect(fold).not_to_have_attribute("open", "")
    link = page.locator('.jp-MarkdownOutput a[href="#ref-3"]').first
    assert link.get_attribute("title"), "the link names its source on hover"
    link.click()
    expect(fold).to_have_attribute("open", "")
    expect(page.locator("#ref-3")).to_be_in_viewport()
