"""The course map (``widgets/content/course.yaml``) as validated data, and the procedures the course teaches.  Pure logic."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from widgets.core.loading import ContentModel, load_content
from widgets.core.text import plain_md

#: The two procedures the course teaches, by the names content files use.
PROCEDURES = ("vertebroplasty", "kyphoplasty")


class CourseNotebook(ContentModel):
    file: str = Field(pattern=r"^\d\d-[a-z0-9-]+\.ipynb$")
    title: str = Field(min_length=3)
    minutes: int = Field(gt=0, le=120)
    covers: str = Field(min_length=10)


class Course(ContentModel):
    notebooks: list[CourseNotebook] = Field(min_length=1)

    @field_validator("notebooks")
    @classmethod
    def _ordered_unique(cls, notebooks):
        files = [n.file for n in notebooks]
        if len(set(files)) != len(files):
            raise ValueError("a notebook is listed twice")
        if files != sorted(files):
            raise ValueError("notebooks must be listed in teaching order (by their number)")
        return notebooks

    @property
    def total_minutes(self) -> int:
        return sum(n.minutes for n in self.notebooks)

    def markdown_table(self, link_prefix: str = "") -> str:
        rows = ["| # | Notebook | What it covers | Minutes |", "|---|---|---|---|"]
        for n in self.notebooks:
            rows.append(f"| {n.file[:2]} | [{plain_md(n.title)}]({link_prefix}{n.file}) | {plain_md(n.covers)} | "
                        f"{n.minutes} |")
        rows.append(f"| | **Total** | | **{self.total_minutes}** |")
        return "\n".join(rows)


@lru_cache(maxsize=2)
def load_course(path: str | Path | None = None) -> Course:
    return load_content(Path(path) if path else "course.yaml", Course, id_field="file")
