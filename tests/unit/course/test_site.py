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


# -- each widget's first state as a picture (issue 23) ---------------------------------------------
def _state(*models):
    return {mid: {"model_name": name, "state": state} for mid, name, state in models}


def test_a_widgets_pictures_are_read_from_its_state_in_order_without_the_hidden_ones():
    png = "iVBORw0KGgo="
    state = _state(
        ("root", "VBoxModel", {"children": ["IPY_MODEL_a", "IPY_MODEL_hidden", "IPY_MODEL_b", "IPY_MODEL_deco"],
                               "layout": "IPY_MODEL_l0"}),
        ("l0", "LayoutModel", {"display": None}),
        ("a", "HTMLModel", {"value": f'<p>x</p><img src="data:image/png;base64,{png}" alt="First &amp; best" role="img">',
                            "layout": "IPY_MODEL_l0"}),
        ("hidden", "HTMLModel", {"value": f'<img src="data:image/png;base64,{png}" alt="hidden">', "layout": "IPY_MODEL_l1"}),
        ("l1", "LayoutModel", {"display": "none"}),
        ("b", "OutputModel", {"outputs": [{"output_type": "display_data",
                                           "data": {"image/jpeg": "/9j/", "text/plain": "Second"}}]}),
        ("deco", "HTMLModel", {"value": f'<img src="data:image/png;base64,{png}" alt="">'}),
    )
    pictures = site.widget_pictures(state, "root")
    assert [(p.mime, p.alt) for p in pictures] == [("image/png", "First & best"), ("image/jpeg", "Second")]


def test_a_pictured_widget_shows_its_picture_with_alt_text_then_the_notice():
    nb = nbformat.read(ROOT / "notebooks" / "02-vertebroplasty.ipynb", as_version=4)
    stepper = next(i for i, c in enumerate(nb.cells) if "StepperView(" in c.source)
    picture = site.Picture("image/jpeg", "/9j/AAAA", "Two x-ray views of L5")
    page = site.page_notebook(nb, LAUNCH, "notebooks/02-vertebroplasty.ipynb", pictures={stepper: [picture]})
    (cell,) = [c for c in page.cells if c.cell_type == "code" and "StepperView(" in c.source]
    (out,) = cell.outputs
    assert out.data == {"image/jpeg": "/9j/AAAA", "text/plain": "Two x-ray views of L5"}
    notice = page.cells[page.cells.index(cell) + 1].source
    assert "The picture above is this widget as the notebook first draws it" in notice and "make lab" in notice
    others = [page.cells[i + 1].source for i, c in enumerate(page.cells[:-1]) if c.cell_type == "code" and
              site.has_live_widget(c) and c is not cell]
    assert others and all("A widget runs here in the notebook" in s for s in others if "Interactive widget" in s)


def test_the_ward_round_box_becomes_an_admonition_of_its_class():
    page = _page("03-kyphoplasty.ipynb")
    first = page.cells[0].source
    assert "<aside" not in first and ":::{admonition} What you would say on a ward round\n:class: vkp-rounds" in first


def test_a_static_figure_the_notebook_does_not_store_is_a_picture_on_the_page_without_a_widget_notice():
    """Notebook 07's timeline is a plain figure (no widget): the built notebook stores no output for it, so the
    page shows the picture the run displayed, with its alt text, and no notice about an interactive version."""
    nb = nbformat.read(ROOT / "notebooks" / "07-recovery.ipynb", as_version=4)
    i = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "timeline_figure()" in c.source)
    assert nb.cells[i].outputs == []
    html_out = nbformat.v4.new_output("display_data", data={
        "text/html": '<img src="data:image/png;base64,iVBORw0KGgo=" alt="Timeline &amp; rest" role="img">',
        "text/plain": "<IPython.core.display.HTML object>"})
    (picture,) = site.output_pictures([html_out])
    assert (picture.mime, picture.alt, picture.widget) == ("image/png", "Timeline & rest", False)
    page = site.page_notebook(nb, LAUNCH, "notebooks/07-recovery.ipynb", pictures={i: [picture]})
    (cell,) = [c for c in page.cells if c.cell_type == "code" and "timeline_figure()" in c.source]
    assert [o.data for o in cell.outputs] == [{"image/png": "iVBORw0KGgo=", "text/plain": "Timeline & rest"}]
    after = page.cells[page.cells.index(cell) + 1]
    assert "Interactive widget" not in after.source
    bare = site.page_notebook(nb, LAUNCH, "notebooks/07-recovery.ipynb")   # built without pictures: the notice
    (cell,) = [c for c in bare.cells if c.cell_type == "code" and "timeline_figure()" in c.source]
    assert "Interactive widget" in bare.cells[bare.cells.index(cell) + 1].source
    assert site.output_pictures([nbformat.v4.new_output("display_data", data={
        "text/html": '<img src="data:image/png;base64,AAAA" alt="">'})]) == [], "no alt text: decoration"


# -- nothing on a page runs code, and the build asks no server (issue 21) ---------------------------
RUNS_CODE = [
    '<a href="javascript:alert(1)">x</a>', '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>', '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src=x onerror="alert(1)">', '<p onclick="alert(1)">x</p>', '<script>alert(1)</script>',
    '<SCRIPT SRC=//evil.example/x.js></SCRIPT>', '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<iframe src="javascript:alert(1)"></iframe>', '<form action="javascript:alert(1)"><button>x</button></form>',
    '<img srcset="a.png 1x, javascript:alert(1) 2x">',
]


@pytest.mark.parametrize("markup", RUNS_CODE)
def test_a_page_body_keeps_no_script_handler_or_code_link(markup):
    """Issue 21: the site kept `javascript:` links.  safe_html takes out what would run, and keeps the text."""
    from tools.site_html import safe_html
    out = safe_html(f"<p>before</p>{markup}<p>after</p>").lower()
    assert "javascript" not in out and "vbscript" not in out and "<script" not in out and " on" not in out
    assert "data:text" not in out and out.startswith("<p>before</p>") and out.endswith("<p>after</p>")


def test_a_page_body_that_runs_nothing_is_left_exactly_as_it_was():
    from tools.site_html import safe_html
    body = ('<div class="cell" id="x"><p>Text &amp; more <a href="https://doi.org/10.1/x?a=1&amp;b=2" title="t">'
            'doi</a> <a href="#ref-3">3</a> <a href="vertebroplasty.html#s">p</a> <a href="mailto:a@b.c">m</a></p>'
            '<img src="out.png" alt="a chart"><img src="data:image/png;base64,iVBO" alt="b"><br/>'
            '<details><summary>S</summary><table><tr><td style="text-align:left">1</td></tr></table></details></div>')
    assert safe_html(body) == body


def test_the_page_frame_links_only_to_safe_addresses():
    from tools.site_html import _link
    assert _link("javascript:alert(1)", "Licence <b>") == "Licence &lt;b&gt;"
    assert _link("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0").startswith('<a href="https://')


def _built_page_with(tmp_path, mdast_children) -> str:
    """One page rendered as `make site` renders it (mystmd's myst-to-html, then the course's page)."""
    from tools import site_html
    if not (site_html.SITE_DIR / "node_modules" / "myst-to-html").is_dir():
        pytest.skip("site/node_modules is not installed (`make site-tools`)")
    content = tmp_path / "content"
    (content / "content").mkdir(parents=True)
    (content / "public").mkdir()
    page = {"slug": "index", "location": "/index.md", "frontmatter": {"title": "A page"},
            "mdast": {"type": "root", "children": mdast_children}}
    (content / "content" / "index.json").write_text(__import__("json").dumps(page), encoding="utf-8")
    entry = site_html.Entry("/index.md", "Home", "site/index.md", "https://github.com/someone/vkp-course")
    (written,) = site_html.write_site(content, tmp_path / "html", [entry], {"title": "Course"})
    return written.read_text(encoding="utf-8")


def test_the_rendered_site_keeps_no_javascript_link(tmp_path):
    """A Markdown link, raw HTML in Markdown and a stored HTML output, each with a `javascript:` address or a
    handler, through mystmd's renderer: the built page keeps their text and no way to run code."""
    text = lambda v: {"type": "text", "value": v}  # noqa: E731
    page = _built_page_with(tmp_path, [
        {"type": "paragraph", "children": [text("See "), {"type": "link", "url": "javascript:alert(1)",
                                                             "children": [text("this link")]}]},
        {"type": "html", "value": '<a href="javascript:alert(2)" onclick="alert(3)">raw link</a>'},
        {"type": "output", "jupyter_data": {"output_type": "display_data", "data": {
            "text/html": {"content": '<p>stored <img src=x onerror="alert(4)"><script>alert(5)</script></p>'}}}},
    ])
    body = page.split("<main", 1)[1] if "<main" in page else page
    assert "this link" in body and "raw link" in body and "stored" in body
    assert "javascript:" not in body.lower() and "alert(" not in body and "onerror" not in body
    assert "<script" not in body.replace('<script src="site.js" defer></script>', "")


def test_the_site_content_build_reaches_no_server(tmp_path, monkeypatch):
    """Issue 21: `make site` called a remote API during the build: mystmd asked api.mystmd.org for the site
    theme's template and the npm registry for its own latest version.  The content build names the course's
    stand-in template and runs with OFFLINE_ENV; traced with strace, it opens no network connection."""
    import shutil
    import subprocess
    import sys
    if not site.jupyter_book_installed():
        pytest.skip("Jupyter Book is not installed (`make site-tools`)")
    if not shutil.which("strace"):
        pytest.skip("strace is not installed (`apt-get install strace`)")
    trace = tmp_path / "trace.txt"
    done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace), sys.executable,
                           str(ROOT / "tools" / "site.py"), "--content", "--out", str(tmp_path / "site")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    network = [line for line in trace.read_text().splitlines()
               if "AF_INET" in line and 'inet_addr("127.' not in line and "::1" not in line]
    assert network == [], "the site build opened network connections:\n" + "\n".join(network[:5])
    assert (tmp_path / "site" / "_build" / "site" / "content").is_dir()
