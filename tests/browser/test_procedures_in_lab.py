"""Learn and Test modes in a real JupyterLab: step through a procedure with Next, and put the
steps in order with the keyboard alone (Tab, arrow keys, Enter, Space; no mouse clicks)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run, wait_widgets_rendered
from widgets.procedures.steps import load_procedure


def _drawn(step) -> dict:
    """What the picture shows at a step (a withdrawn needle is drawn as no needle)."""
    state = step.drawing.model_dump(exclude={"caption"})
    state["needle"] = "none" if state["needle"] == "removed" else state["needle"]
    return state


def test_stepper_goes_through_every_kyphoplasty_step_with_next(page, lab):
    kp = load_procedure("kyphoplasty")
    open_and_run(page, lab, "notebooks/03-kyphoplasty.ipynb")
    assert errors(page) == []
    wait_widgets_rendered(page)
    stepper = page.locator(".vkp-stepper")
    status = stepper.locator(".vkp-status")
    picture = stepper.locator(".vkp-figure img")
    n = len(kp.steps)
    expect(status).to_contain_text(f"Step 1 of {n}: {kp.steps[0].title}")
    expect(stepper.locator("progress")).to_have_attribute("value", "1")
    next_button = stepper.get_by_role("button", name="Next step")
    for k in range(2, n + 1):
        before, before_alt = picture.get_attribute("src"), picture.get_attribute("alt")
        next_button.click()
        expect(status).to_contain_text(f"Step {k} of {n}: {kp.steps[k - 1].title}")
        expect(stepper.locator("progress")).to_have_attribute("value", str(k))
        expect(stepper).to_contain_text(" ".join(kp.steps[k - 1].why.split())[:60])
        expect(picture).not_to_have_attribute("alt", before_alt)  # the description follows every step
        if _drawn(kp.steps[k - 1]) != _drawn(kp.steps[k - 2]):
            expect(picture).not_to_have_attribute("src", before)  # the picture changed with the step
        if kp.steps[k - 1].phase == "balloon_inflate":
            expect(picture).to_have_attribute("alt", re.compile("balloon inflated"))
    next_button.click()
    expect(status).to_contain_text("already the last step")
    # The step card reads as the notebook's text does: its lines are not spread to a control's 28 px height,
    # and below the two views it uses the width it has rather than a narrow column.
    para = stepper.locator(".vkp-step p").nth(1)
    spacing = para.evaluate("p => parseFloat(getComputedStyle(p).lineHeight) / parseFloat(getComputedStyle(p).fontSize)")
    assert 1.3 <= spacing <= 1.7, spacing
    card, views = stepper.locator(".vkp-step").bounding_box(), picture.bounding_box()
    assert card["y"] > views["y"] + views["height"] - 1 or card["x"] >= views["x"] + views["width"] - 1, "beside or below"
    if card["y"] > views["y"] + views["height"] - 1:
        assert card["width"] >= 0.9 * views["width"], (card, views)


def _labels(select) -> list[str]:
    # ipywidgets writes option labels with no-break spaces
    return select.evaluate("s => [...s.options].map(o => o.textContent.replace(/\\u00a0/g, ' ').trim())")


def test_ordering_by_keyboard_alone(page, lab):
    vp = load_procedure("vertebroplasty")
    title_to_id = {s.title: s.id for s in vp.steps}
    open_and_run(page, lab, "notebooks/02-vertebroplasty.ipynb")
    assert errors(page) == []
    wait_widgets_rendered(page)
    box = page.locator(".vkp-ordering")
    select = box.locator("select")
    expect(select.locator("option")).to_have_count(len(vp.steps))
    select.focus()  # the same as tabbing into the list box
    for target, step in enumerate(vp.steps):
        current = [title_to_id[t] for t in _labels(select)]
        here = current.index(step.id)
        if here == target:
            continue
        page.keyboard.press("Home")
        for _ in range(here):
            page.keyboard.press("ArrowDown")
        # the kernel confirms the choice before the step is moved
        expect(box.locator(".vkp-status")).to_contain_text(
            f"Selected: {step.title}, position {here + 1} of {len(vp.steps)}")
        page.keyboard.press("Tab")  # to "Move up"
        expect(box.get_by_role("button", name="Move up")).to_be_focused()
        for pos in range(here, target, -1):
            page.keyboard.press("Enter")
            expect(box.locator(".vkp-status")).to_contain_text(f"moved to position {pos}")
        page.keyboard.press("Shift+Tab")  # back to the list
        expect(select).to_be_focused()
    assert [title_to_id[t] for t in _labels(select)] == vp.step_ids
    for _ in range(3):  # list -> Move up -> Move down -> Check order
        page.keyboard.press("Tab")
    expect(box.get_by_role("button", name="Check order")).to_be_focused()
    page.keyboard.press("Space")
    expect(box.locator(".vkp-status")).to_contain_text(f"correct! All {len(vp.steps)} steps are in order")
    expect(box.locator("table")).to_contain_text("correct")


def test_decision_point_answered_by_keyboard_alone(page, lab):
    from widgets.procedures.steps import questions_for
    questions = questions_for("vertebroplasty")
    first = questions[0]
    wrong_index = next(i for i, o in enumerate(first.options) if not o.correct)
    right_index = next(i for i, o in enumerate(first.options) if o.correct)
    open_and_run(page, lab, "notebooks/02-vertebroplasty.ipynb")
    wait_widgets_rendered(page)
    quiz = page.locator(".vkp-quiz")
    radios = quiz.locator(".vkp-choice").first.locator("input[type=radio]")
    expect(radios).to_have_count(len(first.options))
    radios.first.focus()  # the same as tabbing into the group
    page.keyboard.press("Space")
    for _ in range(wrong_index):
        page.keyboard.press("ArrowDown")
    expect(radios.nth(wrong_index)).to_be_checked()
    expect(quiz).to_contain_text(f"Chosen: {first.options[wrong_index].text}")  # the kernel has it
    page.keyboard.press("Tab")
    expect(quiz.get_by_role("button", name="Check answer 1")).to_be_focused()
    page.keyboard.press("Enter")
    expect(quiz).to_contain_text("Not quite.")
    page.keyboard.press("Shift+Tab")
    for _ in range(wrong_index - right_index):
        page.keyboard.press("ArrowUp")
    expect(radios.nth(right_index)).to_be_checked()
    expect(quiz).to_contain_text(f"Chosen: {first.options[right_index].text}")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(quiz).to_contain_text("Correct.")
    expect(quiz).to_contain_text(f"Score: 1 of {len(questions)} correct; 1 of {len(questions)} answered; 2 attempts")


def test_stepper_by_keyboard_alone(page, lab):
    """Tab to Next, Enter through every vertebroplasty step, Shift+Tab to Previous, Space back one."""
    vp = load_procedure("vertebroplasty")
    n = len(vp.steps)
    open_and_run(page, lab, "notebooks/02-vertebroplasty.ipynb")
    wait_widgets_rendered(page)
    stepper = page.locator(".vkp-stepper")
    status = stepper.locator(".vkp-status")
    stepper.get_by_role("button", name="Previous step").focus()  # the same as tabbing into the stepper
    page.keyboard.press("Tab")
    next_button = stepper.get_by_role("button", name="Next step")
    expect(next_button).to_be_focused()
    for k in range(2, n + 1):
        page.keyboard.press("Enter")
        expect(status).to_contain_text(f"Step {k} of {n}: {vp.steps[k - 1].title}")
        expect(next_button).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(stepper.get_by_role("button", name="Previous step")).to_be_focused()
    page.keyboard.press("Space")
    expect(status).to_contain_text(f"Step {n - 1} of {n}: {vp.steps[n - 2].title}")
