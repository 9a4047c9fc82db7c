"""Answering the candidacy quiz in a real JupyterLab, as a student would, right or wrong on purpose.

The case on screen is found by its neutral label in the case bank (labels are unique), so a test knows the
right answer whatever each student's own case order is.  "Right" is right under current practice, the grade
a student sees first.  The deciding reason is chosen in two steps: its family, then the reason.
"""

from __future__ import annotations

from playwright.sync_api import expect

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.practice import assess_practice, reason_title
from widgets.candidacy.reasons import load_families
from widgets.candidacy.rules import REASON_IDS

BANK = {c.title: c for c in load_case_bank()}
FAMILIES = load_families()
#: Every reason's words as the quiz shows them (a leaflet rule, a practice rule or the red flag above both).
RULE_TITLES = {r: reason_title(r) for r in REASON_IDS}
#: The groups of the answer form, in order.
VP, KP, FAMILY, REASON = range(4)
GRADED = "The quiz grades against current practice first"


def shown_case(quiz):
    title = quiz.locator(".vkp-quiz-vignette .vkp-case-label").inner_text().strip()
    return BANK[title]


def answer_for(case, how: str) -> tuple[bool, bool, str]:
    """``how``: "right", "verdict" (vertebroplasty verdict wrong) or "reason" (verdicts right, reason wrong), under
    current practice."""
    truth = assess_practice(case.patient)
    vp, kp, reason = truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, truth.deciding_rules[0]
    if how == "verdict":
        vp = not vp
    elif how == "reason":
        reason = next(r for r in REASON_IDS if r not in truth.deciding_rules)
    return vp, kp, reason


def choose_and_submit(page, quiz, vp: bool, kp: bool, reason: str) -> None:
    groups = quiz.locator("fieldset.vkp-choice")
    groups.nth(VP).locator(f"input[value={'candidate' if vp else 'not_candidate'}]").check()
    groups.nth(KP).locator(f"input[value={'candidate' if kp else 'not_candidate'}]").check()
    groups.nth(FAMILY).locator(f"input[value={FAMILIES.family_of(reason).id}]").check()
    groups.nth(REASON).locator(f"input[value={reason}]").check()
    said = lambda x: "candidate" if x else "not a candidate"  # noqa: E731
    # The kernel confirms the whole answer before it is submitted.
    expect(quiz.locator(".vkp-quiz-answer")).to_contain_text(
        f"vertebroplasty, {said(vp)}; kyphoplasty, {said(kp)}; deciding reason, {reason_title(reason)}")
    quiz.get_by_role("button", name="Submit answer").click()
    expect(quiz.locator(".vkp-quiz-feedback")).to_contain_text(GRADED, timeout=30_000)


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
    Tab from the cell lands) to Submit: the two verdicts, the reason's family (step 1), the reason (step 2)."""
    groups = quiz.locator("fieldset.vkp-choice")
    groups.nth(VP).locator("input[type=radio]").first.focus()
    page.keyboard.press("ArrowDown")                  # VP: "Not a candidate"
    if vp:
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")                      # KP: "Candidate"
    if not kp:
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")                        # step 1: the kind of reason
    family = FAMILIES.family_of(reason)
    page.keyboard.press("Space")                      # the first family, then down to the one chosen
    for _ in range([f.id for f in FAMILIES].index(family.id)):
        page.keyboard.press("ArrowDown")
    expect(groups.nth(FAMILY).locator(f"input[value={family.id}]")).to_be_checked()
    # The kernel fills step 2 with the family's reasons: wait for them before moving on.
    expect(groups.nth(REASON).locator("input[type=radio]")).to_have_count(len(family.reasons))
    expect(groups.nth(REASON).locator("legend")).to_contain_text(family.title)
    page.keyboard.press("Tab")                        # step 2: the reason within the family
    if len(family.reasons) > 1:
        page.keyboard.press("Space")                  # the first reason, then down to the one chosen
        for _ in range(family.reasons.index(reason)):
            page.keyboard.press("ArrowDown")
    expect(groups.nth(REASON).locator(f"input[value={reason}]")).to_be_checked()
    expect(quiz.locator(".vkp-quiz-answer")).to_contain_text(f"deciding reason, {reason_title(reason)}")
    page.keyboard.press("Tab")
    expect(quiz.get_by_role("button", name="Submit answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(quiz.locator(".vkp-quiz-feedback")).to_contain_text(GRADED, timeout=30_000)
