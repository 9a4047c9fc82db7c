"""The course website (`make site`): Jupyter Book 2 builds it from the built notebooks.

The build test runs the pinned Jupyter Book on a staged copy of the course and reads what it made:
the content of every page (``_build/site/content/*.json``, the tree the site theme turns into HTML,
element for element).  It checks what a reader would: one page per notebook plus a home page, every
link inside the site lands on a page or an anchor that exists, every page's launch buttons open that
page's own notebook, a notice stands wherever a widget would be, the checked outputs are there, and no
raw `[@key]` or working note of the evidence files reaches a page.

Without Jupyter Book installed (`make site-tools`) the build test skips with the reason, except under
CI=true (`.ci/run` installs it), where it fails.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import nbformat
import pytest

from tests.conftest import ROOT, load_notebook
from tests.unit.test_citations import WORKING_NOTES
from tools import site
from widgets.core.course import load_course
from widgets.core.evidence import load_evidence

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
    assert [next(w for w in ("StepperView(", "OrderingView(", "DecisionQuiz(") if w in s) for s in live] == \
        ["StepperView(", "OrderingView(", "DecisionQuiz("]
    notices = [c for c in page.cells if site.NOTICE_CLASS in c.source]
    assert len(notices) == len(live)
    for notice in notices:
        assert "needs a live Python kernel" in notice.source and "make lab" in notice.source
        links = [seg.split(")")[0] for seg in notice.source.split("](")[1:]]
        assert [opened_notebook(u) for u in links] == ["notebooks/02-vertebroplasty.ipynb"] * 2
        before = page.cells[page.cells.index(notice) - 1]
        assert before.cell_type == "code" and site.has_live_widget(before)


def test_stored_markdown_becomes_markdown_and_widget_state_is_dropped():
    """Tables and the reference list are Markdown the site resolves; no widget output is left (none
    has stored state); printed results stay outputs."""
    page = _page("02-vertebroplasty.ipynb")
    outputs = [o for c in page.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and all(o.output_type == "stream" for o in outputs)
    assert any("correct: all 7 steps are in order." in o.text for o in outputs)
    refs = page.cells[-1].source
    assert refs.startswith("<details>") and '<span id="02-vertebroplasty-ref-1"></span>' in refs
    assert "](#02-vertebroplasty-ref-1 " in "".join(c.source for c in page.cells if c.cell_type == "markdown")


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
    assert '(#05-comparing-outcomes-ref-3 "x")' in out and 'id="05-comparing-outcomes-ref-3"' in out
    assert 'href="#05-comparing-outcomes-ref-12"' in out and "pubmed.ncbi.nlm.nih.gov/1/" in out


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


# -- the real build ---------------------------------------------------------------------------------
def _need_jupyter_book() -> None:
    if site.jupyter_book_installed():
        return
    reason = "Jupyter Book is not installed: `make site-tools` installs site/requirements.txt into .venv"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """Stage the course and build the site's content with the pinned Jupyter Book (about 3 s)."""
    _need_jupyter_book()
    out = tmp_path_factory.mktemp("site")
    staged = site.stage(out, LAUNCH)
    content = site.build(staged, html=False)
    pages = {}
    for path in sorted((content / "content").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        pages[data["location"].lstrip("/")] = data
    return {"pages": pages, "public": content / "public", "staged": staged}


def _walk(node):
    yield node
    for child in node.get("children", []) or []:
        yield from _walk(child)


def _text(node) -> str:
    """Everything a reader can see on a page: text, link targets, and the stored outputs."""
    parts = []
    for n in _walk(node):
        parts.append(str(n.get("value", "")))
        if n.get("type") == "output":
            parts.append(json.dumps(n.get("jupyter_data", {})))
    return "\n".join(parts)


def test_one_page_per_notebook_and_a_home_page(built):
    committed = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(COURSE) == committed  # course.yaml lists every notebook, so the site shows them all
    assert sorted(built["pages"]) == sorted(["index.md", *committed])
    for path, page in built["pages"].items():
        if path != "index.md":
            title = next(line for line in load_notebook(ROOT / path)["cells"][0]["source"]
                         if line.startswith("# "))
            assert page["frontmatter"]["title"] == title[2:].strip()


def test_every_link_inside_the_site_resolves(built):
    pages = built["pages"]
    slugs = {page["slug"] for page in pages.values()}
    ids = {page["slug"]: {n["html_id"] for n in _walk(page["mdast"]) if n.get("html_id")} for page in pages.values()}
    checked = 0
    for path, page in pages.items():
        for n in _walk(page["mdast"]):
            if n.get("type") == "crossReference":
                assert n.get("resolved") is True, f"{path}: unresolved #{n.get('identifier')}"
                assert n["html_id"] in ids[page["slug"]], f"{path}: #{n['html_id']} is on another page"
                checked += 1
            elif n.get("type") == "link" and (n.get("internal") or n.get("url", "").startswith(("/", "#"))):
                target, _, anchor = n["url"].lstrip("/").partition("#")
                target = target or page["slug"]
                assert target in slugs or (target == "" and path == "index.md"), f"{path}: {n['url']}"
                assert not anchor or anchor in ids[target], f"{path}: {n['url']}"
                checked += 1
        for download in page["frontmatter"].get("downloads", []):
            assert (built["public"] / download["url"].lstrip("/")).exists(), f"{path}: {download}"
    assert checked > 100


def test_citation_numbers_link_to_their_own_pages_reference_list(built):
    for path in COURSE:
        page = built["pages"][path]
        stem = Path(path).stem
        targets = {n["identifier"] for n in _walk(page["mdast"]) if n.get("type") == "span"
                   and n.get("identifier", "").startswith(f"{stem}-ref-")}
        cited = {n["identifier"] for n in _walk(page["mdast"]) if n.get("type") == "crossReference"}
        assert cited <= targets, f"{path}: {sorted(cited - targets)}"
        if cited:
            details = [n for n in _walk(page["mdast"]) if n.get("type") == "details"]
            assert any("References" in _text(d["children"][0]) for d in details), f"{path}: list not folded"


def test_launch_buttons_on_every_page_open_its_notebook(built):
    for path, page in built["pages"].items():
        opened = [opened_notebook(n["url"]) for n in _walk(page["mdast"]) if n.get("type") == "link"]
        opened = [o for o in opened if o]
        expected = "notebooks/00-start-here.ipynb" if path == "index.md" else path
        assert opened and set(opened) == {expected}, f"{path}: {opened}"
        buttons = [n for n in _walk(page["mdast"]) if n.get("type") == "link" and n.get("class") == "button"]
        assert len(buttons) == 2, f"{path}: {len(buttons)} launch buttons"


def test_a_notice_wherever_a_widget_would_be(built):
    for path in COURSE:
        nb = nbformat.read(ROOT / path, as_version=4)
        widgets = sum(site.has_live_widget(c) for c in nb.cells)
        notices = [n for n in _walk(built["pages"][path]["mdast"]) if n.get("type") == "admonition"
                   and site.NOTICE_CLASS in (n.get("class") or "")]
        assert len(notices) == widgets, path
        for notice in notices:
            assert "needs a live Python kernel" in _text(notice) and "make lab" in _text(notice)
    assert sum(1 for p in COURSE if "StepperView" in (ROOT / p).read_text(encoding="utf-8")) >= 2


def test_checked_outputs_are_shown(built):
    """What nbval checks in the notebook (tables, verdicts, printed results) is on the page."""
    for path in COURSE:
        shown = _text(built["pages"][path]["mdast"]).replace("\u2019", "'")  # the site's typographic apostrophe
        for cell in nbformat.read(ROOT / path, as_version=4).cells:
            for out in getattr(cell, "outputs", []):
                if out.output_type == "stream":
                    assert out.text.strip().splitlines()[0] in shown, f"{path}: {out.text[:60]}"
                elif "text/markdown" in out.get("data", {}):
                    # the longest stretch of plain words (no markup) of each table or list is on the page
                    plain = max(re.findall(r"[A-Za-z][A-Za-z ,;'-]+", out.data["text/markdown"]), key=len).strip(" ,;-")
                    assert plain in shown, f"{path}: '{plain}' is missing"
    table_rows = [n for n in _walk(built["pages"]["notebooks/05-comparing-outcomes.ipynb"]["mdast"])
                  if n.get("type") == "tableRow"]
    assert len(table_rows) > 20


def test_no_raw_citation_key_or_working_note_on_any_page(built):
    ev = load_evidence()
    notes = [n.strip() for e in ev.entries.values() for n in (e.source.citation_note, e.verification_note) if n]
    notes += [s.note.strip() for s in ev.sources.values() if s.note]
    titles = " ".join(e.source.title.lower() for e in ev.entries.values())
    lists = 0
    for path, page in built["pages"].items():
        shown = _text(page["mdast"])
        assert "[@" not in shown, f"{path} shows a raw citation key"
        leaked = [n for n in notes if len(n) > 12 and n in shown]
        assert not leaked, f"{path} shows working notes of the evidence files: {leaked[:2]}"
        for details in (n for n in _walk(page["mdast"]) if n.get("type") == "details"):
            if "References" not in _text(details["children"][0]):
                continue
            lists += 1
            for item in (n for n in _walk(details) if n.get("type") == "listItem"):
                text = _text(item).lower().split("available at")[0]
                found = [w for w in WORKING_NOTES if w in text and w not in titles]
                assert not found, f"{path}: working note {found} in the reference {_text(item)[:120]}"
    assert lists == sum(1 for p in COURSE if "references(" in (ROOT / p).read_text(encoding="utf-8"))
    staged_refs = "".join(c.source for p in COURSE
                          for c in nbformat.read(built["staged"].out / p, as_version=4).cells)
    assert "doi.org" not in staged_refs and "hdl.handle.net/10." in staged_refs
