"""The course website as static HTML: mystmd's page content, rendered by mystmd's myst-to-html.

``tools/site.py`` (``make site``) has Jupyter Book 2 build the site's content: one JSON file per page
(``_build/site/content/``, the MyST tree the site themes draw) and the files the pages link to
(``_build/site/public/``).  This module turns that into a website without a theme:

- ``render_bodies`` runs ``site/render.mjs`` (Node), which renders every page's tree to HTML with
  myst-to-html (pinned in ``site/package.json`` and ``site/package-lock.json``; ``make site-tools``
  installs it with ``npm ci``);
- ``write_site`` puts each body in the course's page (``site/page.html``: title, the course's table of
  contents, previous/next links, the notebook's download, ``site/style.css``) and copies the public files.

The pages are plain files side by side (``index.html``, ``vertebroplasty.html``, ...) with relative
links, so the folder works from any address, from a static web host or straight from the disk.
This stands in for mystmd's book-theme only because the theme cannot be downloaded here;
``make site SITE_THEME=book`` builds with the theme where it can.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from string import Template

SITE_DIR = Path(__file__).resolve().parents[1] / "site"
RENDERER = SITE_DIR / "render.mjs"
ASSETS = ("style.css", "site.js")


class RenderError(Exception):
    """The HTML cannot be written; the message names the tool or file and the fix."""


@dataclass(frozen=True)
class Entry:
    """One page of the table of contents, in course order."""

    location: str           # the page's source in the staged site, as mystmd records it: "/notebooks/02-x.ipynb"
    label: str              # what the table of contents calls it: "02 Vertebroplasty step by step"
    source: str             # the file an author edits, in the repository: "notebooks/02-x.md"
    source_url: str         # that file on the repository's web site


def render_bodies(content: Path) -> dict[str, str]:
    """Every page's body HTML by slug, rendered by myst-to-html from ``content`` (``_build/site``)."""
    if not shutil.which("node"):
        raise RenderError("Node.js is not installed; the website's renderer runs on it. "
                          "Fix: install Node.js 18 or newer (`apt-get install nodejs`)")
    if not (SITE_DIR / "node_modules" / "myst-to-html").is_dir():
        raise RenderError("site/node_modules has no myst-to-html. Fix: `make site-tools` "
                          "(runs `npm ci` in site/, from site/package-lock.json)")
    result = subprocess.run(["node", str(RENDERER), str(content / "content"), str(content / "public")],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RenderError(f"site/render.mjs failed:\n{result.stderr.strip()[-3000:]}")
    return json.loads(result.stdout)


def _link(href: str, text: str, **attrs: str) -> str:
    if not safe_url(href):
        return html.escape(text)                  # an address that would run code is no link (the text stays)
    extra = "".join(f' {k.replace("_", "-")}="{html.escape(v)}"' for k, v in attrs.items())
    return f'<a href="{html.escape(href)}"{extra}>{html.escape(text)}</a>'


# --------------------------------------------------------------------------- nothing on a page runs but site.js

#: Attributes whose value is an address the browser follows or loads.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
                  "longdesc", "manifest", "ping", "srcset", "imagesrcset"}
_SAFE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp)[;,]", re.I)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)


def safe_url(value: str) -> bool:
    """Whether an address may stay on a page: relative, ``#anchor``, http(s), mailto, or a data image; never
    ``javascript:``, ``vbscript:`` or another data URL (however spaced, cased or escaped)."""
    compact = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(value or ""))
    scheme = _SCHEME.match(compact)
    if not scheme:
        return True
    name = scheme.group(1).lower()
    return name in {"http", "https", "mailto"} or (name == "data" and bool(_SAFE_DATA.match(compact)))


class _Unsafe(HTMLParser):
    """Finds what would run code in a page body: script elements, event-handler attributes, and addresses
    :func:`safe_url` refuses.  Records (start, end, replacement) edits on the original text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.edits: list[tuple[int, int, str]] = []
        self.script_from: int | None = None

    def _at(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs, closed=True)

    def _tag(self, tag, attrs, closed):
        start = self._at()
        raw = self.get_starttag_text() or ""
        if tag == "script":
            if self.script_from is None:
                self.script_from = start
            if closed:
                self.edits.append((start, start + len(raw), ""))
                self.script_from = None
            return
        kept = [(k, v) for k, v in attrs if not k.startswith("on") and not (k in URL_ATTRIBUTES and not
                                                                             _all_safe(k, v))]
        if len(kept) != len(attrs):
            attributes = "".join(f" {k}" if v is None else f' {k}="{html.escape(v, quote=True)}"' for k, v in kept)
            self.edits.append((start, start + len(raw), f"<{tag}{attributes}{' /' if closed else ''}>"))

    def handle_endtag(self, tag):
        if tag == "script" and self.script_from is not None:
            end = self.text.find(">", self._at()) + 1
            self.edits.append((self.script_from, end, ""))
            self.script_from = None


def _all_safe(name: str, value: str | None) -> bool:
    if value is None:
        return True
    if name in ("srcset", "imagesrcset"):
        return all(safe_url(part.strip().split(" ")[0]) for part in value.split(","))
    return safe_url(value)


def safe_html(body: str) -> str:
    """``body`` with every script element, event handler (``onclick=...``) and code-running address
    (``javascript:``) taken out, and nothing else changed: a page's own text, links and outputs stay as they are.
    The site's pages come from the notebooks' text and stored outputs; none of them may run code on a reader's
    browser (site/site.js, the page's own script, is in site/page.html, not in a body)."""
    parser = _Unsafe(body)
    parser.feed(body)
    parser.close()
    if parser.script_from is not None:                 # a script never closed: drop it to the end
        parser.edits.append((parser.script_from, len(body), ""))
    out, at = [], 0
    for start, end, replacement in sorted(parser.edits):
        if start < at:
            continue                                   # inside a script already taken out
        out += [body[at:start], replacement]
        at = end
    return "".join(out) + body[at:]


def write_site(content: Path, out: Path, entries: list[Entry], project: dict) -> list[Path]:
    """Write the website into ``out`` (emptied first): one page per entry, in their order.
    ``project`` is the ``project`` section of the staged ``myst.yml`` (title, description, license)."""
    pages = {}
    for path in (content / "content").glob("*.json"):
        page = json.loads(path.read_text(encoding="utf-8"))
        pages[page["location"]] = page
    missing = [e.location for e in entries if e.location not in pages]
    if missing:
        raise RenderError(f"Jupyter Book built no page for {', '.join(missing)} (in {content / 'content'}). "
                          "Fix: check the table of contents in the staged myst.yml")
    bodies = render_bodies(content)
    template = Template((SITE_DIR / "page.html").read_text(encoding="utf-8"))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for asset in ASSETS:
        shutil.copy(SITE_DIR / asset, out / asset)

    slugs = [pages[e.location]["slug"] for e in entries]
    written = []
    for i, (entry, slug) in enumerate(zip(entries, slugs)):
        front = pages[entry.location]["frontmatter"]
        nav = [(f"{s}.html", e.label) for e, s in zip(entries, slugs)]
        page = template.substitute(_fields(entry, front, project, nav, i), body=safe_html(bodies[slug]))
        target = out / f"{slug}.html"
        target.write_text(page, encoding="utf-8")
        written.append(target)
        _copy_linked(page, content / "public", out)
    return written


def _fields(entry: Entry, front: dict, project: dict, nav: list[tuple[str, str]], i: int) -> dict[str, str]:
    """What ``site/page.html`` shows around page ``i`` of ``nav`` (file, label) besides its body;
    ``front`` is the page's frontmatter as mystmd resolved it."""
    site_title, title = project.get("title", ""), front.get("title") or entry.label
    toc = "\n".join(f"        <li>{_link(href, label, **({'aria_current': 'page'} if j == i else {}))}</li>"
                    for j, (href, label) in enumerate(nav))
    pager = []
    if i > 0:
        pager.append(_link(nav[i - 1][0], f"Previous: {nav[i - 1][1]}", rel="prev"))
    if i + 1 < len(nav):
        pager.append(_link(nav[i + 1][0], f"Next: {nav[i + 1][1]}", rel="next"))
    downloads = "".join(
        '\n        <p class="downloads">'
        + _link(d["url"].lstrip("/"), f"Download the notebook ({d['filename']})", download=d["filename"]) + "</p>"
        for d in front.get("downloads", []))
    licenses = {kind: _link(lic["url"], lic["id"]) if lic.get("url") else html.escape(lic.get("id", ""))
                for kind, lic in front.get("license", {}).items()}
    return {
        "head_title": html.escape(title if i == 0 else f"{title} | {site_title}"),
        "description": html.escape(" ".join(project.get("description", "").split())),
        "site_title": html.escape(site_title), "title": html.escape(title),
        "subtitle": (f'        <p class="subtitle">{html.escape(front["subtitle"])}</p>'
                     if front.get("subtitle") else ""),
        "downloads": downloads, "toc": toc, "pager": "\n".join(f"      {p}" for p in pager),
        "license_content": licenses.get("content", "see the repository"),
        "license_code": licenses.get("code", "see the repository"),
        "source": f" This page is built from {_link(entry.source_url, entry.source)}.",
    }


#: A link or image to a file beside the page (no scheme, no folder, no anchor): a download or an output.
_LOCAL_FILE = re.compile(r'(?:href|src)="([^"#?:/]+\.[A-Za-z0-9]+)"')


def _copy_linked(page: str, public: Path, out: Path) -> None:
    """Copy the files of ``public`` that ``page`` links to (mystmd's public folder also holds exports
    of the staged pages, which no page offers)."""
    for name in set(_LOCAL_FILE.findall(page)):
        if (public / name).is_file():
            shutil.copy(public / name, out / name)
