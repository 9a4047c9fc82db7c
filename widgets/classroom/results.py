"""A class's hand-ins read, graded again and summed up for the debrief.

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

The summaries show first-try and final results side by side, using the one score definition of
:func:`widgets.record.attempts.score` that the quiz widget shows: per student, per rule, per case
(a case is ranked only with at least :data:`MIN_ANSWERS` students' answers), which wrong reason
students chose (the misconception), the step order, and the multiple-choice exercises.  The class-wide
quiz statistics count one vote per student per case of the bank (:func:`class_votes`), so no single
student can move them.

No file or student can take the reader's memory: at most :data:`MAX_ANSWERS_PER_FILE` answers are read
from a file and :data:`MAX_ANSWERS_PER_STUDENT` kept of one student (what is left out is noted).  An answer
counts once per student, by its id; the same id with different content is a conflict, named, whose lower-graded
version counts; the same id in another student's file counts only for the student whose file holds it
(:class:`_Ledger`).  Answers are graded again as each file is read, answers alike once (:class:`_Grader`).
Who handed a file in is the class hub's stamp when there is one (:func:`trusted_identity`), never a login a
file merely claims.  Students
appear as S01, S02, ...: pseudonyms ordered by an HMAC of their identity with a per-class secret
the instructor keeps (:func:`class_secret`), so they cannot be rebuilt from a list of names.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import hmac
import io
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
    score,
)
from widgets.core.loading import ContentError
from widgets.core.settings import current_settings
from widgets.candidacy.practice import reason_title
from widgets.candidacy.rules import LEAFLET, PRACTICE, REASON_IDS  # the quiz's two standards
from widgets.candidacy.class_summary import write_rules_summary
from widgets.candidacy.exercise import QUIZ, bank_vignettes
from widgets.imaging.exercise import NEEDLE_PLACEMENT
from widgets.outcomes.exercise import PATIENT_QUESTIONS
from widgets.procedures.exercise import DECISION_POINTS, STEP_ORDER
from widgets.recovery.exercise import AFTERCARE_QUIZ
from widgets.record.hub_client import download_all

SAMPLE_SECRET = b"vkp-sample-class: a published secret, for the sample only"
MIN_ANSWERS = 3
MAX_DEPTH = 4
SUFFIXES = {".jsonl", ".json", ".csv", ".txt"}     # read as hand-ins (and the same inside a zip)
ARCHIVES = {".zip"}                                 # an LMS's bulk download, read as it is (classroom.intake)
__all__ = ["MAX_ANSWERS_PER_FILE", "MAX_ANSWERS_PER_STUDENT", "MAX_FILE_BYTES", "MIN_ANSWERS",
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


# --------------------------------------------------------------------------- summaries

def _score_of(attempts: list[Attempt], standard: str | None = None):
    """The one score over ``attempts``, graded by ``standard`` (default: each exercise's first)."""
    if standard is None:
        return score((a.item, a.correct) for a in attempts)
    return score((a.item, a.grades[standard].correct) for a in attempts if standard in a.grades)


def bank_ids(bank: str | None = None) -> set[str]:
    try:
        return set(bank_vignettes(bank))
    except ContentError:
        return set()


def score_table(results: ClassResults) -> list[dict]:
    """Per student (pseudonym): the quiz's first-try and final scores under current practice (``quiz_practice_*``,
    the score students see first) and under the leaflet (``quiz_first_*``, ``quiz_final_*``), bank completion,
    other exercises."""
    in_bank = bank_ids(results.bank)
    total = len(in_bank)
    rows = []
    for name, s in results.by_pseudonym():
        quiz = s.of(QUIZ)
        q = _score_of(quiz)
        qp = _score_of(quiz, "current_practice")
        orders = s.of(STEP_ORDER)
        o = _score_of(orders)
        row = {"student": name, "quiz_cases": q.items, "quiz_first_right": q.first_right,
               "quiz_first_percent": q.first_percent, "quiz_final_right": q.final_right,
               "quiz_final_percent": q.final_percent,
               "quiz_practice_first_right": qp.first_right, "quiz_practice_final_right": qp.final_right,
               "quiz_practice_first_percent": qp.first_percent, "quiz_practice_final_percent": qp.final_percent,
               "bank_completion_percent": round(100.0 * len({a.item for a in quiz} & in_bank) / total, 1)
               if total else 0.0,
               "ordering_attempts": len(orders), "ordering_first_right": o.first_right,
               "ordering_final_right": o.final_right, "ordering_procedures": o.items}
        for exercise in (DECISION_POINTS, PATIENT_QUESTIONS, AFTERCARE_QUIZ, NEEDLE_PLACEMENT):
            e = _score_of(s.of(exercise))
            row[f"{exercise}_answered"] = e.items
            row[f"{exercise}_first_right"] = e.first_right
            row[f"{exercise}_final_right"] = e.final_right
        rows.append(row)
    return rows


@dataclass
class Difficulty:
    key: str
    title: str
    answered: int = 0            # first tries: per case, the students who answered it; per rule, their cases
    first_missed: int = 0        # ... wrong at the first try
    final_missed: int = 0        # ... still wrong at the latest answer
    verdict_wrong: int = 0       # first tries with a wrong verdict (VP or KP)
    reason_wrong: int = 0        # first tries with both verdicts right but the wrong deciding rule
    wrong_reasons: Counter = field(default_factory=Counter)   # the rule chosen instead, on first tries
    other_followed: int = 0      # first tries wrong by this standard but right by the other (not plain misses)
    final_other_followed: int = 0   # ... the same at the latest answer

    @property
    def plain_missed(self) -> int:
        """Missed at the first try, and not by following the other standard."""
        return self.first_missed - self.other_followed

    @property
    def final_plain_missed(self) -> int:
        return self.final_missed - self.final_other_followed

    @property
    def plain_missed_percent(self) -> float:
        return round(100.0 * self.plain_missed / self.answered, 1) if self.answered else 0.0

    @property
    def first_missed_percent(self) -> float:
        return round(100.0 * self.first_missed / self.answered, 1) if self.answered else 0.0

    @property
    def final_missed_percent(self) -> float:
        return round(100.0 * self.final_missed / self.answered, 1) if self.answered else 0.0

    @property
    def ranked(self) -> bool:
        return self.answered >= MIN_ANSWERS

    def top_wrong_reason(self) -> str:
        return ", ".join(f"{r} ({n})" for r, n in self.wrong_reasons.most_common(2)) or "none"


def _first_and_final(attempts: list[Attempt]) -> dict[str, tuple[Attempt, Attempt]]:
    out: dict[str, list[Attempt]] = {}
    for a in attempts:
        out.setdefault(a.item, []).append(a)
    return {item: (xs[0], xs[-1]) for item, xs in out.items()}


OTHER_STANDARD = {LEAFLET: PRACTICE, PRACTICE: LEAFLET}


def followed_other_standard(a: Attempt, standard: str = LEAFLET) -> bool:
    """Wrong by ``standard`` but right by the other one (by current practice under the leaflet, by the leaflet
    under current practice): an answer that is never a plain miss."""
    other = OTHER_STANDARD.get(standard)
    return (other is not None and standard in a.grades and not a.grades[standard].correct and other in a.grades
            and a.grades[other].correct)


def _count(d: Difficulty, first: Attempt, final: Attempt, standard: str = LEAFLET) -> None:
    g = first.grade(standard)
    d.answered += 1
    d.first_missed += not g.correct
    d.final_missed += not final.grade(standard).correct
    d.final_other_followed += followed_other_standard(final, standard)
    if followed_other_standard(first, standard):
        d.other_followed += 1
    elif not g.correct:
        if not (g.parts.get("vertebroplasty", True) and g.parts.get("kyphoplasty", True)):
            d.verdict_wrong += 1
        elif not g.parts.get("reason", True):
            d.reason_wrong += 1
            d.wrong_reasons[str(first.answer.get("reason"))] += 1


def _quiz(s: Student, standard: str) -> list[Attempt]:
    return [a for a in s.of(QUIZ) if standard in a.grades]


def class_votes(results: ClassResults, standard: str = LEAFLET) -> list[dict[str, tuple[Attempt, Attempt]]]:
    """Per student, their vote on each case of the bank: (first answer, latest answer), graded by ``standard``.

    What every class-wide quiz statistic counts (the rule and case tables, the misconceptions, the rule summary
    students load): one vote per student per case, and bank cases only, so that no student moves them by
    answering often; a thousand generated practice cases, or one case answered a thousand times, weigh what one
    student's answers to the bank weigh.  Each student's own row (the score table) still counts everything."""
    in_bank = bank_ids(results.bank)
    return [{item: pair for item, pair in _first_and_final(_quiz(s, standard)).items() if item in in_bank}
            for s in results.students.values()]


def case_difficulty(results: ClassResults, standard: str = LEAFLET) -> list[Difficulty]:
    """Per quiz case: first-try and final misses, verdict vs reason, and the wrong reasons chosen.

    Ranked cases (at least :data:`MIN_ANSWERS` students) come first, most missed at the first try first (plain
    misses: an answer that followed the other standard does not make a case "most missed").
    """
    rows: dict[str, Difficulty] = {}
    for votes in class_votes(results, standard):
        for item, (first, final) in votes.items():
            d = rows.setdefault(item, Difficulty(item, _case_title(item, results.bank)))
            _count(d, first, final, standard)
    return sorted(rows.values(), key=lambda r: (not r.ranked, -r.plain_missed_percent, -r.plain_missed, r.key))


def _case_title(case_id: str, bank: str | None = None) -> str:
    try:
        return grading.quiz_vignette(case_id, bank).title if not case_id.startswith("gen-") else "practice case (generated)"
    except (grading.Ungradable, ContentError):
        return "unknown case"


def rule_difficulty(results: ClassResults, standard: str = LEAFLET) -> list[Difficulty]:
    """Per candidacy rule of ``standard``: first tries at the cases it decides, first-try and final misses,
    verdict vs reason."""
    rows: dict[str, Difficulty] = {}
    for votes in class_votes(results, standard):
        per_rule: dict[str, list[tuple[Attempt, Attempt]]] = defaultdict(list)
        for first, final in votes.values():
            for rule in first.grade(standard).expected.get("deciding_rules") or []:
                per_rule[str(rule)].append((first, final))
        for rule, pairs in per_rule.items():
            d = rows.setdefault(rule, Difficulty(rule, reason_title(rule)))
            for first, final in pairs:
                _count(d, first, final, standard)
    return sorted(rows.values(), key=lambda r: (-r.plain_missed_percent, -r.plain_missed, r.key))


def misconceptions(results: ClassResults, standard: str = LEAFLET) -> list[dict]:
    """When the verdicts were right but the reason wrong (first tries): which rule was chosen instead.

    One row per (deciding rule, rule chosen instead), most frequent first, with the cases it happened on.
    An answer that follows the other standard is not a misconception and is left out.
    """
    counts: Counter = Counter()
    cases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for votes in class_votes(results, standard):
        for first, _ in votes.values():
            g = first.grade(standard)
            if g.correct or not g.parts.get("vertebroplasty", True) or not g.parts.get("kyphoplasty", True) \
                    or followed_other_standard(first, standard):
                continue
            right = " / ".join(g.expected.get("deciding_rules") or ["?"])
            chosen = str(first.answer.get("reason"))
            counts[(right, chosen)] += 1
            cases[(right, chosen)].add(first.item)
    return [{"deciding": right, "deciding_title": " / ".join(reason_title(r) for r in right.split(" / ")),
             "chosen": chosen, "chosen_title": reason_title(chosen), "times": n,
             "cases": ", ".join(sorted(cases[(right, chosen)]))}
            for (right, chosen), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def verdict_mistakes(results: ClassResults, standard: str = LEAFLET) -> list[dict]:
    """First tries with a wrong verdict, by what was said: e.g. 'kyphoplasty: said candidate, is not'
    (answers that follow the other standard are left out: they are not mistakes)."""
    counts: Counter = Counter()
    for votes in class_votes(results, standard):
        for first, _ in votes.values():
            g = first.grade(standard)
            if followed_other_standard(first, standard):
                continue
            for proc in ("vertebroplasty", "kyphoplasty"):
                if g.parts.get(proc, True):
                    continue
                said = "candidate" if first.answer.get(proc) else "not a candidate"
                counts[(proc, said, " / ".join(g.expected.get("deciding_rules") or []))] += 1
    return [{"procedure": p, "said": said, "deciding": rules,
             "deciding_title": " / ".join(reason_title(r) for r in rules.split(" / ") if r), "times": n}
            for (p, said, rules), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def per_student_rules(results: ClassResults, standard: str = LEAFLET) -> tuple[list[str], list[dict]]:
    """(rules, rows): per student, for each rule, 'first-try right / cases' over the cases it decides."""
    rows = []
    used: set[str] = set()
    for name, s in results.by_pseudonym():
        cells: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for first, _ in _first_and_final(_quiz(s, standard)).values():
            g = first.grade(standard)
            for rule in g.expected.get("deciding_rules") or []:
                cells[rule][0] += g.correct
                cells[rule][1] += 1
                used.add(rule)
        if cells:
            rows.append({"student": name, **{r: f"{c[0]}/{c[1]}" for r, c in cells.items()}})
    return [r for r in REASON_IDS if r in used], rows


def standards_split(results: ClassResults) -> list[dict]:
    """On the cases where the leaflet and current practice give different verdicts: how students' first
    answers fell (the leaflet's verdicts, current practice's, or neither's), per case."""
    rows: dict[str, dict] = {}
    for votes in class_votes(results, PRACTICE):
        for item, (first, _) in votes.items():
            lg, pg = first.grades.get(LEAFLET), first.grades[PRACTICE]
            if lg is None:
                continue
            differ = any(lg.expected.get(p) != pg.expected.get(p) for p in ("vertebroplasty", "kyphoplasty"))
            if not differ:
                continue
            r = rows.setdefault(item, {"case": item, "title": _case_title(item, results.bank), "students": 0,
                                       "leaflet": 0, "practice": 0, "neither": 0})
            r["students"] += 1
            lv = lg.parts.get("vertebroplasty") and lg.parts.get("kyphoplasty")
            pv = pg.parts.get("vertebroplasty") and pg.parts.get("kyphoplasty")
            r["leaflet" if lv else "practice" if pv else "neither"] += 1
    return sorted(rows.values(), key=lambda r: (-r["students"], r["case"]))


def rules_summary_rows(results: ClassResults) -> list[dict]:
    """The class's misses per rule under both standards: what students may see (no student is in it).  A first
    try that followed the other standard is not counted as missed."""
    out = []
    for standard in (LEAFLET, PRACTICE):
        for d in rule_difficulty(results, standard):
            out.append({"standard": standard, "rule": d.key, "cases_answered": d.answered,
                        "first_missed": d.plain_missed, "first_missed_percent": d.plain_missed_percent})
    return out


def rules_summary_csv(results: ClassResults) -> str:
    """The class's most-missed rules as the file students may load in the quiz (aggregate only)."""
    return write_rules_summary(rules_summary_rows(results), students=len(results.students))


def needle_difficulty(results: ClassResults) -> list[dict]:
    """Per level of the needle-placement exercise: students, placements passed at the first and the latest
    attempt, and the problem most often behind a failed first attempt (the danger the class met)."""
    rows: dict[str, dict] = {}
    for s in results.students.values():
        for level, (first, final) in _first_and_final(s.of(NEEDLE_PLACEMENT)).items():
            r = rows.setdefault(level, {"level": level, "students": 0, "first_passed": 0, "final_passed": 0,
                                        "attempts": 0, "problems": Counter()})
            r["students"] += 1
            r["first_passed"] += first.correct
            r["final_passed"] += final.correct
            if not first.correct:
                r["problems"].update(str(p) for p in first.grade("geometry").expected.get("problems") or [])
        for a in s.of(NEEDLE_PLACEMENT):
            rows[a.item]["attempts"] += 1
    out = []
    for level, r in sorted(rows.items()):
        problem, n = (r.pop("problems").most_common(1) or [(None, 0)])[0]
        out.append({**r, "common_problem": problem or "none", "common_problem_times": n})
    return out


def choice_difficulty(results: ClassResults, exercise: str) -> list[dict]:
    """Per question of a multiple-choice exercise: students, first-try and final right, the wrong option chosen most."""
    rows: dict[str, dict] = {}
    for s in results.students.values():
        for item, (first, final) in _first_and_final(s.of(exercise)).items():
            r = rows.setdefault(item, {"question": item, "students": 0, "first_right": 0, "final_right": 0,
                                       "wrong": Counter()})
            r["students"] += 1
            r["first_right"] += first.correct
            r["final_right"] += final.correct
            if not first.correct:
                r["wrong"][str(first.answer.get("option"))] += 1
    out = []
    for item, r in rows.items():
        option, n = (r["wrong"].most_common(1) or [(None, 0)])[0]
        out.append({"exercise": exercise, "question": item,
                    "prompt": grading.question_text(exercise, item) or item,
                    "students": r["students"], "first_right": r["first_right"], "final_right": r["final_right"],
                    "common_wrong": (grading.option_text(exercise, item, option) or option) if option else "none",
                    "common_wrong_times": n,
                    "misconception": (grading.option_misconception(exercise, item, option) or "") if option else ""})
    return sorted(out, key=lambda r: (r["first_right"] / max(r["students"], 1), r["question"]))


def score_distribution(results: ClassResults, bin_width: int = 10, *, which: str = "final") -> list[tuple[str, int]]:
    """Counts of students per quiz score band (0-9 %, ..., 90-100 %): ``which`` is ``practice_first`` or
    ``practice_final`` (current practice, the score students see first), or ``first`` or ``final`` (the leaflet)."""
    bins = Counter()
    top = 100 // bin_width - 1
    for row in score_table(results):
        if row["quiz_cases"]:
            bins[min(int(row[f"quiz_{which}_percent"] // bin_width), top)] += 1
    return [(f"{b * bin_width}-{b * bin_width + bin_width - (0 if b == top else 1)} %", bins[b])
            for b in range(top + 1)]


def report_problems(results: ClassResults) -> str:
    """One line to project: how much was read and how many files had problems (no file names)."""
    n = len(results.students)
    exercises = Counter(a.exercise for s in results.students.values() for a in s.attempts)
    what = ", ".join(f"{k} {v}" for k, v in sorted(exercises.items())) or "no answers"
    line = (f"Read {len(results.files_read)} file(s): {n} student{'s' if n != 1 else ''}; answers by exercise: "
            f"{what}.")
    if results.problems:
        line += f" {len(results.problems)} file(s) or part(s) could not be used (listed below, folded: they name files)."
    if results.sample:
        line += " This is the sample class: its S01, S02, ... use a published secret."
    return line


#: The quiz's score under current practice first (the score students see first), then under the leaflet
#: (``quiz_first_*`` and ``quiz_final_*``: what the patient leaflet says).
SUMMARY_COLUMNS = ["student", "quiz_cases", "quiz_practice_first_right", "quiz_practice_first_percent",
                   "quiz_practice_final_right", "quiz_practice_final_percent", "quiz_first_right", "quiz_first_percent",
                   "quiz_final_right", "quiz_final_percent", "bank_completion_percent", "ordering_attempts", "ordering_first_right",
                   "ordering_final_right", "decision-points_final_right", "patient-questions_final_right",
                   "aftercare-quiz_final_right"]


def summary_csv(results: ClassResults) -> str:
    """The anonymised per-student summary as CSV text (pseudonyms, no names)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(score_table(results))
    return buf.getvalue()
