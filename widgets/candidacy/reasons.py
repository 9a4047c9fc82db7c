"""The families a deciding reason is chosen from: the quiz's reasons in two short steps.  Pure logic.

``widgets/content/reason_families.yaml`` groups every deciding reason of either standard, and the red flag
above both (:data:`widgets.candidacy.rules.REASON_IDS`), into a few families: something else first (a red
flag), a candidate, no fracture or the wrong pain, the fracture not suitable, the patient not suitable.  A
student picks the family, then the reason within it; the grade is the reason, as before.  The loader refuses
a file that leaves a reason out, names one twice or names one the quiz does not know, with the file, the line
and the fix.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from widgets.candidacy.practice import reason_title
from widgets.candidacy.rules import REASON_IDS
from widgets.core.loading import ContentModel, by_id, load_content, require_unique


class Family(ContentModel):
    """One family: its words and the reasons in it, in the order shown."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=3, max_length=60)
    hint: str = Field(min_length=5, max_length=120)
    reasons: list[str] = Field(min_length=1)

    @property
    def label(self) -> str:
        """The family as a choice reads: its title, then what is in it."""
        return f"{self.title} ({self.hint})"

    def options(self) -> list[tuple[str, str]]:
        """The second step's choices: (plain words, reason id)."""
        return [(reason_title(r), r) for r in self.reasons]


class Families(ContentModel):
    families: list[Family] = Field(min_length=2)

    @field_validator("families")
    @classmethod
    def _every_reason_once(cls, families):
        require_unique([f.id for f in families], "family ids")
        given = [r for f in families for r in f.reasons]
        require_unique(given, "reasons (each belongs to one family)")
        unknown = [r for r in given if r not in REASON_IDS]
        missing = [r for r in REASON_IDS if r not in given]
        if unknown or missing:
            raise ValueError(f"every deciding reason is in exactly one family; unknown {unknown}, missing {missing} "
                             f"(the reasons are {', '.join(REASON_IDS)})")
        return families

    def __iter__(self):
        return iter(self.families)

    def __len__(self) -> int:
        return len(self.families)

    def __getitem__(self, family_id: str) -> Family:
        return by_id(self.families, family_id, "reason family")

    def options(self) -> list[tuple[str, str]]:
        """The first step's choices: (the family's words, its id)."""
        return [(f.label, f.id) for f in self.families]

    def family_of(self, reason: str) -> Family:
        """The family a reason is in (KeyError for an unknown reason)."""
        for f in self.families:
            if reason in f.reasons:
                return f
        raise KeyError(f"'{reason}' is in no family; the reasons are {', '.join(REASON_IDS)}")


@lru_cache(maxsize=4)
def _load(path: str | None) -> Families:
    return load_content(Path(path) if path else "reason_families.yaml", Families)


def load_families(path: Path | str | None = None) -> Families:
    """The reason families (validated: every deciding reason in exactly one family)."""
    return _load(str(path) if path else None)
