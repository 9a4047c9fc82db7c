"""Spaced review: the cases and rules a student missed come back after growing intervals.

Every answer the quiz records carries its time (``answered_at``), and the progress file keeps every
answer (merged, never overwritten: :mod:`widgets.record.progress`).  The schedule is therefore
not stored beside the answers but *replayed from them*: :func:`build_schedule` walks a student's
answers in time order, so the same saved progress gives the same schedule in any session, on any
machine, and two copies of the progress merged together give the schedule of all their answers.

What is scheduled: each case the student got wrong (``case:<id>``) and each rule that decided a case
the student got wrong (``rule:<id>``).  Right or wrong is the grade a student sees first, current
practice's, and the rules are current practice's deciding rules (the same as the score and the retry); an
answer saved before current practice was graded counts by the leaflet's grade and rules.  Items never
missed are not scheduled.

The intervals (days): a miss puts the item one day out; each right answer given on or after the day
it was due moves it to the next interval of :data:`INTERVALS_DAYS` (1, 3, 7, 16, 35), and past the
last one the interval doubles.  A right answer before the item is due (the same day, say, in a
retry) changes nothing: intervals grow only with answers spaced out in time.  A miss at any time
starts the item again at one day.

Days are the student's own calendar days (their computer's time zone), so "due today" means today
where the student is.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Iterable

from widgets.candidacy.exercise import deciding, right
from widgets.record.attempts import Attempt

#: Days until the next review: after a miss the first, then one step on per right answer when due.
INTERVALS_DAYS: tuple[int, ...] = (1, 3, 7, 16, 35)


def interval_days(step: int) -> int:
    """The interval of step ``step`` (0 after a miss); past the table's end it doubles each step."""
    if step < 0:
        raise ValueError("a step is 0 or more")
    if step < len(INTERVALS_DAYS):
        return INTERVALS_DAYS[step]
    return INTERVALS_DAYS[-1] * 2 ** (step - len(INTERVALS_DAYS) + 1)


def parse_time(stamp: str) -> datetime:
    """An ``answered_at`` stamp as an aware datetime (a stamp without a zone is taken as UTC)."""
    moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_day(moment: datetime, tz: tzinfo | None = None) -> date:
    """The calendar day of ``moment`` in ``tz`` (default: this computer's time zone)."""
    return moment.astimezone(tz).date()


@dataclass(frozen=True)
class ItemState:
    """One scheduled item: which step it is on, when it is next due, and its history in counts."""

    key: str                 # "case:<case id>" or "rule:<rule id>"
    step: int                # index into INTERVALS_DAYS; 0 after a miss
    due: date
    last: datetime           # the last answer that counted for it
    misses: int
    reviews: int             # right answers given when it was due (each grew the interval)

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def ident(self) -> str:
        return self.key.split(":", 1)[1]

    @property
    def interval(self) -> int:
        return interval_days(self.step)


@dataclass(frozen=True)
class Schedule:
    """Every scheduled item by key."""

    items: dict[str, ItemState]

    def due(self, today: date) -> list[ItemState]:
        """Items due on or before ``today``, the longest overdue first (then cases before rules, by key)."""
        return sorted((s for s in self.items.values() if s.due <= today), key=lambda s: (s.due, s.kind, s.key))

    def due_count(self, today: date) -> int:
        return len(self.due(today))

    def next_due(self, after: date) -> date | None:
        """The first day after ``after`` on which something falls due (None when nothing will)."""
        later = [s.due for s in self.items.values() if s.due > after]
        return min(later) if later else None

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: str) -> ItemState | None:
        return self.items.get(key)


def build_schedule(events: Iterable[tuple[datetime, str, bool]], *, tz: tzinfo | None = None) -> Schedule:
    """Replay ``(time, item key, right)`` events (any order; replayed by time) into a schedule."""
    items: dict[str, ItemState] = {}
    for moment, key, right in sorted(events, key=lambda e: e[0]):
        day = local_day(moment, tz)
        state = items.get(key)
        if not right:
            misses = state.misses + 1 if state else 1
            reviews = state.reviews if state else 0
            items[key] = ItemState(key, 0, day + timedelta(days=interval_days(0)), moment, misses, reviews)
        elif state is not None and day >= state.due:
            step = state.step + 1
            items[key] = replace(state, step=step, due=day + timedelta(days=interval_days(step)), last=moment,
                                 reviews=state.reviews + 1)
    return Schedule(items)


def quiz_events(attempts: Iterable[Attempt]) -> list[tuple[datetime, str, bool]]:
    """The events of a student's quiz answers (the quiz's attempts): one for the case, one for each rule that
    decided it, right or not under the grade a student sees first."""
    out = []
    for a in attempts:
        moment = parse_time(a.answered_at)
        ok = right(a)
        out.append((moment, f"case:{a.item}", ok))
        out += [(moment, f"rule:{rule}", ok) for rule in deciding(a)]
    return out


def schedule_for(attempts: Iterable[Attempt], *, tz: tzinfo | None = None) -> Schedule:
    """The review schedule of a student's quiz answers."""
    return build_schedule(quiz_events(attempts), tz=tz)


def due_text(schedule: Schedule, today: date) -> str:
    """The line at the top of the quiz, e.g. ``Due for review today: 3 (2 cases, 1 rule).``"""
    due = schedule.due(today)
    if not due:
        upcoming = schedule.next_due(today)
        if upcoming is None:
            return "Due for review today: nothing. Cases and rules you miss come back here on later days."
        days = (upcoming - today).days
        return (f"Due for review today: nothing. The next review is in {days} day{'s' if days != 1 else ''} "
                f"({upcoming.isoformat()}).")
    cases = sum(s.kind == "case" for s in due)
    rules = len(due) - cases
    parts = [f"{cases} case{'s' if cases != 1 else ''}"] * bool(cases) + [f"{rules} rule{'s' if rules != 1 else ''}"] * bool(rules)
    return f"Due for review today: {len(due)} ({', '.join(parts)})."
