"""Issue 15, come back tomorrow: the spaced-review scheduler, the flashcard export, and the class summary a
student may load (see where you stand)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from widgets.candidacy.flashcards import HEADERS, anki_text, card_for, missed_cards
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz, QuizError
from widgets.candidacy.review import INTERVALS_DAYS, build_schedule, due_text, interval_days, schedule_for
from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.practice import assess_practice
from widgets.candidacy.rules import assess
from widgets.candidacy.vignettes import Vignette
from widgets.candidacy.class_summary import read_rules_summary, write_rules_summary
from widgets.record.progress import ProgressFile
from widgets.record.attempts import FileProblem

BANK = load_case_bank()
UTC = timezone.utc
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def at(days: float, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


# ----------------------------------------------------------------------------- the scheduler

def test_intervals_grow_with_each_right_answer_given_when_due():
    events, day = [(at(0), "case:x", False)], 0
    dues = []
    for _ in range(7):
        state = build_schedule(events, tz=UTC).get("case:x")
        dues.append((state.due - T0.date()).days - day)
        day = (state.due - T0.date()).days
        events.append((at(day, 1), "case:x", True))         # reviewed on the day it is due, and right
    assert dues == [1, 3, 7, 16, 35, 70, 140], "1 day after a miss, then each interval longer"
    assert list(INTERVALS_DAYS) == [interval_days(i) for i in range(len(INTERVALS_DAYS))]


def test_a_miss_resets_the_interval_to_one_day():
    events = [(at(0), "rule:pain_relieved", False), (at(1), "rule:pain_relieved", True),
              (at(4), "rule:pain_relieved", True)]
    assert build_schedule(events, tz=UTC).get("rule:pain_relieved").interval == 7
    events.append((at(9), "rule:pain_relieved", False))
    state = build_schedule(events, tz=UTC).get("rule:pain_relieved")
    assert state.step == 0 and state.due == at(10).date() and state.misses == 2


def test_a_right_answer_before_the_due_day_does_not_grow_the_interval():
    events = [(at(0), "case:x", False), (at(0, 2), "case:x", True)]       # a retry the same day
    state = build_schedule(events, tz=UTC).get("case:x")
    assert state.step == 0 and state.due == at(1).date() and state.reviews == 0


def test_items_never_missed_are_not_scheduled_and_order_of_events_does_not_matter():
    events = [(at(2), "case:y", True), (at(1), "case:x", True), (at(0), "case:x", False)]
    schedule = build_schedule(events, tz=UTC)
    assert set(schedule.items) == {"case:x"}
    assert schedule.get("case:x").due == at(4).date(), "missed on day 0, right when due on day 1: next in 3 days"


def test_due_today_counts_cases_and_rules_and_says_when_the_next_review_is():
    s = build_schedule([(at(0), "case:x", False), (at(0), "rule:herniated_disc", False)], tz=UTC)
    assert due_text(s, at(0).date()) == "Due for review today: nothing. The next review is in 1 day (2026-11-21)."
    assert due_text(s, at(1).date()) == "Due for review today: 2 (1 case, 1 rule)."
    assert s.due_count(at(5).date()) == 2, "still due when the student comes back later"


def test_due_today_is_the_students_own_calendar_day():
    late = [(datetime(2026, 11, 20, 23, 30, tzinfo=UTC), "case:x", False)]
    assert build_schedule(late, tz=UTC).get("case:x").due == date(2026, 11, 21)
    tokyo = timezone(timedelta(hours=9))            # 08:30 on 21 November there
    assert build_schedule(late, tz=tokyo).get("case:x").due == date(2026, 11, 22)


def test_the_saved_progress_keeps_the_schedule_across_sessions(tmp_path):
    now = [at(0)]
    clock = lambda: now[0].isoformat().replace("+00:00", "Z")  # noqa: E731
    store = ProgressFile(tmp_path / "p.progress.json").load()
    q = Quiz.from_bank(BANK, clock=clock, tz=UTC)
    missed = q.current
    store.append(q.submit(False, False, "no_fracture").attempt)          # wrong
    q.next()
    now[0] = at(0, 1)
    store.append(q.submit(*right(q.current)).attempt)
    store.save()
    now[0] = at(1, 2)
    # Another day, a new session: a new quiz from the saved answers only.
    reloaded = ProgressFile(tmp_path / "p.progress.json").load()
    later = Quiz.from_bank(BANK, attempts=quiz_attempts(reloaded.attempts), clock=clock, tz=UTC)
    assert later.schedule().items == q.schedule().items
    assert later.due_today() >= 2, "the missed case and the rule behind it are due the next day"
    first = later.start_review()
    assert first.id == missed.id and later.mode == "review"
    later.submit(*right(first))
    assert later.schedule().get(f"case:{missed.id}").step == 1, "reviewed when due: the interval grows"


def test_a_due_rule_brings_a_new_case_that_it_decides():
    now = [at(0)]
    q = Quiz.from_bank(BANK, clock=lambda: now[0].isoformat(), tz=UTC)
    case = q.current
    q.submit(False, False, "no_fracture")
    now[0] = at(1, 1)
    review = q.review_set()
    rules = set(assess(case.patient).deciding_rules)
    assert review[0].id == case.id
    # Every due rule is covered by a case in the set (the missed case covers its own rules).
    covered = {r for v in review for r in assess(v.patient).deciding_rules}
    assert rules <= covered


def test_nothing_due_is_a_message_not_a_traceback():
    q = Quiz.from_bank(BANK, clock=lambda: "2026-11-20T10:00:00Z", tz=UTC)
    with pytest.raises(QuizError, match="Due for review today: nothing"):
        q.start_review()


def right(v: Vignette):
    """The right answer under current practice, the grade a student sees first."""
    a = assess_practice(v.patient)
    return a.vertebroplasty.eligible, a.kyphoplasty.eligible, a.deciding_rules[0]


# ----------------------------------------------------------------------------- flashcards

def parse_anki(text: str):
    lines = text.split("\n")
    headers = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if line and not line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(body)), delimiter="\t", quoting=csv.QUOTE_NONE))
    return headers, rows


def test_flashcards_are_one_card_per_missed_case_in_an_anki_text_file():
    q = Quiz.from_bank(BANK, clock=lambda: "2026-11-20T10:00:00Z", tz=UTC)
    missed = []
    for i in range(6):
        if i % 2 == 0:
            missed.append(q.current.id)
            q.submit(not right(q.current)[0], True, "cement_allergy")
        else:
            q.submit(*right(q.current))
        q.next()
    q.start_retry(1)
    q.submit(*right(q.current))                   # a retry that got it right: still a card
    text = q.flashcards()
    headers, rows = parse_anki(text)
    assert headers == list(HEADERS)
    assert "#separator:tab" in headers and "#html:true" in headers and "#tags column:3" in headers
    assert [r[3] for r in rows] == [f"vkp-{m}" for m in missed], "one card per missed case, first missed first"
    for front, back, tags, _guid in rows:
        assert "Which rule decides it?" in front
        assert "What the patient leaflet says:" in back and "Current practice:" in back
        assert back.index("Current practice:") < back.index("What the patient leaflet says:")
        assert "vkp-candidacy" in tags.split() and any(t.startswith("rule::") for t in tags.split())
        assert "[@" not in back, "no citation keys on a card"
    assert text.endswith("\n") and "\r" not in text


def test_a_card_marks_where_the_standards_differ_and_says_why():
    card = card_for(Vignette.from_case(BANK.case("c05-breast-metastasis")))
    assert "standards-differ" in card.tags and "rule::kp_cause_excluded" in card.tags
    assert "The two standards differ: for kyphoplasty" in card.back and "position statements" in card.back
    same = card_for(Vignette.from_case(BANK.case("c15-posterior-defect-osteoporotic")))
    assert "standards-differ" not in same.tags


def test_an_instructors_hostile_case_cannot_break_a_card_or_run_as_markup():
    v = Vignette("evil\tid", "<b>Bold</b>\ttitle", 'A "quoted" <script>alert(1)</script>\nhistory\twith tabs',
                 BANK.case("c01-osteoporotic-lumbar").patient, "bank")
    headers, rows = parse_anki(anki_text([card_for(v)]))
    (row,) = rows
    assert len(row) == 4, "tabs and line breaks in the text never make extra fields or lines"
    assert "<script>" not in row[0] and "&lt;script&gt;" in row[0] and "&lt;b&gt;" in row[0]
    assert '"' not in row[0] and "\t" not in row[3]


def test_no_missed_cases_means_no_flashcards_yet():
    q = Quiz.from_bank(BANK, clock=lambda: "2026-11-20T10:00:00Z")
    q.submit(*right(q.current))
    with pytest.raises(QuizError, match="no missed cases"):
        q.flashcards()
    assert missed_cards(q.attempts, q.lookup) == []


# ----------------------------------------------------------------------------- the class summary for students

ROWS = [{"standard": "leaflet", "rule": "kp_cause_excluded", "cases_answered": 40, "first_missed": 18,
         "first_missed_percent": 45.0},
        {"standard": "current_practice", "rule": "outside_evidence", "cases_answered": 12, "first_missed": 9,
         "first_missed_percent": 75.0}]


def test_the_shared_summary_reads_back(tmp_path):
    path = tmp_path / "class-rules-summary.csv"
    path.write_text(write_rules_summary(ROWS, students=12), encoding="utf-8")
    s = read_rules_summary(path)
    assert s.students == 12 and s.problems == []
    assert [(x.rule, x.first_missed, x.cases_answered) for x in s.for_standard("current_practice")] == [
        ("outside_evidence", 9, 12)]


@pytest.mark.parametrize("text, words", [
    ("name,student_id,hub_user,pseudonym,quiz_score_percent\r\nSam Lee,s1,,S01,80\r\n", "gradebook"),
    ('{"format": "vkp-class-export", "version": 2}\n', "hand-in"),
    ("student,quiz_cases\nS01,3\n", "not the class's rule summary"),
    ("", "empty"),
    ("# vkp-class-rules-summary, version 1\nrule,standard\n", "columns"),
])
def test_a_file_that_is_not_the_summary_is_refused_and_names_what_to_ask_for(tmp_path, text, words):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileProblem, match=words):
        read_rules_summary(path)


def test_damaged_or_foreign_lines_are_left_out_and_named_and_names_never_shown(tmp_path):
    text = write_rules_summary(ROWS, students=12) + (
        "leaflet,Sam Lee,3,1,33.3\n"                    # a name where a rule should be: not a rule, left out
        "leaflet,pain_relieved,ten,1,10\n"              # not a number
        "leaflet,herniated_disc,3,9,300\n"              # more misses than answers
        "current_practice,=cmd|'/c calc'!A1,1,1,100\n"  # a formula: not a rule
        "leaflet,no_fracture,5\n")                      # cut short
    path = tmp_path / "s.csv"
    path.write_text(text, encoding="utf-8")
    s = read_rules_summary(path)
    assert [x.rule for x in s.lines] == ["kp_cause_excluded", "outside_evidence"]
    joined = " ".join(s.problems)
    assert "line 7" in joined and "line 8" in joined and "line 10" in joined and "2 lines named rules" in joined
    assert "Sam Lee" not in joined and "calc" not in joined


def test_a_huge_file_or_a_folder_is_refused(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(9 * 1024 * 1024)
    with pytest.raises(FileProblem, match="too large"):
        read_rules_summary(big)
    with pytest.raises(FileProblem, match="folder"):
        read_rules_summary(tmp_path)
