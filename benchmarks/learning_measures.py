"""Learning measures on a class: the time to read it and to compute the gain, the item analysis and the gradebook.

Prints, side by side, for the sample class of 30 (lessons/sample-exports, three sessions, pre/post) and a
class ten times its size (the sample's hand-ins copied with new students and new answer ids):

* reading the folder (read, merge, grade every answer again),
* the pre/post gain (each student, the class, per rule),
* the item analysis (quiz cases under both standards, decision points, both tests' items),
* the step order, the needle levels and the gradebook rows with the Canvas and Moodle files,
* every view of the class-results notebook (HTML tables and charts),

with the time per student.

    python benchmarks/learning_measures.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._timing import median_time  # noqa: E402
from widgets.assessment.forms import item_title  # noqa: E402
from widgets.classroom import gain as lg  # noqa: E402
from widgets.classroom import gradebook as gb  # noqa: E402
from widgets.classroom import gradebook_view as gv  # noqa: E402
from widgets.classroom import item_analysis as ia  # noqa: E402
from widgets.classroom import measures_view as mv  # noqa: E402
from widgets.classroom import results as cr  # noqa: E402
from widgets.classroom import results_view as rv  # noqa: E402

SAMPLE = ROOT / "lessons" / "sample-exports"


def scaled(folder: Path, times: int) -> Path:
    """The sample's .jsonl hand-ins ``times`` over, each copy another set of students with other answer ids."""
    for k in range(times):
        for path in SAMPLE.rglob("*.jsonl"):
            lines = path.read_text(encoding="utf-8").splitlines()
            if not lines:
                continue
            out = []
            for n, line in enumerate(lines):
                data = json.loads(line)
                if n == 0 and data.get("format") == "vkp-class-export":
                    st = data["student"]
                    st["name"] = f"{st.get('name') or 'x'} {k}"
                    st["install_id"] = f"{k:02x}{(st.get('install_id') or '0' * 16)[2:]}"
                    st["student_id"] = f"{st['student_id']}-{k}" if st.get("student_id") else ""
                elif "id" in data:
                    data["id"] = f"{k:02x}{data['id'][2:]}"
                out.append(json.dumps(data))
            (folder / f"copy{k}-{path.name}").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def measures(results) -> None:
    lg.class_gain(lg.student_gains(results))
    lg.rule_gains(results)
    for standard in (cr.LEAFLET, cr.PRACTICE):
        ia.quiz_items(results, standard)
    ia.choice_items(results, "decision-points")
    ia.test_items(results, "pre-test", item_title)
    ia.test_items(results, "post-test", item_title)
    ia.step_order(results)
    ia.needle_levels(results)
    rows = gb.gradebook_rows(results)
    gb.canvas_csv(rows), gb.moodle_csv(rows), gb.gradebook_csv(rows)


def views(results) -> None:
    for view in (mv.gain_chart, mv.gain_summary, mv.rule_gain_chart, mv.rule_gain_table, mv.gain_table,
                 mv.item_chart, mv.flagged_list, mv.quiz_item_table, mv.decision_item_table,
                 mv.needle_levels_table, gv.gradebook_table, rv.rule_chart, rv.rule_table, rv.ordering_table):
        view(results)
    mv.prepost_item_table(results, "pre-test")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        big = scaled(Path(tmp), 10)
        rows = []
        for label, folder in (("sample class", SAMPLE), ("10 copies of it", big)):
            results = cr.read_class_folder(folder, secret=b"bench")
            n = len(results.students)
            read_s = median_time(lambda: cr.read_class_folder(folder, secret=b"bench"), repeat=3)
            meas_s = median_time(lambda: measures(results), repeat=3)
            view_s = median_time(lambda: views(results), repeat=1)
            rows.append((label, n, read_s, meas_s, view_s))
    print(f"{'class':<18}{'students':>9}{'read (s)':>10}{'measures (s)':>14}{'views (s)':>11}"
          f"{'read/student (ms)':>19}{'measures/student (ms)':>23}")
    for label, n, r, m, v in rows:
        print(f"{label:<18}{n:>9}{r:>10.2f}{m:>14.2f}{v:>11.2f}{1000 * r / n:>19.1f}{1000 * m / n:>23.1f}")
    (_, n0, r0, m0, v0), (_, n1, r1, m1, v1) = rows
    print(f"ratio (big / sample): students {n1 / n0:.1f}x, read {r1 / r0:.1f}x, measures {m1 / m0:.1f}x, "
          f"views {v1 / v0:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
