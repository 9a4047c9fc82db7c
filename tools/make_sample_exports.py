"""Write lessons/sample-exports/: a made-up class of ten students, for trying the class-results notebook.

Each simulated student answers bank cases through the real quiz engine (widgets.candidacy.quiz), with
seeded slips that lean on the rules students tend to miss, and exports through the real
exporter (widgets.classroom.export).  One student exports twice (the newer export counts), two ordering
tests are exported, one file is deliberately corrupt and one is a foreign CSV, so the notebook
shows how it reports them.  Every name is invented.  Run from the repository root:

    python -m tools.make_sample_exports
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from widgets.candidacy.rules import RULE_IDS, assess
from widgets.classroom.export import export_results
from widgets.candidacy.quiz import Quiz

OUT = Path("lessons/sample-exports")
STUDENTS = ["Ada Okafor", "Ben Lindqvist", "Chen Wei", "Dara Murphy", "Eva Kowalska",
            "Farid Haddad", "Grace Mensah", "Hiro Tanaka", "Ines Duarte", "Jonas Berg"]
#: Chance of a slip when a case is decided by this rule (made up for the sample, not clinical data).
SLIP = {"kp_cause_excluded": 0.45, "posterior_cortical_defect": 0.35, "vertebral_infection": 0.25,
        "herniated_disc": 0.2, "pain_relieved": 0.15}
START = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def simulate(student_no: int, n_cases: int) -> Quiz:
    rng = random.Random(1000 + student_no)
    clock_at = [START + timedelta(minutes=10 * student_no)]

    def clock() -> str:
        clock_at[0] += timedelta(seconds=rng.randint(40, 150))
        return iso(clock_at[0])

    quiz = Quiz.from_bank(seed=student_no, clock=clock)
    for _ in range(n_cases):
        truth = assess(quiz.current.patient, quiz.rules)
        deciding = list(truth.deciding_rules)
        vp, kp, reason = truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, deciding[0]
        slip = max(SLIP.get(r, 0.08) for r in deciding)
        if rng.random() < slip:
            if "kp_cause_excluded" in deciding and vp:
                kp, reason = True, "indication_met"        # "tumour fractures are fine for KP"
            elif rng.random() < 0.5:
                vp, kp = (not vp), (not kp)
            else:
                reason = rng.choice([r for r in RULE_IDS if r not in deciding])
        quiz.submit(vp, kp, reason)
        quiz.next()
    return quiz


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    rng = random.Random(7)
    for i, name in enumerate(STUDENTS, start=1):
        quiz = simulate(i, rng.randint(12, 33))
        fmt = "csv" if i % 3 == 0 else "json"
        export_results(quiz.records, name, OUT, fmt, now=START + timedelta(hours=2, minutes=i))
        if i == 2:   # exported an early attempt too: the newer export must count
            export_results(quiz.records[:5], name, OUT, "json", now=START + timedelta(hours=1))
    for i, name in ((1, STUDENTS[0]), (4, STUDENTS[3])):
        attempts = [
            {"procedure": "kyphoplasty", "attempt": 1, "correct": False,
             "misplaced": ["kp_balloon_deflate", "kp_cement_inject"], "answered_at": iso(START + timedelta(minutes=30 + i))},
            {"procedure": "kyphoplasty", "attempt": 2, "correct": True, "misplaced": [],
             "answered_at": iso(START + timedelta(minutes=33 + i))},
        ]
        (OUT / f"vkp-ordering-{name.split()[0].lower()}.json").write_text(json.dumps(
            {"format": "vkp-ordering-export", "version": 1, "student": name,
             "exported_at": iso(START + timedelta(minutes=40 + i)), "attempts": attempts}, indent=1) + "\n")
    good = next(OUT.glob("vkp-quiz-grace*.json")).read_text()
    (OUT / "vkp-quiz-karl-truncated.json").write_text(good[: len(good) // 2])   # a crash mid-copy
    (OUT / "gradebook-from-lms.csv").write_text("Name,Grade\nSomeone,A\n")       # not an export
    print("\n".join(sorted(p.name for p in OUT.iterdir())))


if __name__ == "__main__":
    main()
