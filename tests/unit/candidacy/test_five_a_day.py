"""Five a day: a short daily set drawn from what is due for review and from new cases, and the streak of days
with a set done, replayed from the answers' times like the review schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.daily import MAX_DUE, SET_SIZE, daily_set, streak_of
from widgets.candidacy.practice import assess_practice
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz
from widgets.record.progress import ProgressFile

BANK = load_case_bank()
UTC = timezone.utc


@dataclass(frozen=True)
class Case:
    id: str


@dataclass(frozen=True)
class Answer:
    answered_at: str


class Clock:
    """A quiz clock the test moves from day to day."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> str:
        self.now += timedelta(minutes=1)
        return self.now.isoformat().replace("+00:00", "Z")


def right(q: Quiz):
    a = assess_practice(q.current.patient)
    return a.vertebroplasty.eligible, a.kyphoplasty.eligible, a.deciding_rules[0]


def wrong(q: Quiz):
    vp, kp, reason = right(q)
    return not vp, kp, reason


# ----------------------------------------------------------------------------- the set

def cases(prefix: str, n: int) -> list[Case]:
    return [Case(f"{prefix}{i}") for i in range(n)]


def test_a_set_mixes_due_reviews_and_new_cases_a_due_one_first():
    s = daily_set(cases("due", 4), cases("new", 10))
    assert len(s) == SET_SIZE
    assert [c.id for c in s.cases] == ["due0", "new0", "due1", "new1", "due2"]
    assert s.due == ("due0", "due1", "due2") and s.new == ("new0", "new1")
    assert len(s.due) == MAX_DUE, "a long backlog is worked off a few a day, and something new always comes"


@pytest.mark.parametrize("due, new, want_due, want_new", [
    (0, 10, 0, 5),        # nothing due: five new
    (1, 10, 1, 4),
    (6, 0, 5, 0),         # the bank done and nothing new: due reviews fill the set
    (6, 1, 4, 1),
    (2, 2, 2, 2),         # fewer than five in all: all of them
])
def test_the_set_is_drawn_from_what_is_there(due, new, want_due, want_new):
    s = daily_set(cases("due", due), cases("new", new))
    assert (len(s.due), len(s.new)) == (want_due, want_new)
    assert {c.id for c in s.cases} == set(s.due) | set(s.new)


def test_a_case_both_due_and_new_comes_once_as_due():
    s = daily_set([Case("x")], [Case("x"), Case("y")])
    assert [c.id for c in s.cases] == ["x", "y"] and s.due == ("x",) and s.new == ("y",)


def test_todays_five_in_the_quiz_is_drawn_from_due_and_new_cases():
    clock = Clock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    q = Quiz.from_bank(BANK, clock=clock, tz=UTC)
    missed = []
    for i in range(6):                                 # day one: six bank cases, two missed
        if i in (1, 4):
            missed.append(q.current.id)
            q.submit(*wrong(q))
        else:
            q.submit(*right(q))
        q.next()
    clock.now += timedelta(days=1)                      # the next day the two misses are due
    due_now = {s.ident for s in q.schedule().due(q.today()) if s.kind == "case"}
    assert due_now == set(missed)
    plan = q.daily_plan()
    assert len(plan) == SET_SIZE
    assert set(plan.due) <= {v.id for v in q.review_set()} and set(missed) <= set(plan.due)
    unanswered = {v.id for v in q.order if v.id not in q.answered_bank_ids}
    assert plan.new and set(plan.new) <= unanswered, "the new cases are bank cases not answered yet"
    first = q.start_daily()
    assert q.mode == "daily" and first.id == plan.cases[0].id and first.id in plan.due
    assert q.where_text() == "Today's five: 4 more cases after this one"
    for _ in range(SET_SIZE):
        q.submit(*right(q))
        q.next()
    assert [r.context["mode"] for r in q.attempts[-SET_SIZE:]] == ["daily"] * SET_SIZE, \
        "each answer says it was in the set"
    assert [r.item for r in q.attempts[-SET_SIZE:]] == [v.id for v in plan.cases]
    assert q.mode == "bank" and q.current.id not in q.answered_bank_ids, "then back to the bank"
    assert q.streak().today == SET_SIZE and q.streak().today_done


def test_a_new_student_gets_five_new_cases_and_a_student_done_with_the_bank_gets_generated_ones():
    q = Quiz.from_bank(BANK, clock=Clock(datetime(2026, 11, 20, tzinfo=UTC)), tz=UTC)
    plan = q.daily_plan()
    assert plan.due == () and list(plan.new) == [v.id for v in q.order[:SET_SIZE]]
    small = Quiz.from_bank(BANK, clock=Clock(datetime(2026, 11, 20, tzinfo=UTC)), tz=UTC)
    small.bank, small.order = small.bank[:2], small.order[:2]
    small.queue = small._unanswered_bank()
    for _ in range(2):
        small.current = small.queue.pop(0)
        small.submit(*right(small))
    plan = small.daily_plan()
    assert len(plan) == SET_SIZE and all(i.startswith("gen-") for i in plan.new)


# ----------------------------------------------------------------------------- the streak

def answers(*per_day: int, start: date = date(2026, 11, 20)) -> list[Answer]:
    out = []
    for day, n in enumerate(per_day):
        for k in range(n):
            out.append(Answer(f"{start + timedelta(days=day)}T{9 + k // 60:02d}:{k % 60:02d}:00Z"))
    return out


@pytest.mark.parametrize("per_day, days, today, best", [
    ((5, 5, 3), 2, 3, 2),          # two days done; today not yet: the streak stands, waiting for today
    ((5, 5, 5), 3, 5, 3),          # today done too
    ((5, 0, 5), 1, 5, 1),          # a day missed breaks it
    ((5, 5, 0, 0), 0, 0, 2),       # yesterday not done: no streak, the best kept
    ((4, 9, 6), 2, 6, 2),          # four answers is not a set
    ((), 0, 0, 0),
])
def test_the_streak_counts_days_in_a_row_with_a_set_done(per_day, days, today, best):
    last = date(2026, 11, 20) + timedelta(days=max(len(per_day) - 1, 0))
    s = streak_of(answers(*per_day), last, tz=UTC)
    assert (s.days, s.today, s.best) == (days, today, best)


def test_the_streak_says_what_to_do_today():
    s = streak_of(answers(5, 5, 3), date(2026, 11, 22), tz=UTC)
    assert s.text() == "Streak: 2 days in a row. Today: 3 of 5 answered. Answer 2 more today to keep it."
    assert streak_of([], date(2026, 11, 22), tz=UTC).text().startswith("No streak yet: answer 5 cases today")
    done = streak_of(answers(5, 5, 5), date(2026, 11, 22), tz=UTC)
    assert done.text() == "Streak: 3 days in a row. Today's five: done (5 answered)."


def test_the_streak_uses_the_students_own_days():
    late = [Answer(f"2026-11-20T23:{m:02d}:00Z") for m in range(30, 35)]     # 23:30 UTC
    assert streak_of(late, date(2026, 11, 20), tz=UTC).days == 1
    east = timezone(timedelta(hours=2))                                      # already the 21st there
    assert streak_of(late, date(2026, 11, 21), tz=east).days == 1
    assert streak_of(late, date(2026, 11, 20), tz=east).today == 0


def test_the_streak_is_replayed_from_saved_answers(tmp_path):
    clock = Clock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    store = ProgressFile(tmp_path / "p.progress.json").load()
    q = Quiz.from_bank(BANK, clock=clock, tz=UTC)
    for day in range(3):
        for _ in range(SET_SIZE):
            g = q.submit(*right(q))
            store.append(g.attempt)
            q.next()
        clock.now += timedelta(days=1)
    again = Quiz.from_bank(BANK, clock=clock, tz=UTC,
                           attempts=quiz_attempts(ProgressFile(tmp_path / "p.progress.json").load().attempts))
    s = again.streak()
    assert (s.days, s.today) == (3, 0), "three days in a row, today's set still to do"


# ----------------------------------------------------------------------------- where a returning student lands

def test_a_returning_student_lands_on_todays_five_and_the_streak(tmp_path):
    from widgets.candidacy.quiz_view import QuizView
    clock = Clock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    first = Quiz.from_bank(BANK, clock=clock, tz=UTC)
    for i in range(SET_SIZE):
        first.submit(*(wrong(first) if i == 0 else right(first)))
        first.next()
    clock.now += timedelta(days=1)
    store = ProgressFile(tmp_path / "p.progress.json").load()
    view = QuizView(Quiz.from_bank(BANK, clock=clock, tz=UTC, attempts=first.attempts), store, export_dir=tmp_path)
    assert view.children[0] is view.session, "the first thing on the quiz"
    top = view.session.daily_text.value
    assert "Five a day:" in top and "1 due for review and 4 new" in top
    assert "Streak: 1 day in a row" in top and "Answer 5 more today to keep it" in top
    view.session.daily_button.click()
    assert view.error.value == "" and view.quiz.mode == "daily"
    assert "Today&#x27;s five: 4 more cases after this one" in view.session.status.value
    assert view.session.daily_button.disabled, "one set at a time"
