"""Multiple-choice questions with feedback, as validated content, and their grading.  Pure logic.

Several topics ask them: the procedures' decision points (``procedure_questions.yaml``) and the
after-care quiz (``recovery.yaml``).  Each :class:`Question` has exactly one correct :class:`Option`;
every wrong option names the misconception choosing it reveals; :func:`grade_decision` grades one
answer and :class:`QuizScore` keeps the score over attempts (latest answer per question, and right
first time).  Its citation keys are checked as it loads; checking that a question's procedure step exists
is the job of the topic that loads the file (e.g. :func:`widgets.procedures.steps.check_questions`); the view is
:class:`widgets.core.questions_view.MultipleChoiceQuiz`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

from pydantic import Field, model_validator

from widgets.core.citations import CiteKeys
from widgets.core.course import PROCEDURES
from widgets.core.loading import ContentModel, require_unique, unique_ids

#: Ids of steps, questions and options: lower case, digits and underscores.
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Option(ContentModel):
    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)
    correct: bool = False
    feedback: str = Field(min_length=10)
    misconception: Optional[str] = Field(None, min_length=10, description="for a wrong option: the misconception "
                                         "choosing it reveals (shown in the feedback and the class results)")


class Question(ContentModel):
    id: str = Field(pattern=ID_PATTERN)
    prompt: str = Field(min_length=10)
    procedures: list[Literal[PROCEDURES]] = Field(min_length=1)  # type: ignore[valid-type]
    step: str | None = Field(None, description="the step id this decision point belongs to")
    options: list[Option] = Field(min_length=2)
    cites: CiteKeys

    @model_validator(mode="after")
    def _one_correct(self):
        ids = [o.id for o in self.options]
        require_unique(ids, "option ids")
        n = sum(o.correct for o in self.options)
        if n != 1:
            raise ValueError(f"a question needs exactly one correct option; this one has {n}")
        untagged = [o.id for o in self.options if not o.correct and not o.misconception]
        if untagged:
            raise ValueError(f"every wrong option names the misconception it reveals; {untagged} do not "
                             "(add misconception: ...)")
        if any(o.correct and o.misconception for o in self.options):
            raise ValueError("the correct option reveals no misconception; remove its misconception")
        return self

    @property
    def answer(self) -> Option:
        return next(o for o in self.options if o.correct)

    def option(self, option_id: str) -> Option:
        for o in self.options:
            if o.id == option_id:
                return o
        raise ValueError(f"question '{self.id}' has no option '{option_id}'; "
                         f"its options are {[o.id for o in self.options]}")


class QuestionFile(ContentModel):
    questions: list[Question] = Field(min_length=1)

    _unique = unique_ids("questions", "question ids")


@dataclass(frozen=True)
class DecisionResult:
    question: str
    chosen: str
    correct: bool
    feedback: str
    answer: str


def grade_decision(question: Question, option_id: str | None) -> DecisionResult:
    if option_id is None:
        raise ValueError(f"question '{question.id}': choose an answer first")
    opt = question.option(option_id)
    return DecisionResult(question.id, opt.id, opt.correct, opt.feedback, question.answer.id)


@dataclass
class QuizScore:
    """Score over a set of questions: latest answer per question, and every attempt."""

    question_ids: list[str]
    history: list[DecisionResult] = field(default_factory=list)

    def record(self, result: DecisionResult) -> None:
        if result.question not in self.question_ids:
            raise ValueError(f"question '{result.question}' is not part of this quiz")
        self.history.append(result)

    def latest(self) -> dict[str, DecisionResult]:
        return {r.question: r for r in self.history}

    @property
    def score(self) -> int:
        return sum(r.correct for r in self.latest().values())

    @property
    def first_try(self) -> int:
        firsts: dict[str, DecisionResult] = {}
        for r in self.history:
            firsts.setdefault(r.question, r)
        return sum(r.correct for r in firsts.values())

    def text(self) -> str:
        n = len(self.question_ids)
        return (f"Score: {self.score} of {n} correct; {len(self.latest())} of {n} answered; "
                f"{len(self.history)} attempt{'s' if len(self.history) != 1 else ''} in all; "
                f"right first time: {self.first_try}.")
