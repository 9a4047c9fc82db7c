"""Building real students' exports for the tests: the quiz engine grades, the exercise log hands in.

Nothing is written by hand here except where a test needs a hostile or legacy file: a student
answers through :class:`widgets.candidacy.quiz.Quiz` and hands in through
:class:`widgets.record.handin.ExerciseLog`, as the widgets do.
"""

from __future__ import annotations

from pathlib import Path

from widgets.candidacy.quiz import Quiz, quiz_records
from widgets.candidacy.practice import assess_practice
from widgets.candidacy.rules import assess
from widgets.candidacy.vignettes import generate
from widgets.record.handin import ExerciseLog
from widgets.record.progress import ProgressFile


def student_log(home: Path, name: str = "", student_id: str = "", *, export_dir: Path | None = None,
                handin_dir: Path | None = None, hub_user: str | None = None) -> ExerciseLog:
    """A student's exercise log with its own progress folder (their "home")."""
    home.mkdir(parents=True, exist_ok=True)
    log = ExerciseLog(ProgressFile(home / "progress" / "vkp.progress.json").load(),
                      export_dir=export_dir or home, handin_dir=handin_dir, hub_user=hub_user)
    if name or student_id:
        log.set_identity(name, student_id)
    return log


def right_answer(vignette, standard: str = "leaflet"):
    """The answer right under ``standard``: the leaflet's (the class results' first standard, which most tests
    measure) or ``"practice"`` (current practice, red flags first: the score a student sees first and the
    gradebook carries).  On 17 of the 73 bank cases the two differ, and a student's case order is their own
    (seeded by their install id): a test of a practice score must answer by practice, or it depends on the draw."""
    truth = (assess_practice if standard == "practice" else assess)(vignette.patient)
    return truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, truth.deciding_rules[0]


def wrong_answer(vignette, standard: str = "leaflet"):
    """An answer wrong under both standards, whichever case is drawn: the verdict on vertebroplasty turned
    round from ``standard``'s, and a reason that decides the case under neither (the leaflet's wrong answer
    "indication met" is current practice's right one on a case the leaflet alone excludes)."""
    leaflet, practice = assess(vignette.patient), assess_practice(vignette.patient)
    first = practice if standard == "practice" else leaflet
    vp = first.vertebroplasty.eligible
    deciding = set(leaflet.deciding_rules) | set(practice.deciding_rules)
    choices = ("no_fracture", "indication_met") if vp else ("indication_met", "no_fracture")
    reason = next(r for r in choices + ("herniated_disc", "infection") if r not in deciding)
    return (not vp), first.kyphoplasty.eligible, reason


def answer_cases(log: ExerciseLog, plan: list[bool], *, clock=None, standard: str = "leaflet") -> Quiz:
    """Answer the student's next cases: ``True`` right, ``False`` wrong (under ``standard``); every answer
    recorded."""
    kwargs = {"clock": clock} if clock else {}
    quiz = Quiz.from_bank(seed=log.quiz_seed, order_seed=log.quiz_seed, records=quiz_records(log.store.attempts), **kwargs)
    for ok in plan:
        vp, kp, reason = (right_answer if ok else wrong_answer)(quiz.current, standard)
        log.record(quiz.submit(vp, kp, reason).record)
        quiz.next()
    return quiz


def generated_right_answers(n: int, seed: int = 7, standard: str = "leaflet") -> list:
    """``n`` generated practice cases, each answered right at once under ``standard`` (the quiz's own records):
    what a script typing answers into the quiz, or writing them into a progress file, hands in by the thousand.
    By the leaflet by default: the attack tests measure the leaflet's rule rows, where issue 21 saw 61 % -> 4 %."""
    quiz = Quiz(generate(seed, n), seed=seed)
    records = []
    for _ in range(n):
        records.append(quiz.submit(*right_answer(quiz.current, standard)).record.model_copy(update={"mode": "practice"}))
        quiz.next()
    return records
