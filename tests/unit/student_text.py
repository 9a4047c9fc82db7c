"""Everything a student or an instructor reads, gathered for the clinical-accuracy pattern tests.

Each function returns ``{where: text}`` so a failing test names the file (and the place) that
says the wrong thing.  Content files are read as shown: ``{evidence_id:key}`` placeholders are
filled from the evidence base, so a number is checked as the student sees it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from tests.conftest import ROOT, load_notebook, notebook_paths
from widgets.core.evidence import load_evidence
from widgets.core.numbers import PLACEHOLDER, fill

EV = load_evidence()
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
#: Content files that are data about sources, not text students read.
NOT_TEACHING = {"evidence.yaml", "evidence-imaging.yaml", "evidence-care.yaml", "sources.yaml"}


def shown_numbers(text: str) -> list[str]:
    """The numbers a reader sees, minus what is not a clinical value: citation markers [n],
    vertebral level names (L5, T9), the names of scales (0 to 10, SF-36) and '95% CI'."""
    text = re.sub(r"\[\d+(?:, \d+)*\]", " ", text)
    text = re.sub(r"\b[TLCS]\d+(?:-[TLCS]?\d+)?\b", " ", text)
    text = re.sub(r"\bnotebooks? \d\d\b", " ", text)
    text = text.replace("95% CI", "CI").replace("95 % CI", "CI").replace("SF-36", "SF").replace("(0 to 10)", "")
    return NUMBER.findall(text)


def _strings(value, where: str):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{where}[{i}]")


def filled(text: str) -> str:
    return fill(EV, text)[0] if PLACEHOLDER.search(text) else text


@lru_cache(maxsize=1)
def content_texts() -> dict[str, str]:
    """Every string of the authored teaching content files (widgets/content/**.yaml, not what the build generates),
    placeholders filled."""
    out = {}
    for path in sorted((ROOT / "widgets" / "content").rglob("*.yaml")):
        if path.name in NOT_TEACHING or "generated" in path.relative_to(ROOT / "widgets" / "content").parts:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT).as_posix()
        for where, text in _strings(data, rel):
            out[where] = filled(" ".join(text.split()))
    return out


@lru_cache(maxsize=1)
def notebook_sources() -> dict[str, str]:
    """The MyST sources authors edit (Markdown with [@keys]): notebooks and the class-results notebook."""
    paths = sorted((ROOT / "notebooks").glob("*.md")) + sorted((ROOT / "lessons").glob("*.md"))
    out = {}
    for p in paths:
        if p.name == "README.md":
            continue
        text = p.read_text(encoding="utf-8")
        if "jupytext" not in text[:300]:
            continue
        prose = re.sub(r"```\{code-cell\}.*?```", " ", text, flags=re.S)
        prose = re.sub(r"\A---\n.*?\n---\n", "", prose, flags=re.S)   # the jupytext header
        out[p.relative_to(ROOT).as_posix()] = prose
    return out


@lru_cache(maxsize=1)
def notebook_outputs() -> dict[str, str]:
    """What the built notebooks show: their Markdown and every stored output."""
    out = {}
    for path in notebook_paths():
        nb = load_notebook(path)
        for i, cell in enumerate(nb["cells"]):
            text = "".join(cell["source"]) if cell["cell_type"] == "markdown" else ""
            for o in cell.get("outputs", []):
                for mime in ("text/markdown", "text/plain"):
                    text += "\n" + "".join(o.get("data", {}).get(mime, ""))
                text += "".join(o.get("text", ""))
            if text.strip():
                out[f"{path.relative_to(ROOT).as_posix()} cell {i}"] = text
    return out


@lru_cache(maxsize=1)
def lesson_texts() -> dict[str, str]:
    """Lesson plans, generated answer keys and the README's opening paragraphs.  The plans' and keys' numbered
    citations are read back as the ``[@id]`` keys their authors wrote (reference list left out), so a check
    that looks for a key in a sentence sees it there."""
    from widgets.classroom.lessons import unrender_citations
    out = {}
    for p in sorted((ROOT / "lessons" / "plans").glob("*.md")) + sorted((ROOT / "lessons" / "answer-keys").glob("*.md")):
        out[p.relative_to(ROOT).as_posix()] = unrender_citations(p.read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    out["README.md (opening)"] = readme.split("\n## ", 1)[0]
    return out


@lru_cache(maxsize=1)
def view_texts() -> dict[str, str]:
    """Strings the widgets build in Python: balloon, height explorer, outcome tables, sections, quiz notes."""
    from widgets.candidacy.bank import load_case_bank
    from widgets.candidacy.rules import assess, case_notes
    from widgets.candidacy.vignettes import Vignette, generate
    from widgets.core.citations import Citations
    from widgets.fractures.texts import genant_table_markdown
    from widgets.outcomes.height import PROCEDURE_LABELS, SHAPE_LABELS, default_explorer
    from widgets.outcomes.model import default_outcomes, outcome_table_md
    from widgets.core.sections import load_sections, section_markdown
    from widgets.outcomes.sentences import describe_state
    from widgets.procedures.balloon import BalloonModel, balloon_gains, full_height_table

    cites = Citations().plain
    out = {"balloon gains": balloon_gains().text(), "balloon at full inflation": BalloonModel().result(1.0).text(),
           "full-height table": full_height_table(cites), "Genant table": genant_table_markdown(cites)}
    model = default_explorer()
    for level in ("L5", "T9"):
        for procedure in PROCEDURE_LABELS:
            for shape in SHAPE_LABELS:
                for loss in (10, 22, 30, 45):
                    state = model.explore(level, loss, procedure, shape)
                    text, alt = describe_state(state, cites, model)
                    notes = " ".join(t for t, _ in state.notes)
                    out[f"explorer {level} {procedure} {shape} {loss}"] = f"{text} {alt} {notes}"
    for outcome in default_outcomes().outcomes.values():
        out[f"outcome table {outcome.id}"] = outcome_table_md(outcome, cites) + "\n" + outcome.summary
    for section in load_sections():
        out[f"section {section.id}"] = section_markdown(section.id, cites)
    cases = [Vignette.from_case(c) for c in load_case_bank()] + [v for s in range(4) for v in generate(s, 16)]
    for v in cases:
        notes = " ".join(f"{title}: {note}" for title, note in case_notes(v, assess(v.patient)))
        out[f"quiz notes {v.id}"] = notes
    return out


def all_texts() -> dict[str, str]:
    return {**content_texts(), **notebook_sources(), **notebook_outputs(), **lesson_texts(), **view_texts()}


def sentences(text: str) -> list[str]:
    """Split prose into sentences, a Markdown table row into one sentence; citation keys are kept.
    A bare identifier (no space: an id, a key, a file name) is not prose and yields nothing."""
    out = []
    paragraphs = re.split(r"\n\s*\n|\n(?=\s*(?:[-*] |\d+\. |#|\|))", text)
    for para in paragraphs:
        para = " ".join(para.split())
        if " " not in para:
            continue
        if para.startswith("|"):
            out.append(para)
            continue
        out += [s.strip() for s in re.split(r"(?<=[.;!?:])\s+(?=[A-Z\"*(\[])", para) if s.strip()]
    return out
