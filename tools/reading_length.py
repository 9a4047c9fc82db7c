"""How much a student reads in a notebook: the visible words of the built notebook, against its stated time.

    python tools/reading_length.py                      # every student notebook, as built
    python tools/reading_length.py --at 78ab033         # the same count of the notebooks at a commit

What counts as *visible* is what a student sees after Run All with every fold closed:

- the text of every Markdown cell, outside ``<details>`` folds (a fold's ``<summary>`` line is visible, so it
  counts; what it holds does not);
- the text of the outputs stored in cells tagged ``nbval-check-output`` (the tables, verdicts and numbers a
  student reads), outside folds, except the folded reference list and outputs that are widgets (a widget's
  stored text is only what JupyterLab shows before the notebook runs);
- words are runs of letters or digits (``C-arm``, ``don't`` and ``31.8`` are one word each); citation markers
  (``[3]``), link addresses, HTML tags and Markdown punctuation are not words.

Widgets' own text (a stepper's card, a quiz's question) is not counted: it is read one step at a time, as the
student works the widget.  The course reads at 200 words a minute and asks that the visible words of a notebook
take at most half its stated time (``widgets/content/course.yaml``): the rest of the time is for the widgets.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Words a minute a student reads at, and the share of a notebook's stated time its visible text may take.
WORDS_PER_MINUTE = 200
READING_SHARE = 0.5
CHECK = "nbval-check-output"
WIDGET_FLAG = "vkp_widget"   # tools/build_notebooks.py marks a stored widget output with it

_DETAILS = re.compile(r"<details\b[^>]*>(.*?)</details>", re.S | re.I)
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary>", re.S | re.I)
_CITATION = re.compile(r'\\?\[(?:\[\d+\]\(#[\w-]+(?: "[^"]*")?\)(?:,\s*)?)+\\?\]')   # \[[1](#ref-1 "..."), [2](...)\]
_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")
_REFERENCES = 'id="ref-1"'


def _close_folds(text: str) -> str:
    """``text`` with every fold closed: a fold becomes its summary line (innermost folds first)."""
    while True:
        found = _DETAILS.search(text)
        if not found:
            return text
        # the innermost fold: no <details> inside the match
        inner = found.group(1)
        while "<details" in inner.lower():
            found = _DETAILS.search(text, found.start() + 1 + inner.lower().index("<details"))
            inner = found.group(1)
        summary = _SUMMARY.search(inner)
        shown = f" {summary.group(1)} " if summary else " "
        text = text[:found.start()] + shown + text[found.end():]


def plain(text: str) -> str:
    """Markdown or HTML as the words a reader sees (folds closed, markers, addresses and tags gone)."""
    text = _close_folds(text)
    text = _CITATION.sub(" ", text)
    text = _LINK.sub(lambda m: f" {m.group(1)} ", text)
    text = _TAG.sub(" ", text)
    return html.unescape(text)


def words(text: str) -> int:
    return len(_WORD.findall(plain(text)))


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def visible_texts(nb: dict) -> list[str]:
    """The texts a student sees in ``nb`` (a notebook as JSON), in reading order, folds included (closed by
    :func:`plain`)."""
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            out.append(_joined(cell["source"]))
        elif cell["cell_type"] == "code" and CHECK in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                if (output.get("metadata") or {}).get(WIDGET_FLAG):
                    continue
                data = output.get("data", {})
                text = _joined(data.get("text/markdown") or data.get("text/html") or "")
                if not text and output.get("output_type") == "stream":
                    text = _joined(output.get("text"))
                if not text and "text/plain" in data and not any(k.startswith("image/") for k in data):
                    text = _joined(data["text/plain"])
                if _REFERENCES in text:
                    continue   # the folded reference list
                out.append(text)
    return out


def visible_words(nb: dict) -> int:
    return sum(words(t) for t in visible_texts(nb))


def reading_minutes(n_words: int) -> float:
    return n_words / WORDS_PER_MINUTE


def stated_minutes(name: str) -> int:
    from widgets.core.course import load_course
    return {n.file: n.minutes for n in load_course().notebooks}[name]


def student_notebooks(commit: str | None = None) -> dict[str, dict]:
    """Name -> notebook JSON of every student notebook, as built now or at ``commit``."""
    if commit is None:
        return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}
    listing = subprocess.run(["git", "ls-tree", "--name-only", commit, "notebooks/"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    out = {}
    for path in sorted(p for p in listing if p.endswith(".ipynb")):
        blob = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout
        out[Path(path).name] = json.loads(blob)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--at", help="count the notebooks committed at this commit instead of the built ones")
    args = parser.parse_args(argv)
    rows = []
    for name, nb in student_notebooks(args.at).items():
        n = visible_words(nb)
        stated = stated_minutes(name)
        rows.append((name, n, reading_minutes(n), stated))
    print(f"{'notebook':34} {'visible words':>13} {'read (min)':>10} {'stated (min)':>12} {'share':>6}")
    for name, n, minutes, stated in rows:
        flag = "" if minutes <= READING_SHARE * stated else "  <- over half the stated time"
        print(f"{name:34} {n:13d} {minutes:10.1f} {stated:12d} {minutes / stated:6.0%}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
