"""Answer a case of the candidacy quiz by keyboard alone in a real JupyterLab, then see the feedback."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run
from tests.browser.quizlab import BANK, RULE_TITLES, answer_by_keyboard, answer_for, shown_case
from widgets.candidacy.practice import assess_practice, compare
from widgets.candidacy.rules import REASON_IDS, RULE_IDS, assess

NOTEBOOK = "notebooks/06-candidacy-quiz.ipynb"


def test_answer_a_case_by_keyboard_alone(page, lab):
    open_and_run(page, lab, NOTEBOOK)
    assert errors(page) == []
    quiz = page.locator(".vkp-candidacy-quiz")
    expect(quiz).to_have_count(1)
    total = len(BANK)
    expect(quiz.locator(".vkp-quiz-status")).to_contain_text(f"case 1 of {total} (your own order)")
    case = shown_case(quiz)
    vp, kp, reason = answer_for(case, "right")

    groups = quiz.locator("fieldset.vkp-choice")
    expect(groups).to_have_count(3)
    vp_first = groups.nth(0).locator("input[type=radio]").first
    # Start where a Tab from the cell would land: the quiz's first control.  No mouse from here on.
    vp_first.focus()
    page.keyboard.press("ArrowDown")                  # VP: moves to and checks "Not a candidate"
    if vp:
        page.keyboard.press("ArrowUp")                # ... and back to "Candidate"
    page.keyboard.press("Tab")                        # the KP group is one Tab stop
    page.keyboard.press("Space")                      # KP: "Candidate"
    if not kp:
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")                        # the rule group
    page.keyboard.press("Space")                      # the first rule ...
    for _ in range(REASON_IDS.index(reason)):
        page.keyboard.press("ArrowDown")              # ... then down to the deciding one
    expect(groups.nth(2).locator(f"input[value={reason}]")).to_be_checked()
    said = lambda x: "candidate" if x else "not a candidate"  # noqa: E731
    expect(quiz.locator(".vkp-quiz-answer")).to_contain_text(
        f"Your answer: vertebroplasty, {said(vp)}; kyphoplasty, {said(kp)}; deciding reason, {RULE_TITLES[reason]}")
    page.keyboard.press("Tab")                        # Submit
    expect(quiz.get_by_role("button", name="Submit answer")).to_be_focused()
    page.keyboard.press("Enter")

    feedback = quiz.locator(".vkp-quiz-feedback")
    expect(feedback).to_contain_text("Correct.", timeout=20_000)
    expect(feedback).to_contain_text(RULE_TITLES[reason])
    expect(feedback).to_contain_text("grades against the leaflet's rules [1]")
    expect(quiz).to_contain_text(f"1 of {total} bank cases answered. Score: 1 of 1 case right (100 %)")

    # Next case, by keyboard: Tab from Submit (now disabled) reaches Next.
    page.keyboard.press("Tab")
    expect(quiz.get_by_role("button", name="Next case")).to_be_focused()
    page.keyboard.press("Space")
    expect(quiz.locator(".vkp-quiz-status")).to_contain_text(f"case 2 of {total}")

    shown = Path(quiz.locator(".vkp-quiz-saved-to code").inner_text())
    assert shown.parent == lab.root.parent / "progress", "saved where VKP_PROGRESS_DIR points, and says so"
    saved = json.loads(shown.read_text())
    quiz_answers = [a for a in saved["attempts"] if a["exercise"] == "candidacy-quiz"]
    assert [(a["item"], a["grades"]["leaflet"]["correct"]) for a in quiz_answers] == [(case.id, True)]


def test_a_case_where_the_two_standards_differ_answered_by_keyboard_shows_both_verdicts(page, lab):
    """Issue 15: answer, by keyboard alone, a case where the leaflet and current practice differ, then read
    both verdicts side by side and why they differ."""
    open_and_run(page, lab, NOTEBOOK)
    quiz = page.locator(".vkp-candidacy-quiz")
    expect(quiz).to_have_count(1)
    for _ in range(25):                                 # the first fifteen cover every rule of both standards
        case = shown_case(quiz)
        leaflet, practice = assess(case.patient), assess_practice(case.patient)
        if compare(leaflet, practice).differ:
            break
        answer_by_keyboard(page, quiz, *answer_for(case, "right"))
        page.keyboard.press("Tab")
        expect(quiz.get_by_role("button", name="Next case")).to_be_focused()
        page.keyboard.press("Space")
        expect(quiz.get_by_role("button", name="Submit answer")).to_be_enabled()
    else:
        raise AssertionError("no case where the standards differ came up")
    comparison = compare(leaflet, practice)
    # The leaflet's answer: right under the quiz's answer key, not under current practice.
    vp, kp = leaflet.vertebroplasty.eligible, leaflet.kyphoplasty.eligible
    answer_by_keyboard(page, quiz, vp, kp, leaflet.deciding_rules[0])
    feedback = quiz.locator(".vkp-quiz-feedback")
    expect(feedback).to_contain_text("Correct.")
    expect(feedback).to_contain_text("Under current practice your answer is not right")
    table = feedback.locator("table.vkp-quiz-verdicts")
    expect(table.locator("thead")).to_contain_text("The leaflet")
    expect(table.locator("thead")).to_contain_text("Current practice")
    for proc in ("vertebroplasty", "kyphoplasty"):
        row = table.locator("tbody tr", has_text=proc.capitalize())
        cells = row.locator("td")
        expect(cells.nth(1)).to_contain_text(leaflet.decision(proc).verdict)
        expect(cells.nth(2)).to_contain_text(practice.decision(proc).verdict)
    expect(feedback).to_contain_text(comparison.sentence())
    for title, _ in comparison.why:
        expect(feedback).to_contain_text(title)
    why = feedback.locator("li", has_text=comparison.why[0][0]).first
    expect(why).to_contain_text(re.compile(r"\[\d+(, \d+)*\]"))     # each difference is cited
    expect(quiz.locator(".vkp-quiz-status")).to_contain_text("Due for review today")
    assert errors(page) == []


def test_quiz_output_has_no_axe_violations(page, lab):
    from axe_playwright_python.sync_playwright import Axe
    open_and_run(page, lab, NOTEBOOK)
    expect(page.locator(".vkp-candidacy-quiz")).to_have_count(1)
    result = Axe().run(page, context=".vkp-candidacy-quiz")
    found = [(v["id"], v["impact"], len(v["nodes"])) for v in result.response["violations"]]
    assert result.violations_count == 0, found


def test_an_unwritable_progress_folder_still_gets_the_answers_to_the_student(browser, tmp_path):
    """Issue 11.2, in the browser: nothing can be saved, the quiz says so once, the answers download at once,
    and another folder keeps them without a restart."""
    from tests.browser.labserver import running_lab
    from tests.browser.quizlab import answer_current
    from tests.faults import unwritable_folder
    from widgets.record.attempts import parse_export_text

    with unwritable_folder(tmp_path / "locked") as locked, \
            running_lab(tmp_path / "lab", env={"VKP_PROGRESS_DIR": locked}) as lab:
        context = browser.new_context(viewport={"width": 1280, "height": 1600}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            open_and_run(page, lab, NOTEBOOK)
            quiz = page.locator(".vkp-candidacy-quiz")
            first = answer_current(page, quiz, "right")
            second = answer_current(page, quiz, "verdict")
            alert = quiz.locator(".vkp-quiz-saved-to [role=alert]")
            expect(alert).to_have_count(1)
            expect(alert).to_contain_text("Your answers cannot be saved")
            expect(quiz.locator(".vkp-quiz-held")).to_contain_text("2 answers held in this notebook only")
            link = quiz.locator(".vkp-handin a.vkp-download-link")
            expect(link).to_have_text("Download my answers (2)")
            with page.expect_download() as info:
                link.click()
            saved = tmp_path / info.value.suggested_filename
            info.value.save_as(saved)
            export = parse_export_text(saved.read_text(encoding="utf-8"))
            assert [a.item for a in export.attempts] == [first.id, second.id]
            assert [a.correct for a in export.attempts] == [True, False]

            elsewhere = tmp_path / "my-answers"
            quiz.get_by_label("Save my answers in this folder instead:").fill(str(elsewhere))
            quiz.get_by_role("button", name="Save to this folder").click()
            expect(quiz.locator(".vkp-quiz-saved-to")).to_contain_text("Saved 2 answers to")
            (progress,) = elsewhere.glob("*.progress.json")
            assert len(json.loads(progress.read_text())["attempts"]) == 2
        finally:
            context.close()
