"""Answering the candidacy quiz in a real JupyterLab, as a student would, right or wrong on purpose.

The case on screen is found by its title in the case bank (titles are unique), so a test knows the
right answer whatever each student's own case order is.
"""

from __future__ import annotations

from playwright.sync_api import expect

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.practice import reason_title
from widgets.candidacy.rules import REASON_IDS, RULE_IDS

BANK = {c.title: c for c in load_case_bank()}
#: Every reason's words as the quiz shows them (a leaflet rule, a practice rule or the red flag above both).
RULE_TITLES = {r: reason_title(r) for r in REASON_IDS}


def shown_case(quiz):
    title = quiz.locator(".vkp-quiz-vignette h3").inner_text().strip()
    return BANK[title]


def answer_for(case, how: str) -> tuple[bool, bool, str]:
    """``how``: "right", "verdict" (vertebroplasty verdict wrong) or "reason" (verdicts right, reason wrong)."""
    e = case.expected
    vp, kp, reason = e.vertebroplasty, e.kyphoplasty, e.deciding_rules[0]
    if how == "verdict":
        vp = not vp
    elif how == "reason":
        reason = next(r for r in RULE_IDS if r not in e.deciding_rules)
    return vp, kp, reason


def choose_and_submit(page, quiz, vp: bool, kp: bool, reason: str) -> None:
    groups = quiz.locator("fieldset.vkp-choice")
    groups.nth(0).locator(f"input[value={'candidate' if vp else 'not_candidate'}]").check()
    groups.nth(1).locator(f"input[value={'candidate' if kp else 'not_candidate'}]").check()
    groups.nth(2).locator(f"input[value={reason}]").check()
    said = lambda x: "candidate" if x else "not a candidate"  # noqa: E731
    # The kernel confirms the whole answer before it is submitted.
    expect(quiz.locator(".vkp-quiz-answer")).to_contain_text(
        f"vertebroplasty, {said(vp)}; kyphoplasty, {said(kp)}; deciding reason, {reason_title(reason)}")
    quiz.get_by_role("button", name="Submit answer").click()
    expect(quiz.locator(".vkp-quiz-feedback")).to_contain_text("The quiz grades against", timeout=30_000)


def answer_current(page, quiz, how: str, then_next: bool = True):
    case = shown_case(quiz)
    choose_and_submit(page, quiz, *answer_for(case, how))
    verdict = "Correct." if how == "right" else "Not quite."
    expect(quiz.locator(".vkp-quiz-feedback")).to_contain_text(verdict)
    if then_next:
        quiz.get_by_role("button", name="Next case").click()
        expect(quiz.get_by_role("button", name="Submit answer")).to_be_enabled()
    return case


def answer_by_keyboard(page, quiz, vp: bool, kp: bool, reason: str) -> None:
    """Answer the case on screen with the keyboard alone, from the first radio of the first group (where a
    Tab from the cell lands) to Submit."""
    groups = quiz.locator("fieldset.vkp-choice")
    groups.nth(0).locator("input[type=radio]").first.focus()
    page.keyboard.press("ArrowDown")                  # VP: "Not a candidate"
    if vp:
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")                      # KP: "Candidate"
    if not kp:
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")                      # the first rule, then down to the one chosen
    for _ in range(REASON_IDS.index(reason)):
        page.keyboard.press("ArrowDown")
    expect(groups.nth(2).locator(f"input[value={reason}]")).to_be_checked()
    expect(quiz.locator(".vkp-quiz-answer")).to_contain_text(f"deciding reason, {reason_title(reason)}")
    page.keyboard.press("Tab")
    expect(quiz.get_by_role("button", name="Submit answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(quiz.locator(".vkp-quiz-feedback")).to_contain_text("The quiz grades against", timeout=30_000)
