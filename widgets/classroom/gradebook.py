"""The gradebook: a row for every student who handed anything in, and the CSV files Canvas and Moodle import.

Every student whose answers were read has a row; so has every file a student handed in that could not be
used, with the problem named (an empty file, a download cut short, a PDF ...), under the name its file
name gives (the course's hand-in name, a Canvas or a Moodle bulk-download name: :mod:`widgets.classroom.intake`)
or as an unknown student, so no one silently drops out.  A problem file that is plainly a student's who is
already in the book (the same install id in its name) is added to that student's row.  Students who share
a name and have no student id or hub login are told apart by their install id.

Three files are written from the rows:

* :func:`gradebook_csv`, the instructor's own: names, ids, every score, the pre-test and post-test, the
  gain, the problem.  It names students: saved readable by the instructor only, never shown.
* :func:`canvas_csv`, for Canvas's Gradebook import (Grades > Import): the header Canvas's importer
  requires (``Student,ID,SIS User ID,SIS Login ID,Section``, then one column per assignment; a column whose
  title matches no assignment makes a new one) and a ``Points Possible`` row, as
  ``app/models/gradebook_importer.rb`` of instructure/canvas-lms reads them.  Canvas finds the student by
  ``ID`` (the Canvas user id, which a Canvas bulk download puts in each file name), else ``SIS User ID``
  (the student id), else ``SIS Login ID`` (the hub login), else the name.
* :func:`moodle_csv`, for Moodle's "Import grades > CSV file": one column identifies the student (the hub
  login, mapped to Moodle's ``username``, or the student id, mapped to ``idnumber``) and the score column is
  mapped to a new grade item named after it.  Moodle stops the whole import at a user it cannot find and
  skips a row whose identifier is blank (``grade/import/csv/classes/load_data.php`` of moodle/moodle), so
  rows without the identifier are left out of this file and listed (:attr:`LmsFile.left_out`), and a row
  with no score gets ``-`` (Moodle's "no grade").

The score in the LMS files is the quiz's score under current practice (the share of the cases a student
answered whose latest answer is right under current practice, the score the quiz shows the student first), and
its column title says so and that it is self-reported: the answers come from the students' own files.  The
instructor's gradebook keeps both standards, each column named by its standard (``quiz_practice_*`` first,
then ``quiz_leaflet_*``: what the patient leaflet says).  Cells that a spreadsheet could run as a formula are
neutralised.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from widgets.classroom import intake
from widgets.classroom import results as cr
from widgets.classroom.export import neutralise
from widgets.classroom.gain import student_gains
from widgets.record.identity import match_key

SCORE_TITLE = "VKP candidacy quiz, score under current practice (self-reported, %)"
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = 100
#: Problems of things that are not a student's hand-in (named in the folded list, but no gradebook row).
NOT_A_HANDIN = ("a hidden file", "a folder nested", "a link to a folder", "the folder cannot be listed",
                "it holds ")


@dataclass
class GradebookRow:
    name: str
    student_id: str = ""
    hub_user: str = ""
    told_apart_by: str = ""
    pseudonym: str = ""
    lms: str = ""                 # "canvas" or "moodle" when the file came from that LMS's bulk download
    lms_id: str = ""              # Canvas user id (the ID column of Canvas's gradebook); Moodle participant id
    quiz_practice_score_percent: float | None = None       # current practice: the score students see first
    quiz_practice_first_try_percent: float | None = None
    quiz_leaflet_score_percent: float | None = None        # what the patient leaflet says
    quiz_leaflet_first_try_percent: float | None = None
    quiz_cases: int = 0
    bank_completion_percent: float | None = None
    pre_test_percent: float | None = None
    post_test_percent: float | None = None
    normalised_gain: float | None = None
    exercises_done: str = ""
    files: int = 0
    problems: list[str] = field(default_factory=list)
    install_id: str = ""

    @property
    def problem(self) -> str:
        return "; ".join(self.problems)


def _install_of(student: cr.Student) -> str:
    return next((i.install_id for i in student.identities if i.install_id), "")


def _lms_of(files: list[str]) -> intake.LmsName | None:
    for f in files:
        hint = intake.lms_name(f)
        if hint is not None and hint.lms in ("canvas", "moodle"):
            return hint
    return None


def _is_handin_problem(p: cr.Problem) -> bool:
    return not p.problem.startswith(NOT_A_HANDIN)


def gradebook_rows(results: cr.ClassResults) -> list[GradebookRow]:
    """A row per student read and per unusable hand-in of a student not read otherwise (see the module)."""
    scores = {row["student"]: row for row in cr.score_table(results)}
    gains = {g.student: g for g in student_gains(results)}
    rows: list[GradebookRow] = []
    by_install: dict[str, GradebookRow] = {}
    by_file: dict[str, GradebookRow] = {}
    for pseudonym, s in results.by_pseudonym():
        sc, g = scores[pseudonym], gains.get(pseudonym)
        lms = _lms_of(s.files)
        row = GradebookRow(
            s.display, s.student_id, s.hub_user, "", pseudonym, lms.lms if lms else "",
            lms.lms_id if lms and not lms.lms_id.startswith("anon_") else "",
            sc["quiz_practice_final_percent"] if sc["quiz_cases"] else None,
            sc["quiz_practice_first_percent"] if sc["quiz_cases"] else None,
            sc["quiz_final_percent"] if sc["quiz_cases"] else None,
            sc["quiz_first_percent"] if sc["quiz_cases"] else None, sc["quiz_cases"],
            sc["bank_completion_percent"] if sc["quiz_cases"] else None,
            g.pre_percent if g else None, g.post_percent if g else None,
            round(g.g, 3) if g is not None and g.g is not None else None,
            ";".join(sorted({a.exercise for a in s.attempts})), len(s.files), [], _install_of(s))
        if not s.attempts:
            row.problems.append("no answer in the hand-in could be graded (see the files' problems)")
        rows.append(row)
        for f in s.files:
            by_file[f] = row
        if row.install_id:
            by_install[row.install_id[:8]] = row
    for p in results.problems:
        if not _is_handin_problem(p):
            continue
        if p.file in by_file:                          # part of a file that was read: its student's row
            by_file[p.file].problems.append(f"{PurePosixPath(p.file).name}: {p.problem}")
            continue
        hint = intake.lms_name(p.file)
        if hint is not None and hint.lms == "course" and hint.lms_id in by_install:
            by_install[hint.lms_id].problems.append(f"also {PurePosixPath(p.file).name}: {p.problem}")
            continue
        name = hint.name if hint is not None else ""
        row = GradebookRow(name or f"unknown student (file {PurePosixPath(p.file).name})",
                           lms=hint.lms if hint is not None and hint.lms != "course" else "",
                           lms_id=hint.lms_id if hint is not None and hint.lms == "canvas"
                           and not hint.lms_id.startswith("anon_") else "",
                           files=1, problems=[f"{p.file}: {p.problem}"])
        rows.append(row)
    _tell_apart(rows)
    return rows


def _tell_apart(rows: list[GradebookRow]) -> None:
    """Same-name rows: told apart by student id, hub login, LMS id or install id (the first they have)."""
    groups: dict[str, list[GradebookRow]] = {}
    for r in rows:
        groups.setdefault(match_key(r.name), []).append(r)
    for same in groups.values():
        if len(same) < 2:
            continue
        for r in same:
            r.told_apart_by = (f"student id {r.student_id}" if r.student_id else f"hub login {r.hub_user}"
                               if r.hub_user else f"{r.lms} id {r.lms_id}" if r.lms_id else
                               f"install {r.install_id[:8]}" if r.install_id else "not told apart: see the file")


def _num(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


GRADEBOOK_COLUMNS = ["name", "student_id", "hub_user", "told_apart_by", "pseudonym", "lms", "lms_id",
                     "quiz_practice_score_percent", "quiz_practice_first_try_percent", "quiz_leaflet_score_percent",
                     "quiz_leaflet_first_try_percent", "quiz_cases", "bank_completion_percent",
                     "pre_test_percent", "post_test_percent", "normalised_gain", "exercises_done", "files", "problem"]


def gradebook_csv(rows: list[GradebookRow]) -> str:
    """The instructor's gradebook (names: saved readable by the instructor only)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(GRADEBOOK_COLUMNS)
    for r in rows:
        writer.writerow([neutralise(_num(getattr(r, c) if c != "problem" else r.problem)) for c in GRADEBOOK_COLUMNS])
    return buf.getvalue()


@dataclass
class LmsFile:
    text: str
    rows: int
    left_out: list[str]            # names of rows the LMS could not match (no identifier), to grade by hand


def canvas_csv(rows: list[GradebookRow], title: str = SCORE_TITLE) -> LmsFile:
    """Canvas's Gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, the score column, and a
    Points Possible row.  Rows with no score are left out (a blank leaves Canvas's grade as it is)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CANVAS_HEADER + [title])
    writer.writerow(["Points Possible", "", "", "", "", str(POINTS_POSSIBLE)])
    n, left = 0, []
    for r in rows:
        if r.quiz_practice_score_percent is None:
            left.append(r.name)
            continue
        writer.writerow([neutralise(c) for c in (r.name, r.lms_id if r.lms == "canvas" else "", r.student_id,
                                                  r.hub_user, "", _num(r.quiz_practice_score_percent))])
        n += 1
    return LmsFile(buf.getvalue(), n, left)


MOODLE_KEYS = {"username": ("Username", "hub_user"), "idnumber": ("ID number", "student_id")}


def moodle_key(rows: list[GradebookRow]) -> str:
    """Which identifier the Moodle file uses: the hub login when the class has them, else the student id."""
    return "username" if any(r.hub_user for r in rows) else "idnumber"


def moodle_csv(rows: list[GradebookRow], key: str | None = None, title: str = SCORE_TITLE) -> LmsFile:
    """Moodle's CSV grade import: the identifier column (map it to ``username`` or ``idnumber``), the
    student's name (not mapped), the score column (map it to a new grade item); '-' is no grade."""
    key = key or moodle_key(rows)
    header, attr = MOODLE_KEYS[key]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([header, "Full name", title])
    n, left = 0, []
    for r in rows:
        ident = getattr(r, attr)
        if not ident:
            left.append(r.name)
            continue
        writer.writerow([neutralise(ident), neutralise(r.name),
                         _num(r.quiz_practice_score_percent) if r.quiz_practice_score_percent is not None else "-"])
        n += 1
    return LmsFile(buf.getvalue(), n, left)
