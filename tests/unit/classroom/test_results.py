"""The debrief (issue 12): who is who, first try beside the latest try, misconceptions, privacy."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.classfolder import answer_cases, right_answer, student_log, wrong_answer
from tests.conftest import ROOT
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz
from widgets.candidacy.rules import PRACTICE_RULE_IDS, RULE_IDS, assess
from widgets.classroom import gradebook as gb
from widgets.classroom import results as cr
from widgets.classroom import results_view as rv
from widgets.core.loading import ContentError
from widgets.core.settings import use_settings
from widgets.procedures.steps import grade_order, load_procedure

SAMPLE = ROOT / "lessons" / "sample-exports"
SECRET = b"test secret"


def quiz_for(log) -> Quiz:
    return Quiz.from_bank(seed=log.quiz_seed, order_seed=log.order_seed, attempts=quiz_attempts(log.store.attempts))


def go_to(quiz: Quiz, case_id: str) -> None:
    """Move on to a bank case that is still ahead in this quiz's order (never loops past the bank)."""
    for _ in range(quiz.bank_total):
        if quiz.current.id == case_id:
            return
        quiz.next()
    raise AssertionError(f"{case_id} is not ahead in this quiz")


def reason_slip(vignette):
    """Both verdicts right, a wrong deciding reason (the misconception the debrief must show)."""
    vp, kp, _ = right_answer(vignette)
    deciding = assess(vignette.patient).deciding_rules
    return vp, kp, "indication_met" if "indication_met" not in deciding else "no_fracture"


def miss_then_retry(log, misses: int) -> Quiz:
    """Miss the first ``misses`` cases, then Retry: the missed cases come back and are answered right."""
    quiz = quiz_for(log)
    for _ in range(misses):
        log.record(quiz.submit(*wrong_answer(quiz.current)).attempt)
        quiz.next()
    quiz.start_retry(misses)
    for _ in range(misses):
        log.record(quiz.submit(*right_answer(quiz.current)).attempt)
        quiz.next()
    return quiz


def visible(markup: str) -> str:
    """The text a reader sees in HTML (tags and word-break hints dropped, entities decoded)."""
    import html
    import re
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def read(folder):
    return cr.read_class_folder(folder, secret=SECRET)


# ----------------------------------------------------------------------------- who is who (12.3)

def test_two_students_with_one_name_stay_two(tmp_path):
    folder = tmp_path / "class"
    for home in ("sam-1", "sam-2"):
        log = student_log(tmp_path / home, "Sam Lee", export_dir=folder)
        answer_cases(log, [True, True])
        log.hand_in()
    results = read(folder)
    assert len(results.students) == 2 and len(cr.score_table(results)) == 2


def test_one_student_with_a_first_name_in_one_exercise_and_a_full_name_in_another_is_one(tmp_path):
    folder = tmp_path / "class"
    log = student_log(tmp_path / "home", "Sam", export_dir=folder)
    kp = load_procedure("kyphoplasty")
    log.record_attempt("step-order", "kyphoplasty", {"order": kp.step_ids}, {"leaflet": {"correct": True}})
    log.hand_in()
    log.set_identity("Samantha Lee", "")
    answer_cases(log, [True])
    log.hand_in()
    assert len(list(folder.iterdir())) == 2, "the new name gives a new file"
    results = read(folder)
    (row,) = cr.score_table(results)
    assert (row["quiz_cases"], row["ordering_attempts"]) == (1, 1)


def test_a_student_id_joins_two_installs_of_one_student(tmp_path):
    folder = tmp_path / "class"
    for home in ("laptop", "binder"):
        log = student_log(tmp_path / home, "Sam Lee", "s1234", export_dir=folder)
        answer_cases(log, [True])
        log.hand_in()
    assert len(read(folder).students) == 1


def test_on_a_hub_the_login_is_the_student(tmp_path):
    """The login the hub's hand-in service vouched for joins two installs of one student (issue 21: only the
    service's stamp is trusted, never a login a file claims)."""
    from widgets.hubservice.store import HandInStore
    folder = tmp_path / "class"
    folder.mkdir()
    store = HandInStore(folder, tmp_path / "index.sqlite")
    for name in ("Sam", "Samantha"):
        log = student_log(tmp_path / name, name, export_dir=tmp_path / name, hub_user="slee")
        answer_cases(log, [True])
        store.receive("slee", log.hand_in().content.encode())
    results = read(folder)
    (student,) = results.students.values()
    assert student.hub_user == "slee"


def test_a_login_a_file_merely_claims_is_not_trusted(tmp_path):
    """Issue 21: a file claiming `hub_user: slee` counted as that student; without the service's stamp it is
    counted by what else it holds, and the note says why."""
    folder = tmp_path / "class"
    log = student_log(tmp_path / "mallory", "Mallory", export_dir=folder, hub_user="slee")
    answer_cases(log, [True])
    log.hand_in()
    results = read(folder)
    (student,) = results.students.values()
    assert student.hub_user == "" and student.display == "Mallory"
    assert any("claims the hub login 'slee'" in note for note in results.notes)


def test_an_ordering_only_class_is_shown_not_nothing(tmp_path):
    """12.3: a folder of ordering exports alone gave "Nothing to show"; an ordering-only student had no row."""
    folder = tmp_path / "class"
    vp = load_procedure("vertebroplasty")
    for i in range(3):
        log = student_log(tmp_path / f"s{i}", f"Student {i}", export_dir=folder)
        order = list(reversed(vp.step_ids))
        log.record_attempt("step-order", "vertebroplasty", {"order": order},
                           {"leaflet": {"correct": grade_order(vp, order).correct}})
        log.hand_in()
    results = read(folder)
    assert len(cr.score_table(results)) == 3
    table = rv.summary_table(results).data
    assert "Nothing to show" not in table and table.count("<tr>") == 4
    shown = rv.ordering_table(results).data
    assert "vp_" not in shown, "steps are named, never shown by their ids"
    assert load_procedure("vertebroplasty").steps[0].title in shown


# ----------------------------------------------------------------------------- the debrief (12.4)

def test_first_try_errors_that_a_retry_erased_still_show(tmp_path):
    """12.4: Retry erased first-try errors (a student who missed 4 tumour/vascular cases showed 1)."""
    folder = tmp_path / "class"
    log = student_log(tmp_path / "home", "Ana", export_dir=folder)
    quiz = miss_then_retry(log, 4)
    log.hand_in()
    results = read(folder)
    (row,) = cr.score_table(results)
    assert (row["quiz_cases"], row["quiz_first_right"], row["quiz_final_right"]) == (4, 0, 4)
    cases = {d.key: d for d in cr.case_difficulty(results)}
    assert all(d.first_missed == 1 and d.final_missed == 0 for d in cases.values())
    s = quiz.leaflet_score                                  # the table's quiz_* columns are the leaflet's
    assert (s.first_percent, s.final_percent) == (row["quiz_first_percent"], row["quiz_final_percent"]) == (0.0, 100.0)


def test_one_score_in_the_widget_the_hand_in_and_the_table(tmp_path):
    """12.4: one student had three scores (81.8 % in the widget and export, 94.7 % in the table)."""
    folder = tmp_path / "class"
    log = student_log(tmp_path / "home", "Ana", export_dir=folder)
    quiz = miss_then_retry(log, 2)
    for ok in (True, False, True, True):
        log.record(quiz.submit(*(right_answer if ok else wrong_answer)(quiz.current)).attempt)
        quiz.next()
    log.hand_in()
    (row,) = cr.score_table(read(folder))
    s, leaflet = quiz.score, quiz.leaflet_score             # current practice first, the leaflet beside it
    assert (s.items, s.first_right, s.final_right) == (row["quiz_cases"], row["quiz_practice_first_right"],
                                                       row["quiz_practice_final_right"])
    assert (leaflet.first_right, leaflet.final_right) == (row["quiz_first_right"], row["quiz_final_right"])
    assert f"{s.final_percent:g} %" in quiz.progress_text() and f"{leaflet.final_percent:g} %" in quiz.progress_text()
    assert (row["quiz_practice_final_percent"], row["quiz_final_percent"]) == (s.final_percent, leaflet.final_percent)


def test_the_rule_table_says_whether_the_verdict_or_the_reason_was_wrong_and_which_rule_was_chosen(tmp_path):
    folder = tmp_path / "class"
    for i in range(3):
        log = student_log(tmp_path / f"s{i}", f"Student {i}", export_dir=folder)
        quiz = quiz_for(log)
        for _ in range(10):
            answer = reason_slip(quiz.current) if i < 2 else wrong_answer(quiz.current)
            log.record(quiz.submit(*answer).attempt)
            quiz.next()
        log.hand_in()
    results = read(folder)
    rules = {d.key: d for d in cr.rule_difficulty(results)}
    kp = rules["kp_cause_excluded"]
    assert kp.answered == kp.first_missed == kp.reason_wrong + kp.verdict_wrong
    assert kp.reason_wrong >= 2 and kp.verdict_wrong >= 1
    assert kp.wrong_reasons.most_common(1)[0][0] == "indication_met"
    rows = cr.misconceptions(results)
    assert {"deciding", "chosen", "times", "cases"} <= set(rows[0])
    assert any(r["chosen"] == "indication_met" and "kp_cause_excluded" in r["deciding"] for r in rows)
    html = visible(rv.misconception_table(results).data)
    assert "Rule chosen instead" in html and "Indication met" in html
    assert "indication_met" not in html, "rules in plain words"
    assert "Verdict wrong" in rv.rule_table(results).data


def test_a_case_answered_once_is_not_ranked_above_cases_many_missed(tmp_path):
    """12.4: a case answered once and missed once topped the table."""
    folder = tmp_path / "class"
    for i in range(3):
        log = student_log(tmp_path / f"s{i}", f"Student {i}", export_dir=folder)
        quiz = Quiz.from_bank()                      # the bank's own order: c05 comes before c07
        go_to(quiz, "c05-breast-metastasis")
        log.record(quiz.submit(*(wrong_answer if i < 2 else right_answer)(quiz.current)).attempt)
        if i == 0:
            go_to(quiz, "c07-haemangioma")
            log.record(quiz.submit(*wrong_answer(quiz.current)).attempt)
        log.hand_in()
    rows = cr.case_difficulty(read(folder))
    assert rows[0].key == "c05-breast-metastasis" and rows[0].ranked and rows[0].first_missed == 2
    lonely = next(r for r in rows if r.key == "c07-haemangioma")
    assert not lonely.ranked
    html = rv.case_table(read(folder)).data
    assert "c05-breast-metastasis" in html and "c07-haemangioma" not in html
    assert "fewer than 3" in html


def test_per_student_view_by_rule(tmp_path):
    folder = tmp_path / "class"
    log = student_log(tmp_path / "home", "Ana", export_dir=folder)
    answer_cases(log, [True] * 15)
    log.hand_in()
    rules, rows = cr.per_student_rules(read(folder))
    from widgets.candidacy.rules import LEAFLET_DECIDING_IDS, PRACTICE_DECIDING_IDS
    # Every leaflet rule, and the red flag above both standards (issue 20).
    assert set(rules) == set(LEAFLET_DECIDING_IDS), "fifteen cases of one student's own order cover every leaflet rule"
    practice_rules, _ = cr.per_student_rules(read(folder), cr.PRACTICE)
    assert set(practice_rules) == set(PRACTICE_DECIDING_IDS), "... and every rule of current practice"
    assert rows[0]["student"] == "S01" and all(rows[0][r].split("/")[0] == rows[0][r].split("/")[1] for r in rules)


def test_other_exercises_join_the_debrief(tmp_path):
    from widgets.procedures.steps import questions_for
    folder = tmp_path / "class"
    q = questions_for("vertebroplasty")[0]
    wrong = next(o for o in q.options if not o.correct)
    for i, option in enumerate((wrong.id, wrong.id, q.answer.id)):
        log = student_log(tmp_path / f"s{i}", f"S {i}", export_dir=folder)
        log.record_attempt("decision-points", q.id, {"option": option},
                           {"course": {"correct": option == q.answer.id}})
        log.hand_in()
    (row,) = [r for r in cr.choice_difficulty(read(folder), "decision-points")]
    assert (row["students"], row["first_right"], row["common_wrong"]) == (3, 1, wrong.text)
    assert wrong.text.split()[0] in rv.exercise_table(read(folder)).data


# ----------------------------------------------------------------------------- privacy (12.7)

def test_pseudonyms_cannot_be_rebuilt_from_the_names(tmp_path):
    """12.7: S01, S02 ... were an unsalted hash of the name; the sample's mapping was rebuilt from its name list."""
    import hashlib
    folder = tmp_path / "class"
    names = [f"Student {c}" for c in "ABCDEFGHIJ"]
    for n in names:
        log = student_log(tmp_path / n, n, export_dir=folder)
        answer_cases(log, [True])
        log.hand_in()
    one = cr.read_class_folder(folder, secret=b"one")
    two = cr.read_class_folder(folder, secret=b"two")
    by_name = lambda r: {s.display: r.pseudonyms()[k] for k, s in r.students.items()}  # noqa: E731
    assert by_name(one) != by_name(two), "the secret, not the names, orders the labels"
    assert by_name(one) == by_name(cr.read_class_folder(folder, secret=b"one")), "stable for one class"
    unsalted = {n: f"S{i:02d}" for i, n in enumerate(sorted(names, key=lambda s: hashlib.sha256(s.encode()).hexdigest()), 1)}
    assert by_name(one) != unsalted


def test_the_class_secret_is_kept_by_the_instructor_only(tmp_path, vkp_settings):
    folder = tmp_path / "class"
    folder.mkdir()
    with use_settings(vkp_settings.replace(user_data_dir=tmp_path / "instructor", class_secret="")):
        first, note = cr.class_secret(folder)
        again, _ = cr.class_secret(folder)
    assert note is None and first == again and len(first) == 32
    (kept,) = (tmp_path / "instructor" / "class-secrets").iterdir()
    assert kept.stat().st_mode & 0o077 == 0
    assert not any(folder.iterdir()), "nothing is written into the class folder"
    assert cr.class_secret(SAMPLE)[0] == cr.SAMPLE_SECRET


def test_nothing_projected_by_default_shows_a_name_or_a_file_name(tmp_path):
    """12.7: projecting class-results showed student names in its first output."""
    folder = tmp_path / "class"
    log = student_log(tmp_path / "home", "Zebedee Quartermaine", "s99", export_dir=folder)
    answer_cases(log, [True, False, False])
    path = log.hand_in().file
    (folder / "broken-zebedee.json").write_text("{", encoding="utf-8")
    results = read(folder)
    for view in (rv.summary_table, rv.rule_table, rv.case_table, rv.misconception_table, rv.per_student_rule_table,
                 rv.ordering_table, rv.exercise_table):
        shown = view(results).data
        assert "Zebedee" not in shown and "zebedee" not in shown and "s99" not in shown
    projected = rv.problems_view(results).data
    visible = projected.split("<details>")[0]
    assert "zebedee" not in visible.lower() and path.name not in visible
    assert "broken-zebedee.json" in projected.split("<details>")[1], "named, folded away"
    assert "Zebedee" not in cr.summary_csv(results) and "Zebedee" in gb.gradebook_csv(gb.gradebook_rows(results))


# ----------------------------------------------------------------------------- the sample class and files

def test_the_sample_class_reads_names_its_bad_files_and_is_stable():
    results = cr.read_class_folder(SAMPLE)
    assert results.sample and len(results.students) >= 10
    problems = {p.file for p in results.problems}
    assert "vkp-quiz-karl-truncated.json" in problems and "gradebook-from-lms.csv" in problems
    assert any("same answers" in n for n in results.notes), "the sample has a duplicated download"
    assert cr.read_class_folder(SAMPLE).pseudonyms() == results.pseudonyms(), "published secret: stable"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ContentError, match="does not exist"):
        cr.read_class_folder(tmp_path / "nowhere")


def test_save_buttons_write_the_summary_and_the_gradebook_and_report_failure(tmp_path):
    box = rv.save_buttons(cr.read_class_folder(SAMPLE))
    summary, rules, gradebook = box.children
    for part, name, head in ((summary, "summary.csv", "student,quiz_cases"),
                             (rules, "rules.csv", "# vkp-class-rules-summary"), (gradebook, "grades.csv", "name,")):
        row, status = part.children
        path_box, button = row.children
        path_box.value = str(tmp_path / name)
        button.click()
        assert (tmp_path / name).read_text().startswith(head) and "Saved" in status.value
        path_box.value = str(tmp_path / name / "x.csv")  # its "folder" is a file
        button.click()
        assert "Could not save" in status.value and 'role="alert"' in status.value
    assert (tmp_path / "grades.csv").stat().st_mode & 0o077 == 0, "the gradebook names students: private"
    rows = list(csv.reader(io.StringIO((tmp_path / "summary.csv").read_text())))
    assert len(rows) == 1 + len(cr.read_class_folder(SAMPLE).students)
    # The file for students holds counts per rule only: no name, no pseudonym, no file name.
    shared = (tmp_path / "rules.csv").read_text()
    results = cr.read_class_folder(SAMPLE)
    for s in results.students.values():
        assert s.display not in shared
    assert not re.search(r"\bS\d\d\b", shared) and ".jsonl" not in shared


def test_a_quiz_on_the_instructors_own_bank_is_graded_with_that_bank(tmp_path):
    import yaml
    data = yaml.safe_load((ROOT / "widgets/content/cases.yaml").read_text(encoding="utf-8"))
    data["cases"] = [dict(c, id=f"mine-{c['id']}") for c in data["cases"][:5]]
    bank = tmp_path / "my-cases.yaml"
    bank.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    from widgets.candidacy.bank import load_case_bank
    folder = tmp_path / "class"
    log = student_log(tmp_path / "home", "Ana", export_dir=folder)
    quiz = Quiz.from_bank(load_case_bank(bank), order_seed=log.order_seed)
    for _ in range(3):
        log.record(quiz.submit(*right_answer(quiz.current)).attempt)
        quiz.next()
    log.hand_in()
    without = cr.read_class_folder(folder, secret=SECRET)
    assert any("could not be graded" in p.problem for p in without.problems), "named, not silently dropped"
    mine = cr.read_class_folder(folder, secret=SECRET, bank=bank)
    (row,) = cr.score_table(mine)
    assert (row["quiz_cases"], row["quiz_final_right"], row["bank_completion_percent"]) == (3, 3, 60.0)
    assert mine.problems == []


def test_the_class_results_show_current_practice_first_and_keep_the_leaflet():
    """The score students see first is current practice's: the debrief's tables, the summary CSV, the gradebook and
    the LMS files put it first (or alone, in the LMS), and the leaflet's stays beside it, named."""
    results = cr.read_class_folder(SAMPLE)
    table = rv.summary_table(results).data
    assert table.index("Right at the latest try (score, current practice)") < table.index(
        "What the patient leaflet says: latest try")
    header = cr.summary_csv(results).splitlines()[0].split(",")
    assert header.index("quiz_practice_final_percent") < header.index("quiz_final_percent")
    assert header.index("quiz_practice_first_percent") < header.index("quiz_first_percent")
    rows = gb.gradebook_rows(results)
    book = list(csv.reader(io.StringIO(gb.gradebook_csv(rows))))
    cols = book[0]
    assert "quiz_score_percent" not in cols, "every score column says which standard it is"
    assert cols.index("quiz_practice_score_percent") < cols.index("quiz_leaflet_score_percent")
    scored = [r for r in rows if r.quiz_cases]
    assert scored and all(r.quiz_leaflet_score_percent is not None for r in scored), "the leaflet's score is kept"
    by_pseudonym = {row["student"]: row for row in cr.score_table(results)}
    for r in scored:
        assert r.quiz_practice_score_percent == by_pseudonym[r.pseudonym]["quiz_practice_final_percent"]
        assert r.quiz_leaflet_score_percent == by_pseudonym[r.pseudonym]["quiz_final_percent"]
    canvas = list(csv.reader(io.StringIO(gb.canvas_csv(rows).text)))
    assert canvas[0][-1] == gb.SCORE_TITLE and "current practice" in gb.SCORE_TITLE
    with_ids = [r for r in scored if r.student_id]
    if with_ids:
        line = next(c for c in canvas if c[2] == with_ids[0].student_id)
        assert line[-1] == f"{with_ids[0].quiz_practice_score_percent:g}"
    assert rv.rule_table(results).data == rv.rule_table(results, cr.PRACTICE).data
    assert rv.case_table(results).data.count("current practice") >= 1
