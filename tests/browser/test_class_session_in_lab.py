"""A whole class session, end to end (issue 12), in real JupyterLabs and Chromium.

Three students, each with their own JupyterLab, home and progress folder and their own browser
context (two of them both called "Sam Lee"), take the quiz in their own case order, make mistakes,
press Retry to answer the missed cases again, and hand in: through the hand-in folder the admin set
(``VKP_HANDIN_DIR``) and through a real browser download, which the instructor also receives by
e-mail.  The instructor's JupyterLab reads that folder (``VKP_CLASS_DIR``) with the class-results
notebook, which must show three students, the first-try errors the retry erased, the misconception
table, and the same scores the students' widgets showed.
"""

from __future__ import annotations

import contextlib
import re
import shutil

from playwright.sync_api import expect

from tests.browser.jlab import errors, open_and_run, wait_widgets_rendered
from tests.browser.labserver import running_lab
from tests.browser.quizlab import answer_current
from widgets.record.attempts import parse_export_text, score

QUIZ = "notebooks/06-candidacy-quiz.ipynb"
#: name, first answers ("right", "verdict" wrong, "reason" wrong), answers on the retry of the missed cases
STUDENTS = [("Sam Lee", ["verdict", "right", "right"], ["right"]),
            ("Sam Lee", ["verdict", "reason", "right"], ["right", "right"]),
            ("Ana Ruiz", ["reason", "right", "right", "right"], ["reason"])]


def take_the_quiz(browser, lab, name: str, first: list[str], retry: list[str], downloads) -> dict:
    """One student's session; returns what their widget showed and the files they handed in."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_and_run(page, lab, QUIZ)
        assert errors(page) == []
        quiz = page.locator(".vkp-candidacy-quiz")
        answered = [answer_current(page, quiz, how).id for how in first]
        missed = [cid for cid, how in zip(answered, first) if how != "right"]
        quiz.get_by_role("button", name="Retry: the cases I missed, then practice").click()
        expect(quiz.locator(".vkp-quiz-status")).to_contain_text("Retry set")
        replayed = [answer_current(page, quiz, how).id for how in retry]
        assert replayed == missed, "Retry brings back the cases that were missed, first"
        progress = quiz.locator("span[role=status]", has_text="bank cases answered").inner_text()

        box = quiz.locator(".vkp-handin")
        name_box = box.locator("input[type=text]").first
        name_box.fill(name)
        name_box.press("Enter")
        box.get_by_role("button", name="Hand in my answers").click()
        status = box.locator(".vkp-handin-status")
        expect(status).to_contain_text("Handed in", timeout=30_000)
        expect(status).to_contain_text("a copy is in your instructor's hand-in folder")
        with page.expect_download() as info:
            box.locator("a.vkp-download-link").click()
        download = info.value
        target = downloads / download.suggested_filename
        download.save_as(target)
        return {"progress": progress, "download": target,
                "local": lab.root / "notebooks" / download.suggested_filename}
    finally:
        context.close()


def numbers(progress: str) -> tuple[int, int, int]:
    """(cases, right at the first try, right at the latest) from the widget's progress text (current practice)."""
    m = re.search(r"Score \(current practice\): (\d+) of (\d+) cases? right .*first try: (\d+) of (\d+)", progress)
    assert m, progress
    return int(m.group(2)), int(m.group(3)), int(m.group(1))


def test_a_whole_class_session_from_quiz_to_debrief(browser, tmp_path):
    handin = tmp_path / "handin"          # the admin's shared hand-in volume
    handin.mkdir()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    seen = []
    with contextlib.ExitStack() as stack:
        for i, (name, first, retry) in enumerate(STUDENTS):
            home = tmp_path / f"home-{i}"
            lab = stack.enter_context(running_lab(tmp_path / f"lab-{i}", env={
                "HOME": home, "VKP_PROGRESS_DIR": home / ".local" / "share" / "vkp-teaching",
                "VKP_HANDIN_DIR": handin}))
            seen.append(take_the_quiz(browser, lab, name, first, retry, downloads))
            stack.close()                   # one student's lab at a time: CI has two cores

    # Every student's widget, hand-in and download agree on the score.
    widget = sorted(numbers(s["progress"]) for s in seen)
    assert widget == sorted([(3, 2, 3), (3, 1, 3), (4, 3, 3)])
    for s in seen:
        export = parse_export_text(s["download"].read_text(encoding="utf-8"))
        sc = score((a.item, a.grades["current_practice"].correct) for a in export.attempts)
        assert (sc.items, sc.first_right, sc.final_right) == numbers(s["progress"])
        assert s["download"].read_bytes() == s["local"].read_bytes(), "the download is the file beside the notebook"
    assert len(list(handin.glob("vkp-sam-lee-*.jsonl"))) == 2, "two students called Sam Lee, two files"
    assert len({s["download"].name for s in seen}) == 3

    # The instructor also gets the downloads by e-mail and saves them in a sub-folder of the class folder.
    mail = handin / "by-email"
    mail.mkdir()
    for s in seen:
        shutil.copy(s["download"], mail / s["download"].name)

    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        with running_lab(tmp_path / "instructor", env={"VKP_CLASS_DIR": handin}) as lab:
            open_and_run(page, lab, "lessons/class-results.ipynb")
            wait_widgets_rendered(page)
            assert errors(page) == []
            expect(page.get_by_text(re.compile(r"Read 6 file\(s\): 3 students"))).to_be_visible()
            # One row per student sits in a closed fold that says not to open it while projecting: open it.
            fold = page.locator("details.vkp-instructor-only", has_text="each student's quiz and exercise results")
            expect(fold).not_to_have_attribute("open", "")
            fold.locator("summary").click()
            table = fold.locator("table.vkp-results", has_text="Each student's results")
            rows = table.locator("tbody tr")
            expect(rows).to_have_count(3)
            shown = []
            for r in range(3):
                cells = rows.nth(r).locator("td").all_inner_texts()
                assert re.fullmatch(r"S0[1-3]", cells[0]), cells
                first = re.match(r"(\d+) of (\d+)", cells[2])
                final = re.match(r"(\d+) of (\d+)", cells[3])
                shown.append((int(cells[1]), int(first.group(1)), int(final.group(1))))
            assert sorted(shown) == widget, "the class table shows the scores the students saw"
            body = page.locator(".jp-Notebook").inner_text()
            assert "Sam Lee" not in body and "Ana Ruiz" not in body, "no name is projected"
            # First-try errors that the retry erased: missed at the first try, no longer missed.
            rules = page.locator("table.vkp-results", has_text="Per rule")
            # columns: rule, cases answered, missed at the first try, still missed at the latest try, ...
            firsts = [int(re.match(r"(\d+)", t).group(1)) for t in rules.locator("tbody tr td:nth-child(3)").all_inner_texts()]
            finals = [int(re.match(r"(\d+)", t).group(1)) for t in rules.locator("tbody tr td:nth-child(4)").all_inner_texts()]
            assert any(f > last for f, last in zip(firsts, finals)), (firsts, finals)
            mis = page.locator("table.vkp-results", has_text="Misconceptions")
            expect(mis.locator("tbody tr")).not_to_have_count(0)
            expect(mis).to_contain_text("Rule chosen instead")
    finally:
        context.close()
