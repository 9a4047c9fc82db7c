"""Issue 21: "a `<script>` in a content title runs in JupyterLab".  In a real JupyterLab, a notebook shows the
course map (Markdown) and a quiz case card (HTML) built from content whose title carries a script and an image
with an error handler; neither runs, and the title reads as typed.  A control cell shows that this JupyterLab does
run a handler that reaches a trusted Markdown output, so the test would catch one.
(tests/unit/course/test_plain_text_escaped.py checks every builder's output without a browser.)"""

from __future__ import annotations

import nbformat

from tests.browser.jlab import errors, open_and_run

HOSTILE = 'Start here <script>window.vkpRan = 1</script><img src=x onerror="window.vkpRan = 2">'

CELLS = [
    # The control: markup that reaches a trusted output does run here.
    'from IPython.display import Markdown, display\n'
    'display(Markdown(\'<img src=x onerror="window.vkpControl = 1">\'))',
    # The course map with a hostile notebook title, as notebook 00 shows it.
    'from widgets.core.course import load_course\n'
    'course = load_course()\n'
    f'first = course.notebooks[0].model_copy(update={{"title": {HOSTILE!r}}})\n'
    'hostile = course.model_copy(update={"notebooks": [first, *course.notebooks[1:]]})\n'
    'display(Markdown(hostile.markdown_table()))',
    # A quiz case card with a hostile case title, as notebook 06 shows it.
    'import dataclasses\n'
    'from widgets.candidacy.bank import load_case_bank\n'
    'from widgets.candidacy.cards_view import case_card\n'
    'from widgets.candidacy.vignettes import Vignette\n'
    'from widgets.core.citations import Citations\n'
    'case = Vignette.from_case(load_case_bank().case("c05-breast-metastasis"))\n'
    f'case_card(dataclasses.replace(case, title={HOSTILE!r}), Citations())',
]


def test_a_script_in_a_content_title_does_not_run_in_jupyterlab(lab, page):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab.root / "script-in-title.ipynb")
    open_and_run(page, lab, "script-in-title.ipynb")
    assert errors(page) == []
    page.wait_for_function("() => window.vkpControl === 1", timeout=30_000)   # the harness sees a handler run
    page.wait_for_timeout(1000)                                                 # any image error has fired by now
    assert page.evaluate("() => window.vkpRan") is None, "markup from a content title ran in JupyterLab"
    outputs = page.locator(".jp-OutputArea-output")
    text = "\n".join(outputs.all_inner_texts())
    assert text.count("Start here <script>window.vkpRan = 1</script>") == 2, "the title reads as typed, twice"
    assert page.locator(".jp-OutputArea-output script").count() == 0
    assert page.locator(".jp-OutputArea-output img[onerror]").count() == 1, "only the control's image has a handler"
