"""Write lessons/sample-exports/: a made-up class, for trying the class-results notebook before a real one.

Twelve invented students each answer through the real widgets' engines (the quiz of
widgets.candidacy.quiz in their own case order, the step-order grading, the decision points, the
patient questions, the after-care quiz and the needle placement), with seeded slips that lean on the rules students tend
to miss, and hand in through the real exercise log (widgets.record.handin).  Several use Retry,
so first-try errors that the retry erased show in the debrief; two students share a name; one
hands in twice and also sends the browser download under another name; one hands in from a
sub-folder; one sends a quiz CSV from an earlier release that a spreadsheet saved again.  Two files
are deliberately unusable (a copy cut short, an LMS gradebook), so the notebook shows how it names
them.  Every name is invented; ids and times are fixed, so the files are the same at every run.

    python -m tools.make_sample_exports
"""

from __future__ import annotations

import random
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from widgets.candidacy.practice import assess_practice, compare
from widgets.candidacy.quiz import Quiz
from widgets.candidacy.rules import RULE_IDS, assess
from widgets.record.handin import ExerciseLog
from widgets.record.identity import Identity
from widgets.record.progress import ProgressFile
from widgets.record.attempts import make_attempt
from widgets.imaging.attempts import EXERCISE_ID as NEEDLE, AttemptHistory, needle_answer, needle_grades
from widgets.imaging.grading import grade
from widgets.anatomy.needle_path import needle_at, planned_needle
from widgets.anatomy.segment import segment
from widgets.outcomes.model import load_patient_questions
from widgets.anatomy.geometry import default_fracture
from widgets.core.course import PROCEDURES
from widgets.procedures.steps import grade_order, load_procedure, questions_for, shuffled_ids
from widgets.recovery.model import quiz_questions

OUT = Path(__file__).resolve().parents[1] / "lessons" / "sample-exports"
SESSION = "2026-11-20"
START = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
#: (name, student id, cases answered, uses Retry)
STUDENTS = [("Ada Okafor", "", 14, True), ("Ben Lindqvist", "", 12, False), ("Chen Wei", "s2026003", 16, True),
            ("Dara Murphy", "", 10, False), ("Eva Kowalska", "", 18, True), ("Farid Haddad", "s2026006", 12, False),
            ("Grace Mensah", "", 11, True), ("Hiro Tanaka", "", 13, False), ("Ines Duarte", "", 15, True),
            ("Jonas Berg", "", 10, False), ("Sam Lee", "", 12, True), ("Sam Lee", "", 10, False)]
#: Chance of a slip when a case is decided by this rule (made up for the sample, not clinical data).
SLIP = {"kp_cause_excluded": 0.5, "posterior_cortical_defect": 0.35, "vertebral_infection": 0.25,
        "herniated_disc": 0.25, "pain_relieved": 0.2}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Clock:
    def __init__(self, start: datetime, rng: random.Random):
        self.now, self.rng = start, rng

    def __call__(self) -> str:
        self.now += timedelta(seconds=self.rng.randint(40, 150))
        return iso(self.now)


#: Chance that a student answers a case where the two standards differ by current practice, not the leaflet.
FOLLOWS_PRACTICE = 0.3


def slip_answer(quiz: Quiz, rng: random.Random):
    truth = assess(quiz.current.patient, quiz.rules)
    practice = assess_practice(quiz.current.patient)
    if compare(truth, practice).differ and rng.random() < FOLLOWS_PRACTICE:     # "the evidence says otherwise"
        return practice.vertebroplasty.eligible, practice.kyphoplasty.eligible, practice.deciding_rules[0]
    deciding = list(truth.deciding_rules)
    vp, kp, reason = truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, deciding[0]
    if rng.random() < max(SLIP.get(r, 0.08) for r in deciding):
        if "kp_cause_excluded" in deciding and vp:
            if rng.random() < 0.5:
                kp, reason = True, "indication_met"            # "tumour fractures are fine for KP"
            else:
                reason = "indication_met"                      # right verdicts, wrong reason
        elif rng.random() < 0.5:
            vp, kp = (not vp), (not kp)
        else:
            reason = rng.choice([r for r in RULE_IDS if r not in deciding])
    return vp, kp, reason


def student(n: int, name: str, sid: str, work: Path) -> tuple[ExerciseLog, random.Random, Clock]:
    rng = random.Random(1000 + n)
    clock = Clock(START + timedelta(minutes=3 * n), rng)
    store = ProgressFile(work / f"home-{n}" / "vkp.progress.json").load()
    store.identity = Identity(name, sid, f"{rng.getrandbits(64):016x}")
    log = ExerciseLog(store, export_dir=OUT, today=lambda: SESSION, clock=clock, hub_user="")
    return log, rng, clock


def record(log: ExerciseLog, rng: random.Random, attempt_record) -> None:
    """Record with an id from the student's seeded generator, so the files are the same at every run."""
    log.record(attempt_record.model_copy(update={"id": f"{rng.getrandbits(128):032x}"}))


def quiz_session(log: ExerciseLog, rng: random.Random, clock: Clock, cases: int, retry: bool) -> None:
    quiz = Quiz.from_bank(seed=log.quiz_seed, order_seed=log.order_seed, clock=clock)
    for _ in range(cases):
        record(log, rng, quiz.submit(*slip_answer(quiz, rng)).record)
        quiz.next()
    if retry and quiz.still_missed():
        again = len(quiz.still_missed())
        quiz.start_retry(again)
        for _ in range(again):
            truth = assess(quiz.current.patient, quiz.rules)
            ok = rng.random() < 0.8
            answer = (truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, truth.deciding_rules[0]) if ok \
                else slip_answer(quiz, rng)
            record(log, rng, quiz.submit(*answer).record)
            quiz.next()


def other_exercises(log: ExerciseLog, rng: random.Random, clock: Clock) -> None:
    for proc in PROCEDURES:
        p = load_procedure(proc)
        order = shuffled_ids(p, 2 if proc == "vertebroplasty" else 3)
        for attempt in range(1, 4):
            if attempt == 2:     # fix one step that was out of place
                wrong = list(grade_order(p, order).misplaced)
                a, b = order.index(wrong[0]), p.step_ids.index(wrong[0])
                order[a], order[b] = order[b], order[a]
            elif attempt == 3:
                if rng.random() < 0.25:
                    break        # gave up before getting it right
                order = list(p.step_ids)
            result = grade_order(p, order)
            record(log, rng, make_attempt(
                "step-order", proc, {"order": list(order)},
                {"leaflet": {"correct": result.correct, "parts": {s: s not in result.misplaced for s in order},
                             "expected": {"misplaced": list(result.misplaced)}}},
                context={"attempt": attempt}, answered_at=clock()))
    needle_placements(log, rng, clock)
    sets = [("decision-points", "course", [q for proc in PROCEDURES for q in questions_for(proc)]),
            ("patient-questions", "evidence", load_patient_questions()),
            ("aftercare-quiz", "course", quiz_questions())]
    for exercise, standard, questions in sets:
        seen = set()
        for q in questions:
            if q.id in seen:
                continue
            seen.add(q.id)
            right = next(o for o in q.options if o.correct)
            chosen = right if rng.random() < 0.7 else rng.choice([o for o in q.options if not o.correct])
            for option in ([chosen, right] if chosen is not right else [right]):
                record(log, rng, make_attempt(exercise, q.id, {"option": option.id},
                                              {standard: {"correct": option.correct,
                                                          "expected": {"option": right.id}}},
                                              answered_at=clock()))


def needle_placements(log: ExerciseLog, rng: random.Random, clock: Clock) -> None:
    """Notebook 04's Test mode at L1: a first try that is often too medial (the commonest slip), then the
    textbook path; graded by the real geometry (widgets.imaging.grading)."""
    heights = default_fracture()
    heights = (heights.anterior, heights.middle, heights.posterior)
    seg = segment("L1", heights)
    plan = planned_needle(seg)
    lateral, up = seg.side * plan.entry[0], plan.entry[2]
    tries = [(plan.medial_deg + rng.choice([14, 18, 22]), plan.caudal_deg, plan.depth)] if rng.random() < 0.6 else []
    if rng.random() < 0.3:
        tries.append((plan.medial_deg, plan.caudal_deg, plan.depth * 0.5))   # stopped short
    tries.append((plan.medial_deg, plan.caudal_deg, plan.depth))
    history = AttemptHistory(clock=clock)
    for medial, caudal, depth in tries:
        g = grade(seg, needle_at(seg, lateral, up, medial, caudal, depth))
        rec = history.record(g, lateral, up)
        record(log, rng, make_attempt(NEEDLE, "L1", needle_answer(rec, heights), needle_grades(g),
                                      context={"attempt": rec.attempt}, answered_at=clock()))


LEGACY_CSV = (  # a quiz CSV of an earlier release, saved again by a spreadsheet: BOM, TRUE/FALSE, columns reordered
    "\ufeffcorrect,reason_correct,reason_rule,kyphoplasty_correct,kyphoplasty_answer,vertebroplasty_correct,"
    "vertebroplasty_answer,answered_at,source,case_id,student,Comments\r\n"
    "TRUE,TRUE,indication_met,TRUE,TRUE,TRUE,TRUE,2026-11-20T10:02:00Z,bank,c01-osteoporotic-lumbar,Kemal Arslan,\r\n"
    "FALSE,TRUE,kp_cause_excluded,FALSE,TRUE,TRUE,TRUE,2026-11-20T10:04:00Z,bank,c05-breast-metastasis,Kemal Arslan,"
    "asked about tumours\r\n"
    "FALSE,FALSE,indication_met,TRUE,FALSE,TRUE,FALSE,2026-11-20T10:06:00Z,bank,c11-pain-settled,Kemal Arslan,\r\n")


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n, (name, sid, cases, retry) in enumerate(STUDENTS, start=1):
            log, rng, clock = student(n, name, sid, work)
            quiz_session(log, rng, clock, cases, retry)
            if n % 2 == 0 or n == 3:
                other_exercises(log, rng, clock)
            if n == 4:            # hands in from a sub-folder the instructor's LMS made
                log.export_dir = OUT / "late"
            path = log.hand_in().file
            if n == 2:            # handed in, answered two more cases, handed in again; also sent the download
                quiz_session(log, rng, clock, 2, False)
                path = log.hand_in().file
                (OUT / "download (1).jsonl").write_bytes(path.read_bytes())
            if n == 7:
                good = path.read_text(encoding="utf-8")
                (OUT / "vkp-quiz-karl-truncated.json").write_text(good[: len(good) // 2], encoding="utf-8")
    (OUT / "vkp-quiz-kemal-arslan-20261120-101000.csv").write_text(LEGACY_CSV, encoding="utf-8", newline="")
    (OUT / "gradebook-from-lms.csv").write_text("Name,Grade\nSomeone,A\n", encoding="utf-8")
    print("\n".join(sorted(p.relative_to(OUT).as_posix() for p in OUT.rglob("*") if p.is_file())))


if __name__ == "__main__":
    main()
