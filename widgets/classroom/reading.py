"""Reading a class's hand-ins: every file of a folder, each answer graded again, each student told apart.

:func:`read_class_folder` reads every file in a folder and its sub-folders: hand-in files
(``.jsonl``, :mod:`widgets.record.attempts`), progress files handed in by mistake, and the
version-1 quiz and ordering exports (:mod:`widgets.classroom.export`), a ``.txt`` whose content is a
hand-in, a hand-in a spreadsheet re-saved (read where its answers survived), and an LMS's bulk-download
``.zip`` read as it is (:mod:`widgets.classroom.intake`).  It never stops at a file:
anything it cannot read (a pipe, a link to a device or to nothing, a hidden file, a file too large,
empty, damaged, foreign, or one this account may not read) is named with the reason in
:attr:`ClassResults.problems`, and the rest is read.  Then:

* the same answer found in several files (copies, renamed downloads, a hand-in and its download)
  counts once, by its id;
* students are told apart by :attr:`widgets.record.identity.Identity.key` (hub login, student id,
  per-install id, or for old exports the name compared case- and space-insensitively in NFC);
* every answer is graded again from the course content (:mod:`widgets.classroom.grading`); flags a
  student edited change nothing and are reported.

No file or student can take the reader's memory: at most :data:`MAX_ANSWERS_PER_FILE` answers are read
from a file and :data:`MAX_ANSWERS_PER_STUDENT` kept of one student (what is left out is noted).  An answer
counts once per student, by its id; the same id with different content is a conflict, named, whose lower-graded
version counts; the same id in another student's file counts only for the student whose file holds it
(:class:`_Ledger`).  Answers are graded again as each file is read, answers alike once (:class:`_Grader`).
Who handed a file in is the class hub's stamp when there is one (:func:`trusted_identity`), never a login a
file merely claims.  Students appear as S01, S02, ...: pseudonyms ordered by an HMAC of their identity with a
per-class secret the instructor keeps (:func:`class_secret`), so they cannot be rebuilt from a list of names.

What the debrief makes of them is :mod:`widgets.classroom.results`.

Pure logic: no ipywidgets, no matplotlib.
"""


from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from widgets.classroom import grading, intake
from widgets.classroom.export import ORDERING_FORMAT, QUIZ_FORMAT, read_legacy_csv, read_legacy_json
from widgets.record.identity import Identity
from widgets.record.progress import LEGACY_FORMAT, parse_progress
from widgets.record.attempts import (
    EXERCISES, MAX_ANSWERS_PER_FILE, MAX_ANSWERS_PER_STUDENT, MAX_FILE_BYTES, PROGRESS_FORMAT, Attempt, FileProblem,
    attempt_digest, decode_text, in_answer_order, json_loads, looks_like_export, parse_export_text, read_limited,
)
from widgets.core.loading import ContentError
from widgets.core.settings import current_settings
from widgets.candidacy.exercise import QUIZ
from widgets.record.hub_client import download_all

SAMPLE_SECRET = b"vkp-sample-class: a published secret, for the sample only"
MAX_DEPTH = 4
SUFFIXES = {".jsonl", ".json", ".csv", ".txt"}     # read as hand-ins (and the same inside a zip)
ARCHIVES = {".zip"}                                 # an LMS's bulk download, read as it is (classroom.intake)
__all__ = ["MAX_ANSWERS_PER_FILE", "MAX_ANSWERS_PER_STUDENT", "MAX_FILE_BYTES",
           "read_class_folder", "class_folder"]


@dataclass(frozen=True)
class Problem:
    file: str          # path relative to the class folder (may hold a student's name: never projected)
    problem: str


@dataclass
class Student:
    key: str
    identities: list[Identity] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    files: list[str] = field(default_factory=list)      # where their answers were read (names: never projected)

    @property
    def display(self) -> str:
        names = [i.name for i in self.identities if i.name]
        return max(names, key=len) if names else (self.identities[0].display if self.identities else self.key)

    @property
    def student_id(self) -> str:
        return next((i.student_id for i in self.identities if i.student_id), "")

    @property
    def hub_user(self) -> str:
        return next((i.hub_user for i in self.identities if i.hub_user), "")

    def of(self, exercise: str) -> list[Attempt]:
        return [a for a in self.attempts if a.exercise == exercise]


@dataclass
class ClassResults:
    folder: Path
    students: dict[str, Student] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)      # may name files: shown folded, never projected
    files_read: list[str] = field(default_factory=list)
    secret: bytes = b""
    sample: bool = False
    bank: str | None = None      # the case bank the quiz used, when not the shipped one

    def pseudonyms(self) -> dict[str, str]:
        """Student key -> S01, S02, ...: in an order set by the class secret, not by the names."""
        order = sorted(self.students, key=lambda k: hmac.new(self.secret, k.encode("utf-8"), hashlib.sha256).digest())
        width = max(2, len(str(len(order))))
        return {k: f"S{i:0{width}d}" for i, k in enumerate(order, start=1)}

    def by_pseudonym(self) -> list[tuple[str, Student]]:
        names = self.pseudonyms()
        return sorted(((names[k], s) for k, s in self.students.items()), key=lambda t: t[0])


# --------------------------------------------------------------------------- the secret

def sample_dir() -> Path:
    """The sample class the lessons ship (``lessons/sample-exports``)."""
    return current_settings().lessons_dir / "sample-exports"


def class_folder(default: Path | str) -> Path:
    """The folder to read: ``$VKP_CLASS_DIR`` when set (an admin or a test points it anywhere); else, on a hub
    whose hand-in service is at ``$VKP_CLASS_URL``, a private copy of what it received; else ``default``."""
    settings = current_settings()
    if settings.class_dir is None and settings.class_url:
        copy = settings.user_data_dir / "class-hand-ins"
        download_all(copy, settings.class_url)
        return copy
    return settings.class_dir or Path(str(default)).expanduser()


def class_secret(folder: Path) -> tuple[bytes, str | None]:
    """(secret, note): the sample's published secret, ``$VKP_CLASS_SECRET``, or the instructor's own
    per-class secret kept in their data folder (created on first use, readable only by them)."""
    try:
        resolved = folder.resolve()
    except OSError:
        resolved = folder.absolute()
    if resolved == sample_dir().resolve():
        return SAMPLE_SECRET, None
    settings = current_settings()
    if settings.class_secret:
        return settings.class_secret.encode("utf-8"), None
    store = settings.user_data_dir / "class-secrets"
    path = store / (hashlib.sha256(str(resolved).encode("utf-8", "replace")).hexdigest()[:24] + ".secret")
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip()), None
    except (OSError, ValueError):
        pass
    secret = secrets.token_bytes(32)
    try:
        store.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secret.hex() + "\n")
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip()), None
    except OSError as exc:
        return secret, (f"the class secret could not be kept ({exc.strerror}); the S01, S02, ... labels "
                        "will differ the next time")
    return secret, None


# --------------------------------------------------------------------------- reading one file

def trusted_identity(export) -> tuple[Identity, list[str]]:
    """Who handed in a hand-in file: the hub login only when the class hub's hand-in service stamped it (the
    login the hub vouched for), never the login a file merely claims (anyone can type one into a file)."""
    stamp = export.received or {}
    if stamp.get("hub_user"):
        return dataclasses.replace(export.identity, hub_user=str(stamp["hub_user"])), []
    if export.identity.hub_user:
        return dataclasses.replace(export.identity, hub_user=""), [
            f"it claims the hub login '{export.identity.hub_user}' but did not come through the hub's hand-in "
            "service; it is counted by the name and install id it holds"]
    return export.identity, []


Found = list[tuple[Identity, list[Attempt]]]


def read_hand_in(path: Path) -> tuple[Found, list[str]]:
    """Everything one file holds: [(identity, attempts)], and notes on lines that could not be read.

    Raises :class:`FileProblem` (or another exception) when the file as a whole cannot be used.
    """
    return read_hand_in_bytes(read_limited(path), path.name)


def read_hand_in_bytes(raw: bytes, name: str) -> tuple[Found, list[str]]:
    """:func:`read_hand_in` of a file's bytes (``name`` gives its suffix): a file on disk or inside a zip."""
    suffix = Path(name).suffix.lower()
    if not raw.strip():
        raise FileProblem("it is empty (0 bytes of answers); ask the student to hand in again")
    try:
        text = decode_text(raw)
    except FileProblem:
        if suffix not in (".csv", ".txt"):
            raise
        text = raw.decode("cp1252", errors="replace")     # a spreadsheet's "CSV (Comma delimited)" on Windows
    del raw                                     # the text alone from here on (8 MB less to hold)
    if not looks_like_export(text) and (resaved := intake.resaved_export(text)) is not None:
        export = parse_export_text(resaved.text, limit=MAX_ANSWERS_PER_FILE)
        identity, notes = trusted_identity(export)
        return [(identity, export.attempts)], [resaved.message] + notes + stamp_notes(export) \
            + _unread_note(export.unread) + export.bad_lines
    if looks_like_export(text):
        export = parse_export_text(text, limit=MAX_ANSWERS_PER_FILE)
        identity, notes = trusted_identity(export)
        return [(identity, export.attempts)], notes + stamp_notes(export) + _unread_note(export.unread) \
            + export.bad_lines
    if text.lstrip().startswith(("{", "[")):
        data = json_loads(text)
        kind = data.get("format") if isinstance(data, dict) else None
        if kind in (QUIZ_FORMAT, ORDERING_FORMAT):
            if data.get("version") != 1:
                raise FileProblem(f"its version {str(data.get('version'))[:20]!r} is not one this module reads")
            return read_legacy_json(data), []
        if kind in (PROGRESS_FORMAT, LEGACY_FORMAT):
            identity, attempts, notes = parse_progress(text)
            groups, unread = _cap_file([(identity, attempts)])
            return groups, ["it is a progress file, not a hand-in; its answers were read"] + _unread_note(unread) \
                + notes
        raise FileProblem("it is JSON but not a course export (no \"format\" this module knows)")
    if suffix == ".txt" and "," not in text.partition("\n")[0]:
        raise FileProblem("a text file that is not a hand-in (a hand-in's first line names the format "
                          "vkp-class-export); ask the student for the file the Hand in or Download button made")
    groups, unread = _cap_file(read_legacy_csv(text))
    return groups, _unread_note(unread)


# --------------------------------------------------------------------------- bounds and the service's stamp

def _cap_file(groups: Found) -> tuple[Found, int]:
    """At most :data:`MAX_ANSWERS_PER_FILE` answers of one file (the first ones); how many were left out."""
    kept, room = [], MAX_ANSWERS_PER_FILE
    for identity, attempts in groups:
        kept.append((identity, attempts[:room]))
        room -= len(kept[-1][1])
    return kept, sum(len(a) for _, a in groups) - sum(len(a) for _, a in kept)


def _unread_note(unread: int) -> list[str]:
    if not unread:
        return []
    return [f"it holds more than {MAX_ANSWERS_PER_FILE} answers, the most read from one file; the first "
            f"{MAX_ANSWERS_PER_FILE} were read and {unread} line{'s' if unread != 1 else ''} after them were not"]


def stamp_notes(export) -> list[str]:
    """What the class hub's hand-in service noticed when it received the file (its stamp, which students cannot
    write): a hand-in that lacks answers the student had handed in before.  Those earlier answers are still in
    the service's earlier files, so they still count; the note says someone removed them from the record."""
    stamp = export.received or {}
    dropped = str(stamp.get("dropped") or "0")
    if not dropped.isdigit() or int(dropped) == 0:
        return []
    n = int(dropped)
    return [f"the hand-in received at {stamp.get('at') or '?'} lacked {n} answer{'s' if n != 1 else ''} this "
            f"student had handed in before (removed from their progress file, or a fresh one); the earlier "
            f"answer{'s' if n != 1 else ''} still count{'' if n != 1 else 's'}"]


# --------------------------------------------------------------------------- reading the folder

def _walk(folder: Path, results: ClassResults) -> list[Path]:
    files: list[Path] = []

    def rel(p: Path) -> str:
        return p.relative_to(folder).as_posix()

    def visit(d: Path, depth: int) -> None:
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            results.problems.append(Problem(rel(d) or ".", f"the folder cannot be listed ({exc.strerror})"))
            return
        for e in entries:
            p = Path(e.path)
            if e.name.startswith("."):
                if e.name != ".ipynb_checkpoints" and not (e.name.startswith(".vkp") and e.name.endswith(".lock")):
                    results.problems.append(Problem(rel(p), "a hidden file or folder; skipped (rename it without "
                                                            "the leading dot to read it)"))
                continue
            try:
                is_link, is_dir = e.is_symlink(), e.is_dir(follow_symlinks=False)
            except OSError as exc:
                results.problems.append(Problem(rel(p), f"it cannot be examined ({exc.strerror})"))
                continue
            if is_dir:
                if depth >= MAX_DEPTH:
                    results.problems.append(Problem(rel(p), f"a folder nested more than {MAX_DEPTH} deep; not read"))
                else:
                    visit(p, depth + 1)
                continue
            if is_link and os.path.isdir(p):
                results.problems.append(Problem(rel(p), "a link to a folder; not followed (copy the files in)"))
                continue
            if p.suffix.lower() not in SUFFIXES | ARCHIVES:
                results.problems.append(Problem(rel(p), "not an export (hand-ins end in .jsonl; old exports in "
                                                        ".json or .csv; an LMS's bulk download in .zip)"))
                continue
            files.append(p)

    visit(folder, 0)
    return files


def read_class_folder(folder: Path | str, *, secret: bytes | None = None, bank: Path | str | None = None
                      ) -> ClassResults:
    """Read, merge and grade again every hand-in in ``folder`` (and its sub-folders); never stops at a file.

    ``bank`` is the case bank the quiz used when it was not the shipped one.
    """
    folder = Path(str(folder).strip() or ".").expanduser()
    if not folder.is_dir():
        raise ContentError(folder, "this folder does not exist" if not folder.exists() else "this is not a folder",
                           fix="put the students' hand-in files in one folder and give its path")
    results = ClassResults(folder, bank=str(bank) if bank else None)
    results.sample = folder.resolve() == sample_dir().resolve()
    if secret is None:
        secret, note = class_secret(folder)
        if note:
            results.notes.append(note)
    results.secret = secret

    grader = _Grader(str(bank) if bank else None)
    found: list[tuple[str, Identity, list[tuple[str, Attempt]]]] = []
    for name, read in _sources(folder, results):
        try:
            groups, line_notes = read()
        except (FileProblem, ContentError) as exc:
            results.problems.append(Problem(name, str(getattr(exc, "problem", exc))))
            continue
        except MemoryError:
            results.problems.append(Problem(name, "it is too large to read"))
            continue
        except Exception as exc:  # noqa: BLE001 - a file's fault is named, never a stop
            results.problems.append(Problem(name, f"it could not be read ({type(exc).__name__}: "
                                                  f"{str(exc).splitlines()[0][:120] if str(exc) else ''})"))
            continue
        results.files_read.append(name)
        for note in line_notes:
            if note.startswith("line "):      # part of the file is damaged: named like a bad file
                results.problems.append(Problem(name, f"{note}; the other lines were read"))
            else:
                results.notes.append(f"{name}: {note}")
        for identity, attempts in groups:           # graded as read: the file's own copies are let go at once
            found.append((name, identity, grader.grade_all(name, attempts)))
        del groups

    _merge(found, results, grader)
    return results


def _sources(folder: Path, results: ClassResults):
    """(name, reader) of every file to read: the folder's files, and the entries of each zip in it."""
    for path in _walk(folder, results):
        name = path.relative_to(folder).as_posix()
        if path.suffix.lower() not in ARCHIVES:
            yield name, (lambda path=path: read_hand_in(path))
            continue
        try:
            members, problems = intake.zip_members(read_limited(path, intake.MAX_ZIP_TOTAL), SUFFIXES)
        except FileProblem as exc:
            results.problems.append(Problem(name, str(exc)))
            continue
        results.files_read.append(name)
        results.problems += [Problem(f"{name}/{entry}" if entry else name, problem) for entry, problem in problems]
        for m in members:
            yield f"{name}/{m.name}", (lambda m=m: read_hand_in_bytes(m.data, m.name))


def _merge(found: list[tuple[str, Identity, list[tuple[str, Attempt]]]], results: ClassResults,
           grader: "_Grader") -> None:
    key_of = _student_keys(found)
    ledger = _Ledger()
    for file, identity, graded in found:
        key = key_of(identity)
        student = results.students.setdefault(key, Student(key))
        if identity not in student.identities:
            student.identities.append(identity)
        if file not in student.files:
            student.files.append(file)
        for digest, a in graded:
            met = ledger.meet(key, file, a.id, digest)
            if met == "new" and len(student.attempts) >= MAX_ANSWERS_PER_STUDENT:
                ledger.over_cap[key] += 1
            elif met != "copy":
                ledger.keep(student, a)
    for student in results.students.values():
        student.attempts = in_answer_order(student.attempts)
    # A student whose every answer could not be graded keeps their place (their files' problems say why):
    # every student who handed anything in has a row in the gradebook.
    grader.report(results)
    ledger.report(results)


class _Grader:
    """Grades answers again from the content (never from the file), once per distinct answer: answers alike (one
    exercise, item, answer and context) share one grading and one record of what was answered, so a class's
    thousands of answers cost little memory and time (benchmarks/handin_memory.py)."""

    def __init__(self, bank: str | None):
        self.bank = bank
        self.memo: dict[bytes, tuple[dict, dict, dict]] = {}
        self.ungradable: Counter = Counter()
        self.ungradable_why: dict[str, str] = {}
        self.flagged: Counter = Counter()

    def grade_all(self, file: str, attempts: list[Attempt]) -> list[tuple[str, Attempt]]:
        """(digest of the answer as filed, the answer graded afresh) for each answer of ``file`` the content grades;
        the others are counted and named (:meth:`report`)."""
        out = []
        for a in attempts:
            try:
                graded = self.grade(a)
            except grading.Ungradable as exc:
                self.ungradable[file] += 1
                self.ungradable_why.setdefault(file, str(exc))
                continue
            standard = EXERCISES.get(a.exercise, next(iter(graded.grades)))
            claimed = a.grades.get(standard)
            if claimed is not None and claimed.correct != graded.grades[standard].correct:
                self.flagged[file] += 1
            out.append((attempt_digest(a), graded))
        return out

    def grade(self, a: Attempt) -> Attempt:
        """``a`` with every standard's fresh grade (:class:`grading.Ungradable` when the content cannot grade it)."""
        key = hashlib.sha256(json.dumps([a.exercise, a.item, a.answer, a.context], sort_keys=True,
                                        default=str).encode("utf-8", "surrogatepass")).digest()
        hit = self.memo.get(key)
        if hit is None:
            grades = (grading.regrade_quiz(a, self.bank) if a.exercise == QUIZ and self.bank
                      else grading.regrade(a))
            hit = self.memo[key] = (a.answer, a.context, grades)
        answer, context, grades = hit
        if not set(a.grades) <= set(grades):           # a standard the content does not grade: kept as filed
            grades = {**a.grades, **grades}
        return a.model_copy(update={"exercise": sys.intern(a.exercise), "item": sys.intern(a.item),
                                    "answer": answer, "context": context, "grades": grades})

    def report(self, results: ClassResults) -> None:
        for file, n in self.ungradable.items():
            results.problems.append(Problem(file, f"{n} answer{'s' if n != 1 else ''} could not be graded and "
                                                  f"{'were' if n != 1 else 'was'} left out: {self.ungradable_why[file]}"))
        for file, n in self.flagged.items():
            results.notes.append(f"{file}: {n} answer{'s' if n != 1 else ''} carried a flag that a fresh grading "
                                 "does not give (an edited file?); the fresh grade counts")


def _student_keys(found: list[tuple[str, Identity, list[Attempt]]]):
    """Who is who: a student id or hub login is strong; an install id joins the strong key seen with it."""
    strong_by_install: dict[str, set[str]] = defaultdict(set)
    for _, identity, _ in found:
        if identity.install_id and (identity.hub_user or identity.student_id):
            strong_by_install[identity.install_id].add(identity.key)

    def key_of(identity: Identity) -> str:
        if identity.hub_user or identity.student_id:
            return identity.key
        strong = strong_by_install.get(identity.install_id, set())
        return next(iter(strong)) if len(strong) == 1 else identity.key

    return key_of


@dataclass
class _Ledger:
    """Every answer id met while reading a folder: whose file held it, in which file, with what content.

    An answer counts once per student, by its id.  The same id with the same content is a copy (a hand-in and its
    download).  The same id with different content is a conflict (an edited or forged copy): the version graded
    lower counts, so editing an answer can never raise a score (nor, by dropping a wrong first try, make a
    retry the first), and both files are named.  The same id in another student's file counts only for the
    student whose file holds it, so a file sorting first with a classmate's answer ids cannot take or replace
    their answers.
    """

    seen: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)   # (student, id) -> (file, digest)
    owner: dict[str, tuple[str, str]] = field(default_factory=dict)              # id -> (student, file) first seen
    kept: dict[tuple[str, str], int] = field(default_factory=dict)               # (student, id) -> index in attempts
    copies: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    conflicts: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    reused: Counter = field(default_factory=Counter)                             # (file, other student's file)
    over_cap: Counter = field(default_factory=Counter)                           # student -> answers not kept

    def meet(self, key: str, file: str, answer_id: str, digest: str) -> str:
        """'new' (count it), 'copy' (counted already) or 'conflict' (the same id, other content) for ``key``."""
        owner, owner_file = self.owner.setdefault(answer_id, (key, file))
        if owner != key:
            self.reused[(file, owner_file)] += 1
        first = self.seen.get((key, answer_id))
        if first is None:
            self.seen[(key, answer_id)] = (file, digest)
            return "new"
        if first[1] == digest:
            if first[0] != file:
                self.copies[first[0]].add(file)
            return "copy"
        self.conflicts[(key, answer_id)].update({first[0], file})
        return "conflict"

    def keep(self, student: Student, graded: Attempt) -> None:
        """Count ``graded`` for ``student``; of two versions of one id, the one graded lower."""
        at = self.kept.get((student.key, graded.id))
        if at is None and len(student.attempts) >= MAX_ANSWERS_PER_STUDENT:
            self.over_cap[student.key] += 1
        elif at is None:
            self.kept[(student.key, graded.id)] = len(student.attempts)
            student.attempts.append(graded)
        elif student.attempts[at].correct and not graded.correct:
            student.attempts[at] = graded

    def report(self, results: ClassResults) -> None:
        by_files: Counter = Counter(tuple(sorted(files)) for files in self.conflicts.values())
        for files, n in sorted(by_files.items()):
            results.problems.append(Problem(files[0], (
                f"{n} answer{'s' if n != 1 else ''} here and in {', '.join(files[1:]) or 'this file again'} have "
                f"the same id{'s' if n != 1 else ''} but different content (an edited or forged copy); the "
                "version graded lower counts, so an edit gains nothing: compare the files")))
        for (file, other), n in sorted(self.reused.items()):
            results.problems.append(Problem(file, (
                f"{n} answer id{'s' if n != 1 else ''} here also appear{'' if n != 1 else 's'} in {other}, another "
                "student's file (a copied or forged file?); each copy counts only for the student whose file "
                "holds it")))
        names = results.pseudonyms() if self.over_cap else {}
        for key, n in sorted(self.over_cap.items()):
            results.notes.append(f"{names.get(key, 'a student')}: more than {MAX_ANSWERS_PER_STUDENT} answers, the "
                                 f"most kept of one student; {n} more were not read")
        for file, others in self.copies.items():
            results.notes.append(f"the same answers appear in {file} and {', '.join(sorted(others))} "
                                 "(copies or renamed files); each answer counted once")
