"""A pre-test or post-test as pure state: the student's form, one answer per item, the score.

:class:`PrePostTest` walks the items of the student's form (:func:`widgets.assessment.exercise.items_for`),
takes one answer per item (no feedback and no second try: it measures, it does not teach), and makes
each answer an :class:`~widgets.record.attempts.Attempt` of the exercise ``pre-test`` or ``post-test``
that the exercise log records and hands in like every other answer.  Reopened, it resumes at the first
item not yet answered.  :meth:`PrePostTest.result` is the student's score (right under either standard,
as :func:`widgets.assessment.forms.grade_item` defines it), and after the post-test their own normalised
gain over their pre-test (:func:`normalised_gain`).

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from widgets.assessment.exercise import POST, PRE, items_for
from widgets.assessment.forms import ACCEPTED, Forms, TestItem, grade_item
from widgets.record.attempts import Attempt, make_attempt, utc_stamp


class PrePostError(ValueError):
    """A test action that cannot be done (the message says what to do instead)."""


def normalised_gain(pre_percent: float, post_percent: float) -> float | None:
    """Hake's normalised gain g = (post - pre) / (100 - pre), scores in per cent; None when pre is 100."""
    if pre_percent >= 100.0:
        return None
    return (post_percent - pre_percent) / (100.0 - pre_percent)


@dataclass(frozen=True)
class Result:
    right: int
    answered: int
    items: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.right / self.answered, 1) if self.answered else 0.0

    @property
    def complete(self) -> bool:
        return self.answered >= self.items


def first_answers(attempts: Iterable[Attempt], exercise: str) -> dict[str, Attempt]:
    """The first answer to each item of ``exercise`` among ``attempts`` (in the order given)."""
    out: dict[str, Attempt] = {}
    for a in attempts:
        if a.exercise == exercise:
            out.setdefault(a.item, a)
    return out


class PrePostTest:
    """One student's pre-test (``phase='pre-test'``) or post-test (``'post-test'``)."""

    def __init__(self, phase: str, order_seed: str, earlier: Iterable[Attempt] = (), *,
                 forms: Forms | None = None, clock: Callable[[], str] = utc_stamp, bank: str | None = None):
        if phase not in (PRE, POST):
            raise PrePostError(f"'{phase}' is not a test; use '{PRE}' or '{POST}'")
        self.phase, self.clock, self.bank = phase, clock, bank
        self.earlier = list(earlier)
        self.form, self.items = items_for(phase, order_seed, self.earlier, forms=forms)
        self.answers: dict[str, Attempt] = {k: a for k, a in first_answers(self.earlier, phase).items()
                                            if k in {i.key for i in self.items}}

    @property
    def current(self) -> TestItem | None:
        return next((i for i in self.items if i.key not in self.answers), None)

    @property
    def position(self) -> int:
        """1-based number of the current item (items answered + 1)."""
        return len(self.answers) + 1

    def answer(self, answer: dict) -> Attempt:
        """Grade and keep the answer to the current item; the attempt is what the log records."""
        item = self.current
        if item is None:
            raise PrePostError("every question is answered; hand in your answers")
        if item.kind == "case":
            missing = [w for w, k in (("vertebroplasty", "vertebroplasty"), ("kyphoplasty", "kyphoplasty"),
                                      ("the deciding reason", "reason")) if answer.get(k) is None]
            if missing:
                raise PrePostError("please answer " + " and ".join(missing) + " before going on")
        elif answer.get("option") is None:
            raise PrePostError("please choose an answer before going on")
        grades = grade_item(item.key, answer, self.bank)
        attempt = make_attempt(self.phase, item.key, dict(answer), grades,
                               context={"form": self.form, "position": self.position, "kind": item.kind},
                               answered_at=self.clock())
        self.answers[item.key] = attempt
        return attempt

    def result(self) -> Result:
        return Result(sum(a.grade(ACCEPTED).correct for a in self.answers.values()), len(self.answers),
                      len(self.items))

    def pre_result(self) -> Result | None:
        """For the post-test: the student's own pre-test score, when they took it."""
        firsts = first_answers(self.earlier, PRE)
        if not firsts:
            return None
        return Result(sum(a.grade(ACCEPTED).correct for a in firsts.values()), len(firsts), len(firsts))

    def summary(self) -> str:
        """One plain sentence: the score, and after the post-test the gain over the pre-test."""
        r = self.result()
        if not r.complete:
            return f"{r.answered} of {r.items} questions answered."
        text = f"All {r.items} questions answered: {r.right} right ({r.percent:g} %)."
        pre = self.pre_result() if self.phase == POST else None
        if pre is not None:
            g = normalised_gain(pre.percent, r.percent)
            text += (f" Your pre-test: {pre.right} of {pre.answered} ({pre.percent:g} %). "
                     + (f"Your normalised gain: {g:.2f} (the share of what you could still gain that you gained)."
                        if g is not None else "Your pre-test was already 100 %, so there was nothing left to gain."))
        return text
