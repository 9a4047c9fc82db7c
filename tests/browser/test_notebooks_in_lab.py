"""Every notebook runs in a real JupyterLab: no error output, every widget drawn, no serious
or critical accessibility finding (axe-core) in what the notebook shows, and no student notebook longer
than about six screenfuls."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.jlab import (MAX_SCREENFULS, READING_VIEWPORT, axe_violations, clipped, errors, open_and_run,
                                screenfuls, truncated_labels, wait_widgets_rendered, widget_outputs)
from tests.conftest import ROOT, notebook_paths

NOTEBOOKS = [p.relative_to(ROOT).as_posix() for p in notebook_paths()]


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_runs_renders_and_is_accessible(page, lab, path):
    open_and_run(page, lab, path)
    assert errors(page) == [], f"{path} shows error output"
    try:
        wait_widgets_rendered(page)
    except Exception:
        pass  # the assertion below names the widgets that did not render
    broken = [w for w in widget_outputs(page) if not w["rendered"]]
    assert not broken, f"{path}: widgets that did not render: {broken}"
    assert axe_violations(page) == [], f"{path}: serious or critical accessibility findings"
    assert truncated_labels(page) == [], f"{path}: control labels cut off (give the control layout width 'auto')"
    if path.startswith("notebooks/"):
        # About six screenfuls at most, run, every fold closed (the measure tools/screenshots.py prints).
        page.set_viewport_size(READING_VIEWPORT)
        page.wait_for_timeout(1500)   # JupyterLab lays the notebook out again for the new window
        length = screenfuls(page)
        assert length <= MAX_SCREENFULS, (
            f"{path} is {length:.1f} screenfuls at {READING_VIEWPORT['width']}x{READING_VIEWPORT['height']} "
            f"(at most {MAX_SCREENFULS}): fold detail a first reading can pass over (widgets.core.text.fold)")


def test_start_notebook_shows_the_widgets_box(page, lab):
    """The self-check's box appears only when the widgets front end works."""
    open_and_run(page, lab, "notebooks/00-start-here.ipynb")
    expect(page.get_by_text("Widgets work: you can see this box")).to_be_visible()
    expect(page.get_by_text("All set: everything this module needs is installed.")).to_be_visible()


def test_the_checks_catch_what_they_claim(page, lab):
    """A deliberately faulty notebook: the error, the unlabelled slider and the cut-off label are reported."""
    open_and_run(page, lab, "_harness/harness-check.ipynb")
    assert errors(page) == ["cell 3: ZeroDivisionError: division by zero"]
    wait_widgets_rendered(page)
    assert [w["rendered"] for w in widget_outputs(page)] == [True, True]
    found = axe_violations(page)
    assert any("aria-input-field-name" in f for f in found), found
    cut = truncated_labels(page)
    assert any(text.startswith("A very long button label") for text in cut), cut


def test_a_citation_number_opens_the_folded_reference_list(page, lab):
    """Students see numbers, not keys; a number links to its reference, opening the folded list."""
    open_and_run(page, lab, "notebooks/02-vertebroplasty.ipynb")
    wait_widgets_rendered(page)
    assert page.locator(".jp-MarkdownOutput", has_text="[@").count() == 0
    fold = page.locator("details", has_text="References")
    expect(fold).not_to_have_attribute("open", "")
    link = page.locator('.jp-MarkdownOutput a[href="#ref-3"]').first
    assert link.get_attribute("title"), "the link names its source on hover"
    link.click()
    expect(fold).to_have_attribute("open", "")
    expect(page.locator("#ref-3")).to_be_in_viewport()


# ---------------------------------------------------------------- nothing raw (issue 23)
STUDENT = [p for p in NOTEBOOKS if p.startswith("notebooks/")]

#: What a student reads: rendered Markdown and outputs (a collapsed code cell's editor is not in the page).
SHOWN = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput, '
  + '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')].map(e => e.textContent).join('\\n')"""
#: Every piece of a code cell's input that is in view: editors, and a collapsed cell's placeholder text.
CODE_IN_VIEW = """() => { const w = window.jupyterapp.shell.currentWidget; const out = [];
  w.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    for (const el of cell.node.querySelectorAll('.jp-InputArea-editor, .jp-InputPlaceholder .jp-PlaceholderText')) {
      if (el.checkVisibility() && el.innerText.trim()) out.push(`cell ${i}: ${el.innerText.trim().slice(0, 80)}`);
    }
  });
  return out; }"""
_PATH = re.compile(r"(?<![\w:/.])(?:~|\.{1,2})?/(?:[\w.-]+/)+[\w.-]*|\b[\w-]+\.(?:json|ya?ml|py|ipynb|csv)\b")


SPINAL_LEVEL = re.compile(r"[CTLS]\d{1,2}(-[CTLS]\d{1,2})?")


def _internal_ids() -> set[str]:
    """Every id the content files give a rule, step, case, section, question, evidence entry or term that
    could not be mistaken for a word (it holds an underscore or a digit).  A spinal level's name is not one:
    the anatomy file names its discs as a radiology report does ("L5-S1"), and a vignette's "a ruptured L5-S1
    disc" is the clinical words a student must learn to read, not an id leaking out."""
    import yaml
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if (k == "id" and isinstance(v, str) and re.search(r"[_\d]", v) and len(v) > 3
                        and not SPINAL_LEVEL.fullmatch(v)):
                    found.add(v)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    for path in (ROOT / "widgets" / "content").rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("path", STUDENT)
def test_nothing_raw_reaches_a_student(page, lab, path):
    """After Run All, in the default JupyterLab view with the course's settings and stylesheet: no line of code
    (a collapsed cell shows only its expander), no file-system path, no internal id in what the notebook shows."""
    page.set_viewport_size(READING_VIEWPORT)
    open_and_run(page, lab, path)
    try:
        wait_widgets_rendered(page)
    except Exception:
        pass
    assert page.evaluate(CODE_IN_VIEW) == [], f"{path}: code a student can see"
    assert page.locator(".jp-InputPlaceholder").count() > 0, "the collapsed cells keep their expander"
    text = page.evaluate(SHOWN)
    text = re.sub(r"https?://\S+", " ", text)           # a reference's address is a link, not a path
    assert not _PATH.findall(text), f"{path}: file-system paths shown: {_PATH.findall(text)[:5]}"
    ids = sorted(i for i in _internal_ids() if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text))
    assert not ids, f"{path}: internal ids shown: {ids[:8]}"
    sources = [line.strip() for line in page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
        .filter(c => c.model.type === 'code').map(c => c.model.sharedModel.getSource()).join('\\n')""").splitlines()]
    visible = page.evaluate("() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook').innerText")
    shown = [s for s in sources if len(s) > 12 and s in visible]
    assert not shown, f"{path}: lines of code in view: {shown[:3]}"


def test_a_glossary_definition_opens_from_the_keyboard_and_passes_axe(page, lab):
    """The definition under a term's first use: a native disclosure, focusable, opened with Enter and closed with
    Space, its summary naming the words; axe finds nothing serious in it, closed or open."""
    open_and_run(page, lab, "notebooks/02-vertebroplasty.ipynb")
    fold = page.locator("details.vkp-glossary", has_text="confidence interval").first
    summary = fold.locator("summary")
    expect(fold).not_to_have_attribute("open", "")
    assert summary.evaluate("s => s.tabIndex") == 0, "reached with Tab"
    assert "what the words mean" in summary.inner_text() and "relative risk" in summary.inner_text()
    summary.focus()
    page.keyboard.press("Enter")
    expect(fold).to_have_attribute("open", "")
    expect(fold).to_contain_text("The range of values the data are compatible with")
    assert axe_violations(page, context={"include": [["details.vkp-glossary"]]}) == []
    page.keyboard.press("Space")
    expect(fold).not_to_have_attribute("open", "")


@pytest.mark.parametrize("path", STUDENT)
def test_nothing_is_clipped_at_1024_px(page, lab, path):
    """At a 1024 px window (a small laptop) every text, table, control and picture a notebook shows fits its
    column: nothing is cut off and nothing needs a sideways scroll."""
    page.set_viewport_size({"width": 1024, "height": 900})
    open_and_run(page, lab, path)
    try:
        wait_widgets_rendered(page)
    except Exception:
        pass
    page.wait_for_timeout(1000)
    assert clipped(page) == [], f"{path}: clipped at 1024 px"
