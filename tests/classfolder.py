"""Building real students' exports for the tests: the quiz engine grades, the exercise log hands in.

Nothing is written by hand here except where a test needs a hostile or legacy file: a student
answers through :class:`widgets.candidacy.quiz.Quiz` and hands in through
:class:`widgets.record.handin.ExerciseLog`, as the widgets do.
"""

from __future__ import annotations

from pathlib import Path

from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz
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
    quiz = Quiz.from_bank(seed=log.quiz_seed, order_seed=log.quiz_seed, attempts=quiz_attempts(log.store.attempts),
                          **kwargs)
    for ok in plan:
        vp, kp, reason = (right_answer if ok else wrong_answer)(quiz.current, standard)
        log.record(quiz.submit(vp, kp, reason).attempt)
        quiz.next()
    return quiz


def generated_right_answers(n: int, seed: int = 7, standard: str = "leaflet") -> list:
    """``n`` generated practice cases, each answered right at once under ``standard`` (the quiz's own records):
    what a script typing answers into the quiz, or writing them into a progress file, hands in by the thousand.
    By the leaflet by default: the attack tests measure the leaflet's rule rows, where issue 21 saw 61 % -> 4 %."""
    quiz = Quiz(generate(seed, n), seed=seed)
    records = []
    for _ in range(n):
        attempt = quiz.submit(*right_answer(quiz.current, standard)).attempt
        records.append(attempt.model_copy(update={"context": {**attempt.context, "mode": "practice"}}))
        quiz.next()
    return records


def old_quiz_answer(attempt) -> dict:
    """A quiz attempt as the quiz's own flat record wrote it before every exercise saved attempts (the version-1
    progress file's and export's answers, which the instructor's side still reads), field for field."""
    lg, pg = attempt.grades["leaflet"], attempt.grades.get("current_practice")
    out = {"id": attempt.id, "case_id": attempt.item, "source": attempt.context["source"],
           "mode": attempt.context["mode"], "answered_at": attempt.answered_at,
           "vertebroplasty_answer": attempt.answer["vertebroplasty"],
           "vertebroplasty_correct": lg.parts["vertebroplasty"],
           "kyphoplasty_answer": attempt.answer["kyphoplasty"], "kyphoplasty_correct": lg.parts["kyphoplasty"],
           "reason_rule": attempt.answer["reason"], "reason_correct": lg.parts["reason"],
           "deciding_rules": list(lg.expected["deciding_rules"]), "correct": lg.correct}
    for part in ("vertebroplasty", "kyphoplasty", "reason"):
        out[f"practice_{part}_correct"] = pg.parts[part] if pg is not None else None
    out["practice_deciding_rules"] = list(pg.expected["deciding_rules"]) if pg is not None else None
    out["practice_correct"] = pg.correct if pg is not None else None
    return out
