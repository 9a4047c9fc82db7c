"""Notebook 04 in a real JupyterLab: place the needle by keyboard alone (Tab, arrow keys, Home and
End, Enter), get a breach message for a too-medial trajectory and a pass for a good one."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run, wait_widgets_rendered
from widgets.imaging.grading import grade
from widgets.anatomy.needle_path import needle_at, planned_needle
from widgets.anatomy.segment import segment
from widgets.anatomy.geometry import default_fracture

NOTEBOOK = "notebooks/04-needle-placement.ipynb"


def _good_settings():
    """The textbook path at L1, rounded to the sliders' steps; checked to pass before the browser is asked."""
    h = default_fracture()
    seg = segment("L1", (h.anterior, h.middle, h.posterior))
    plan = planned_needle(seg)
    lateral, up = round(abs(plan.entry[0]) * 2) / 2, round(plan.entry[2] * 2) / 2
    medial, caudal, depth = round(plan.medial_deg), round(plan.caudal_deg), round(plan.depth)
    assert grade(seg, needle_at(seg, lateral, up, medial, caudal, depth)).passed
    return lateral, up, medial, caudal, depth


def _set_by_keys(page, slider, steps_from_min: int) -> None:
    """Focus a slider (as Tab would), Home to its minimum, then ArrowRight step by step."""
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(steps_from_min):
        page.keyboard.press("ArrowRight")


def test_needle_placed_by_keyboard_alone_breach_then_pass(page, lab):
    open_and_run(page, lab, NOTEBOOK)
    assert errors(page) == []
    wait_widgets_rendered(page)
    box = page.locator(".vkp-needle-test")
    sliders = box.locator("input[type=range]")
    expect(sliders).to_have_count(5)
    entry_lateral, entry_up, medial, caudal, depth = (sliders.nth(i) for i in range(5))
    readout = box.locator(".vkp-needle-readout")
    picture = box.locator(".vkp-figure img")
    grade_button = box.get_by_role("button", name="Grade this attempt")

    # a too-medial trajectory: all the way toward the midline, pushed all the way in
    medial.focus()
    page.keyboard.press("End")
    depth.focus()
    page.keyboard.press("End")
    expect(readout).to_contain_text("The needle is 60 mm in")      # the kernel has both values
    page.keyboard.press("Tab")
    expect(grade_button).to_be_focused()
    page.keyboard.press("Enter")
    feedback = box.locator(".vkp-status").first
    expect(feedback).to_contain_text("Attempt 1: not yet")
    expect(feedback).to_contain_text("Pedicle breach through its medial (inner) wall")
    expect(feedback).to_contain_text("spinal canal")
    expect(picture).to_have_attribute("alt", re.compile("red cross marks where the needle left"))

    # a good one: the textbook path, set with the arrow keys from each slider's minimum
    lateral, up, med, cau, dep = _good_settings()
    _set_by_keys(page, entry_lateral, int(round((lateral - 4) / 0.5)))
    _set_by_keys(page, entry_up, int(round((up - 4) / 0.5)))
    _set_by_keys(page, medial, med)
    _set_by_keys(page, caudal, cau + 20)
    _set_by_keys(page, depth, dep)
    expect(readout).to_contain_text(f"The needle is {dep} mm in; its tip is in the front third of the vertebral body")
    page.keyboard.press("Tab")
    expect(grade_button).to_be_focused()
    page.keyboard.press("Space")
    expect(feedback).to_contain_text("Attempt 2: pass. All three checks hold.")
    expect(box.locator("table")).to_contain_text("2 attempts, 1 passed, first passed on attempt 2")
