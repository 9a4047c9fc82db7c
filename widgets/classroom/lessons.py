"""Lesson plans (``lessons/plans/*.md``): Carpentries-shaped, with YAML front matter.

A plan is Markdown whose front matter holds the session's questions, objectives,
schedule (each block's minutes, kind and notebook) and key points; its body has
the sections an instructor needs.  :func:`load_plan` validates both and checks that
the minutes add up and that every notebook named exists.  Pure logic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from widgets.core.loading import ContentError, ContentModel, read_yaml, validate
from widgets.core.settings import LESSONS_DIR, REPOSITORY_DIR


#: Sections every plan's body must have, in this order.
SECTIONS = ("Activities", "Discussion prompts", "Common misconceptions", "Answer key", "Key points")


class Block(ContentModel):
    minutes: int = Field(gt=0, le=90)
    kind: Literal["teaching", "exercise"]
    activity: str = Field(min_length=10)
    notebook: str | None = Field(default=None, pattern=r"^(notebooks|lessons)/[\w./-]+\.ipynb$")


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
    schedule: list[Block] = Field(min_length=2)
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
        used = {b.notebook for b in self.schedule if b.notebook}
        missing = used - set(self.notebooks)
        if missing:
            raise ValueError(f"the schedule uses notebooks not listed under 'notebooks': {sorted(missing)}")
        return self


class LessonPlan:
    def __init__(self, path: Path, meta: PlanFrontMatter, body: str):
        self.path, self.meta, self.body = path, meta, body

    def section(self, name: str) -> str:
        match = re.search(rf"^## {re.escape(name)}\s*$(.*?)(?=^## |\Z)", self.body, flags=re.M | re.S)
        return match.group(1).strip() if match else ""


def load_plan(path: Path | str, repo: Path = REPOSITORY_DIR) -> LessonPlan:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?\n)---\n(.*)$", text, flags=re.S)
    if not match:
        raise ContentError(path, "no YAML front matter", line=1,
                           fix="start the file with a line '---', the front matter, and another '---'")
    # A leading newline keeps reported line numbers those of the file (the front matter starts on line 2).
    meta = validate(read_yaml(path, "\n" + match.group(1)), PlanFrontMatter, path)
    body = match.group(2)
    headings = re.findall(r"^## (.+?)\s*$", body, flags=re.M)
    missing = [s for s in SECTIONS if s not in headings]
    if missing:
        raise ContentError(path, f"the plan has no section(s) {missing}",
                           fix="add a '## <name>' heading for each, in the order " + ", ".join(SECTIONS))
    for nb in meta.notebooks:
        if not (repo / nb).exists():
            raise ContentError(path, f"names a notebook that does not exist: {nb}", field="notebooks",
                               fix="correct the path (relative to the repository root)")
    plan = LessonPlan(path, meta, body)
    for name in SECTIONS:
        if not plan.section(name):
            raise ContentError(path, f"the section '{name}' is empty", fix="write it")
    return plan


def load_plans(folder: Path | str = LESSONS_DIR / "plans") -> list[LessonPlan]:
    return [load_plan(p) for p in sorted(Path(folder).glob("*.md"))]
