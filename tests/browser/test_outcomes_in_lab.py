"""Notebook 05 in a real JupyterLab: the explorer, the outcome pictures, the folds and the patient questions
work from the keyboard and pass axe."""

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


def test_outcome_picture_fold_and_patient_question_by_keyboard(page, lab):
    open_and_run(page, lab, NB)
    # A picture's button shows every panel of its outcome, and says so.
    picture = page.locator(".vkp-outcome-view").nth(1)          # the kyphotic angle
    button = picture.get_by_role("button", name="Show all 2 panels")
    img = picture.locator(".vkp-figure img").first
    alt0 = img.get_attribute("alt")
    assert "Kyphosis correction (degrees)" in alt0 and "between-group" not in alt0
    button.focus()
    page.keyboard.press("Enter")
    expect(picture.get_by_text("Showing 2 of 2 panels")).to_be_visible()
    expect(picture.locator(".vkp-figure img").first).to_have_attribute("alt", re.compile(r"between-group difference"))
    # The folded evidence table opens from the keyboard, and its numbers open the reference list.
    fold = page.locator("details", has_text="Full evidence: kyphotic angle correction")
    expect(fold).not_to_have_attribute("open", "")
    fold.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(fold).to_have_attribute("open", "")
    expect(fold.locator("table").first).to_be_visible()
    link = fold.locator('a[href^="#ref-"]').first
    target = link.get_attribute("href")
    assert link.get_attribute("title"), "the link names its source on hover"
    link.click()
    expect(page.locator("details", has_text="References")).to_have_attribute("open", "")
    expect(page.locator(target)).to_be_in_viewport()
    # A patient's question: the answers are a labelled radio group; arrows choose, Enter checks.
    group = page.locator(".vkp-leaflet-view fieldset").first
    expect(group.locator("legend")).to_have_text("What would you tell her?")
    group.locator("input[type=radio]").first.focus()
    page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Check my answer").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Good answer.").first).to_be_visible()


def test_explorer_pictures_and_leaflet_view_pass_axe(page, lab):
    from axe_playwright_python.sync_playwright import Axe
    open_and_run(page, lab, NB)
    expect(page.locator(".vkp-height-explorer .vkp-figure img").first).to_be_visible()
    page.locator(".vkp-leaflet-view details summary").first.click()   # the folded table, open
    axe = Axe()
    for scope in (".vkp-height-explorer", ".vkp-outcome-view", ".vkp-leaflet-view"):
        page.locator(scope).first.scroll_into_view_if_needed()
        result = axe.run(page, context=scope)
        assert result.violations_count == 0, f"{scope}: {result.generate_report()[:1500]}"
