"""Build the course website with Jupyter Book 2 (mystmd) from the notebooks students open.

    python tools/site.py                 # `make site`: stage, build the content, write the HTML site
    python tools/site.py --content       # stage, then build only the site's content (the pages' MyST trees)
    python tools/site.py --theme book    # build the HTML with mystmd's book-theme (downloaded from GitHub)
    python tools/site.py --repo https://github.com/OWNER/REPO --hub https://hub.example.edu

The site is built from the *built* notebooks (``notebooks/NN-name.ipynb``), not from their MyST
sources: they already carry what ``make build`` renders (numbered citation links, the folded
reference list, the checked outputs), so the website shows the same numbers as JupyterLab through
one mechanism.  ``stage()`` copies them into ``build/site/`` and, for a page that has no kernel:

- puts launch buttons under each title: the notebook on Binder and on the course's JupyterHub
  (nbgitpuller), both made by :mod:`widgets.core.links` (``tools/links.py`` prints them), plus a download of the notebook itself;
- turns stored Markdown outputs (tables, the reference list) into Markdown, so that mystmd resolves
  their links and every citation number links to its reference;
- shows each widget as the notebook first draws it, a static picture with its alt text (the notebook's own
  figure: ``first_pictures`` runs the notebook on a fresh kernel and reads the pictures out of its widgets),
  as QuantEcon's lectures show their figures, and puts a notice under it: the interactive version needs a
  live kernel, and the notice says how to get one;
- draws the key-points box (an HTML ``<aside>`` in the notebook, which mystmd drops) as an admonition.

Then ``jupyter-book build --site`` (pinned in ``site/requirements.txt``) runs in ``build/site/`` and
writes the content of every page (one JSON file each, the tree a site theme draws) to
``build/site/_build/site``, without reaching any server (it names the stand-in template
``site/content-template`` and runs with :data:`OFFLINE_ENV`: ``make site`` builds offline), and
``tools/site_html.py`` renders it to HTML with mystmd's myst-to-html (``site/render.mjs``, npm packages
pinned in ``site/package-lock.json``) inside the course's own plain page (``site/page.html``,
``site/style.css``), into ``build/site/_build/html``, taking out anything in a page that would run code
(:func:`tools.site_html.safe_html`: scripts, event handlers, ``javascript:`` links).  That page stands in
for mystmd's book-theme, which mystmd downloads from GitHub and which is not on npm: where GitHub is
reachable, ``--theme book`` builds with the theme instead, and ``--theme DIR`` with a local copy.
Settings: ``site/myst.yml`` (title, theme options), ``site/index.md`` (the home page),
``site/launch.yml`` (repository, branch, hub).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from pydantic import Field, ValidationError, field_validator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so `python tools/site.py` finds the widgets package and tools/
    sys.path.insert(0, str(ROOT))

from tools.build_notebooks import WIDGET_FLAG, WIDGET_MIME  # noqa: E402
from tools import build_notebooks  # noqa: E402
from widgets.core.links import START, binder_link, nbgitpuller_link  # noqa: E402
from tools.site_html import Entry, RenderError, write_site  # noqa: E402
from widgets.core.course import load_course  # noqa: E402
from widgets.core.loading import ContentError, ContentModel, load_content  # noqa: E402
from widgets.core.text import KEY_POINTS_CLASS, KEY_POINTS_HEADING  # noqa: E402
from widgets.core.rounds import ROUNDS_CLASS, ROUNDS_HEADING, ROUNDS_TITLE  # noqa: E402

SITE_DIR = ROOT / "site"
OUT = ROOT / "build" / "site"
#: ``--theme book``: mystmd's own book-theme, which it downloads from GitHub.
BOOK_THEME = "book"
#: The template the content build names (no theme: tools/site_html.py draws the pages), so mystmd fetches none.
CONTENT_TEMPLATE = SITE_DIR / "content-template"
#: What keeps the content build off the network: mystmd asks the npm registry for its own latest version at every
#: start (an upgrade notice), which a registry address it cannot use stops, and every other request mystmd makes
#: (templates, DOIs) goes through a proxy that is a closed port on this machine, so it fails here, never reaches out.
OFFLINE_ENV = {"npm_config_registry": "file:///nonexistent/npm-registry/", "HTTPS_PROXY": "http://127.0.0.1:9",
               "HTTP_PROXY": "http://127.0.0.1:9", "API_URL": "http://127.0.0.1:9"}
#: The placeholders site/launch.yml ships with, until the repository is public and a hub is chosen.
PLACEHOLDERS = ("OWNER/REPO", "hub.example.edu")
#: What mystmd prints when it cannot fetch the site theme (jupyter-book 2.1.7 / mystmd 1.11.0).
THEME_FETCH_FAILED = re.compile(r"request to \S+/templates/site/\S+ failed|Problem (with template link|downloading "
                                r"template)")
LAUNCH_CLASS = "vkp-launch"
NOTICE_CLASS = "vkp-widget-notice"


class SiteError(Exception):
    """The site cannot be built; the message names the file or the tool and the fix."""


class Launch(ContentModel):
    """``site/launch.yml``: where the launch buttons send a reader."""

    repo: str = Field(description="the repository's address, https://github.com/OWNER/REPO")
    branch: str = Field(default="main", min_length=1)
    hub: str = Field(description="the course's JupyterHub, https://hub.example.edu")

    @field_validator("repo", "hub")
    @classmethod
    def _address(cls, value: str, info) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"'{value}' is not a web address (it must start with https://)")
        if info.field_name == "repo":
            binder_link(value)  # widgets.core.links says what a repository address must look like
        return value.rstrip("/")

    def binder(self, notebook: str = START) -> str:
        return binder_link(self.repo, self.branch, notebook)

    def jupyterhub(self, notebook: str = START) -> str:
        return nbgitpuller_link(self.hub, self.repo, self.branch, notebook=notebook)

    @property
    def placeholders(self) -> list[str]:
        return [p for p in PLACEHOLDERS if p in self.repo or p in self.hub]


def load_launch(path: Path = SITE_DIR / "launch.yml", repo: str | None = None, hub: str | None = None,
                branch: str | None = None) -> Launch:
    """The launch settings from ``site/launch.yml``; ``repo``/``hub``/``branch`` override them."""
    launch = load_content(Path(path), Launch, id_field="repo")
    changes = {k: v for k, v in {"repo": repo, "hub": hub, "branch": branch}.items() if v}
    try:
        return Launch(**{**launch.model_dump(), **changes}) if changes else launch
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        raise SiteError(msg if msg.startswith("--") else f"--{err['loc'][0]}: {msg}") from None


# -- one notebook, as a page without a kernel --------------------------------------------------
def _md(source: str, cell_id: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, id=cell_id)


def launch_markdown(launch: Launch, notebook: str, home: bool = False) -> str:
    """The launch buttons under a page's title (``notebook`` as ``notebooks/NN-name.ipynb``); on the
    home page (``home``) they open the course at its first notebook."""
    if home:
        title, lead = "Run the course", ("The course runs in JupyterLab. Open it at its first notebook, "
                                         "*Start here*, then choose *Run → Run All Cells*:")
    else:
        title, lead = "Run this notebook", (
            "This page shows the notebook's text, tables and checked results. Its interactive widgets "
            "need a live Python kernel, so open the notebook itself, then choose *Run → Run All Cells*:")
    return (f":::{{admonition}} {title}\n:class: tip {LAUNCH_CLASS}\n{lead}\n\n"
            f"{{button}}`Open on Binder <{launch.binder(notebook)}>` "
            f"{{button}}`Open on the course JupyterHub <{launch.jupyterhub(notebook)}>`\n\n"
            "Binder is free and needs no account, but it forgets your answers when you close the tab "
            "(export them first); the course JupyterHub keeps them in your own folder.\n:::")


def widget_notice(launch: Launch, notebook: str, pictured: bool = False) -> str:
    """What a page shows where a widget would be (``pictured``: under the picture of its first state)."""
    what = ("The picture above is this widget as the notebook first draws it. This website cannot run Python, "
            "so the interactive version is not on this page." if pictured else
            "A widget runs here in the notebook. This website cannot run Python, so the widget is "
            "missing from this page.")
    return (f":::{{note}} Interactive widget: it needs a live Python kernel\n:class: {NOTICE_CLASS}\n"
            f"{what} To use it, open the notebook on [Binder]({launch.binder(notebook)}) "
            f"or on [the course JupyterHub]({launch.jupyterhub(notebook)}) and run all cells, "
            "or on your own computer with `make lab`.\n:::")


# -- each widget's first state, as a picture -----------------------------------------------------
#: A picture inside a widget's HTML (widgets.core.figures.img_html): its type, data and alt text.
_IMG = re.compile(r'<img\b[^>]*?\bsrc="data:(image/(?:png|jpeg|gif));base64,([^"]+)"[^>]*>', re.I)
_ALT = re.compile(r'\balt="([^"]*)"', re.I)


@dataclass(frozen=True)
class Picture:
    mime: str
    data: str    # base64, as the widget (or the cell's output) held it
    alt: str
    widget: bool = True   # a widget's first state (a notice follows it), or a static figure the cell displays


def widget_pictures(state: dict, model_id: str) -> list[Picture]:
    """The pictures a widget shows (``state``: the kernel's widget state by model id), in the order a reader
    meets them, leaving out what the widget hides (a layout with ``display: none``)."""
    import html as html_lib
    found: list[Picture] = []
    seen: set[str] = set()

    def visit(mid: str) -> None:
        if mid in seen or mid not in state:
            return
        seen.add(mid)
        model = state[mid].get("state", {})
        layout = str(model.get("layout", "")).removeprefix("IPY_MODEL_")
        if state.get(layout, {}).get("state", {}).get("display") == "none":
            return
        texts = [model.get("value")] if isinstance(model.get("value"), str) else []
        for out in model.get("outputs", []) or []:
            data = out.get("data", {}) if isinstance(out, dict) else {}
            for mime in ("image/png", "image/jpeg"):
                if data.get(mime):
                    found.append(Picture(mime, "".join(data[mime]).strip(), "".join(data.get("text/plain", ""))))
            texts.append("".join(data.get("text/html", "")))
        for text in texts:
            for m in _IMG.finditer(text or ""):
                alt = _ALT.search(m.group(0))
                found.append(Picture(m.group(1).lower(), m.group(2), html_lib.unescape(alt.group(1)) if alt else ""))
        for child in model.get("children", []) or []:
            visit(str(child).removeprefix("IPY_MODEL_"))

    visit(model_id)
    return [p for p in found if p.alt.strip()]   # a picture without alt text is decoration, not a figure


def output_pictures(outputs: list) -> list[Picture]:
    """The pictures with alt text among a cell's outputs (a static figure: widgets.core.figures.show_figure)."""
    import html as html_lib
    found = []
    for out in outputs:
        data = out.get("data", {}) if isinstance(out.get("data"), dict) else {}
        if WIDGET_MIME in data:
            continue
        for mime in ("image/png", "image/jpeg"):
            if data.get(mime):
                found.append(Picture(mime, "".join(data[mime]).strip(), "".join(data.get("text/plain", "")), False))
        for m in _IMG.finditer("".join(data.get("text/html", ""))):
            alt = _ALT.search(m.group(0))
            found.append(Picture(m.group(1).lower(), m.group(2), html_lib.unescape(alt.group(1)) if alt else "", False))
    return [p for p in found if p.alt.strip()]


def first_pictures(source: Path) -> dict[int, list[Picture]]:
    """Cell index -> the pictures it shows when ``source`` (a notebook's MyST source) has just run on a fresh
    kernel: the notebook's own figures, its widgets' in their first state, and the static figures of cells whose
    outputs the built notebook does not store (those it stores, the page shows already)."""
    nb = build_notebooks.build(source)
    stored = {i for i, c in enumerate(nb.cells)
              if c.cell_type == "code" and build_notebooks.CHECK in c.metadata.get("tags", [])}
    for cell in nb.cells:   # this copy is the site's only: keep every output the run displays
        if cell.cell_type == "code" and build_notebooks.CHECK not in cell.metadata.get("tags", []):
            cell.metadata["tags"] = [*cell.metadata.get("tags", []), build_notebooks.CHECK]
    state, views = build_notebooks.execute(nb, source.parent, str(source), pictures="read")
    out = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        pictures = [p for mid in views.get(i, []) for p in widget_pictures(state, mid)]
        if i not in stored:
            pictures += output_pictures(cell.get("outputs", []))
        if pictures:
            out[i] = pictures
    return out


def picture_output(picture: Picture) -> nbformat.NotebookNode:
    """A picture as a stored output the site draws as an image, its alt text as the output's text."""
    return nbformat.v4.new_output("display_data", data={picture.mime: picture.data, "text/plain": picture.alt})


def _is_widget(output) -> bool:
    """A stored widget: its view (older notebooks) or the flag `make build` leaves where it dropped the view."""
    return WIDGET_MIME in output.get("data", {}) or bool(output.get("metadata", {}).get(WIDGET_FLAG))


def _is_hidden_helper(output) -> bool:
    """A widget the notebook keeps out of sight (``layout.display='none'``), like the reference opener."""
    return "display='none'" in "".join(output.get("data", {}).get("text/plain", ""))


def _displays_something(source: str) -> bool:
    """Whether a cell's last statement is an expression, i.e. Jupyter displays its value."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and isinstance(body[-1], ast.Expr)


def has_live_widget(cell) -> bool:
    """A code cell whose display only a running kernel can show: a widget in its stored outputs, or a
    displayed value that `make build` did not store (every unchecked output is a widget or a figure
    redrawn by one)."""
    if cell.cell_type != "code":
        return False
    widgets = [o for o in cell.outputs if _is_widget(o)]
    if any(not _is_hidden_helper(o) for o in widgets):
        return True
    return not cell.outputs and _displays_something(cell.source)


#: A citation's anchor in a built notebook: links ``(#ref-3 "..."`` / ``href="#ref-3"``, targets ``id="ref-3"``.
_ANCHOR = re.compile(r'(\(#|href="#|id=")ref-(\d+)\b')


#: A DOI link as the references print it: ``(https://doi.org/10.1000/xyz)`` or ``href="https://doi.org/..."``.
_DOI_LINK = re.compile(r'(\(|href=")https://doi\.org/(10\.)')


def page_anchors(text: str, prefix: str) -> str:
    """Give a page's reference anchors its own names (``ref-3`` -> ``nb-02-vertebroplasty-ref-3``): mystmd
    resolves a target across the whole site, and every notebook has a reference 3.  The name starts with a
    letter because mystmd renames an id that starts with a digit (``id-02-...``) in Markdown but not in an
    HTML output (the quiz's patient card), whose links would then point nowhere."""
    return _ANCHOR.sub(lambda m: f"{m.group(1)}nb-{prefix}-ref-{m.group(2)}", text)


def plain_doi_links(text: str) -> str:
    """Send DOI links through the Handle System's proxy (``hdl.handle.net``), which resolves every DOI
    as doi.org does.  mystmd turns any doi.org link into a citation of its own (looked up on doi.org,
    shown as "Author (year)" with a second, mystmd-made reference list): one numbered list is enough."""
    return _DOI_LINK.sub(lambda m: f"{m.group(1)}https://hdl.handle.net/{m.group(2)}", text)


#: The key-points box `make build` draws (widgets.core.text.box_key_points): an HTML <aside> around the heading and
#: its list, which JupyterLab shows and mystmd drops.
_KEY_POINTS = re.compile(rf'<aside class="{KEY_POINTS_CLASS}"[^>]*>\s*{re.escape(KEY_POINTS_HEADING)}[ \t]*\n(.*?)\n\s*</aside>',
                         re.S)


def key_points_admonition(text: str) -> str:
    """The key-points box as the website draws it: a titled admonition of the same class; the ward-round box
    (widgets.core.rounds) the same way, under its own title."""
    text = _ROUNDS.sub(lambda m: f":::{{admonition}} {ROUNDS_TITLE}\n:class: {ROUNDS_CLASS}\n"
                                 f"{m.group(1).strip()}\n:::", text)
    return _KEY_POINTS.sub(lambda m: f":::{{admonition}} Key points\n:class: {KEY_POINTS_CLASS}\n"
                                     f"{m.group(1).strip()}\n:::", text)


_ROUNDS = re.compile(rf'<aside class="{ROUNDS_CLASS}"[^>]*>\s*{re.escape(ROUNDS_HEADING)}[ \t]*\n(.*?)\n\s*</aside>',
                     re.S)


def page_notebook(nb: nbformat.NotebookNode, launch: Launch, notebook: str,
                  download: str | None = None, pictures: dict[int, list[Picture]] | None = None) -> nbformat.NotebookNode:
    """``nb`` (a built course notebook) as a website page; ``notebook`` is its path in the repository,
    ``download`` the path (from the staged page) of the file readers download, ``pictures`` each widget cell's
    first state (:func:`first_pictures`)."""
    pictures = pictures or {}
    page = nbformat.v4.new_notebook(metadata=dict(nb.metadata))
    prefix = Path(notebook).stem
    cells = []
    for i, cell in enumerate(nb.cells):
        cell = nbformat.from_dict(json.loads(json.dumps(cell)))  # a copy: the committed notebook stays as is
        cid = f"{prefix}-{cell.get('id', f'cell-{i:02d}')}"   # ids, too, are resolved site-wide
        cell["id"] = cid
        if cell.cell_type != "code":
            cell.source = key_points_admonition(plain_doi_links(page_anchors(cell.source, prefix)))
            cells.append(cell)
            if i == 0:
                cells.append(_md(launch_markdown(launch, notebook), f"{cid}-launch"))
            continue
        live = has_live_widget(cell)
        kept, as_markdown = [], []
        for out in cell.outputs:
            data = out.get("data", {})
            if _is_widget(out):
                continue  # no widget state is stored, so no theme could draw it
            if "text/markdown" in data:
                as_markdown.append(plain_doi_links(page_anchors("".join(data["text/markdown"]), prefix)))
            else:
                if "text/html" in data:   # an HTML card (the quiz's patient card) links its citations too
                    data["text/html"] = plain_doi_links(page_anchors("".join(data["text/html"]), prefix))
                kept.append(out)
        shown = pictures.get(i, [])
        if live and shown and not any(p.widget for p in shown):
            live = False   # what the run displayed is a static figure, now on the page: nothing more to open
        cell.outputs = kept + [picture_output(p) for p in shown]
        cells.append(cell)
        cells += [_md(text, f"{cid}-out{j}") for j, text in enumerate(as_markdown)]
        if live:
            pictured = any(p.widget for p in shown)
            cells.append(_md(widget_notice(launch, notebook, pictured=pictured), f"{cid}-widget"))
    if download and cells and cells[0].cell_type == "markdown":
        front = yaml.safe_dump({"downloads": [{"file": download, "title": "This notebook (.ipynb)"}]},
                               sort_keys=False)
        cells[0].source = f"---\n{front}---\n{cells[0].source}"
    page.cells = cells
    nbformat.validate(page)
    return page


# -- the whole site ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Staged:
    out: Path
    notebooks: list[str]  # repository paths, in course order
    launch: Launch
    entries: list[Entry]  # the table of contents: the home page, then the notebooks
    project: dict         # the `project` section of the staged myst.yml
    pictures: dict[str, int] | None = None   # repository path -> how many pictures of its figures its page shows
    widget_pictures: dict[str, int] | None = None   # ... of which widgets' first states (each above its notice)
    figure_cells: dict[str, int] | None = None   # ... how many cells show a static figure (no widget, no notice)


def _myst_config(launch: Launch, notebooks: list[str], theme: str | None) -> dict:
    path = SITE_DIR / "myst.yml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        project, site = config["project"], config["site"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise SiteError(f"{path.relative_to(ROOT)}: cannot be read as a MyST config with 'project' and "
                        f"'site' sections ({exc}). Fix: restore it from git") from None
    if "toc" in project:
        raise SiteError(f"{path.relative_to(ROOT)}, field 'project.toc': the table of contents is made from "
                        "widgets/content/course.yaml. Fix: delete 'toc' and list notebooks in course.yaml")
    project["github"] = launch.repo
    project["toc"] = [{"file": "index.md"}] + [{"file": nb} for nb in notebooks]
    if theme and theme != BOOK_THEME:
        site["template"] = str(Path(theme).resolve())
    elif not theme:
        site["template"] = str(CONTENT_TEMPLATE)
    return config


def stage(out: Path = OUT, launch: Launch | None = None, theme: str | None = None, pictures: bool = True) -> Staged:
    """Write the site's sources into ``out``: myst.yml, the home page and one page per notebook (with its
    widgets' first pictures, unless ``pictures`` is False: that runs every notebook, a minute or two)."""
    launch = launch or load_launch()
    course = load_course()
    notebooks = [f"notebooks/{n.file}" for n in course.notebooks]
    missing = [nb for nb in notebooks if not (ROOT / nb).exists()]
    if missing:
        raise SiteError(f"widgets/content/course.yaml lists {', '.join(missing)}, which does not exist. "
                        "Fix: build it (`make build`) or correct course.yaml")
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    (out / "downloads").mkdir()
    config = _myst_config(launch, notebooks, theme)
    (out / "myst.yml").write_text("# Written by tools/site.py (`make site`) from site/myst.yml: do not edit.\n"
                                  + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    # site/index.md links the repository as https://github.com/OWNER/REPO (branch main): the real ones here.
    home = (SITE_DIR / "index.md").read_text(encoding="utf-8")
    home = home.replace("https://github.com/OWNER/REPO/blob/main/", f"{launch.repo}/blob/{launch.branch}/")
    (out / "index.md").write_text(home.replace("https://github.com/OWNER/REPO", launch.repo), encoding="utf-8")
    (out / "_launch.md").write_text(launch_markdown(launch, START, home=True) + "\n", encoding="utf-8")
    (out / "_course-map.md").write_text(course.markdown_table(link_prefix="notebooks/") + "\n", encoding="utf-8")
    counted: dict[str, int] = {}
    of_widgets: dict[str, int] = {}
    static: dict[str, int] = {}
    for nb_path in notebooks:
        name = Path(nb_path).name
        shutil.copy(ROOT / nb_path, out / "downloads" / name)
        nb = nbformat.read(ROOT / nb_path, as_version=4)
        shown = first_pictures((ROOT / nb_path).with_suffix(".md")) if pictures else None
        page = page_notebook(nb, launch, nb_path, download=f"../downloads/{name}", pictures=shown)
        counted[nb_path] = sum(len(p) for p in (shown or {}).values())
        of_widgets[nb_path] = sum(1 for ps in (shown or {}).values() for p in ps if p.widget)
        static[nb_path] = sum(1 for ps in (shown or {}).values() if not any(p.widget for p in ps))
        nbformat.write(page, str(out / nb_path))
    def entry(location: str, label: str, source: str) -> Entry:
        return Entry(location, label, source, f"{launch.repo}/blob/{launch.branch}/{source}")

    entries = [entry("/index.md", "Home", "site/index.md")]
    entries += [entry(f"/{nb}", f"{n.file[:2]} {n.title}", str(Path(nb).with_suffix(".md")))
                for n, nb in zip(course.notebooks, notebooks)]
    return Staged(out, notebooks, launch, entries, config["project"], counted if pictures else None,
                  of_widgets if pictures else None, static if pictures else None)


def jupyter_book(out: Path, *args: str, offline: bool = True) -> subprocess.CompletedProcess:
    """Run the pinned Jupyter Book in ``out``; never ask to install Node (CI has no one to answer), and, unless
    ``offline=False`` (a theme to download), let it reach no server (:data:`OFFLINE_ENV`)."""
    env = {**os.environ, "JB_ALLOW_NODEENV": "no", "NO_COLOR": "1", "FORCE_COLOR": "0",
           **(OFFLINE_ENV if offline else {})}
    try:
        return subprocess.run([sys.executable, "-m", "jupyter_book", "build", *args], cwd=out, env=env,
                              capture_output=True, text=True, timeout=600)
    except FileNotFoundError as exc:
        raise SiteError(f"cannot run Jupyter Book ({exc})") from None


def jupyter_book_installed() -> bool:
    import importlib.util
    return importlib.util.find_spec("jupyter_book") is not None


def _need_jupyter_book() -> None:
    if not jupyter_book_installed():
        raise SiteError("Jupyter Book is not installed in this Python. Fix: `make site-tools` installs it "
                        "(site/requirements.txt), or `python -m pip install -r site/requirements.txt`")


def build_content(staged: Staged) -> Path:
    """Have Jupyter Book build every page's content (``_build/site``: one JSON tree per page, and the
    files the pages link to in ``public/``); return that folder."""
    _need_jupyter_book()
    result = jupyter_book(staged.out, "--site", "--strict")
    log = result.stdout + result.stderr
    # mystmd writes every page's content first, then asks the template which options it takes.  The course's
    # stand-in template (site/content-template) answers from this machine; with a theme named for the content
    # build, which is not fetched here (OFFLINE_ENV), that last step fails and the content is complete.
    if result.returncode == 0 or (THEME_FETCH_FAILED.search(log) and "Built " in log
                                  and (staged.out / "_build" / "site" / "content").is_dir()):
        return staged.out / "_build" / "site"
    raise SiteError(_failed(log))


def build_html(staged: Staged) -> Path:
    """The website as static HTML (``_build/html``): the pages' content rendered by myst-to-html inside
    the course's plain page (tools/site_html.py); return its folder."""
    content = build_content(staged)
    html = staged.out / "_build" / "html"
    try:
        write_site(content, html, staged.entries, staged.project)
    except RenderError as exc:
        raise SiteError(str(exc)) from None
    return html


def build_with_theme(staged: Staged) -> Path:
    """The website as mystmd's theme draws it (``--theme book`` or a theme's folder): needs the theme."""
    _need_jupyter_book()
    result = jupyter_book(staged.out, "--html", "--strict", offline=False)
    if result.returncode == 0:
        return staged.out / "_build" / "html"
    log = result.stdout + result.stderr
    if not THEME_FETCH_FAILED.search(log):
        raise SiteError(_failed(log))
    raise SiteError("Jupyter Book could not download the site theme (book-theme), which it looks up on "
                    "api.mystmd.org and downloads from GitHub:\n" + _tail(log, 3) + "\nFix: build where GitHub "
                    "is reachable, name a copy of the theme (`make site SITE_THEME=/path/to/book-theme`), or "
                    "leave SITE_THEME out: `make site` then renders the pages with myst-to-html, which needs no "
                    "download")


def _failed(log: str) -> str:
    return ("Jupyter Book failed (with --strict, a warning is a failure: a broken link, a missing file, "
            "a bad directive):\n" + _tail(log, 40))


def _tail(log: str, lines: int = 12) -> str:
    kept = [ln for ln in log.splitlines()
            if ln.strip() and not ln.startswith((" - ", "Myst CLI Versions")) and "myst templates list" not in ln]
    return "\n".join("    " + ln for ln in kept[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", action="store_true",
                        help="build the site's content only (the pages' MyST trees, no HTML)")
    parser.add_argument("--theme", default=os.environ.get("SITE_THEME") or None,
                        help="build the HTML with a mystmd site theme: 'book' (downloaded from GitHub) or the "
                             "folder of a local copy (default: the pages rendered by myst-to-html)")
    parser.add_argument("--out", type=Path, default=OUT, help="where to stage and build (default: build/site)")
    parser.add_argument("--repo", help="repository address for the launch buttons (default: site/launch.yml)")
    parser.add_argument("--hub", help="JupyterHub address for the launch buttons (default: site/launch.yml)")
    parser.add_argument("--branch", help="branch the launch buttons open (default: site/launch.yml)")
    parser.add_argument("--no-pictures", action="store_true",
                        help="leave out the pictures of the widgets' first states (they run every notebook)")
    args = parser.parse_args(argv)
    try:
        launch = load_launch(repo=args.repo, hub=args.hub, branch=args.branch)
        if args.theme not in (None, BOOK_THEME) and not (Path(args.theme) / "template.yml").exists():
            raise SiteError(f"--theme {args.theme}: no template.yml there. Fix: name the folder of a MyST "
                            f"site theme (such as book-theme), or '{BOOK_THEME}' to download book-theme")
        staged = stage(args.out, launch, args.theme, pictures=not args.no_pictures)
        print(f"staged {len(staged.notebooks)} notebooks and the home page in {staged.out}")
        for p in launch.placeholders:
            print(f"warning: site/launch.yml still has the placeholder '{p}': the launch buttons will not work "
                  "until you set the real repository and hub there (or pass --repo/--hub)", file=sys.stderr)
        if args.content:
            built = build_content(staged)
        elif args.theme:
            built = build_with_theme(staged)
        else:
            built = build_html(staged)
    except (SiteError, ContentError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.content:
        print(f"built the site content in {built}")
    else:
        print(f"built the HTML site in {built}: open index.html there to look at it, and publish that "
              "folder as it is (any static web host)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
