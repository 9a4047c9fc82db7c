"""Write lessons/sample-exports/: a made-up class of 30, for trying the class-results notebook before a real one.

Thirty invented students take the course's three sessions through the real widgets' engines: session 1
the pre-test (widgets.assessment, each student's own parallel form) and the candidacy quiz (in their own
case order, with Retry), session 2 the step-order tests, the decision points and the needle placement,
session 3 the patient questions, the after-care quiz and the post-test (the other form).  Each student
has an ability, which sets how often they slip (leaning on the rules students tend to miss), and a
learning rate, which sets how much better their post-test is than their pre-test; stronger students
answer the cases where the two standards differ by current practice more often.  They hand in through
the real exercise log (widgets.record.handin), some after every session, most at the end.

What a real folder holds is there too: two students share a name; one hands in twice and also sends
the browser download under another name; one hands in from a sub-folder; one missed session 1 (no
pre-test) and two missed session 3 (no post-test); some press Check on the step order before moving
a step; one re-saved their hand-in in a spreadsheet (as CSV, in the spreadsheet's encoding); one renamed
theirs to "my answers.txt"; four handed in through Canvas, whose bulk download (a .zip) is in the folder
as it came; one handed in an empty file; one sent a copy cut short; a quiz CSV from an earlier release
that a spreadsheet saved again; an LMS gradebook that is not a hand-in.  Every name is invented; ids and
times are fixed, so the files are the same at every run.

    python -m tools.make_sample_exports
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from widgets.assessment.exercise import POST, PRE
from widgets.assessment.forms import question, vignette
from widgets.assessment.prepost import PrePostTest
from widgets.candidacy.practice import assess_practice, compare
from widgets.candidacy.quiz import Quiz
from widgets.candidacy.rules import RULE_IDS, assess
from widgets.imaging.attempts import AttemptHistory
from widgets.outcomes.model import load_patient_questions
from widgets.core.course import PROCEDURES
from widgets.procedures.steps import grade_order, load_procedure, questions_for, shuffled_ids
from widgets.record.attempts import make_attempt
from widgets.record.handin import ExerciseLog
from widgets.record.identity import Identity
from widgets.record.progress import ProgressFile
from widgets.imaging.placement import grade_placement, taught_settings
from widgets.anatomy.levels import level
from widgets.recovery.model import quiz_questions

OUT = Path(__file__).resolve().parents[1] / "lessons" / "sample-exports"
SESSIONS = {1: datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc), 2: datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc),
            3: datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)}
#: (name, student id) of the thirty; two share a name and have no id.
NAMES = [("Ada Okafor", "s2026001"), ("Ben Lindqvist", ""), ("Chen Wei", "s2026003"), ("Dara Murphy", "s2026004"),
         ("Eva Kowalska", ""), ("Farid Haddad", "s2026006"), ("Grace Mensah", "s2026007"), ("Hiro Tanaka", ""),
         ("Ines Duarte", "s2026009"), ("Jonas Berg", "s2026010"), ("Sam Lee", ""), ("Sam Lee", ""),
         ("Amara Nwosu", "s2026013"), ("Bruno Costa", "s2026014"), ("Carmen Ruiz", ""), ("Dmitri Volkov", "s2026016"),
         ("Elif Yilmaz", "s2026017"), ("Fatima Zahra", "s2026018"), ("Gustav Nyberg", ""), ("Hana Kimura", "s2026020"),
         ("Ivan Petrov", "s2026021"), ("Julia Novak", "s2026022"), ("Kofi Asante", ""), ("Leila Farahani", "s2026024"),
         ("Mateo Silva", "s2026025"), ("Marta Rossi", "s2026026"), ("Noah Schmidt", "s2026027"),
         ("Olga Ivanova", "s2026028"), ("Priya Raman", "s2026029"), ("Lena Fischer", "s2026030")]
NO_PRE = {16}                 # missed session 1
NO_POST = {21, 28}            # missed session 3
EVERY_SESSION = {1, 2, 9, 22}                    # hand in after every session (others at the end only)
CHECK_FIRST = {2, 7, 12, 19, 25}                  # press Check on the dealt order before moving a step
CANVAS = {6: "104206", 14: "104214", 20: "104220", 27: "104227"}   # hand in through Canvas (invented user ids)
CANVAS_LATE = {20}
RESAVED, RENAMED_TXT, EMPTY, SUBFOLDER, TWICE, TRUNCATED = 26, 19, 30, 4, 2, 7
#: Chance of a slip when a case is decided by this rule, for a student of middling ability (made up for the
#: sample, not clinical data).
SLIP = {"kp_cause_excluded": 0.5, "posterior_cortical_defect": 0.35, "vertebral_infection": 0.25,
        "herniated_disc": 0.25, "pain_relieved": 0.2}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Clock:
    def __init__(self, start: datetime, rng: random.Random):
        self.now, self.rng = start, rng

    def __call__(self) -> str:
        self.now += timedelta(seconds=self.rng.randint(30, 140))
        return iso(self.now)


class Student:
    def __init__(self, n: int, name: str, sid: str, work: Path):
        self.n, self.name = n, name
        self.rng = random.Random(5000 + n)
        self.ability = 0.3 + 0.6 * self.rng.random()            # 0.3 .. 0.9
        self.learning = self.rng.choice([0.0, 0.15]) if n % 11 == 0 else 0.2 + 0.6 * self.rng.random()
        self.clock = Clock(SESSIONS[1] + timedelta(minutes=n), self.rng)
        store = ProgressFile(work / f"home-{n}" / "vkp.progress.json").load()
        store.identity = Identity(name, sid, f"{self.rng.getrandbits(64):016x}")
        self.session = "2026-11-20"
        self.log = ExerciseLog(store, export_dir=OUT, today=lambda: self.session, clock=self.clock, hub_user="")

    def start(self, session: int) -> None:
        self.session = SESSIONS[session].strftime("%Y-%m-%d")
        self.clock.now = SESSIONS[session] + timedelta(minutes=self.n % 7)

    def record(self, attempt) -> None:
        """Record with an id from the student's seeded generator, so the files are the same at every run."""
        self.log.record(attempt.model_copy(update={"id": f"{self.rng.getrandbits(128):032x}"}))

    def slips(self, rule_chance: float) -> bool:
        return self.rng.random() < min(0.9, rule_chance * (1.8 - 1.6 * self.ability))


# --------------------------------------------------------------------------- answers

def case_answer(st: Student, patient, know: float):
    """A student's answer to a case: right with chance ``know`` (by the leaflet, or by current practice where
    the two differ, more often the stronger the student), else a typical slip."""
    truth, practice = assess(patient), assess_practice(patient)
    if st.rng.random() < know:
        if compare(truth, practice).differ and st.rng.random() < 0.15 + 0.5 * st.ability:
            return practice.vertebroplasty.eligible, practice.kyphoplasty.eligible, practice.deciding_rules[0]
        return truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, truth.deciding_rules[0]
    deciding = list(truth.deciding_rules)
    vp, kp, reason = truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, deciding[0]
    if "kp_cause_excluded" in deciding and vp and st.rng.random() < 0.6:
        return vp, True, "indication_met"                         # "tumour fractures are fine for KP"
    if st.rng.random() < 0.5:
        return (not vp), (not kp), reason
    return vp, kp, st.rng.choice([r for r in RULE_IDS if r not in deciding])


def quiz_session(st: Student, cases: int, retry: bool) -> None:
    quiz = Quiz.from_bank(seed=st.log.quiz_seed, order_seed=st.log.order_seed, clock=st.clock)
    for _ in range(cases):
        rules = assess(quiz.current.patient).deciding_rules
        know = 0.0 if st.slips(max(SLIP.get(r, 0.08) for r in rules)) else 1.0
        st.record(quiz.submit(*case_answer(st, quiz.current.patient, know)).attempt)
        quiz.next()
    if retry and quiz.still_missed():
        again = len(quiz.still_missed())
        quiz.start_retry(again)
        for _ in range(again):
            st.record(quiz.submit(*case_answer(st, quiz.current.patient, 0.8)).attempt)
            quiz.next()


def take_test(st: Student, phase: str) -> None:
    """The pre-test (what they know before the course) or the post-test (after it), through the real engine."""
    before = 0.2 + 0.45 * st.ability
    know = before if phase == PRE else before + st.learning * (1 - before)
    test = PrePostTest(phase, st.log.order_seed, st.log.attempts(), clock=st.clock)
    while test.current is not None:
        item = test.current
        if item.kind == "case":
            vp, kp, reason = case_answer(st, vignette(item.ref).patient, know)
            answer = {"vertebroplasty": vp, "kyphoplasty": kp, "reason": reason}
        else:
            q = question(item.ref)
            right = q.answer
            chosen = right if st.rng.random() < know else st.rng.choice([o for o in q.options if not o.correct])
            answer = {"option": chosen.id}
        st.record(test.answer(answer))


def step_orders(st: Student) -> None:
    """The ordering tests of notebooks 02 and 03: from the order as dealt, each attempt puts some of the
    misplaced steps in place (more, the stronger the student), until the order is right or they give up."""
    for proc in PROCEDURES:
        p = load_procedure(proc)
        order = shuffled_ids(p, 2 if proc == "vertebroplasty" else 3)    # as notebooks 02 and 03 deal them
        if st.n in CHECK_FIRST:                                          # a look at what Check does, first
            record_order(st, p, order, 1)
        for attempt in range(1 + (st.n in CHECK_FIRST), 6):
            for step in list(grade_order(p, order).misplaced):
                if st.rng.random() < 0.25 + 0.6 * st.ability or attempt >= 4:
                    a, b = order.index(step), p.step_ids.index(step)
                    order[a], order[b] = order[b], order[a]
            if record_order(st, p, order, attempt) or (attempt >= 3 and st.rng.random() < 0.15):
                break                                                    # right, or gave up


def record_order(st: Student, p, order: list[str], attempt: int) -> bool:
    result = grade_order(p, order)
    st.record(make_attempt(
        "step-order", p.name, {"order": list(order)},
        {"leaflet": {"correct": result.correct, "parts": {s: s not in result.misplaced for s in order},
                     "expected": {"misplaced": list(result.misplaced)}}},
        context={"attempt": attempt}, answered_at=st.clock()))
    return result.correct


def choices(st: Student, exercise: str, standard: str, questions, know: float) -> None:
    seen = set()
    for q in questions:
        if q.id in seen:
            continue
        seen.add(q.id)
        right = next(o for o in q.options if o.correct)
        chosen = right if st.rng.random() < know else st.rng.choice([o for o in q.options if not o.correct])
        for option in ([chosen, right] if chosen is not right else [right]):
            st.record(make_attempt(exercise, q.id, {"option": option.id},
                                   {standard: {"correct": option.correct, "expected": {"option": right.id}}},
                                   answered_at=st.clock()))


def needle_placements(st: Student) -> None:
    """Notebook 04's Test mode on the model spine at L1: a first try that is often too medial (the commonest
    slip), then the taught path; graded by the real geometry (widgets.imaging.placement), with shots,
    redirects and time as a student might take them (fewer as ability grows)."""
    heights = level("L1").example_fracture()
    taught = taught_settings("model", "L1", heights)
    tries = []
    if st.rng.random() < 0.9 - 0.5 * st.ability:
        tries.append({**taught, "medial_deg": taught["medial_deg"] + st.rng.choice([14, 18, 22])})
    if st.rng.random() < 0.3:
        tries.append({**taught, "depth_mm": round(taught["depth_mm"] * 0.5)})     # stopped short
    tries.append(taught)
    # The generator's clock ticks twice per placement, as it did when the sample files were made (the history's
    # stamp, then the hand-in's), so that they come out the same at every run.
    history = AttemptHistory(clock=lambda: (st.clock(), st.clock())[1])
    for settings in tries:
        g = grade_placement("model", "L1", settings, heights)
        spare = 1.5 - st.ability                 # an abler student takes fewer shots and redirects
        st.record(history.record(g, settings, heights, shots_ap=1 + round(st.rng.uniform(1, 5) * spare),
                                 shots_lateral=1 + round(st.rng.uniform(1, 6) * spare),
                                 redirects=round(st.rng.uniform(0, 3) * spare),
                                 time_s=round(st.rng.uniform(40, 240), 1)))


# --------------------------------------------------------------------------- files as they arrive

def spreadsheet_resave(text: str) -> bytes:
    """A hand-in opened in a spreadsheet (each line split at its commas) and saved again as CSV: cells with
    quotation marks quoted, short rows padded to the widest, Windows line ends, the spreadsheet's encoding."""
    rows = [line.split(",") for line in text.splitlines() if line]
    width = max(len(r) for r in rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for r in rows:
        writer.writerow(r + [""] * (width - len(r)))
    return buf.getvalue().encode("cp1252", errors="replace")


def canvas_name(name: str, uid: str, late: bool, attachment: int, original: str) -> str:
    """The name Canvas gives a submitted file in its bulk download (lib/content_zipper.rb): the sortable
    name in lower case without punctuation, LATE when late, the user id, the attachment id, the file name."""
    first, last = name.rsplit(" ", 1)
    sortable = "".join(c for c in f"{last}, {first}".lower() if c.isalnum() or c == "_")
    return "_".join([sortable] + (["LATE"] if late else []) + [uid, str(attachment), original])


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
    canvas_files: list[tuple[str, bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n, (name, sid) in enumerate(NAMES, start=1):
            st = Student(n, name, sid, work)
            handed: list[Path] = []
            for session in (1, 2, 3):
                st.start(session)
                if session == 1 and n not in NO_PRE:
                    take_test(st, PRE)
                    quiz_session(st, 8 + int(10 * st.rng.random()), retry=st.rng.random() < 0.6)
                elif session == 2:
                    step_orders(st)
                    choices(st, "decision-points", "course", [q for p in PROCEDURES for q in questions_for(p)],
                            0.45 + 0.45 * st.ability)
                    needle_placements(st)
                elif session == 3 and n not in NO_POST:
                    choices(st, "patient-questions", "evidence", load_patient_questions(), 0.5 + 0.4 * st.ability)
                    choices(st, "aftercare-quiz", "course", quiz_questions(), 0.5 + 0.4 * st.ability)
                    take_test(st, POST)
                if n in CANVAS:
                    continue
                if n == SUBFOLDER and session == 3:
                    st.log.export_dir = OUT / "late"
                absent = (session == 1 and n in NO_PRE) or (session == 3 and n in NO_POST)
                last_session = 2 if n in NO_POST else 3
                if not absent and (session == last_session or n in EVERY_SESSION):
                    handed.append(st.log.hand_in().file)
            if n in CANVAS:                                   # uploaded to Canvas at the end, downloaded in bulk
                filename, text = st.log.download()
                canvas_files.append((canvas_name(name, CANVAS[n], n in CANVAS_LATE, 3000 + n, filename),
                                     text.encode("utf-8")))
                continue
            last = handed[-1]
            if n == TWICE:                                    # also sent the browser download under another name
                (OUT / "download (1).jsonl").write_bytes(last.read_bytes())
            if n == TRUNCATED:
                good = last.read_text(encoding="utf-8")
                (OUT / "vkp-quiz-karl-truncated.json").write_text(good[: len(good) // 2], encoding="utf-8")
            if n == RESAVED:                                  # opened in a spreadsheet, saved as CSV instead
                data = spreadsheet_resave(last.read_text(encoding="utf-8"))
                for p in handed:
                    p.unlink()
                last.with_suffix(".csv").write_bytes(data)
            if n == RENAMED_TXT:
                for p in handed[:-1]:
                    p.unlink()
                last.rename(OUT / "my answers.txt")
            if n == EMPTY:                                    # the hand-in that arrived empty
                for p in handed:
                    p.write_bytes(b"")
    with zipfile.ZipFile(OUT / "submissions.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in sorted(canvas_files):
            info = zipfile.ZipInfo(member, date_time=(2026, 12, 4, 18, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    (OUT / "vkp-quiz-kemal-arslan-20261120-101000.csv").write_text(LEGACY_CSV, encoding="utf-8", newline="")
    (OUT / "gradebook-from-lms.csv").write_text("Name,Grade\nSomeone,A\n", encoding="utf-8")
    print("\n".join(sorted(p.relative_to(OUT).as_posix() for p in OUT.rglob("*") if p.is_file())))


if __name__ == "__main__":
    main()
