"""What valid 8 MB hand-ins cost the instructor's kernel: memory to read them and build the debrief's tables.

Issue 21 measured about 133 MB for one such file (seven passed a 1 GB pod).  The class results now read at most
``MAX_ANSWERS_PER_FILE`` answers of a file and keep at most ``MAX_ANSWERS_PER_STUDENT`` of a student
(widgets.record.attempts).  This prints, for this checkout and for an earlier commit side by side:

* the file: its size and the answers it holds (real quiz answers, graded by the quiz, each its own id);
* for a class folder holding one such file, then seven (seven students, each their own answers): held, how much
  more memory the kernel holds once ``read_class_folder`` has read the folder and every table of the
  class-results notebook is built (resident set size, after garbage collection), and the peak;
* the answers read, and the seconds it took.

Each measure runs in a fresh Python (a kernel of its own), after the course content is loaded and a small class
was read once, so that only what the file adds is counted.

    python benchmarks/handin_memory.py                  # this checkout beside the commit before the caps
    python benchmarks/handin_memory.py --before REV     # beside another commit (any git revision)
    python benchmarks/handin_memory.py --before ''      # this checkout alone
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: main before issue 21's caps on answers (the merge of its phase 1).
BEFORE = "1d1cd9a"
TARGET_BYTES = 8 * 1024 * 1024 - 4096

MEASURE = r"""
import gc, json, resource, sys, time
sys.path.insert(0, sys.argv[1])

def rss_mb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024

from widgets.classroom import results as cr
from widgets.classroom import results_view as rv
assert cr.__file__.startswith(sys.argv[1]), cr.__file__
VIEWS = (rv.problems_view, rv.summary_table, rv.rule_table, rv.case_table, rv.misconception_table,
         rv.standards_table, rv.per_student_rule_table, rv.ordering_table, rv.exercise_table, rv.needle_table)
warm = cr.read_class_folder(sys.argv[3], secret=b"bench")          # content, grading caches, imports
for view in VIEWS:
    view(warm)
del warm
gc.collect()
base = rss_mb()
peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
results = cr.read_class_folder(sys.argv[2], secret=b"bench")
tables = [view(results) for view in VIEWS]
seconds = time.perf_counter() - start
gc.collect()
held = rss_mb() - base
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - max(base, peak_before)
answers = sum(len(s.attempts) for s in results.students.values())
print(json.dumps({"held_mb": held, "peak_mb": max(peak, held), "answers": answers, "seconds": seconds}))
"""


def make_hand_in(folder: Path) -> tuple[Path, int]:
    """One student's valid hand-in of about 8 MB: 500 practice cases answered through the quiz (graded, every
    answer checked), repeated under new ids (the same cases answered again) until the file is 8 MB."""
    from tests.classfolder import generated_right_answers, student_log
    from widgets.record.attempts import dumps, new_id

    log = student_log(folder.parent / "home", "Big Hand-in", export_dir=folder.parent / "nb")
    log.store.attempts = generated_right_answers(500, seed=11)
    header, *lines = log.download()[1].splitlines()
    out, size = [header], len(header) + 1
    while True:
        for line in lines:
            data = json.loads(line)
            data["id"] = new_id()
            text = dumps(data)
            if size + len(text) + 1 > TARGET_BYTES:
                path = folder / "vkp-big-hand-in.jsonl"
                path.write_text("\n".join(out) + "\n", encoding="utf-8")
                return path, len(out) - 1
            out.append(text)
            size += len(text) + 1


def copies(path: Path, folder: Path, n: int) -> None:
    """``n`` students' copies of the hand-in at ``path`` in ``folder``: each its own install id and answer ids."""
    from widgets.record.attempts import dumps, new_id
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    for i in range(n):
        head = json.loads(header)
        head["student"] = {**head["student"], "name": f"Student {i}", "install_id": f"{i + 1:016x}"}
        body = []
        for line in lines:
            data = json.loads(line)
            data["id"] = new_id()
            body.append(dumps(data))
        (folder / f"vkp-student-{i}.jsonl").write_text("\n".join([dumps(head), *body]) + "\n", encoding="utf-8")


def small_class(folder: Path) -> None:
    """Three students' ordinary hand-ins (the warm-up read)."""
    from tests.classfolder import answer_cases, student_log
    for i in range(3):
        log = student_log(folder.parent / f"warm-{i}", f"Warm {i}", export_dir=folder)
        answer_cases(log, [True, False, True])
        log.hand_in()


def checkout(rev: str, into: Path) -> Path | None:
    """The files of ``rev`` (a git revision of this repository) in ``into``; None when git cannot give them."""
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True)
    if archive.returncode != 0:
        print(f"(no figures before: git cannot give revision {rev!r}: {archive.stderr.decode().strip()[:200]})")
        return None
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def measure(tree: Path, folder: Path, warm: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(tree), str(folder), str(warm)],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"measuring {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE, help=f"git revision to compare with (default {BEFORE}; '' for none)")
    parser.add_argument("--students", type=int, default=7, help="students in the larger class (default 7)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        one, many, warm = work / "one", work / "many", work / "warm"
        for folder in (one, many, warm):
            folder.mkdir()
        path, answers = make_hand_in(one)
        copies(path, many, args.students)
        small_class(warm)
        print(f"One valid hand-in: {path.stat().st_size / 2**20:.2f} MB, {answers} quiz answers "
              "(generated practice cases, graded by the quiz)")
        trees = []
        if args.before:
            before = checkout(args.before, work / "before")
            if before is not None:
                trees.append((f"before ({args.before})", before))
        trees.append(("now", ROOT))
        for label, folder in (("one such hand-in", one), (f"{args.students} students, one each", many)):
            rows = [(name, measure(tree, folder, warm)) for name, tree in trees]
            print(f"\nA class folder with {label}:")
            print(f"  {'':22s} {'held, MB':>9s} {'peak, MB':>9s} {'answers read':>13s} {'seconds':>8s}")
            for name, r in rows:
                print(f"  {name:22s} {r['held_mb']:9.0f} {r['peak_mb']:9.0f} {r['answers']:13d} {r['seconds']:8.1f}")
            if len(rows) == 2 and rows[1][1]["held_mb"] > 0:
                (_, b), (_, n) = rows
                print(f"  {'ratio (before / now)':22s} {b['held_mb'] / n['held_mb']:9.1f} "
                      f"{b['peak_mb'] / max(n['peak_mb'], 1):9.1f} {b['answers'] / max(n['answers'], 1):13.1f} "
                      f"{b['seconds'] / max(n['seconds'], 1e-9):8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
