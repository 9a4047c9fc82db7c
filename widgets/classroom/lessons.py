"""Lesson plans (``lessons/plans/*.md``): Carpentries-shaped, with YAML front matter.

A plan is Markdown whose front matter holds the session's questions, objectives,
schedule (each block's minutes, kind and notebook), the homework before or after
the session, and key points; its body has the sections an instructor needs, a
suggested answer under every discussion prompt, a cut list for running late and a
fallback for when the technology fails.  :func:`load_plan` validates both and checks
that the minutes add up and that every notebook named exists; :func:`budget_problems`
checks that every notebook of the course map gets its minutes (in class or as homework)
in the plan that first opens it.

Citations: authors write ``[@id]`` in a plan; :func:`render_citations` (run by
``python -m tools.write_answer_keys``) numbers them with the notebooks' own machinery
(:class:`~widgets.core.citations.Citations`) and appends the reference list, so an
instructor never reads a raw key.  A rendered plan can be edited and rendered again: the
numbers are read back into keys first.  Pure logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from widgets.core.citations import CITE_RE, Citations, markers
from widgets.core.course import load_course
from widgets.core.loading import ContentError, ContentModel, load_content
from widgets.core.settings import current_settings


#: Sections every plan's body must have, in this order.
PLAN_SECTIONS = ("Activities", "Discussion prompts", "Common misconceptions", "Answer key", "If you run late",
                 "If the technology fails", "Key points")
#: The heading of the reference list that :func:`render_citations` writes (always last).
REFERENCES = "References"
#: How a suggested answer is marked under its discussion prompt.
SUGGESTED = "*Suggested answer:*"

_NOTEBOOK = r"^(notebooks|lessons)/[\w./-]+\.ipynb$"


class ScheduleBlock(ContentModel):
    minutes: int = Field(gt=0, le=90)
    kind: Literal["teaching", "exercise"]
    activity: str = Field(min_length=10)
    notebook: str | None = Field(default=None, pattern=_NOTEBOOK)


class Homework(ContentModel):
    """Work moved out of the session: before it (set-up, a notebook to read) or after it."""

    minutes: int = Field(gt=0, le=120)
    when: Literal["before", "after"]
    activity: str = Field(min_length=10)
    notebook: str | None = Field(default=None, pattern=_NOTEBOOK)


class PlanFrontMatter(ContentModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    session_minutes: int = Field(ge=60, le=90)
    teaching_minutes: int = Field(gt=0)
    exercise_minutes: int = Field(gt=0)
    audience: str
    questions: list[str] = Field(min_length=1)
    objectives: list[str] = Field(min_length=1)
    notebooks: list[str] = Field(min_length=1)
    schedule: list[ScheduleBlock] = Field(min_length=2)
    homework: list[Homework] = Field(default_factory=list)
    keypoints: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _minutes_add_up(self):
        total = sum(b.minutes for b in self.schedule)
        if total != self.session_minutes:
            raise ValueError(f"the schedule's blocks add up to {total} minutes, "
                             f"not the session's {self.session_minutes}")
        for kind in ("teaching", "exercise"):
            spent = sum(b.minutes for b in self.schedule if b.kind == kind)
            stated = getattr(self, f"{kind}_minutes")
            if spent != stated:
                raise ValueError(f"{kind}_minutes says {stated} but the schedule's {kind} blocks add up to {spent}")
        used = {b.notebook for b in self.schedule if b.notebook} | {h.notebook for h in self.homework if h.notebook}
        missing = used - set(self.notebooks)
        if missing:
            raise ValueError(f"the schedule or homework uses notebooks not listed under 'notebooks': {sorted(missing)}")
        return self

    def minutes_for(self, notebook: str) -> tuple[int, int]:
        """(minutes in class, minutes of homework) that this plan gives ``notebook``."""
        return (sum(b.minutes for b in self.schedule if b.notebook == notebook),
                sum(h.minutes for h in self.homework if h.notebook == notebook))


class LessonPlan:
    def __init__(self, path: Path, meta: PlanFrontMatter, body: str):
        self.path, self.meta, self.body = path, meta, body

    def section(self, name: str) -> str:
        match = re.search(rf"^## {re.escape(name)}\s*$(.*?)(?=^## |\Z)", self.body, flags=re.M | re.S)
        return match.group(1).strip() if match else ""

    def prompts(self) -> list[tuple[str, str]]:
        """(prompt, suggested answer) for every top-level item of 'Discussion prompts'."""
        return _prompts(self.section("Discussion prompts"))


def _items(section: str) -> list[str]:
    """The top-level '- ' items of a Markdown list, each with its indented continuation lines."""
    items: list[str] = []
    for line in section.splitlines():
        if line.startswith("- "):
            items.append(line[2:])
        elif items and (line.startswith(" ") or not line.strip()):
            items[-1] += "\n" + line
    return [i.strip() for i in items]


def _prompts(section: str) -> list[tuple[str, str]]:
    out = []
    for item in _items(section):
        prompt, _, answer = item.partition(SUGGESTED)
        out.append((" ".join(prompt.split()).rstrip("-").strip(), " ".join(answer.split())))
    return out


def split_front_matter(path: Path, text: str) -> tuple[str, str]:
    match = re.match(r"^---\n(.*?\n)---\n(.*)$", text, flags=re.S)
    if not match:
        raise ContentError(path, "no YAML front matter", line=1,
                           fix="start the file with a line '---', the front matter, and another '---'")
    return match.group(1), match.group(2)


def load_plan(path: Path | str, repo: Path | None = None) -> LessonPlan:
    """A lesson plan, checked (``repo``: the checkout its notebooks are named from; the course's by default)."""
    path = Path(path)
    repo = repo if repo is not None else current_settings().repository_dir
    text = path.read_text(encoding="utf-8")
    front, body = split_front_matter(path, text)
    # A leading newline keeps reported line numbers those of the file (the front matter starts on line 2).
    meta = load_content(path, PlanFrontMatter, text="\n" + front)
    headings = re.findall(r"^## (.+?)\s*$", body, flags=re.M)
    missing = [s for s in PLAN_SECTIONS if s not in headings]
    if missing:
        raise ContentError(path, f"the plan has no section(s) {missing}",
                           fix="add a '## <name>' heading for each, in the order " + ", ".join(PLAN_SECTIONS))
    for nb in meta.notebooks:
        if not (repo / nb).exists():
            raise ContentError(path, f"names a notebook that does not exist: {nb}", field="notebooks",
                               fix="correct the path (relative to the repository root)")
    plan = LessonPlan(path, meta, body)
    for name in PLAN_SECTIONS:
        if not plan.section(name):
            raise ContentError(path, f"the section '{name}' is empty", fix="write it")
    for i, (prompt, answer) in enumerate(plan.prompts(), start=1):
        if not answer:
            raise ContentError(path, f"discussion prompt {i} ('{prompt[:60]}...') has no suggested answer",
                               field="Discussion prompts",
                               fix=f"add an indented line '  {SUGGESTED} ...' under the prompt")
    cuts = _items(plan.section("If you run late"))
    if len(cuts) < 2 or not all(re.search(r"\bsaves? \d+ min", c) for c in cuts):
        raise ContentError(path, "the cut list needs at least two items, each saying what it saves",
                           field="If you run late", fix="write items such as '- **Skip X** (saves 5 min): ...'")
    raw = sorted({m.group(0) for m in CITE_RE.finditer(body)})
    if raw:
        raise ContentError(path, f"citation keys are not numbered yet: {', '.join(raw)}",
                           fix="run `python -m tools.write_answer_keys`, which numbers them and writes the "
                               "reference list")
    return plan


def plan_paths(folder: Path | str | None = None) -> list[Path]:
    """The lesson plans in ``folder`` (the course's ``lessons/plans`` by default)."""
    return sorted(Path(folder if folder is not None else current_settings().lessons_dir / "plans").glob("*.md"))


def load_plans(folder: Path | str | None = None) -> list[LessonPlan]:
    return [load_plan(p) for p in plan_paths(folder)]


# ----------------------------------------------------------------------------- timings
@dataclass(frozen=True)
class NotebookTime:
    """What the plan that first opens a notebook gives it, beside what the course map says it takes."""

    notebook: str
    map_minutes: int
    plan: str
    in_class: int
    homework: int

    @property
    def short(self) -> int:
        return max(0, self.map_minutes - self.in_class - self.homework)


def notebook_times(plans: list[LessonPlan], course=None) -> list[NotebookTime]:
    """One row per course-map notebook: the first plan (in session order) that lists it, and the minutes
    that plan gives it in class and as homework.  Later plans that come back to it are revisits."""
    course = course or load_course()
    rows = []
    for nb in course.notebooks:
        path = f"notebooks/{nb.file}"
        first = next((p for p in plans if path in p.meta.notebooks), None)
        in_class, homework = first.meta.minutes_for(path) if first else (0, 0)
        rows.append(NotebookTime(path, nb.minutes, first.meta.id if first else "", in_class, homework))
    return rows


def budget_problems(plans: list[LessonPlan], course=None) -> list[str]:
    """Every notebook no plan covers, or that gets fewer minutes than the course map says it takes."""
    out = []
    for row in notebook_times(plans, course):
        if not row.plan:
            out.append(f"{row.notebook} is in no lesson plan (the course map gives it {row.map_minutes} min)")
        elif row.short:
            out.append(f"{row.plan}: {row.notebook} takes {row.map_minutes} min (course map) but the plan gives it "
                       f"{row.in_class} in class and {row.homework} as homework; trim the session or move "
                       f"{row.short} min of it to homework, and say which")
    return out


# ----------------------------------------------------------------------------- citations
_MARKER = re.compile(r'\\\[((?:\[\d+\]\(#ref-\d+ "[^"]*"\)(?:, )?)+)\\\]')
_KEYS_COMMENT = re.compile(r"<!-- citation keys, in number order: ([^>]*?) -->")
_REFERENCES = re.compile(rf"\n*^## {REFERENCES}\s*$.*\Z", flags=re.M | re.S)


def unrender_citations(body: str) -> str:
    """A rendered body back to ``[@id]`` keys (numbers read back through the keys comment), without its
    reference list: what an author edits.  A body with no rendered citations is returned as it is."""
    comment = _KEYS_COMMENT.search(body)
    keys = comment.group(1).split() if comment else []
    body = _REFERENCES.sub("", body).rstrip() + "\n"

    def back(match: re.Match) -> str:
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]\(#ref-", match.group(1))]
        if any(n > len(keys) for n in numbers):
            raise ValueError(f"citation number {max(numbers)} has no key in the reference list's comment")
        return markers(keys[n - 1] for n in numbers)

    return _MARKER.sub(back, body)


def render_citations(body: str, citations: Citations | None = None) -> str:
    """Number every ``[@id]`` in ``body`` (first use first) and append the reference list; idempotent."""
    body = unrender_citations(body)
    cites = citations or Citations()
    text = cites.markdown.cited(body).rstrip() + "\n"
    if not cites.keys:
        return text
    return (text + f"\n## {REFERENCES}\n\n" + cites.references_md() + "\n\n"
            + f"<!-- citation keys, in number order: {' '.join(cites.keys)} -->\n")


def render_plan_text(text: str, path: Path | str = "plan") -> str:
    """A whole plan file (front matter kept as it is) with its body's citations rendered."""
    front, body = split_front_matter(Path(path), text)
    return f"---\n{front}---\n" + render_citations(body)
