"""The course website (`make site`): how tools/site.py stages a notebook as a page without a kernel.

Fast checks, without Jupyter Book: launch buttons under each title open that page's notebook, a notice
stands where a widget would be, stored Markdown becomes Markdown, citation anchors are per page, the
committed notebook is left alone, and bad settings get one-line errors.  The website itself is built
and opened in Chromium by tests/browser/test_site_in_browser.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

import nbformat
import pytest

from tests.conftest import ROOT
from tools import site
from widgets.core.course import load_course

REPO, HUB, BRANCH = "https://github.com/someone/vkp-course", "https://hub.school.example", "spring"
LAUNCH = site.Launch(repo=REPO, hub=HUB, branch=BRANCH)
COURSE = [f"notebooks/{n.file}" for n in load_course().notebooks]


# -- what opens which notebook ------------------------------------------------------------------
def opened_notebook(url: str) -> str | None:
    """The repository path a launch link opens, or None for any other link."""
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    if parsed.netloc == "mybinder.org":
        assert parsed.path == "/v2/gh/someone/vkp-course/spring", url
        return unquote(query["urlpath"][0]).removeprefix("lab/tree/")
    if url.startswith(HUB):
        assert parsed.path == "/hub/user-redirect/git-pull", url
        assert query["repo"] == [REPO] and query["branch"] == [BRANCH], url
        return query["urlpath"][0].removeprefix("lab/tree/vkp-course/")
    return None


# -- the page transform, without Jupyter Book (fast) ---------------------------------------------
def _page(name: str) -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    return site.page_notebook(nb, LAUNCH, f"notebooks/{name}", download=f"../downloads/{name}")


def test_launch_buttons_sit_under_the_title_and_open_this_notebook():
    page = _page("02-vertebroplasty.ipynb")
    assert page.cells[0].source.splitlines()[:2] == ["---", "downloads:"]
    assert "# Vertebroplasty step by step" in page.cells[0].source
    launch = page.cells[1].source
    assert "{button}`Open on Binder <" in launch and "{button}`Open on the course JupyterHub <" in launch
    urls = [part.split(">`")[0] for part in launch.split("<")[1:]]
    assert [opened_notebook(u) for u in urls] == ["notebooks/02-vertebroplasty.ipynb"] * 2


def test_a_widget_becomes_a_notice_that_says_how_to_get_a_kernel():
    nb = nbformat.read(ROOT / "notebooks" / "02-vertebroplasty.ipynb", as_version=4)
    page = _page("02-vertebroplasty.ipynb")
    live = [c.source for c in nb.cells if site.has_live_widget(c)]
    kinds = ("StepperView(", "OrderingView(", "DecisionQuiz(", "HandInBox(")
    assert [next(w for w in kinds if w in s) for s in live] == list(kinds)
    notices = [c for c in page.cells if site.NOTICE_CLASS in c.source]
    assert len(notices) == len(live)
    for notice in notices:
        assert "needs a live Python kernel" in notice.source and "make lab" in notice.source
        links = [seg.split(")")[0] for seg in notice.source.split("](")[1:]]
        assert [opened_notebook(u) for u in links] == ["notebooks/02-vertebroplasty.ipynb"] * 2
        before = page.cells[page.cells.index(notice) - 1]
        assert before.cell_type == "code" and site.has_live_widget(before)


def test_stored_markdown_becomes_markdown_and_widget_state_is_dropped():
    """Tables, worked verdicts and the reference list are Markdown the site resolves; no widget output is
    left (none has stored state); anything printed would stay an output."""
    page = _page("02-vertebroplasty.ipynb")
    outputs = [o for c in page.cells if c.cell_type == "code" for o in c.outputs]
    assert all(o.output_type == "stream" for o in outputs)
    markdown = "".join(c.source for c in page.cells if c.cell_type == "markdown")
    assert "- correct: all 7 steps are in order." in markdown
    refs = page.cells[-1].source
    assert refs.startswith("<details>") and '<span id="nb-02-vertebroplasty-ref-1"></span>' in refs
    assert "](#nb-02-vertebroplasty-ref-1 " in "".join(c.source for c in page.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("notebook", COURSE)
def test_the_key_points_box_becomes_an_admonition_of_the_same_class(notebook):
    """mystmd drops the notebook's HTML <aside>; the page draws the same points in a titled admonition."""
    page = _page(notebook.removeprefix("notebooks/"))
    text = "\n".join(c.source for c in page.cells if c.cell_type == "markdown")
    assert "<aside" not in text and text.count(":::{admonition} Key points\n:class: vkp-key-points\n- ") == 1
    box = text.split(":::{admonition} Key points", 1)[1].split("\n:::", 1)[0]
    assert box.count("\n- ") >= 3 and "**Next:**" not in box


def test_hidden_helper_widgets_get_no_notice():
    """The reference list's helper is invisible in JupyterLab too (display: none): no notice for it."""
    nb = nbformat.read(ROOT / "notebooks" / "02-vertebroplasty.ipynb", as_version=4)
    assert not site.has_live_widget(nb.cells[-1])
    assert site.has_live_widget(nbformat.v4.new_code_cell("stepper"))
    assert not site.has_live_widget(nbformat.v4.new_code_cell("x = 1"))


def test_doi_links_stay_links_and_anchors_are_per_page():
    text = ('[doi:10.1016/S0140-6736(16)31341-1](https://doi.org/10.1016/S0140-6736(16)31341-1) '
            '<a href="https://doi.org/10.1186/x">d</a> [3](#ref-3 "x") <span id="ref-3"></span> '
            '<a href="#ref-12" title="t">12</a> [PubMed 1](https://pubmed.ncbi.nlm.nih.gov/1/)')
    out = site.plain_doi_links(site.page_anchors(text, "05-comparing-outcomes"))
    assert "doi.org" not in out
    assert "(https://hdl.handle.net/10.1016/S0140-6736(16)31341-1)" in out
    assert 'href="https://hdl.handle.net/10.1186/x"' in out
    assert '(#nb-05-comparing-outcomes-ref-3 "x")' in out and 'id="nb-05-comparing-outcomes-ref-3"' in out
    assert 'href="#nb-05-comparing-outcomes-ref-12"' in out and "pubmed.ncbi.nlm.nih.gov/1/" in out


def test_the_committed_notebook_is_left_alone():
    before = (ROOT / "notebooks" / "05-comparing-outcomes.ipynb").read_bytes()
    _page("05-comparing-outcomes.ipynb")
    assert (ROOT / "notebooks" / "05-comparing-outcomes.ipynb").read_bytes() == before


def test_launch_settings_errors_name_the_file_and_field(tmp_path, capsys):
    bad = tmp_path / "launch.yml"
    bad.write_text("repo: github.com/someone/x\nhub: https://hub.school.example\n")
    with pytest.raises(site.ContentError) as err:
        site.load_launch(bad)
    assert "launch.yml" in str(err.value) and "repo" in str(err.value) and "https://" in str(err.value)
    assert site.main(["--content", "--repo", "https://github.com/only-owner"]) == 1
    assert capsys.readouterr().err.strip() == ("error: --repo must be a repository address like "
                                               "https://github.com/OWNER/REPO, not 'https://github.com/only-owner'")


def test_shipped_launch_settings_are_marked_as_placeholders():
    assert site.load_launch().placeholders  # until the repository is public: `make site` warns
    assert not LAUNCH.placeholders


def test_missing_renderer_says_how_to_install_it(tmp_path, monkeypatch):
    from tools import site_html as render
    monkeypatch.setattr(render, "SITE_DIR", tmp_path)
    with pytest.raises(render.RenderError, match=r"site/node_modules has no myst-to-html\. Fix: `make site-tools`"):
        render.render_bodies(tmp_path)
    assert site.main(["--theme", str(tmp_path)]) == 1
