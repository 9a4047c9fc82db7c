"""Five a day: a short daily set of due reviews and new cases, and the streak of days with a set done.

A returning student is offered five cases: what the spaced review (:mod:`widgets.candidacy.review`) says is
due today, mixed with new cases (the bank's cases the student has not answered yet, then generated ones).
:func:`daily_set` takes at most :data:`MAX_DUE` due cases when new ones are there to fill the set, so a set
always brings something new and a long backlog is worked off a few a day; with no new case left, due cases
fill it, and with nothing due, five new cases make it.  Due and new cases alternate, a due one first.

The streak is replayed from the answers' times, as the review schedule is, so it follows the student's
saved answers from one session and one computer to the next: a day counts when the student answered at
least :data:`SET_SIZE` cases on it (in their own time zone), whatever they pressed to get them, and the
streak is the days in a row that count, up to today (or up to yesterday while today's set is not done yet).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Iterable, Sequence

from widgets.candidacy.review import local_day, parse_time

#: Cases in a daily set, and answers on one day that count it as done.
SET_SIZE = 5
#: At most this many due reviews in a set while new cases are there to fill the rest.
MAX_DUE = 3


@dataclass(frozen=True)
class DailySet:
    """Today's set: the cases in the order given, and which of them are due reviews and which new."""

    cases: tuple
    due: tuple[str, ...]          # ids of the cases drawn from what is due for review
    new: tuple[str, ...]          # ids of the new cases

    def __len__(self) -> int:
        return len(self.cases)

    def text(self) -> str:
        """E.g. ``2 due for review and 3 new``."""
        parts = ([f"{len(self.due)} due for review"] if self.due else []) + ([f"{len(self.new)} new"] if self.new else [])
        return " and ".join(parts) if parts else "nothing"


def daily_set(due: Sequence, new: Sequence, size: int = SET_SIZE, max_due: int = MAX_DUE) -> DailySet:
    """Up to ``size`` cases: due reviews (at most ``max_due`` while new cases can fill the rest) and new cases,
    alternating, a due one first.  ``due`` and ``new`` are cases (anything with an ``id``) in the order to
    take them; a case in both counts as due, and no case comes twice."""
    if size < 1:
        raise ValueError("a daily set holds at least one case")
    due_ids = {v.id for v in due}
    due_list = list({v.id: v for v in due}.values())
    new_list = [v for v in {v.id: v for v in new}.values() if v.id not in due_ids]
    n_due = min(len(due_list), max(max_due, size - len(new_list)))
    n_new = min(len(new_list), size - n_due)
    picked_due, picked_new = due_list[:n_due], new_list[:n_new]
    cases = []
    for i in range(max(n_due, n_new)):
        cases += picked_due[i:i + 1] + picked_new[i:i + 1]
    return DailySet(tuple(cases), tuple(v.id for v in picked_due), tuple(v.id for v in picked_new))


@dataclass(frozen=True)
class Streak:
    """Days in a row with a set done, and today's answers so far."""

    days: int                     # the current streak, in days (today counted once today's set is done)
    today: int                    # answers given today
    best: int                     # the longest streak so far
    size: int = SET_SIZE

    @property
    def today_done(self) -> bool:
        return self.today >= self.size

    def text(self) -> str:
        """One line for the top of the quiz, e.g. ``Streak: 3 days in a row. Today: 2 of 5 answered.``"""
        today = (f"Today's five: done ({self.today} answered)." if self.today_done
                 else f"Today: {self.today} of {self.size} answered.")
        if not self.days:
            return f"No streak yet: answer {self.size} cases today to start one. {today}"
        days = f"{self.days} day{'s' if self.days != 1 else ''} in a row"
        keep = "" if self.today_done else f" Answer {self.size - self.today} more today to keep it."
        best = f" Your best: {self.best} days." if self.best > self.days else ""
        return f"Streak: {days}.{best} {today}{keep}"


def streak_of(records: Iterable, today: date, *, tz: tzinfo | None = None, size: int = SET_SIZE) -> Streak:
    """The streak of a student's answers (anything with ``answered_at``), replayed from their times."""
    per_day = Counter(local_day(parse_time(r.answered_at), tz) for r in records)
    done = sorted(d for d, n in per_day.items() if n >= size)
    best, run, previous = 0, 0, None
    for d in done:
        run = run + 1 if previous is not None and d - previous == timedelta(days=1) else 1
        best, previous = max(best, run), d
    day = today if per_day[today] >= size else today - timedelta(days=1)
    current = 0
    done_set = set(done)
    while day in done_set:
        current += 1
        day -= timedelta(days=1)
    return Streak(current, per_day[today], best, size)
