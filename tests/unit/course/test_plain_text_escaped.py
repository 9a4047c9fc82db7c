"""Issue 21: "a `<script>` in a content title runs in JupyterLab".  JupyterLab renders a notebook's own Markdown
and HTML outputs as trusted, so a script that reaches them runs; plain-text content fields (titles, labels,
authors, captions) must reach them as text.

Every ``title`` in a copy of the course's content is given a script and a ``javascript:`` link; a child process
reads that copy (the settings' ``content_dir``) and builds what the notebooks show: the course map, the
reference lists and citation links, the step, rule, outcome, anatomy and after-care tables, the teaching
sections, the order feedback, the quiz's cards and rule tables, and the class debrief's tables.  The Markdown is
rendered to HTML as JupyterLab does (CommonMark with raw HTML allowed, tables), and no script element, event
handler or ``javascript:`` link may come out, while the titles still read as typed.
(tests/browser/test_script_in_title_in_lab.py shows the same in a real JupyterLab.)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from tests.conftest import ROOT

ATTACK = " <script>x()</script>[go](javascript:x())"
#: The same attack in other words for what decides a case (the rules' and red flags' titles): the bank refuses a
#: case title that shares a key word with what decides it, and the two attacks share none.
ATTACK_DECIDING = " <img src=x onerror=x()>[go](vbscript:x())"
DECIDING_FILES = ("candidacy_rules.yaml", "practice_rules.yaml", "red_flags.yaml", "reason_families.yaml")
TITLE = re.compile(r"^(\s*(?:-\s+)?)(title:\s*)(\S.*)$")


def hostile_content(folder: Path) -> int:
    """A copy of widgets/content with ATTACK after every one-line title (cut to fit the fields' length limits)."""
    shutil.copytree(ROOT / "widgets" / "content", folder)
    changed = 0
    for path in folder.rglob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        out = []
        for i, line in enumerate(lines):
            m = TITLE.match(line.rstrip("\n"))
            following = lines[i + 1] if i + 1 < len(lines) else ""
            continued = following.strip() and len(following) - len(following.lstrip()) > len(m.group(1)) if m else False
            if m and not continued and not m.group(3).startswith(("|", ">")):
                value = yaml.safe_load(m.group(3))
                if isinstance(value, str):
                    attack = ATTACK_DECIDING if path.name in DECIDING_FILES else ATTACK
                    line = m.group(1) + m.group(2) + json.dumps(value[:18] + attack) + "\n"
                    changed += 1
            out.append(line)
        path.write_text("".join(out), encoding="utf-8")
    return changed


BUILD = r"""
import json, sys
from pathlib import Path
from widgets.core.settings import current_settings, use_settings
hostile = use_settings(current_settings().replace(content_dir=Path(sys.argv[1])))
hostile.__enter__()       # for the rest of this script (kept referenced, so the block does not close)

from widgets.core.citations import Citations
from widgets.core.course import load_course
from widgets.core.evidence import load_evidence
from widgets.core import sections
from widgets.outcomes.model import default_outcomes, outcome_table_md
from widgets.recovery.model import aftercare_markdown, timeline_markdown
from widgets.procedures.steps import load_procedure, steps_markdown, comparison_markdown, grade_order
from widgets.candidacy.rules import rules_markdown
from widgets.candidacy.cards_view import example_case, standards_tables
from widgets.imaging import facts
from widgets.fractures.texts import epidemiology_text
from widgets.classroom import results as cr
from widgets.classroom import results_view as rv

cites = Citations()
md, html = {}, {}
md["course map"] = load_course().markdown_table(link_prefix="notebooks/")
evidence = load_evidence()
for key in list(evidence.sources) + list(evidence.entries):
    md["citation link " + key] = cites.cited(f"A sentence [@{key}].")
md["reference list"] = cites.references_md()
for oid, outcome in default_outcomes().outcomes.items():
    md["outcome " + oid] = outcome_table_md(outcome, cites)
md["after-care"] = aftercare_markdown(cites)
md["timeline"] = timeline_markdown(cites)
vp, kp = load_procedure("vertebroplasty"), load_procedure("kyphoplasty")
md["steps"] = steps_markdown(vp, cites) + "\n\n" + steps_markdown(kp, cites)
md["comparison"] = comparison_markdown(vp, kp, cites)
md["order feedback"] = grade_order(vp, list(reversed(vp.step_ids))).summary(vp)
md["rules"] = rules_markdown(cites)
md["anatomy"] = facts.anatomy_table(cites)
md["margins"] = facts.safety_margins(cites)
md["examples"] = facts.worked_examples(cites)
md["epidemiology"] = epidemiology_text(cites)
for s in sections.load_sections():
    md["section " + s.id] = sections.section_markdown(s.id, cites, fold_title="More")
html["case card"] = example_case("c05-breast-metastasis", citations=cites).data
html["generated card"] = example_case(seed=5, citations=cites).data
html["standards"] = standards_tables(cites).data
results = cr.read_class_folder(sys.argv[2], secret=b"test")
for view in (rv.rule_table, rv.case_table, rv.misconception_table, rv.standards_table, rv.exercise_table,
             rv.ordering_table, rv.per_student_rule_table):
    html["debrief " + view.__name__] = view(results).data
print(json.dumps({"markdown": md, "html": html}))
"""


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """What the notebooks show, built from content whose every title carries a script."""
    tmp = tmp_path_factory.mktemp("hostile")
    assert hostile_content(tmp / "content") > 100
    done = subprocess.run([sys.executable, "-c", BUILD, str(tmp / "content"), str(ROOT / "lessons" / "sample-exports")],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


RENDER = MarkdownIt("commonmark", {"html": True}).enable("table")
class _Markup(HTMLParser):
    """The markup in a page that could run code or fetch from elsewhere: script elements, img elements other than
    the course's own pictures (an embedded ``data:image/png`` or ``jpeg``, as a case card's x-ray), event-handler
    attributes, script links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src") or ""
        if tag == "script" or (tag == "img" and not re.match(r"data:image/(?:png|jpeg);base64,[A-Za-z0-9+/=]+$", src)):
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name.lower() in ("href", "src") and re.match(r"\s*(?:java|vb)script:", value or "", re.I):
                self.found.append(f"{name}={value} on <{tag}>")


def danger(html_text: str) -> list[str]:
    parser = _Markup()
    parser.feed(html_text)
    parser.close()
    return parser.found


def test_every_title_is_in_what_was_built(shown):
    """The attack reached the builders (else the test below would prove nothing)."""
    text = json.dumps(shown)
    assert text.count("x()") > 100
    assert "&lt;script&gt;x()&lt;/script&gt;" in shown["html"]["case card"]
    assert "&lt;script&gt;x()&lt;/script&gt;\\[go\\](javascript:x())" in shown["markdown"]["course map"]


@pytest.mark.parametrize("kind", ["markdown", "html"])
def test_no_title_becomes_a_script_or_a_link_in_a_notebook(shown, kind):
    unsafe = {}
    for name, text in shown[kind].items():
        rendered = RENDER.render(text) if kind == "markdown" else text
        found = danger(rendered)
        if found:
            unsafe[name] = found[:5]
    assert not unsafe, f"{len(unsafe)} outputs hold markup from a title: {json.dumps(unsafe, indent=1)[:3000]}"


def test_a_title_reads_as_it_was_typed(shown):
    rendered = RENDER.render(shown["markdown"]["course map"])
    visible = re.sub(r"<[^>]+>", "", rendered).replace("&lt;", "<").replace("&gt;", ">")
    assert "Start here <script>x()</script>[go](javascript:x())" in visible
