"""The one-machine class hub's roster and folders, shared by ``tools/local_hub.py`` (which prepares them) and
``deploy/local-hub/jupyterhub_config.py`` (which the hub reads), so neither reaches the other through ``sys.path``.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

COURSE_NAME = "vkp-teaching"
#: The hand-in service's name on the hub (its URL is /services/<SERVICE>/) and its system account.
SERVICE = "vkp-handin"
LOGIN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class HubError(RuntimeError):
    pass


# ---------------------------------------------------------------- the roster
@dataclass(frozen=True)
class Roster:
    """The people of one class: instructors and students, by login."""

    instructors: tuple[str, ...]
    students: tuple[str, ...]

    @property
    def everyone(self) -> tuple[str, ...]:
        return self.instructors + self.students

    def text(self) -> str:
        return "\n".join(["[instructors]", *self.instructors, "[students]", *self.students]) + "\n"


def read_roster(path: Path | str) -> Roster:
    """The roster file: one login per line, under ``[instructors]`` or ``[students]`` (students when no heading);
    ``#`` starts a comment.  A bad line is a :class:`HubError` naming the file, the line and the fix."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise HubError(f"the roster {path} cannot be read ({exc.strerror}): give one with --roster "
                       "(make hub ROSTER=file)") from None
    section, people = "students", {"instructors": [], "students": []}
    seen: dict[str, int] = {}
    for n, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            section = line.strip("[]").strip().lower()
            if section not in people:
                raise HubError(f"{path}, line {n}: {line!r} is not a section; use [instructors] or [students]")
            continue
        if not LOGIN.match(line):
            raise HubError(f"{path}, line {n}: {line!r} cannot be a login; use lower-case letters, digits, '-' and "
                           "'_', starting with a letter, at most 32 characters (e.g. jsmith)")
        if line in seen:
            raise HubError(f"{path}, line {n}: {line} is already on line {seen[line]}; list each person once")
        seen[line] = n
        people[section].append(line)
    if not people["instructors"]:
        raise HubError(f"{path}: no instructor; put at least one login under [instructors]")
    return Roster(tuple(people["instructors"]), tuple(people["students"]))


@dataclass(frozen=True)
class Layout:
    """Where one hub keeps everything (see the module docstring); all absolute."""

    root: Path

    @property
    def private(self) -> Path:
        return self.root / "private"

    @property
    def homes(self) -> Path:
        return self.root / "homes"

    @property
    def students_repo(self) -> Path:
        return self.root / "course" / "students" / COURSE_NAME

    @property
    def instructors_repo(self) -> Path:
        return self.root / "course" / "instructors" / COURSE_NAME

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def gitconfig(self) -> Path:
        return self.root / "gitconfig"

    @property
    def handin(self) -> Path:
        return self.root / "handin"

    @property
    def handin_state(self) -> Path:
        return self.root / "handin-service"

    @property
    def service_code(self) -> Path:
        """The widgets package the hand-in service imports: the student release with the service's own package
        (widgets/hubservice, which the student release leaves out), read-only."""
        return self.root / "handin-service-code"

    @property
    def roster(self) -> Path:
        return self.private / "roster.txt"
