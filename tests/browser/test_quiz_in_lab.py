"""Answer a case of the candidacy quiz by keyboard alone in a real JupyterLab, then see the feedback."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run
from widgets.candidacy.rules import load_case_bank

NOTEBOOK = "notebooks/06-candidacy-quiz.ipynb"


def test_answer_a_case_by_keyboard_alone(page, lab):
    open_and_run(page, lab, NOTEBOOK)
    assert errors(page) == []
    quiz = page.locator(".vkp-candidacy-quiz")
    expect(quiz).to_have_count(1)
    expect(quiz.locator(".vkp-quiz-vignette")).to_contain_text(load_case_bank().cases[0].title)   # the first case

    groups = quiz.locator("fieldset.vkp-choice")
    expect(groups).to_have_count(3)
    vp_first = groups.nth(0).locator("input[type=radio]").first
    # Start where a Tab from the cell would land: the quiz's first control.  No mouse from here on.
    vp_first.focus()
    page.keyboard.press("ArrowDown")                  # VP: moves to and checks "Not a candidate"
    page.keyboard.press("ArrowUp")                    # ... and back to "Candidate"
    expect(vp_first).to_be_checked()
    page.keyboard.press("Tab")                        # the KP group is one Tab stop
    page.keyboard.press("Space")                      # KP: "Candidate"
    expect(groups.nth(1).locator("input[type=radio]").first).to_be_checked()
    page.keyboard.press("Tab")                        # the rule group
    page.keyboard.press("Space")                      # first rule: indication_met
    expect(groups.nth(2).locator("input[value=indication_met]")).to_be_checked()
    # The kernel confirms the whole answer before it is submitted.
    expect(quiz.locator(".vkp-quiz-answer")).to_contain_text(
        "Your answer: vertebroplasty, candidate; kyphoplasty, candidate; deciding reason, Indication met")
    page.keyboard.press("Tab")                        # Submit
    expect(quiz.get_by_role("button", name="Submit answer")).to_be_focused()
    page.keyboard.press("Enter")

    feedback = quiz.locator(".vkp-quiz-feedback")
    expect(feedback).to_contain_text("Correct.", timeout=20_000)
    expect(feedback).to_contain_text("Indication met")
    expect(feedback).to_contain_text("grades against the leaflet's rules [1]")
    total = len(load_case_bank())   # the shipped bank's size, whatever cases it grows to hold
    expect(quiz).to_contain_text(f"1 of {total} cases answered, 1 correct")

    # Next case, by keyboard: Tab from Submit (now disabled) reaches Next.
    page.keyboard.press("Tab")
    expect(quiz.get_by_role("button", name="Next case")).to_be_focused()
    page.keyboard.press("Space")
    expect(quiz.locator(".vkp-quiz-status")).to_contain_text(f"case 2 of {total}")

    shown = Path(quiz.locator(".vkp-quiz-saved-to code").inner_text())
    assert shown.parent == lab.root.parent / "progress", "saved where VKP_PROGRESS_DIR points, and says so"
    saved = [shown]
    assert json.loads(saved[0].read_text())["answers"][0]["correct"] is True


def test_quiz_output_has_no_axe_violations(page, lab):
    from axe_playwright_python.sync_playwright import Axe
    open_and_run(page, lab, NOTEBOOK)
    expect(page.locator(".vkp-candidacy-quiz")).to_have_count(1)
    result = Axe().run(page, context=".vkp-candidacy-quiz")
    found = [(v["id"], v["impact"], len(v["nodes"])) for v in result.response["violations"]]
    assert result.violations_count == 0, found
