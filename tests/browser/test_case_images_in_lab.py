"""A quiz case that shows a simulated x-ray, in a real JupyterLab: the picture with its alt text beside the
case, answered by keyboard alone, and the feedback saying what the picture showed (issue 15)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run
from tests.browser.labserver import running_lab
from tests.browser.quizlab import BANK, answer_by_keyboard, answer_for, choose_and_submit, shown_case
from widgets.candidacy.case_image import FIGURE_LABEL, read_image

NOTEBOOK = "notebooks/06-candidacy-quiz.ipynb"


def _to_an_imaged_case(quiz):
    """Answer (right, quickly, by mouse) the cases before the first one that shows an x-ray; return it."""
    for _ in range(len(BANK) + 1):
        case = shown_case(quiz)
        if case.image is not None:
            return case
        expect(quiz.locator(".vkp-quiz-image img")).to_have_count(0)     # no picture where the case has none
        choose_and_submit(quiz.page, quiz, *answer_for(case, "right"))
        quiz.get_by_role("button", name="Next case").click()
        expect(quiz.get_by_role("button", name="Submit answer")).to_be_enabled()
    raise AssertionError("no case with an x-ray came up in the whole bank")


def test_an_imaged_case_shows_its_xray_with_alt_text_and_is_answered_by_keyboard(browser, tmp_path):
    """In a lab of its own: the answers it gives on the way would otherwise move the shared lab's quiz on."""
    with running_lab(tmp_path / "lab") as lab:
        context = browser.new_context(viewport={"width": 1280, "height": 1600})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            _imaged_case_in(page, lab)
        finally:
            context.close()


def _imaged_case_in(page, lab) -> None:
    open_and_run(page, lab, NOTEBOOK)
    quiz = page.locator(".vkp-candidacy-quiz")
    expect(quiz).to_have_count(1)
    case = _to_an_imaged_case(quiz)
    reading = read_image(case.image)

    picture = quiz.locator(".vkp-quiz-image img")
    expect(picture).to_have_count(1)
    expect(picture).to_be_visible()
    expect(picture).to_have_attribute("alt", reading.alt_text())
    alt = picture.get_attribute("alt")
    assert alt.startswith(FIGURE_LABEL) and case.image.level in alt and reading.shape.replace("none", "normal") in alt
    size = picture.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert size[0] and size[1] > 300 and size[2] > 300, f"the picture decoded: {size}"
    # beside the history (the page is wide enough): its top is level with the case's, to its right
    case_box = quiz.locator(".vkp-quiz-vignette").bounding_box()
    picture_box = picture.bounding_box()
    assert picture_box["x"] >= case_box["x"] + case_box["width"] - 1
    assert abs(picture_box["y"] - case_box["y"]) < 80
    expect(quiz.locator(".vkp-quiz-image figcaption")).to_contain_text("It shows heights only")

    # Keyboard alone, from the first radio of the first group (where a Tab from the cell lands) to Submit.
    answer_by_keyboard(page, quiz, *answer_for(case, "right"))

    feedback = quiz.locator(".vkp-quiz-feedback")
    expect(feedback).to_contain_text("Correct.", timeout=30_000)
    shown = feedback.locator(".vkp-quiz-image-said")
    expect(shown).to_contain_text(reading.summary())
    expect(shown).to_contain_text("cannot show whether a fracture is fresh or healed")
    # The next case without a picture hides the picture area again.
    page.keyboard.press("Tab")
    expect(quiz.get_by_role("button", name="Next case")).to_be_focused()
    page.keyboard.press("Space")
    expect(quiz.get_by_role("button", name="Submit answer")).to_be_enabled()
    if shown_case(quiz).image is None:
        expect(quiz.locator(".vkp-quiz-image img")).to_have_count(0)
    assert errors(page) == []
