"""The course website (`make site`), built and opened in headless Chromium.

Jupyter Book 2 builds each page's content from the built notebooks, and mystmd's myst-to-html renders
it to static HTML (tools/site.py, tools/site_html.py).  The fixture runs the pinned tools on a staged
copy of the course and reads every page of the website in Chromium from the files on disk; the tests
check what a reader would: one page per notebook plus a home page, every link inside the site lands on
a file and an anchor that exist (citation numbers on their own page's folded reference list), the
table of contents and the previous/next links follow the course, every page's launch buttons open that
page's own notebook and its download is that notebook, a visible notice stands wherever a widget would
be, the checked outputs are there, no raw `[@key]` or working note of the evidence files appears, a
reader can click through, and axe-core finds no serious or critical accessibility issue.

Without Jupyter Book or myst-to-html (`make site-tools`) or Chromium these tests skip with the reason,
except under CI=true (`.ci/run` installs them), where they fail.  No JupyterLab is started.
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from PIL import Image

from tests.conftest import ROOT, load_notebook
from tests.unit.core.test_citations import WORKING_NOTES
from tests.unit.course.test_site import COURSE, LAUNCH, opened_notebook
from tools import site
from tools import site_html as render
from widgets.core.course import load_course
from widgets.core.evidence import load_evidence


def _need(available: bool, reason: str) -> None:
    """Skip without ``reason``'s tool, except under CI=true (`.ci/run` installs it), where that fails."""
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


#: What a reader finds on a page, read from the DOM Chromium built from the HTML file.
READ_PAGE = """() => {
  const inRefs = el => !!el.closest('details')
    && /References/.test(el.closest('details').querySelector('summary').textContent);
  return {
    title: document.title,
    h1: [...document.querySelectorAll('h1')].map(e => e.textContent.trim()),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    links: [...document.querySelectorAll('a[href]')].map(a => ({
      href: a.getAttribute('href'), url: a.href, text: a.textContent.trim(), cls: a.className,
      rel: a.rel, current: a.getAttribute('aria-current'), toc: !!a.closest('.toc'), pager: !!a.closest('.pager'),
      download: a.getAttribute('download')})),
    images: [...document.images].map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt'),
      loaded: i.complete && i.naturalWidth > 0, inMain: !!i.closest('main')})),
    text: document.body.textContent,
    notices: [...document.querySelectorAll('.vkp-widget-notice')].map(n => ({
      text: n.textContent, visible: n.checkVisibility(), links: [...n.querySelectorAll('a')].map(a => a.href)})),
    references: [...document.querySelectorAll('main details')].filter(inRefs).map(d => ({
      items: [...d.querySelectorAll(':scope > ol > li')].map(li => li.textContent),
      ids: [...d.querySelectorAll('[id]')].map(e => e.id)})),
    xrefs: [...document.querySelectorAll('a.xref')].map(a => a.getAttribute('href')),
    rows: document.querySelectorAll('main tr').length,
  }; }"""


@pytest.fixture(scope="module")
def site_html(chromium, tmp_path_factory) -> dict:
    """Build the website with the pinned tools (Jupyter Book, then myst-to-html; about 10 s) and read
    every page in Chromium from the files on disk."""
    _need(site.jupyter_book_installed(), "Jupyter Book is not installed: `make site-tools`")
    _need((render.SITE_DIR / "node_modules" / "myst-to-html").is_dir(), "myst-to-html is not installed in "
          "site/node_modules: `make site-tools` (npm ci)")
    staged = site.stage(tmp_path_factory.mktemp("site"), LAUNCH)
    out = site.build_html(staged)
    page = chromium.new_page(viewport={"width": 1280, "height": 1600})
    pages = {}
    for path in sorted(out.glob("*.html")):
        page.goto(path.as_uri())
        pages[path.name] = page.evaluate(READ_PAGE)
    page.close()
    return {"out": out, "pages": pages, "browser": chromium, "staged": staged}


def _page_of(site_html: dict, notebook: str) -> dict:
    """The page of a repository notebook (``notebooks/02-vertebroplasty.ipynb``)."""
    found = [p for p in site_html["pages"].values()
             if any(link["download"] == Path(notebook).name for link in p["links"])]
    assert len(found) == 1, f"{notebook}: {len(found)} pages offer it for download"
    return found[0]


def _local(link: dict) -> bool:
    return link["url"].startswith("file://")


def test_one_page_per_notebook_and_a_home_page(site_html):
    committed = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(COURSE) == committed  # course.yaml lists every notebook, so the site shows them all
    pages = site_html["pages"]
    assert len(pages) == len(COURSE) + 1 and "index.html" in pages
    assert pages["index.html"]["h1"] == ["Vertebroplasty and kyphoplasty"]
    for path in COURSE:
        title = next(line for line in load_notebook(ROOT / path)["cells"][0]["source"] if line.startswith("# "))
        page = _page_of(site_html, path)
        assert page["h1"] == [title[2:].strip()], path
        assert page["title"] == f"{title[2:].strip()} | Vertebroplasty and kyphoplasty"


def test_each_page_offers_its_own_notebook_for_download(site_html):
    for path in COURSE:
        link = next(link for link in _page_of(site_html, path)["links"] if link["download"])
        downloaded = Path(unquote(urlparse(link["url"]).path))
        assert downloaded.parent == site_html["out"] and downloaded.read_bytes() == (ROOT / path).read_bytes()


def test_every_link_inside_the_site_resolves(site_html):
    """Every link to a file of the site (pages, downloads, images) finds its file, and every anchor
    (citation numbers, headings, the table of contents) finds its target on that page."""
    out, pages = site_html["out"], site_html["pages"]
    checked = 0
    for name, page in pages.items():
        for link in filter(_local, page["links"]):
            parsed = urlparse(link["url"])
            target = Path(unquote(parsed.path))
            assert target.parent == out and target.is_file(), f"{name}: {link['href']} has no file"
            if parsed.fragment:
                assert unquote(parsed.fragment) in pages[target.name]["ids"], f"{name}: {link['href']}"
            checked += 1
        for image in page["images"]:
            assert image["alt"], f"{name}: {image['src'][:80]}: no alt text"
            embedded = re.match(r"data:image/(?:png|jpeg);base64,(.+)$", image["src"])
            if embedded:       # a picture inside a stored output (notebook 06's case x-ray): it must be one
                Image.open(io.BytesIO(base64.b64decode(embedded[1]))).verify()
            else:
                assert (out / image["src"]).is_file(), f"{name}: {image['src']} has no file"
    assert checked > 150


def test_table_of_contents_and_pager_follow_the_course(site_html):
    pages = site_html["pages"]
    order = ["index.html"] + [next(n for n, p in pages.items() if p is _page_of(site_html, nb)) for nb in COURSE]
    labels = ["Home"] + [f"{n.file[:2]} {n.title}" for n in load_course().notebooks]
    for i, name in enumerate(order):
        toc = [link for link in pages[name]["links"] if link["toc"]]
        assert [link["href"] for link in toc] == order and [link["text"] for link in toc] == labels, name
        assert [link["href"] for link in toc if link["current"] == "page"] == [name]
        pager = {link["rel"]: link["href"] for link in pages[name]["links"] if link["pager"]}
        assert pager == {**({"prev": order[i - 1]} if i else {}),
                         **({"next": order[i + 1]} if i + 1 < len(order) else {})}, name


def test_citation_numbers_link_to_their_own_pages_reference_list(site_html):
    lists = 0
    for path in COURSE:
        page = _page_of(site_html, path)
        if not page["xrefs"]:
            continue
        assert len(page["references"]) == 1, f"{path}: {len(page['references'])} folded reference lists"
        targets = set(page["references"][0]["ids"])
        assert {href.removeprefix("#") for href in page["xrefs"]} <= targets, path
        assert all(href.startswith("#") for href in page["xrefs"]), path  # on this page, not another
        lists += 1
    assert lists == sum(1 for p in COURSE if "references(" in (ROOT / p).read_text(encoding="utf-8"))


def test_launch_buttons_on_every_page_open_its_notebook(site_html):
    for name, page in site_html["pages"].items():
        buttons = [link for link in page["links"] if "button" in link["cls"].split()]
        expected = ("notebooks/00-start-here.ipynb" if name == "index.html"
                    else f"notebooks/{next(link['download'] for link in page['links'] if link['download'])}")
        assert [b["text"] for b in buttons] == ["Open on Binder", "Open on the course JupyterHub"], name
        assert [opened_notebook(b["url"]) for b in buttons] == [expected] * 2, name
        opened = {opened_notebook(link["url"]) for link in page["links"]} - {None}
        assert opened == {expected}, f"{name}: links open {opened}"


def test_a_notice_wherever_a_widget_would_be(site_html):
    """Under every widget; not under a static figure the page shows as the run drew it (notebook 07's)."""
    figures = site_html["staged"].figure_cells
    assert figures["notebooks/07-recovery.ipynb"] == 2, figures
    for path in COURSE:
        widgets = sum(site.has_live_widget(c) for c in nbformat.read(ROOT / path, as_version=4).cells) - figures[path]
        notices = _page_of(site_html, path)["notices"]
        assert len(notices) == widgets, path
        for notice in notices:
            assert notice["visible"], path
            assert "needs a live Python kernel" in notice["text"] and "make lab" in notice["text"]
            assert [opened_notebook(u) for u in notice["links"]] == [path] * 2
    assert sum(1 for p in COURSE if "StepperView" in (ROOT / p).read_text(encoding="utf-8")) >= 2


def test_checked_outputs_are_shown(site_html):
    """What nbval checks in the notebook (tables, verdicts, printed results) is on the page."""
    for path in COURSE:
        shown = _page_of(site_html, path)["text"].replace("\u2019", "'")  # the site's typographic apostrophe
        for cell in nbformat.read(ROOT / path, as_version=4).cells:
            for out in getattr(cell, "outputs", []):
                if out.output_type == "stream":
                    for line in out.text.strip().splitlines():
                        assert line in shown, f"{path}: {line[:60]}"
                elif "text/markdown" in out.get("data", {}):
                    # the longest stretch of plain words (no markup) of each table or list is on the page
                    plain = max(re.findall(r"[A-Za-z][A-Za-z ,;'-]+", out.data["text/markdown"]), key=len).strip(" ,;-")
                    assert plain in shown, f"{path}: '{plain}' is missing"
    assert _page_of(site_html, "notebooks/05-comparing-outcomes.ipynb")["rows"] > 20


def test_no_raw_citation_key_or_working_note_on_any_page(site_html):
    ev = load_evidence()
    notes = [n.strip() for e in ev.entries.values() for n in (e.source.citation_note, e.verification_note) if n]
    notes += [s.note.strip() for s in ev.sources.values() if s.note]
    titles = " ".join(e.source.title.lower() for e in ev.entries.values())
    for name, page in site_html["pages"].items():
        assert "[@" not in page["text"], f"{name} shows a raw citation key"
        leaked = [n for n in notes if len(n) > 12 and n in page["text"]]
        assert not leaked, f"{name} shows working notes of the evidence files: {leaked[:2]}"
        for item in (i for refs in page["references"] for i in refs["items"]):
            text = item.lower().split("available at")[0]
            found = [w for w in WORKING_NOTES if w in text and w not in titles]
            assert not found, f"{name}: working note {found} in the reference {item[:120]}"
    staged_refs = "".join(c.source for p in COURSE
                          for c in nbformat.read(site_html["staged"].out / p, as_version=4).cells)
    assert "doi.org" not in staged_refs and "hdl.handle.net/10." in staged_refs


def test_a_reader_follows_links_in_chromium(site_html):
    """Click through as a reader: the table of contents, a link in the text, a citation number (its
    folded reference list opens on the reference), then Next from the home page to the last page."""
    from playwright.sync_api import expect
    page = site_html["browser"].new_page(viewport={"width": 1280, "height": 1600})
    try:
        page.goto((site_html["out"] / "index.html").as_uri())
        page.locator(".toc a", has_text="02 Vertebroplasty step by step").click()
        expect(page.locator("h1")).to_have_text("Vertebroplasty step by step")
        page.locator("main a", has_text="01 Vertebral compression fractures").first.click()
        expect(page.locator("h1")).to_have_text("Vertebral compression fractures")
        page.go_back()
        refs = page.locator("main details", has=page.locator("summary", has_text="References"))
        expect(refs).not_to_have_attribute("open", "")
        citation = page.locator("a.xref:visible").nth(3)   # one in the text, not in a closed fold
        target = citation.get_attribute("href")
        citation.click()
        expect(refs).to_have_attribute("open", "")
        expect(page.locator(f"[id='{target[1:]}']").locator("xpath=..")).to_be_in_viewport()
        page.goto((site_html["out"] / "index.html").as_uri())
        visited = [page.locator("h1").inner_text()]
        while page.locator(".pager a[rel=next]").count():
            page.locator(".pager a[rel=next]").click()
            visited.append(page.locator("h1").inner_text())
        assert visited[1:] == [next(line for line in load_notebook(ROOT / p)["cells"][0]["source"]
                                    if line.startswith("# "))[2:].strip() for p in COURSE]
    finally:
        page.close()


def test_no_serious_accessibility_finding_on_any_page(site_html):
    """axe-core on every whole page (the course's page around the content too), with everything folded
    (code, answers, reference lists) unfolded, so that axe sees all of it."""
    from tests.browser.jlab import axe_violations
    page = site_html["browser"].new_page(viewport={"width": 1280, "height": 1600})
    try:
        for name in site_html["pages"]:
            page.goto((site_html["out"] / name).as_uri())
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            assert axe_violations(page, context=None) == [], name
    finally:
        page.close()


def test_every_page_whose_notebook_draws_a_figure_shows_it_with_alt_text(site_html):
    """As QuantEcon's pages do: each widget's first state, the notebook's own figure, is a picture on the page,
    with its alt text, above the notice to open the notebook for the interactive version."""
    drawn = site_html["staged"].pictures
    assert drawn is not None and sum(1 for n in drawn.values() if n) >= 6, drawn
    for path in COURSE:
        page = _page_of(site_html, path)
        shown = [i for i in page["images"] if i["inMain"]]
        if drawn[path]:
            assert len(shown) >= drawn[path], f"{path}: {len(shown)} pictures for {drawn[path]} drawn"
            assert all(i["alt"] and i["alt"].strip() for i in shown), f"{path}: a picture without alt text"
            assert all(i["loaded"] for i in shown), f"{path}: a picture that does not load"
        if site_html["staged"].widget_pictures[path]:   # a widget's picture stands above the notice to open it
            assert any("The picture above is this widget" in n["text"] for n in page["notices"]), path
