"""Reading a class: the time to save an answer, to hand in, and to read a folder of hand-ins.

Prints, in one run:

* saving one answer to a progress file that already holds 0, 100 and 500 answers (each save
  locks, merges what is on disk and writes atomically with fsync);
* handing in (appending to the session file) with 10 and 500 answers;
* :func:`widgets.classroom.results.read_class_folder` over 30 and 1,000 students' hand-ins of
  30 quiz answers each (read, merge, grade every answer again), and building every table of the
  class-results notebook from it, with the time per student.

    python benchmarks/class_results.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.classfolder import answer_cases, student_log  # noqa: E402
from widgets.candidacy.exercise import quiz_attempts  # noqa: E402
from widgets.classroom import results as cr  # noqa: E402
from widgets.classroom import results_view as rv  # noqa: E402
from widgets.record.progress import ProgressFile  # noqa: E402
from benchmarks._timing import median_time  # noqa: E402



def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = student_log(work / "template", "Template", export_dir=work / "t")
        answer_cases(template, [i % 3 != 0 for i in range(30)])
        records = quiz_attempts(template.store.attempts)

        print("Saving one answer (lock, merge, atomic write, fsync):")
        for held in (0, 100, 500):
            store = ProgressFile(work / f"p{held}" / "vkp.progress.json").load()
            store.extend([r.model_copy(update={"id": f"{i:032x}"}) for i, r in
                          zip(range(held), (records * 20))])
            extra = iter(range(10**6, 10**7))
            t = median_time(lambda: store.append(records[0].model_copy(update={"id": f"{next(extra):032x}"})))
            print(f"  with {held:4d} answers on disk: {t * 1000:7.1f} ms")

        print("Handing in (append to the session file):")
        for n in (10, 500):
            log = student_log(work / f"h{n}", "Student", export_dir=work / f"out{n}")
            log.store.extend([r.model_copy(update={"id": f"{i:032x}"}) for i, r in zip(range(n), records * 20)])
            first = median_time(lambda: log.hand_in(), repeat=1)
            again = median_time(lambda: log.hand_in())
            print(f"  {n:4d} answers: first hand-in {first * 1000:7.1f} ms; again (nothing new) {again * 1000:7.1f} ms")

        print("Reading a class folder (read, merge, grade every answer again) and building every table:")
        handin = template.hand_in().file.read_text(encoding="utf-8")
        for students in (30, 1000):
            folder = work / f"class{students}"
            folder.mkdir()
            header, *answers = [json.loads(line) for line in handin.splitlines()]
            for s in range(students):      # each student their own install id and answer ids
                header["student"]["install_id"] = f"{s:016x}"
                lines = [header] + [{**a, "id": f"{s:08x}{a['id'][8:]}"} for a in answers]
                (folder / f"vkp-s{s}.jsonl").write_text("\n".join(map(json.dumps, lines)) + "\n", encoding="utf-8")
            start = time.perf_counter()
            results = cr.read_class_folder(folder, secret=b"bench")
            read_s = time.perf_counter() - start
            start = time.perf_counter()
            for view in (rv.summary_table, rv.rule_table, rv.case_table, rv.misconception_table,
                         rv.per_student_rule_table, rv.ordering_table, rv.exercise_table):
                view(results)
            tables_s = time.perf_counter() - start
            assert len(results.students) == students, (len(results.students), results.problems[:3])
            print(f"  {students:4d} students x 30 answers: read {read_s:6.2f} s "
                  f"({read_s / students * 1000:5.1f} ms per student), tables {tables_s:5.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
