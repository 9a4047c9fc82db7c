"""Notebook 05 in a real JupyterLab: the height-restoration explorer works from the keyboard."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run

NB = "notebooks/05-comparing-outcomes.ipynb"


def _explorer(page):
    explorer = page.locator(".vkp-height-explorer").first
    expect(explorer).to_be_visible()
    return explorer


def _img(explorer):
    return explorer.locator(".vkp-figure img").first


def test_explorer_moves_by_keyboard_and_the_figure_follows(page, lab):
    open_and_run(page, lab, NB)
    assert errors(page) == [], "notebook 05 shows error output"
    explorer = _explorer(page)
    img, readout = _img(explorer), explorer.locator(".vkp-explorer-readout")
    expect(readout).to_contain_text("30 % height loss")
    src0, alt0 = img.get_attribute("src"), img.get_attribute("alt")
    assert alt0 and "Side view" in alt0

    # Slider: Tab-focusable native range input; three right-arrow presses = +3 %.
    slider = explorer.locator(".vkp-slider input[type=range]")
    expect(explorer.get_by_label("Height loss (% of expected height)")).to_have_count(1)
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(readout).to_contain_text("33 % height loss")
    expect(img).not_to_have_attribute("src", src0)
    expect(img).to_have_attribute("alt", re.compile(r"33 % height loss"))

    # Procedure: toggle buttons, pressed with the keyboard.
    src1 = img.get_attribute("src")
    vp = explorer.locator("button", has_text="Vertebroplasty (VP)")
    vp.focus()
    page.keyboard.press("Enter")
    expect(readout).to_contain_text("Vertebroplasty: no verified VP-only gain")
    expect(img).not_to_have_attribute("src", src1)

    # Vertebra: a native <select>; the down arrow picks the next level.
    src2 = img.get_attribute("src")
    level = explorer.locator("select").first
    level.focus()
    page.keyboard.press("ArrowDown")
    expect(readout).to_contain_text("Thoracic (T9)")
    expect(img).not_to_have_attribute("src", src2)
    expect(img).to_have_attribute("alt", re.compile(r"No wedge angle: thoracic depth is not verified"))


def test_outcome_dropdown_and_patient_question_by_keyboard(page, lab):
    open_and_run(page, lab, NB)
    choice = page.get_by_label("Outcome to compare:")
    choice.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_text("Showing outcome 2 of 8: Kyphotic angle correction")).to_be_visible()
    question = page.locator(".widget-radio-box").first
    question.locator("input[type=radio]").nth(1).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Check my answer").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Good answer.").first).to_be_visible()


def test_explorer_and_leaflet_view_pass_axe(page, lab):
    from axe_playwright_python.sync_playwright import Axe
    open_and_run(page, lab, NB)
    expect(page.locator(".vkp-height-explorer .vkp-figure img").first).to_be_visible()
    axe = Axe()
    for scope in (".vkp-height-explorer", ".vkp-outcome-comparison", ".vkp-leaflet-view"):
        page.locator(scope).first.scroll_into_view_if_needed()
        result = axe.run(page, context=scope)
        assert result.violations_count == 0, f"{scope}: {result.generate_report()[:1500]}"
