"""A class's hand-ins read, graded again and summed up for the debrief.

:func:`read_class_folder` reads every file in a folder and its sub-folders: hand-in files
(``.jsonl``, :mod:`widgets.record.attempts`), progress files handed in by mistake, and the
version-1 quiz and ordering exports (:mod:`widgets.classroom.export`).  It never stops at a file:
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
students chose (the misconception), the step order, and the multiple-choice exercises.  Students
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
import os
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from widgets.classroom import grading
from widgets.classroom.export import ORDERING_FORMAT, QUIZ_FORMAT, neutralise, read_legacy_csv, read_legacy_json
from widgets.record.identity import Identity
from widgets.record.progress import LEGACY_FORMAT, parse_progress
from widgets.record.attempts import (
    EXERCISES, MAX_FILE_BYTES, PROGRESS_FORMAT, Attempt, FileProblem, decode_text, in_answer_order, json_loads,
    looks_like_export, parse_export_text, read_limited, score,
)
from widgets.core.loading import ContentError
from widgets.core.settings import current_settings
from widgets.candidacy.practice import reason_title
from widgets.candidacy.rules import LEAFLET, PRACTICE, REASON_IDS  # the quiz's two standards
from widgets.candidacy.class_summary import write_rules_summary
from widgets.record.hub_client import download_all

SAMPLE_SECRET = b"vkp-sample-class: a published secret, for the sample only"
MIN_ANSWERS = 3
MAX_DEPTH = 4
SUFFIXES = {".jsonl", ".json", ".csv"}
__all__ = ["MAX_FILE_BYTES", "MIN_ANSWERS", "read_class_folder", "class_folder"]


@dataclass(frozen=True)
class Problem:
    file: str          # path relative to the class folder (may hold a student's name: never projected)
    problem: str


@dataclass
class Student:
    key: str
    identities: list[Identity] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)

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
    raw = read_limited(path)
    if not raw.strip():
        raise FileProblem("it is empty (0 bytes of answers); ask the student to hand in again")
    try:
        text = decode_text(raw)
    except FileProblem:
        if path.suffix.lower() != ".csv":
            raise
        text = raw.decode("cp1252", errors="replace")     # a spreadsheet's "CSV (Comma delimited)" on Windows
    if looks_like_export(text):
        export = parse_export_text(text)
        identity, notes = trusted_identity(export)
        return [(identity, export.attempts)], notes + export.bad_lines
    if text.lstrip().startswith(("{", "[")):
        data = json_loads(text)
        kind = data.get("format") if isinstance(data, dict) else None
        if kind in (QUIZ_FORMAT, ORDERING_FORMAT):
            if data.get("version") != 1:
                raise FileProblem(f"its version {str(data.get('version'))[:20]!r} is not one this module reads")
            return read_legacy_json(data), []
        if kind in (PROGRESS_FORMAT, LEGACY_FORMAT):
            identity, attempts, notes = parse_progress(text)
            return [(identity, attempts)], ["it is a progress file, not a hand-in; its answers were read"] + notes
        raise FileProblem("it is JSON but not a course export (no \"format\" this module knows)")
    return read_legacy_csv(text), []


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
            if p.suffix.lower() not in SUFFIXES:
                results.problems.append(Problem(rel(p), "not an export (hand-ins end in .jsonl; old exports in "
                                                        ".json or .csv)"))
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

    found: list[tuple[str, Identity, list[Attempt]]] = []
    for path in _walk(folder, results):
        name = path.relative_to(folder).as_posix()
        try:
            groups, line_notes = read_hand_in(path)
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
        for identity, attempts in groups:
            found.append((name, identity, attempts))

    _merge(found, results, str(bank) if bank else None)
    return results


def _merge(found: list[tuple[str, Identity, list[Attempt]]], results: ClassResults, bank: str | None) -> None:
    # Who is who: a student id or hub login is strong; an install id joins the strong key seen with it.
    strong_by_install: dict[str, set[str]] = defaultdict(set)
    for _, identity, _ in found:
        if identity.install_id and (identity.hub_user or identity.student_id):
            strong_by_install[identity.install_id].add(identity.key)

    def key_of(identity: Identity) -> str:
        if identity.hub_user or identity.student_id:
            return identity.key
        strong = strong_by_install.get(identity.install_id, set())
        return next(iter(strong)) if len(strong) == 1 else identity.key

    seen: dict[str, tuple[str, Attempt]] = {}
    copies: dict[str, set[str]] = defaultdict(set)
    ungradable: Counter = Counter()
    ungradable_why: dict[str, str] = {}
    flagged: Counter = Counter()
    for file, identity, attempts in found:
        key = key_of(identity)
        student = results.students.setdefault(key, Student(key))
        if identity not in student.identities:
            student.identities.append(identity)
        for a in attempts:
            if a.id in seen:
                copies[seen[a.id][0]].add(file)
                continue
            try:
                grades = (grading.regrade_quiz(a, bank) if a.exercise == "candidacy-quiz" and bank
                          else grading.regrade(a))
            except grading.Ungradable as exc:
                ungradable[file] += 1
                ungradable_why.setdefault(file, str(exc))
                seen[a.id] = (file, a)
                continue
            standard = EXERCISES.get(a.exercise, next(iter(grades)))
            claimed = a.grades.get(standard)
            if claimed is not None and claimed.correct != grades[standard].correct:
                flagged[file] += 1
            graded = a.model_copy(update={"grades": {**a.grades, **grades}})
            seen[a.id] = (file, graded)
            student.attempts.append(graded)
    for student in results.students.values():
        student.attempts = in_answer_order(student.attempts)
    results.students = {k: s for k, s in results.students.items() if s.attempts}
    for file, n in ungradable.items():
        results.problems.append(Problem(file, f"{n} answer{'s' if n != 1 else ''} could not be graded and "
                                              f"{'were' if n != 1 else 'was'} left out: {ungradable_why[file]}"))
    for file, n in flagged.items():
        results.notes.append(f"{file}: {n} answer{'s' if n != 1 else ''} carried a flag that a fresh grading "
                             "does not give (an edited file?); the fresh grade counts")
    for file, others in copies.items():
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
        return set(grading._bank(bank))
    except ContentError:
        return set()


def score_table(results: ClassResults) -> list[dict]:
    """Per student (pseudonym): the quiz's first-try and final scores, bank completion, other exercises."""
    in_bank = bank_ids(results.bank)
    total = len(in_bank)
    rows = []
    for name, s in results.by_pseudonym():
        quiz = s.of("candidacy-quiz")
        q = _score_of(quiz)
        qp = _score_of(quiz, "current_practice")
        orders = s.of("step-order")
        o = _score_of(orders)
        row = {"student": name, "quiz_cases": q.items, "quiz_first_right": q.first_right,
               "quiz_first_percent": q.first_percent, "quiz_final_right": q.final_right,
               "quiz_final_percent": q.final_percent,
               "quiz_practice_first_right": qp.first_right, "quiz_practice_final_right": qp.final_right,
               "quiz_practice_final_percent": qp.final_percent,
               "bank_completion_percent": round(100.0 * len({a.item for a in quiz} & in_bank) / total, 1)
               if total else 0.0,
               "ordering_attempts": len(orders), "ordering_first_right": o.first_right,
               "ordering_final_right": o.final_right, "ordering_procedures": o.items}
        for exercise in ("decision-points", "patient-questions", "aftercare-quiz", "needle-placement"):
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


def _count(d: Difficulty, first: Attempt, final: Attempt, standard: str = LEAFLET) -> None:
    g = first.grade(standard)
    d.answered += 1
    d.first_missed += not g.correct
    d.final_missed += not final.grade(standard).correct
    if not g.correct:
        if not (g.parts.get("vertebroplasty", True) and g.parts.get("kyphoplasty", True)):
            d.verdict_wrong += 1
        elif not g.parts.get("reason", True):
            d.reason_wrong += 1
            d.wrong_reasons[str(first.answer.get("reason"))] += 1


def _quiz(s: Student, standard: str) -> list[Attempt]:
    return [a for a in s.of("candidacy-quiz") if standard in a.grades]


def case_difficulty(results: ClassResults, standard: str = LEAFLET) -> list[Difficulty]:
    """Per quiz case: first-try and final misses, verdict vs reason, and the wrong reasons chosen.

    Ranked cases (at least :data:`MIN_ANSWERS` students) come first, most missed at the first try first.
    """
    rows: dict[str, Difficulty] = {}
    for s in results.students.values():
        for item, (first, final) in _first_and_final(_quiz(s, standard)).items():
            d = rows.setdefault(item, Difficulty(item, _case_title(item, results.bank)))
            _count(d, first, final, standard)
    return sorted(rows.values(), key=lambda r: (not r.ranked, -r.first_missed_percent, -r.first_missed, r.key))


def _case_title(case_id: str, bank: str | None = None) -> str:
    try:
        return grading.quiz_vignette(case_id, bank).title if not case_id.startswith("gen-") else "practice case (generated)"
    except (grading.Ungradable, ContentError):
        return "unknown case"


def rule_difficulty(results: ClassResults, standard: str = LEAFLET) -> list[Difficulty]:
    """Per candidacy rule of ``standard``: first tries at the cases it decides, first-try and final misses,
    verdict vs reason."""
    rows: dict[str, Difficulty] = {}
    for s in results.students.values():
        per_rule: dict[str, list[tuple[Attempt, Attempt]]] = defaultdict(list)
        for first, final in _first_and_final(_quiz(s, standard)).values():
            for rule in first.grade(standard).expected.get("deciding_rules") or []:
                per_rule[str(rule)].append((first, final))
        for rule, pairs in per_rule.items():
            d = rows.setdefault(rule, Difficulty(rule, reason_title(rule)))
            for first, final in pairs:
                _count(d, first, final, standard)
    return sorted(rows.values(), key=lambda r: (-r.first_missed_percent, -r.first_missed, r.key))


def misconceptions(results: ClassResults, standard: str = LEAFLET) -> list[dict]:
    """When the verdicts were right but the reason wrong (first tries): which rule was chosen instead.

    One row per (deciding rule, rule chosen instead), most frequent first, with the cases it happened on.
    """
    counts: Counter = Counter()
    cases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in results.students.values():
        for first, _ in _first_and_final(_quiz(s, standard)).values():
            g = first.grade(standard)
            if g.correct or not g.parts.get("vertebroplasty", True) or not g.parts.get("kyphoplasty", True):
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
    """First tries with a wrong verdict, by what was said: e.g. 'kyphoplasty: said candidate, is not'."""
    counts: Counter = Counter()
    for s in results.students.values():
        for first, _ in _first_and_final(_quiz(s, standard)).values():
            g = first.grade(standard)
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
    for s in results.students.values():
        for item, (first, _) in _first_and_final(_quiz(s, PRACTICE)).items():
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
    """The class's misses per rule under both standards: what students may see (no student is in it)."""
    out = []
    for standard in (LEAFLET, PRACTICE):
        for d in rule_difficulty(results, standard):
            out.append({"standard": standard, "rule": d.key, "cases_answered": d.answered,
                        "first_missed": d.first_missed, "first_missed_percent": d.first_missed_percent})
    return out


def rules_summary_csv(results: ClassResults) -> str:
    """The class's most-missed rules as the file students may load in the quiz (aggregate only)."""
    return write_rules_summary(rules_summary_rows(results), students=len(results.students))


def ordering_difficulty(results: ClassResults) -> list[dict]:
    """Per procedure step: in how many students' first attempt, and in how many attempts in all, it was out of place."""
    first_out, all_out, students, attempts = Counter(), Counter(), Counter(), Counter()
    for s in results.students.values():
        orders = s.of("step-order")
        firsts = {}
        for a in orders:
            firsts.setdefault(a.item, a)
            attempts[a.item] += 1
            all_out.update((a.item, m) for m in a.grade("leaflet").expected.get("misplaced") or [])
        for proc, a in firsts.items():
            students[proc] += 1
            first_out.update((proc, m) for m in a.grade("leaflet").expected.get("misplaced") or [])
    rows = [{"procedure": proc, "step": step, "students": students[proc], "first_out": first_out[(proc, step)],
             "attempts": attempts[proc], "all_out": all_out[(proc, step)]}
            for proc, step in set(first_out) | set(all_out)]
    return sorted(rows, key=lambda r: (-r["first_out"], -r["all_out"], r["procedure"], r["step"]))


def needle_difficulty(results: ClassResults) -> list[dict]:
    """Per level of the needle-placement exercise: students, placements passed at the first and the latest
    attempt, and the problem most often behind a failed first attempt (the danger the class met)."""
    rows: dict[str, dict] = {}
    for s in results.students.values():
        for level, (first, final) in _first_and_final(s.of("needle-placement")).items():
            r = rows.setdefault(level, {"level": level, "students": 0, "first_passed": 0, "final_passed": 0,
                                        "attempts": 0, "problems": Counter()})
            r["students"] += 1
            r["first_passed"] += first.correct
            r["final_passed"] += final.correct
            if not first.correct:
                r["problems"].update(str(p) for p in first.grade("geometry").expected.get("problems") or [])
        for a in s.of("needle-placement"):
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
    """Counts of students per quiz score band (0-9 %, ..., 90-100 %), first try or final."""
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


SUMMARY_COLUMNS = ["student", "quiz_cases", "quiz_first_right", "quiz_first_percent", "quiz_final_right",
                   "quiz_final_percent", "quiz_practice_first_right", "quiz_practice_final_right",
                   "quiz_practice_final_percent", "bank_completion_percent", "ordering_attempts", "ordering_first_right",
                   "ordering_final_right", "decision-points_final_right", "patient-questions_final_right",
                   "aftercare-quiz_final_right"]


def summary_csv(results: ClassResults) -> str:
    """The anonymised per-student summary as CSV text (pseudonyms, no names)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(score_table(results))
    return buf.getvalue()


GRADEBOOK_COLUMNS = ["name", "student_id", "hub_user", "pseudonym", "quiz_score_percent", "quiz_first_try_percent",
                     "quiz_cases", "bank_completion_percent", "exercises_done"]


def gradebook_csv(results: ClassResults) -> str:
    """An LMS-ready gradebook: one row per student with name, student id, score and completion.

    It names students, so it is saved for the instructor and never shown.  Cells are protected
    against spreadsheet formula injection.
    """
    table = {row["student"]: row for row in score_table(results)}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(GRADEBOOK_COLUMNS)
    for name, s in results.by_pseudonym():
        row = table[name]
        done = sorted({a.exercise for a in s.attempts})
        writer.writerow([neutralise(str(v)) for v in (
            s.display, s.student_id, s.hub_user, name, row["quiz_final_percent"], row["quiz_first_percent"],
            row["quiz_cases"], row["bank_completion_percent"], ";".join(done))])
    return buf.getvalue()
