"""Two students on a real class hub (deploy/local-hub), each with a system account of their own: each follows the
course link, logs in with their own password, gets their own copy of the course from nbgitpuller and runs the
start notebook in Chromium; their files stay apart; a second click after the course changed merges the update
without overwriting a student's edited notebook.  (test_isolation.py tries the same hub as an attacker would.)"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from tools.local_hub import server_processes, sync_course_repo

START = "notebooks/00-start-here.ipynb"
NOTE = "My note from the lecture: ask about cement leakage"
STUDENTS = ALICE, BOB = ("vkpt-alice", "vkpt-bob")
SHOTS = os.environ.get("VKP_SHOTS_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def open_course_link(page, hub, user: str, password: str | None = None) -> None:
    """Follow the course link as a student does: log in if asked, wait for the start notebook in JupyterLab."""
    page.goto(hub.link())
    if "/hub/login" in page.url:
        shot(page, f"hub-login-{user}")
        page.locator("#username_input").fill(user)
        page.locator("#password_input").fill(password or hub.passwords[user])
        page.locator("#login_submit").click()
    page.wait_for_url(re.compile(rf"/user/{user}/lab/tree/{hub.course}/{re.escape(START)}"), timeout=300_000)
    notebook = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
    expect(notebook).to_be_visible(timeout=120_000)
    current = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    expect(current).to_have_attribute("title", re.compile(r"00-start-here\.ipynb"), timeout=60_000)


def run_all(page) -> None:
    """Run All from the Run menu once the kernel is idle, and wait for the set-up check's live widget."""
    expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=180_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    expect(page.get_by_text("All set: everything this module needs is installed.")).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Widgets work: you can see this box")).to_be_visible(timeout=60_000)


def add_note_and_save(page, note: str) -> None:
    """A student's own edit, typed from the keyboard at the end of the notebook's first cell (the one the course
    update changes too), then Ctrl+S."""
    page.locator(".jp-MarkdownCell").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")                              # edit the cell's Markdown
    expect(page.locator(".jp-MarkdownCell.jp-mod-active .cm-content")).to_be_focused()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(note)
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Control+s")


def rendered(page, text: str):
    """``text`` in the notebook's rendered Markdown (not in a cell's editor)."""
    return page.locator(".jp-RenderedMarkdown", has_text=text)


def notebook_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)                        # a merge must leave a notebook Jupyter can open
    return "\n".join(cell.source for cell in nb.cells)


@pytest.fixture(scope="module")
def classroom(hub, hub_browser):
    """Both students have followed the link, run the start notebook; alice has added a note and saved."""
    pages = {}
    for user in STUDENTS:
        context = hub_browser.new_context(viewport={"width": 1280, "height": 1600})
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_course_link(page, hub, user)
        run_all(page)
        shot(page, f"hub-start-notebook-{user}")
        pages[user] = page
    add_note_and_save(pages[ALICE], NOTE)
    saved = hub.home(ALICE) / hub.course / START
    expect(rendered(pages[ALICE], NOTE)).to_be_visible()
    pages[ALICE].wait_for_function("() => !document.querySelector('.jp-mod-current.jp-mod-dirty')",
                                     timeout=30_000)
    assert NOTE in notebook_text(saved), "alice's saved note is not in her notebook on disk"
    yield pages
    for page in pages.values():
        page.context.close()


def test_two_students_pull_the_course_and_run_it_apart(hub, classroom):
    # Each student got a copy of the course in their own home folder: their own git clone, the start notebook.
    homes = {user: hub.home(user) / hub.course for user in STUDENTS}
    for user, course in homes.items():
        assert (course / START).exists() and (course / ".git").is_dir(), f"{user} has no copy of the course"
        # the students' copy: the widgets package to run it, no instructor material (answer keys, plans)
        assert (course / "widgets" / "content" / "cases.yaml").exists(), f"{user}'s copy cannot run the quiz"
        assert not (course / "lessons").exists(), f"{user} received the instructors' lessons/ folder"
    assert homes[ALICE].resolve() != homes[BOB].resolve()
    # alice's edit lives in her copy only.
    assert NOTE in notebook_text(homes[ALICE] / START)
    assert NOTE not in notebook_text(homes[BOB] / START)
    # Through the hub, bob cannot open alice's server or her files.
    bob = classroom[BOB]
    response = bob.goto(f"{hub.url}user/{ALICE}/files/{hub.course}/{START}")
    assert response.status == 403, f"bob reached alice's file: HTTP {response.status}"
    assert NOTE not in bob.content()
    # Each server runs as its student's own account, keeps quiz progress in that home and hands in to the
    # hand-in service; no student gets the class's results folder.
    servers = server_processes(hub)
    assert set(STUDENTS) <= set(servers), f"running servers: {sorted(servers)}"
    for user in STUDENTS:
        env = servers[user].environ()
        assert servers[user].uids().real == pwd.getpwnam(user).pw_uid
        assert Path(env["HOME"]) == hub.home(user)
        assert Path(env["VKP_PROGRESS_DIR"]).is_relative_to(hub.home(user))
        assert env["VKP_HANDIN_URL"] == hub.handin_url
        assert "VKP_CLASS_DIR" not in env and "VKP_HANDIN_DIR" not in env
    assert hub.handin.stat().st_mode & 0o7777 == 0o2750, "the hand-in folder is open to students"
    # The course's JupyterLab settings reach the hub's servers: no news prompt over the notebook.
    for page in classroom.values():
        assert page.locator(".jp-toast-message").count() == 0, page.locator(".jp-toast-message").all_inner_texts()


def test_second_click_merges_the_update_and_keeps_the_students_edit(hub, classroom, tmp_path):
    # The instructor changes the course: a new sentence at the end of the start notebook's first cell (where
    # alice wrote her note), a change in a notebook nobody opened, and a new file.
    update = tmp_path / "update"
    course_repo = hub.layout.students_repo
    shutil.copytree(course_repo, update, ignore=shutil.ignore_patterns(".git"))
    start = json.loads((update / START).read_text())
    first = next(c for c in start["cells"] if c["cell_type"] == "markdown")
    first["source"] = "".join(first["source"]) + "\n\nUpdated for this term: read the course map first."
    (update / START).write_text(json.dumps(start, indent=1, ensure_ascii=False) + "\n")
    other = max(p for p in (update / "notebooks").glob("*.ipynb") if p.name != Path(START).name)
    other_nb = json.loads(other.read_text())
    other_nb["cells"].append({"cell_type": "markdown", "id": "term-update", "metadata": {},
                              "source": "Added this term: a summary of the after-care steps."})
    other.write_text(json.dumps(other_nb, indent=1, ensure_ascii=False) + "\n")
    (update / "notebooks" / "WHATS-NEW.md").write_text("# What is new this term\n\nA summary in the last notebook.\n")
    assert sync_course_repo(update, course_repo, "Course update for this term")

    # Each student clicks the same link again.
    for user in STUDENTS:
        open_course_link(hub_page := classroom[user], hub, user)
        shot(hub_page, f"hub-after-update-{user}")
    for user in STUDENTS:
        course = hub.home(user) / hub.course
        assert (course / "notebooks" / "WHATS-NEW.md").exists(), f"{user} did not get the new file"
        assert "Added this term" in notebook_text(course / "notebooks" / other.name), f"{user} missed the update"
    # bob, who did not edit the start notebook, gets the new sentence in it.
    assert "Updated for this term" in notebook_text(hub.home(BOB) / hub.course / START)
    # alice's note, where the course changed the same lines, survived the merge (nbgitpuller keeps the
    # student's side of a conflict) in a notebook that still opens, and she sees it.
    alice_start = hub.home(ALICE) / hub.course / START
    assert NOTE in notebook_text(alice_start)
    expect(rendered(classroom[ALICE], NOTE)).to_be_visible(timeout=60_000)
