"""Hand-ins as they really arrive: re-saved by a spreadsheet, renamed to .txt, inside an LMS's bulk download.

* :func:`resaved_export` recognises a hand-in (JSON Lines) that a spreadsheet opened and saved again as
  CSV: the spreadsheet split each line at its commas (or kept it whole in one cell), quoted the cells that
  hold quotation marks and may have padded rows with empty cells.  Joining each row's cells again gives
  the original lines back where the answers survived; what did not survive is counted, never guessed.
* :func:`zip_members` reads an LMS's "download all submissions" zip as it is, without extracting anything
  to disk (so no name inside it can write anywhere): at most :data:`MAX_MEMBERS` entries and
  :data:`MAX_ZIP_TOTAL` bytes in all, each entry at most ``MAX_FILE_BYTES`` (its size is checked as
  declared and again as read, so a zip bomb stops at the limit); entries whose names climb out of the zip
  (``..``, an absolute path, a drive letter), encrypted entries and zips inside the zip are named and not read.
* :func:`lms_name` reads who a file is from out of the names Canvas and Moodle give submissions in their
  bulk downloads: Canvas (``lib/content_zipper.rb`` of instructure/canvas-lms) names each file
  ``<sortable name without punctuation>[_LATE]_<Canvas user id>_<attachment id>_<original name>`` (or
  ``anon_<id>`` when the assignment is anonymous); Moodle (``mod/assign/classes/downloader.php`` of
  moodle/moodle) names it ``<full name>_<participant id>_assignsubmission_file_<original name>``, or puts it
  in a folder ``<full name>_<participant id>_assignsubmission_file/`` ("download submissions in folders").
  The course's own hand-in names (``vkp-<name>-<install id>-<date>.jsonl``) are read too.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from widgets.record.attempts import EXPORT_FORMAT, MAX_FILE_BYTES, FileProblem, json_loads

MAX_MEMBERS = 2000
MAX_ZIP_TOTAL = 256 * 1024 * 1024
SKIPPED_PARTS = ("__MACOSX",)          # a Mac's resource forks in a zip it made: not files anyone handed in


# --------------------------------------------------------------------------- spreadsheet re-saves

@dataclass(frozen=True)
class Resaved:
    """A re-saved hand-in: the lines recovered, how many answer lines there were and how many survived."""

    text: str
    lines: int
    recovered: int
    delimiter: str

    @property
    def message(self) -> str:
        lost = self.lines - self.recovered
        head = ("it was re-saved by a spreadsheet (as comma- or semicolon-separated cells), not handed in as "
                "downloaded")
        if not lost:
            return (f"{head}; all {self.recovered} answer line(s) survived and were read (ask the student to hand "
                    "in the file as downloaded, unopened, next time)")
        return (f"{head}; {self.recovered} of {self.lines} answer line(s) survived and were read, {lost} did not "
                "(ask the student for the file as downloaded, unopened)")


def _looks_json_line(text: str) -> bool:
    try:
        return isinstance(json_loads(text), dict)
    except FileProblem:
        return False


def resaved_export(text: str) -> Resaved | None:
    """The hand-in a spreadsheet re-saved, recovered; None when ``text`` is not one."""
    if f'"{EXPORT_FORMAT}' not in text and f'""{EXPORT_FORMAT}""' not in text:
        return None
    best: Resaved | None = None
    for saved in (",", ";", "\t"):
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=saved))
        except csv.Error:
            continue
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            continue
        for joined in (",", ";", "\t", saved):
            lines = []
            for row in rows:
                cells = list(row)
                while cells and not cells[-1].strip():
                    cells.pop()
                lines.append(joined.join(cells))
            if not lines or f'"{EXPORT_FORMAT}"' not in lines[0] or not _looks_json_line(lines[0]):
                continue
            good = sum(_looks_json_line(line) for line in lines[1:])
            found = Resaved("\n".join(lines) + "\n", len(lines) - 1, good, saved)
            if best is None or found.recovered > best.recovered:
                best = found
    return best


# --------------------------------------------------------------------------- LMS bulk downloads

@dataclass(frozen=True)
class LmsName:
    """Who a submitted file is from, as its LMS named it."""

    lms: str                   # "canvas", "moodle" or "course" (the course's own hand-in name)
    name: str                  # the name as the file gives it (Canvas: lower case, no spaces)
    lms_id: str = ""           # Canvas user id; Moodle participant id (not the user id); install id tag
    late: bool = False
    original: str = ""         # the file name the student uploaded


_CANVAS = re.compile(r"^(?P<name>[^_/]+?)_(?P<late>LATE_)?(?P<uid>\d+|anon_[A-Za-z0-9]+)_(?P<aid>\d+)_(?P<orig>[^/]+)$")
_MOODLE = re.compile(r"^(?:.*/)?(?P<name>[^/_]+)_(?P<pid>\d+)_assignsubmission_file(?:_|/)(?P<orig>.+)$")
_COURSE = re.compile(r"^vkp-(?P<slug>.+)-(?P<tag>[0-9a-f]{8})-\d{4}-\d{2}-\d{2}(?:-\d+)?\.jsonl$")


def lms_name(path: str) -> LmsName | None:
    """Who ``path`` (a file name, or a path inside a zip) is from, by the name an LMS or the course gave it."""
    text = str(path).replace("\\", "/")
    m = _MOODLE.match(text)
    if m:
        return LmsName("moodle", m["name"].strip(), m["pid"], False, m["orig"].rsplit("/", 1)[-1])
    base = text.rsplit("/", 1)[-1]
    m = _CANVAS.match(base)
    if m:
        return LmsName("canvas", m["name"], m["uid"], bool(m["late"]), m["orig"])
    m = _COURSE.match(base)
    if m:
        return LmsName("course", m["slug"].replace("-", " ").title(), m["tag"], False, base)
    return None


@dataclass(frozen=True)
class Member:
    name: str                   # the entry's name inside the zip
    data: bytes


def _unsafe(name: str) -> str | None:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "its name is an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "its name climbs out of the zip (..)"
    if "\x00" in name:
        return "its name holds a NUL character"
    return None


def zip_members(raw: bytes, suffixes: set[str]) -> tuple[list[Member], list[tuple[str, str]]]:
    """(members to read, [(entry, problem)]) of a zip's bytes; FileProblem when it is not a usable zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise FileProblem("it ends in .zip but is not a zip file (damaged, or cut short by the download)") from None
    members: list[Member] = []
    problems: list[tuple[str, str]] = []
    total = 0
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            problems.append(("", f"it holds {len(infos)} entries; only the first {MAX_MEMBERS} were looked at"))
            infos = infos[:MAX_MEMBERS]
        for info in infos:
            name = info.filename
            shown = name.replace("\x00", "?")[:200]
            if info.is_dir():
                continue
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if any(p in SKIPPED_PARTS for p in parts) or (parts and parts[-1].startswith(".")):
                continue
            bad = _unsafe(name)
            if bad:
                problems.append((shown, f"{bad}; not read (nothing from a zip is written to disk)"))
                continue
            suffix = PurePosixPath(name).suffix.lower()
            if suffix == ".zip":
                problems.append((shown, "a zip inside the zip; not read (unzip it and put its files in the folder)"))
                continue
            if suffix not in suffixes:
                problems.append((shown, "not an export (hand-ins end in .jsonl; old exports in .json or .csv)"))
                continue
            if info.flag_bits & 0x1:
                problems.append((shown, "it is encrypted in the zip; not read"))
                continue
            if info.file_size > MAX_FILE_BYTES:
                problems.append((shown, f"it is too large ({info.file_size / 1e6:.1f} MB; no export is larger than "
                                        f"{MAX_FILE_BYTES / 1e6:.0f} MB)"))
                continue
            if total + info.file_size > MAX_ZIP_TOTAL:
                problems.append((shown, f"the zip's files add up to more than {MAX_ZIP_TOTAL / 1e6:.0f} MB; "
                                        "this one and the rest were not read"))
                break
            try:
                with archive.open(info) as fh:
                    data = fh.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
                problems.append((shown, f"it cannot be read from the zip ({type(exc).__name__})"))
                continue
            if len(data) > MAX_FILE_BYTES:
                problems.append((shown, f"it is larger than it says (more than {MAX_FILE_BYTES / 1e6:.0f} MB); not read"))
                continue
            total += len(data)
            members.append(Member(name, data))
    return members, problems
