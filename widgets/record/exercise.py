"""What students answer, one :class:`Exercise` each, and the registry the instructor's side loops over.

Each topic declares its exercises next to it (``widgets/<topic>/exercise.py``): the exercise's id, which is what
a hand-in's ``"exercise"`` field holds and is written there once, a title, the items it can grade, and how an
answer is graded again from the content.  Importing the topic's exercise module registers them; the class
results (:mod:`widgets.classroom.grading`) import every topic's and grade each handed-in answer through
:func:`exercise`.  An answer to an exercise no topic registered is refused with :class:`UnknownExercise`.

Multiple-choice questions need no code: a :class:`ChoiceExercise` grades the option chosen against the
question file's correct option.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable, Optional, Sequence

from widgets.core.questions import Option, Question
from widgets.record.attempts import EXERCISES, Attempt, Grade


class Ungradable(ValueError):
    """An answer the content cannot grade (the message says why)."""


class UnknownExercise(Ungradable):
    """An answer to an exercise this version of the module does not know."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id (as hand-ins hold it), a title for people, the standard it is graded against first,
    how an answer is graded again (``regrader``: an attempt to a grade per standard, raising :class:`Ungradable`),
    and, where they are finite, the ids of the items it grades."""

    id: str
    title: str
    standard: str
    regrader: Callable[[Attempt], dict[str, Grade]]
    item_ids: Optional[Callable[[], Iterable[str]]] = None

    def items(self) -> tuple[str, ...] | None:
        """The ids of the items this exercise grades (None when they are not a finite list, such as generated
        practice cases or a level of any spine)."""
        return None if self.item_ids is None else tuple(self.item_ids())

    def regrade(self, attempt: Attempt) -> dict[str, Grade]:
        """Every standard's grade for ``attempt``, from the content (never from the file)."""
        if attempt.exercise != self.id:
            raise Ungradable(f"the answer is to '{attempt.exercise}', not to '{self.id}'")
        return self.regrader(attempt)


@dataclass(frozen=True, eq=False)
class ChoiceExercise(Exercise):
    """A multiple-choice exercise: ``questions`` loads its questions; an answer is ``{"option": <option id>}``."""

    regrader: Callable[[Attempt], dict[str, Grade]] | None = None
    questions: Callable[[], Sequence[Question]] = tuple

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions()}

    def items(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def option(self, question_id: str, option_id: str) -> Option | None:
        q = self.question(question_id)
        return next((o for o in q.options if o.id == option_id), None) if q is not None else None

    def regrade(self, attempt: Attempt) -> dict[str, Grade]:
        if attempt.exercise != self.id:
            raise Ungradable(f"the answer is to '{attempt.exercise}', not to '{self.id}'")
        q = self.question(attempt.item)
        if q is None:
            raise Ungradable("the question is not one of the course's")
        option = self.option(attempt.item, attempt.answer.get("option"))
        if option is None:
            raise Ungradable("the chosen option is not one of the question's")
        right = next(o for o in q.options if o.correct)
        return {self.standard: Grade(correct=option.correct, expected={"option": right.id})}


_REGISTRY: dict[str, Exercise] = {}


def register(ex: Exercise) -> Exercise:
    """Add ``ex`` to the registry (a topic's exercise module does this when imported); an id is registered once."""
    known = _REGISTRY.get(ex.id)
    if known is not None and known is not ex:
        raise ValueError(f"the exercise id '{ex.id}' is registered twice ('{known.title}' and '{ex.title}'); "
                         "give one of them another id")
    _REGISTRY[ex.id] = ex
    EXERCISES[ex.id] = ex.standard
    return ex


def exercise(exercise_id: str) -> Exercise:
    """The registered exercise ``exercise_id`` (:class:`UnknownExercise` when none is)."""
    try:
        return _REGISTRY[exercise_id]
    except KeyError:
        raise UnknownExercise(f"this module cannot grade the exercise '{exercise_id}' (a newer version may); "
                              "it is left out") from None


def all_exercises() -> tuple[Exercise, ...]:
    """Every registered exercise, in the order registered."""
    return tuple(_REGISTRY.values())
