"""Answer a case of the candidacy quiz by keyboard alone in a real JupyterLab (the reason in two steps), then see
the feedback, current practice first; start today's five from the top of the quiz."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run
from tests.browser.quizlab import (
    BANK, FAMILIES, FAMILY, REASON, RULE_TITLES, answer_by_keyboard, answer_for, shown_case,
)
from widgets.candidacy.practice import assess_practice, compare
from widgets.candidacy.rules import assess

NOTEBOOK = "notebooks/06-candidacy-quiz.ipynb"


def test_answer_a_case_by_keyboard_alone(page, lab):
    open_and_run(page, lab, NOTEBOOK)
    assert errors(page) == []
    quiz = page.locator(".vkp-candidacy-quiz")
    expect(quiz).to_have_count(1)
    total = len(BANK)
    expect(quiz.locator(".vkp-quiz-status")).to_contain_text(f"case 1 of {total} (your own order)")
    label = quiz.locator(".vkp-quiz-vignette .vkp-case-label")
    history = quiz.locator(".vkp-quiz-vignette .vkp-case-history")
    assert label.bounding_box()["y"] < history.bounding_box()["y"], "a neutral label, then the history"
    case = shown_case(quiz)
    assert history.inner_text().startswith(case.history.split(".")[0])
    vp, kp, reason = answer_for(case, "right")

    groups = quiz.locator("fieldset.vkp-choice")
    expect(groups).to_have_count(4)                   # two verdicts, then the reason in two steps
    expect(groups.nth(FAMILY).locator("input[type=radio]")).to_have_count(len(FAMILIES))
    expect(groups.nth(REASON).locator("input[type=radio]")).to_have_count(0)
    # Start where a Tab from the cell would land: the quiz's first control.  No mouse from here on.
    answer_by_keyboard(page, quiz, vp, kp, reason)
    said = lambda x: "candidate" if x else "not a candidate"  # noqa: E731
    expect(quiz.locator(".vkp-quiz-answer")).to_contain_text(
        f"Your answer: vertebroplasty, {said(vp)}; kyphoplasty, {said(kp)}; deciding reason, {RULE_TITLES[reason]}")

    feedback = quiz.locator(".vkp-quiz-feedback")
    expect(feedback).to_contain_text("Correct.", timeout=20_000)
    expect(feedback).to_contain_text(RULE_TITLES[reason])
    expect(feedback).to_contain_text("The quiz grades against current practice first")
    expect(feedback).to_contain_text(re.compile(r"What the patient leaflet says \[\d+\]: your answer is"))
    expect(quiz).to_contain_text(f"1 of {total} bank cases answered. Score (current practice): 1 of 1 case right "
                                 "(100 %)")
    expect(quiz.locator(".vkp-quiz-score")).to_contain_text("What the patient leaflet says:")

    # Next case, by keyboard: Tab from Submit (now disabled) reaches Next.
    page.keyboard.press("Tab")
    expect(quiz.get_by_role("button", name="Next case")).to_be_focused()
    page.keyboard.press("Space")
    expect(quiz.locator(".vkp-quiz-status")).to_contain_text(f"case 2 of {total}")

    saved_to = quiz.locator(".vkp-quiz-saved-to")
    expect(saved_to).to_contain_text("saved as you give them, in your own progress file")
    assert "/" not in saved_to.inner_text(), "where answers go is said in words, never as a path"
    (progress,) = (lab.root.parent / "progress").glob("*.progress.json")
    saved = json.loads(progress.read_text())
    quiz_answers = [a for a in saved["attempts"] if a["exercise"] == "candidacy-quiz"]
    assert [(a["item"], a["grades"]["current_practice"]["correct"]) for a in quiz_answers] == [(case.id, True)]
    assert "leaflet" in quiz_answers[0]["grades"], "both grades are saved"


def test_todays_five_starts_from_the_top_by_keyboard(browser, tmp_path):
    """Five a day: the first thing on the quiz, started by keyboard; the set runs, then the bank comes back.
    In a lab of its own, so its answers do not move the shared lab's quiz on."""
    from tests.browser.labserver import running_lab
    with running_lab(tmp_path / "lab") as lab:
        context = browser.new_context(viewport={"width": 1280, "height": 1600})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            open_and_run(page, lab, NOTEBOOK)
            quiz = page.locator(".vkp-candidacy-quiz")
            top = quiz.locator(".vkp-quiz-daily")
            expect(top).to_contain_text("Five a day: 5 new. No streak yet")
            assert top.bounding_box()["y"] < quiz.locator(".vkp-quiz-vignette").bounding_box()["y"], "above the case"
            start = quiz.get_by_role("button", name="Start today's five")
            start.focus()
            page.keyboard.press("Enter")
            expect(quiz.locator(".vkp-quiz-status")).to_contain_text("Today's five: 4 more cases after this one")
            expect(start).to_be_disabled()
            for left in (3, 2):
                answer_by_keyboard(page, quiz, *answer_for(shown_case(quiz), "right"))
                page.keyboard.press("Tab")
                expect(quiz.get_by_role("button", name="Next case")).to_be_focused()
                page.keyboard.press("Space")
                expect(quiz.locator(".vkp-quiz-status")).to_contain_text(f"Today's five: {left} more case")
            expect(top).to_contain_text("Today: 2 of 5 answered")
            assert errors(page) == []
        finally:
            context.close()


def test_a_case_where_the_two_standards_differ_answered_by_keyboard_shows_both_verdicts(page, lab):
    """Issue 15: answer, by keyboard alone, a case where the leaflet and current practice differ, then read
    both verdicts side by side (current practice first) and why they differ."""
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
    # The leaflet's answer: not right under current practice, the grade a student sees first; right beside it.
    vp, kp = leaflet.vertebroplasty.eligible, leaflet.kyphoplasty.eligible
    answer_by_keyboard(page, quiz, vp, kp, leaflet.deciding_rules[0])
    feedback = quiz.locator(".vkp-quiz-feedback")
    expect(feedback).to_contain_text("Not quite.")
    expect(feedback).to_contain_text(re.compile(r"What the patient leaflet says \[\d+\]: your answer is right"))
    table = feedback.locator("table.vkp-quiz-verdicts")
    heads = table.locator("thead th").all_inner_texts()
    assert heads[1:] == ["You said", "Current practice", "What the patient leaflet says"], heads
    for proc in ("vertebroplasty", "kyphoplasty"):
        row = table.locator("tbody tr", has_text=proc.capitalize())
        cells = row.locator("td")
        expect(cells.nth(1)).to_contain_text(practice.decision(proc).verdict)
        expect(cells.nth(2)).to_contain_text(leaflet.decision(proc).verdict)
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
            assert [a.grades["current_practice"].correct for a in export.attempts] == [True, False]

            elsewhere = tmp_path / "my-answers"
            quiz.get_by_label("Save my answers in this folder instead:").fill(str(elsewhere))
            quiz.get_by_role("button", name="Save to this folder").click()
            expect(quiz.locator(".vkp-quiz-saved-to")).to_contain_text("Saved 2 answers in the folder you chose")
            (progress,) = elsewhere.glob("*.progress.json")
            assert len(json.loads(progress.read_text())["attempts"]) == 2
        finally:
            context.close()
