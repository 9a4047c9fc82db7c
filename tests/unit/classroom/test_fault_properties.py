"""Issue 11, property tests: mutated class folders and progress files never stop the class or the quiz.

Hypothesis mutates real files (a hand-in of every exercise, old quiz and ordering exports, a
spreadsheet's CSV, a progress file): cut short, bytes flipped or inserted, values swapped for deep
nesting, huge numbers, markup or nothing, lines shuffled or doubled, names changed, files hidden in
sub-folders.  Whatever comes out, :func:`read_class_folder` returns, every file in the folder is
either read or named with a reason, and the quiz starts (a progress file it cannot read is kept
aside, byte for byte, and named).
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.classfolder import answer_cases, old_quiz_answer, student_log
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz_view import QuizView
from widgets.classroom import gain as lg
from widgets.classroom import gradebook as gb
from widgets.classroom import item_analysis as ia
from widgets.classroom import results as cr
from widgets.procedures.steps import grade_order, load_procedure, questions_for


@lru_cache(maxsize=1)
def seeds() -> dict[str, bytes]:
    """Real files to mutate, made once by the real code."""
    work = Path(tempfile.mkdtemp(prefix="vkp-seeds-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    log = student_log(work / "home", "Ana María", "s1", export_dir=work / "out")
    answer_cases(log, [True, False, True])
    kp = load_procedure("kyphoplasty")
    log.record_attempt("step-order", "kyphoplasty", {"order": kp.step_ids[::-1]},
                       {"leaflet": {"correct": grade_order(kp, kp.step_ids[::-1]).correct}})
    q = questions_for("kyphoplasty")[0]
    log.record_attempt("decision-points", q.id, {"option": q.answer.id}, {"course": {"correct": True}})
    handin = log.hand_in().file.read_bytes()
    quiz_rows = [a for a in quiz_attempts(log.store.attempts)]
    legacy = {"format": "vkp-quiz-export", "version": 1, "student": "Ben", "exported_at": "2026-11-20T10:00:00Z",
              "answers": [{k: v for k, v in old_quiz_answer(r).items() if k not in ("id", "mode")}
                          for r in quiz_rows],
              "summary": {"answered": 3, "correct": 2, "score_percent": 66.7}}
    ordering = {"format": "vkp-ordering-export", "version": 1, "student": "Cleo", "exported_at": "2026-11-20T10:00:00Z",
                "attempts": [{"procedure": "kyphoplasty", "attempt": 1, "correct": False,
                              "misplaced": ["kp_balloon_inflate"], "answered_at": "2026-11-20T09:00:00Z"}]}
    header = "student,case_id,source,answered_at,vertebroplasty_answer,vertebroplasty_correct,kyphoplasty_answer," \
             "kyphoplasty_correct,reason_rule,reason_correct,deciding_rules,correct\r\n"
    row = "Dee,c01-osteoporotic-lumbar,bank,2026-11-20T09:00:00Z,TRUE,TRUE,TRUE,TRUE,indication_met,TRUE," \
          "indication_met,TRUE\r\n"
    return {"handin.jsonl": handin, "legacy.json": json.dumps(legacy).encode(),
            "ordering.json": json.dumps(ordering).encode(), "sheet.csv": (header + row * 3).encode("utf-8-sig"),
            "progress.json": log.store.path.read_bytes()}


NASTY = [b"", b"{", b"[" * 3000, b"9" * 5000, b'"<script>alert(1)</script>"', b"null", b"\x00\xff\xfe",
         b'{"format": "vkp-class-export", "version": 2, "session": "2026-11-20"}', b"\r\n", b"\xef\xbb\xbf",
         b'"\\ud800"', b"1e999999", b"-0", b'{"a": ' * 200]


@st.composite
def mutated(draw, seed_names=None):
    """(file name, bytes): a real file, then zero to three mutations."""
    name = draw(st.sampled_from(sorted(seed_names or seeds())))
    data = bytearray(seeds()[name])
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["cut", "flip", "insert", "nasty", "lines", "value"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "cut":
            del data[at:]
        elif kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif kind == "nasty":
            data[at:at + draw(st.integers(0, 30))] = draw(st.sampled_from(NASTY))
        elif kind == "lines":
            lines = bytes(data).split(b"\n")
            order = draw(st.permutations(range(len(lines))))
            data = bytearray(b"\n".join(lines[i] for i in order) + b"\n" + lines[0])
        elif kind == "value":
            text = bytes(data).replace(b'"c0', b'"' + draw(st.sampled_from(NASTY)).replace(b'"', b"") + b'c0', 1)
            data = bytearray(text)
    return name, bytes(data)


@st.composite
def folders(draw):
    files = draw(st.lists(mutated(), min_size=1, max_size=6))
    placed = []
    for i, (name, data) in enumerate(files):
        where = draw(st.sampled_from(["", "group/", "group/late/", "."]))
        suffix = draw(st.sampled_from([None, ".json", ".jsonl", ".csv", ".txt"]))
        stem, ext = name.rsplit(".", 1)
        fname = f"{stem}-{i}.{ext}" if suffix is None else f"{stem}-{i}{suffix}"
        rel = (fname if where == "" else f".{fname}" if where == "." else where + fname)
        placed.append((rel, data))
    return placed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(folders())
def test_read_class_folder_never_raises_and_reads_or_names_every_file(placed):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        for rel, data in placed:
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        results = cr.read_class_folder(folder, secret=b"s")
        accounted = set(results.files_read) | {p.file for p in results.problems}
        for rel, _ in placed:
            assert rel in accounted, f"{rel} was neither read nor named"
        for p in results.problems:
            assert p.problem and "\n" not in p.problem
        for view in (cr.score_table, cr.case_difficulty, cr.rule_difficulty, cr.misconceptions,
                     ia.step_order, cr.summary_csv, gb.gradebook_rows, ia.needle_levels, lg.student_gains):
            view(results)
        gb.gradebook_csv(gb.gradebook_rows(results))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated(seed_names=["progress.json"]))
def test_the_quiz_always_starts_and_a_progress_file_is_read_or_kept_aside(file):
    _, data = file
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vkp-ana.progress.json"
        path.write_bytes(data)
        view = QuizView.for_notebook(progress=path, export_dir=tmp)
        assert isinstance(view, QuizView), getattr(view, "value", view)
        kept = list(Path(tmp).glob("*.corrupt-*"))
        if kept:
            assert kept[0].read_bytes() == data, "the unreadable file is kept, byte for byte"
            assert kept[0].name in view.saving.saved_to.value, "and named"
        else:
            assert view.progress.warning is None or "could not be read" in view.progress.warning
        view.form.choose(True, True, "indication_met")
        view.form.submit_button.click()
        assert view.error.value == "", view.error.value
