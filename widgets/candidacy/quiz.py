"""The candidacy quiz as pure state: cases, grading, score, review and a retry set.

A :class:`Quiz` walks the case bank, then offers generated practice cases without end.  With an
``order_seed`` (the quiz widget passes one derived from the student's identity) each student gets
their own reproducible order of the bank, stratified so that the first cases cover every leaflet rule the
bank exercises (at most one case per rule: the first eight with the shipped rules), then every current-practice
rule (within the first fifteen with the shipped bank), and rules are
interleaved so the same rule does not decide two cases in a row where that can be avoided; the
generated practice interleaves rules the same way.

:meth:`Quiz.submit` grades an answer (vertebroplasty yes/no, kyphoplasty yes/no, and the deciding
rule) against current practice (:func:`widgets.candidacy.practice.assess_practice`) and the leaflet's rules
(:func:`widgets.candidacy.rules.assess`), and records it as the :class:`~widgets.record.attempts.Attempt` that
the progress file and the hand-in store, with both grades (:func:`widgets.candidacy.exercise.quiz_attempt`):
:attr:`Quiz.attempts` are those attempts, read through the functions of :mod:`widgets.candidacy.exercise`.

The grade a student sees first is current practice's (:data:`~widgets.candidacy.exercise.FIRST`): the score,
the missed cases, the retry, the spaced review and the flashcards follow it
(:func:`~widgets.candidacy.exercise.right`), and the leaflet's grade sits beside it as what the patient leaflet
says (:attr:`Quiz.leaflet_score`).  An answer saved before the quiz graded current practice has only the
leaflet's grade, which then stands in.

:meth:`Quiz.start_retry` replays the cases whose latest answer was wrong, then a seeded practice set
weighted toward the rules the student missed; :meth:`Quiz.start_daily` starts today's five: due reviews and
new cases mixed (:mod:`widgets.candidacy.daily`, with the streak).  A case with a red flag
(:mod:`widgets.candidacy.red_flags`) is answered "not a candidate" for both procedures with the reason
``urgent_referral`` under both standards, graded, stored and regraded like any other answer.  The scores use
the one score definition (:func:`widgets.record.attempts.score`) that the hand-in and the class results use too.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Callable, Iterable, Literal, Sequence

from widgets.candidacy.daily import SET_SIZE, DailySet, Streak, daily_set, streak_of
from widgets.candidacy.practice import Comparison, assess_practice, compare, load_practice_rules, reason_title
from widgets.candidacy.bank import LoadedBank, load_case_bank
from widgets.candidacy.rules import PRACTICE, REASON_IDS, Assessment, assess, load_rules
from widgets.candidacy.flashcards import anki_text, missed_cards
from widgets.candidacy.review import Schedule, due_text, local_day, parse_time, schedule_for
from widgets.candidacy.vignettes import GENERATED_ID, Vignette, generate, generate_for_rule, generated_case
from widgets.candidacy.exercise import grade_answer, has_practice, leaflet_right, quiz_attempt, right, wrong_parts
from widgets.candidacy.exercise import deciding as deciding_rules
from widgets.record.attempts import Attempt, Score, score, utc_stamp


class QuizError(ValueError):
    """A quiz action that cannot be done (the message says what to do instead)."""


@dataclass(frozen=True)
class GradedAnswer:
    """The graded answer plus what the feedback needs: both standards' assessments and how they compare."""

    vignette: Vignette
    assessment: Assessment
    attempt: Attempt                  # the answer as it is stored and handed in, with both grades
    practice: Assessment | None = None
    comparison: Comparison | None = None

    @property
    def correct(self) -> bool:
        """Right under the grade a student sees first (current practice)."""
        return right(self.attempt)

    @property
    def leaflet_correct(self) -> bool:
        """Right under the patient leaflet's rules."""
        return leaflet_right(self.attempt)

    def summary(self) -> str:
        """Plain-text feedback naming the rules in plain words (citations are added by the view)."""
        answer = self.attempt.answer
        lines = ["Correct under current practice." if self.correct else "Not quite, under current practice."]
        lines.append("What the patient leaflet says: " + ("right." if self.leaflet_correct else "not right."))
        standards = ([("current practice", self.practice)] if self.practice else []) + [("the leaflet",
                                                                                         self.assessment)]
        for proc in ("vertebroplasty", "kyphoplasty"):
            said = "candidate" if answer[proc] else "not a candidate"
            verdicts = "; ".join(f"{name} says {a.decision(proc).verdict}" for name, a in standards)
            lines.append(f"{proc.capitalize()}: you said {said}; {verdicts}.")
        lines.append(f"Your deciding reason: {reason_title(answer['reason'])}.")
        for name, a in standards:
            lines.append(f"Deciding under {name}: " + "; ".join(reason_title(i) for i in a.deciding_rules) + ".")
        if self.comparison is not None:
            lines.append(self.comparison.sentence())
        return "\n".join(lines)


def deciding_both(v: Vignette, rules=None) -> set[str]:
    """The rules that decide a case under either standard (what the order and the practice interleave by)."""
    return set(assess(v.patient, rules).deciding_rules) | set(assess_practice(v.patient).deciding_rules)


def stratified_order(cases: Sequence[Vignette], seed: int | str, *, rules=None) -> list[Vignette]:
    """The bank in a student's own order: reproducible for a seed, every rule early, rules interleaved.

    First comes a cover of the leaflet's rules: one case for each leaflet rule that decides some case
    of the bank and is not yet covered, so the first cases (at most one per leaflet rule; eight with
    the shipped rules) cover every leaflet rule.  Then a cover of the current-practice rules not yet
    covered, so with the shipped bank every rule of both standards comes within the first fifteen
    cases; then the rest.  Within each part the next case is, where possible, decided by other rules
    than the one before.
    """
    rng = random.Random(f"{seed}:order")
    deciding = {v.id: deciding_both(v, rules) for v in cases}
    # The cover is of each standard's rules: the same id can decide under one standard and not the other.
    per_standard = {v.id: {("leaflet", r) for r in assess(v.patient, rules).deciding_rules}
                    | {("current_practice", r) for r in assess_practice(v.patient).deciding_rules} for v in cases}
    remaining = list(cases)
    rng.shuffle(remaining)
    ordered: list[Vignette] = []
    covered: set[tuple[str, str]] = set()
    for standard in ("leaflet", "current_practice"):  # the leaflet's rules first: they are the quiz's key
        wanted = sorted({pair for pairs in per_standard.values() for pair in pairs if pair[0] == standard})
        rng.shuffle(wanted)
        head: list[Vignette] = []
        for pair in wanted:
            if pair in covered:
                continue
            options = [v for v in remaining if pair in per_standard[v.id]]
            most = max(len(per_standard[v.id] - covered) for v in options)   # a case that covers most of what is left
            pick = rng.choice([v for v in options if len(per_standard[v.id] - covered) == most])
            head.append(pick)
            remaining.remove(pick)
            covered |= per_standard[pick.id]
        ordered += _interleave(head, deciding, rng, previous=ordered[-1].id if ordered else None)
    return ordered + _interleave(remaining, deciding, rng, previous=ordered[-1].id if ordered else None)


def _interleave(cases: list[Vignette], deciding: dict, rng: random.Random, previous: str | None) -> list[Vignette]:
    pool, out = list(cases), []
    while pool:
        last = deciding.get(previous, set()) if previous else set()
        fresh = [v for v in pool if not (deciding[v.id] & last)] or pool
        # Prefer cases of the rules most of the pool still holds (drawn in proportion), so a common rule is
        # spread through the order instead of piling up at its end, where nothing is left to put between.
        share = {v.id: sum(bool(deciding[v.id] & deciding[w.id]) for w in pool) for v in fresh}
        pick = rng.choices(fresh, weights=[share[v.id] for v in fresh])[0]
        pool.remove(pick)
        out.append(pick)
        previous = pick.id
    return out


class Quiz:
    """Quiz state: the current case, the answers so far, and what comes next.

    ``cases`` are the bank's vignettes; ``attempts`` are earlier answers, the quiz's own (e.g. from the
    progress file, through :func:`widgets.candidacy.exercise.quiz_attempts`), so a student resumes at the first
    bank case not yet answered.  ``seed`` fixes the generated practice cases and the retry pool; ``order_seed``
    (when given) shuffles the bank into the student's own stratified order (:func:`stratified_order`), otherwise
    the bank's own order is kept.  ``clock`` returns the ISO-8601 time stamped on each answer.
    """

    def __init__(self, cases: Sequence[Vignette], *, seed: int = 0, order_seed: int | str | None = None,
                 attempts: Iterable[Attempt] = (), clock: Callable[[], str] = utc_stamp,
                 tz: tzinfo | None = None):
        if not cases:
            raise QuizError("the quiz needs at least one case; load a case bank with cases in it")
        self.bank: list[Vignette] = list(cases)
        self.seed = int(seed)
        self.clock = clock
        self.tz = tz            # the student's time zone for "due today" (None: this computer's)
        self.rules = load_rules()
        self.practice_rules = load_practice_rules()
        self.order: list[Vignette] = (stratified_order(self.bank, order_seed, rules=self.rules)
                                      if order_seed is not None else list(self.bank))
        self.attempts: list[Attempt] = list(attempts)
        self._known: dict[str, Vignette] = {v.id: v for v in self.bank}
        self._deciding: dict[str, set[str]] = {}       # a case's deciding rules under both standards, by id
        self._schedule: tuple[tuple, Schedule] | None = None   # the replayed schedule and the answers it replayed
        self._practice_next = 1 + max(
            (int(m.group(2)) for r in self.attempts if (m := GENERATED_ID.match(r.item))
             and int(m.group(1)) == self.seed), default=-1)
        self.queue: list[Vignette] = self._unanswered_bank()
        self.mode: Literal["bank", "retry", "practice", "review", "daily"] = "bank"
        self.current: Vignette | None = None
        self.last_grade: GradedAnswer | None = None
        self.next()

    @classmethod
    def from_bank(cls, bank: LoadedBank | None = None, **kwargs) -> "Quiz":
        bank = bank or load_case_bank()
        return cls([Vignette.from_case(c) for c in bank.cases], **kwargs)

    # ----------------------------------------------------------------- state
    @property
    def answered_bank_ids(self) -> set[str]:
        bank_ids = {v.id for v in self.bank}
        return {r.item for r in self.attempts if r.item in bank_ids}

    @property
    def answered(self) -> int:
        return len(self.attempts)

    @property
    def correct(self) -> int:
        """Answers right under the grade a student sees first (current practice)."""
        return sum(right(r) for r in self.attempts)

    @property
    def score(self) -> Score:
        """The score a student sees first: cases right at their latest answer, and at their first, under current
        practice (the leaflet's grade for answers saved before current practice was graded; see
        widgets.record.attempts.score)."""
        return score((r.item, right(r)) for r in self.attempts)

    @property
    def practice_score(self) -> Score:
        """The score under current practice, over the answers graded by it."""
        return score((r.item, r.grades[PRACTICE].correct) for r in self.attempts if has_practice(r))

    @property
    def leaflet_score(self) -> Score:
        """What the patient leaflet says: the same score under the leaflet's rules."""
        return score((r.item, leaflet_right(r)) for r in self.attempts)

    @property
    def score_percent(self) -> float:
        return self.score.final_percent

    @property
    def bank_done(self) -> int:
        return len(self.answered_bank_ids)

    @property
    def bank_total(self) -> int:
        return len(self.bank)

    @property
    def current_answered(self) -> bool:
        return self.last_grade is not None and self.current is not None \
            and self.last_grade.vignette.id == self.current.id

    def position(self, vignette: Vignette) -> int:
        """1-based place of a bank case in this student's order."""
        return self.order.index(vignette) + 1

    def progress_text(self) -> str:
        """The text twin of the progress bar: the score under current practice first, then what the patient
        leaflet says, e.g. ``7 of 73 bank cases answered. Score (current practice): ... What the patient
        leaflet says: 4 of 7 right (57 %)``."""
        text = f"{self.bank_done} of {self.bank_total} bank cases answered"
        if self.attempts:
            text += ". " + self.score.text("case").replace("Score:", "Score (current practice):", 1)
            leaflet = self.leaflet_score
            text += (f". What the patient leaflet says: {leaflet.final_right} of {leaflet.items} right "
                     f"({leaflet.final_percent:g} %)")
        return text

    def where_text(self) -> str:
        """Where the student is, for the line above the case, e.g. ``Case bank: case 3 of 73 (your own order)``."""
        more = len(self.queue)
        after = f"{more} more case{'s' if more != 1 else ''} after this one"
        if self.mode == "bank":
            return f"Case bank: case {self.position(self.current)} of {self.bank_total} (your own order)"
        if self.mode == "retry":
            return f"Retry set: {after}"
        if self.mode == "review":
            return f"Review of what is due: {after}"
        if self.mode == "daily":
            return f"Today's five: {after}"
        return "Practice: a generated case (the bank is done; practise as long as you like)"

    def missed_rows(self) -> list[tuple[str, str, str]]:
        """The missed answers as (case label, what was wrong, deciding rules), oldest first, under current
        practice (for the table a student opens with Review missed cases)."""
        rows = []
        for attempt, v in self.missed():
            label = v.title if v is not None else "a case no longer in the bank"
            rows.append((label, ", ".join(wrong_parts(attempt)),
                         "; ".join(reason_title(i) for i in deciding_rules(attempt))))
        return rows

    def lookup(self, case_id: str) -> Vignette | None:
        """The vignette of a case id (bank or generated), or None if unknown."""
        if case_id in self._known:
            return self._known[case_id]
        v = generated_case(case_id)
        if v is not None:
            self._known[v.id] = v
        return v

    # ----------------------------------------------------------------- flow
    def next(self) -> Vignette:
        """Move to the next case: the bank (or a retry or review set) first, then generated practice.

        When a retry, review or five-a-day set runs out, the bank cases not yet answered come next.
        """
        if not self.queue and self.mode in ("retry", "review", "daily"):
            self.queue = self._unanswered_bank()
            self.mode = "bank"
        if self.queue:
            self.current = self.queue.pop(0)
        else:
            self.current = self._next_practice()
            self.mode = "practice"
        self.last_grade = None
        return self.current

    def _next_practice(self) -> Vignette:
        """The next generated case, skipping ahead (a few at most) so that rules interleave."""
        before = self.current or (self.lookup(self.attempts[-1].item) if self.attempts else None)
        last = self.deciding(before) if before is not None else set()
        for _ in range(8):
            v = generate(self.seed, 1, start=self._practice_next)[0]
            self._practice_next += 1
            if not (self.deciding(v) & last):
                break
        self._known[v.id] = v
        return v

    def _unanswered_bank(self) -> list[Vignette]:
        done = self.answered_bank_ids
        return [v for v in self.order if v.id not in done]

    def submit(self, vertebroplasty: bool | None, kyphoplasty: bool | None, reason: str | None) -> GradedAnswer:
        """Grade an answer to the current case and record it."""
        if self.current is None:
            raise QuizError("there is no case to answer; press Next")
        if self.current_answered:
            raise QuizError("this case is already answered; press Next for another case")
        missing = [name for name, value in (("vertebroplasty", vertebroplasty), ("kyphoplasty", kyphoplasty),
                                            ("deciding reason", reason)) if value is None]
        if missing:
            raise QuizError("please answer " + " and ".join(missing) + " before submitting")
        if not isinstance(vertebroplasty, bool) or not isinstance(kyphoplasty, bool):
            raise QuizError("the answer for each procedure must be candidate (True) or not a candidate (False)")
        if reason not in REASON_IDS:
            raise QuizError(f"'{reason}' is not one of the rules; choose one of: {', '.join(REASON_IDS)}")
        result, practice, grades = grade_answer(self.current, vertebroplasty, kyphoplasty, reason, rules=self.rules,
                                                practice_rules=self.practice_rules)
        attempt = quiz_attempt(self.current, vertebroplasty, kyphoplasty, reason, grades, mode=self.mode,
                               answered_at=self.clock())
        self.attempts.append(attempt)
        self.last_grade = GradedAnswer(self.current, result, attempt, practice,
                                       compare(result, practice, self.practice_rules))
        return self.last_grade

    # ----------------------------------------------------------------- review and retry
    def missed(self) -> list[tuple[Attempt, Vignette | None]]:
        """Answers that were not fully right (under current practice), oldest first, with their vignettes."""
        return [(r, self.lookup(r.item)) for r in self.attempts if not right(r)]

    def still_missed(self) -> list[Vignette]:
        """Cases whose latest answer is wrong, in the order they were first missed."""
        latest = {}
        for r in self.attempts:
            latest[r.item] = r
        out = []
        for r in self.attempts:
            if not right(latest[r.item]) and (v := self.lookup(r.item)) is not None and v not in out:
                out.append(v)
        return out

    def missed_rules(self) -> Counter:
        """How often each rule decided (under current practice) a case the student got wrong."""
        return Counter(rule for r in self.attempts if not right(r) for rule in deciding_rules(r))

    def missed_rule_titles(self, top: int = 3) -> list[tuple[str, int]]:
        """The rules behind the most misses, in plain words, with how often: the ``top`` most frequent."""
        return [(reason_title(rule), n) for rule, n in self.missed_rules().most_common(top)]

    def retry_pool(self, size: int = 10, exclude: Iterable[str] = ()) -> list[Vignette]:
        """A seeded practice set weighted toward the rules the student missed.

        Candidates are the bank cases and a fresh batch of generated cases; each
        is weighted ``1 + 4 x`` (how often its deciding rules were missed), and
        ``size`` are drawn without replacement.  With nothing missed, the weights
        are equal.
        """
        if size < 1:
            return []
        misses = self.missed_rules()
        skip = set(exclude)
        start = 10_000 + 100 * len(self.attempts)
        candidates = [v for v in list(self.bank) + generate(self.seed, max(size, 16), start=start)
                      if v.id not in skip]
        rng = random.Random(f"{self.seed}:retry:{len(self.attempts)}")
        weights = []
        for v in candidates:
            rules = assess_practice(v.patient, self.practice_rules).deciding_rules
            weights.append(1.0 + 4.0 * sum(misses[r] for r in rules))
        chosen: list[Vignette] = []
        pool = list(zip(candidates, weights))
        while pool and len(chosen) < size:
            total = sum(w for _, w in pool)
            x = rng.random() * total
            for i, (v, w) in enumerate(pool):
                x -= w
                if x <= 0 or i == len(pool) - 1:
                    chosen.append(v)
                    pool.pop(i)
                    break
        for v in chosen:
            self._known[v.id] = v
        return chosen

    def start_retry(self, size: int = 10) -> Vignette:
        """Retry: the cases whose latest answer is wrong, then practice weighted toward the missed rules.

        The set holds at least ``size`` cases (more when more cases are still missed).
        """
        again = self.still_missed()
        self.queue = again + self.retry_pool(size - len(again), exclude={v.id for v in again})
        if not self.queue:
            raise QuizError("there is nothing to retry yet; answer a case first")
        self.mode = "retry"
        self.current = self.queue.pop(0)
        self.last_grade = None
        return self.current

    # ----------------------------------------------------------------- spaced review and flashcards
    def today(self) -> date:
        """The student's calendar day now (from the quiz's clock)."""
        return local_day(parse_time(self.clock()), self.tz)

    def schedule(self) -> Schedule:
        """The review schedule, replayed from every answer so far (see :mod:`widgets.candidacy.review`); replayed
        again only when an answer has been added since (answers are only ever appended)."""
        key = (len(self.attempts), id(self.attempts[-1]) if self.attempts else None, self.tz)
        if self._schedule is None or self._schedule[0] != key:
            self._schedule = (key, schedule_for(self.attempts, tz=self.tz))
        return self._schedule[1]

    def deciding(self, v: Vignette) -> set[str]:
        """The rules that decide case ``v`` under either standard (:func:`deciding_both`), worked out once a case."""
        if v.id not in self._deciding:
            self._deciding[v.id] = deciding_both(v, self.rules)
        return self._deciding[v.id]

    def due_today(self) -> int:
        return self.schedule().due_count(self.today())

    def due_text(self) -> str:
        return due_text(self.schedule(), self.today())

    def review_set(self) -> list[Vignette]:
        """What is due today: each due case, then for each due rule not already covered by one of those
        cases, a new generated case that the rule decides."""
        out: list[Vignette] = []
        due = self.schedule().due(self.today())
        for state in due:
            if state.kind == "case" and (v := self.lookup(state.ident)) is not None:
                out.append(v)
        covered = {r for v in out for r in self.deciding(v)}
        start = 30_000 + 50 * len(self.attempts)
        for state in due:
            if state.kind != "rule" or state.ident in covered or state.ident not in REASON_IDS:
                continue
            v = generate_for_rule(self.seed, state.ident, start=start)
            start = int(v.id.rsplit("-", 1)[1]) + 1
            self._known[v.id] = v
            out.append(v)
            covered |= self.deciding(v)
        return out

    def start_review(self) -> Vignette:
        """Review what is due today (cases and rules missed on earlier days), then back to the bank."""
        queue = self.review_set()
        if not queue:
            raise QuizError(self.due_text() + " Keep going with the cases.")
        self.queue = queue
        self.mode = "review"
        self.current = self.queue.pop(0)
        self.last_grade = None
        return self.current

    # ----------------------------------------------------------------- five a day
    def daily_plan(self, size: int = SET_SIZE) -> DailySet:
        """Today's five: what is due for review (:meth:`review_set`) mixed with new cases (the bank's cases not
        yet answered, in the student's order; generated cases once the bank is done)."""
        new = self._unanswered_bank()
        if len(new) < size:
            start = 50_000 + 50 * len(self.attempts)
            new += generate(self.seed, size - len(new), start=start)
        return daily_set(self.review_set(), new, size)

    def start_daily(self, size: int = SET_SIZE) -> Vignette:
        """Start today's five (:meth:`daily_plan`); after it, the bank cases not yet answered come next."""
        plan = self.daily_plan(size)
        for v in plan.cases:
            self._known[v.id] = v
        self.queue = list(plan.cases)
        self.mode = "daily"
        self.current = self.queue.pop(0)
        self.last_grade = None
        return self.current

    def streak(self) -> Streak:
        """Days in a row with a set done, replayed from the answers' times (see :mod:`widgets.candidacy.daily`)."""
        return streak_of(self.attempts, self.today(), tz=self.tz)

    def flashcards(self) -> str:
        """The cases missed so far as an Anki text file (see :mod:`widgets.candidacy.flashcards`)."""
        cards = missed_cards(self.attempts, self.lookup)
        if not cards:
            raise QuizError("there are no missed cases to make flashcards of yet")
        return anki_text(cards)
