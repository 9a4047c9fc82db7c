"""The candidacy quiz as pure state: cases, grading, score, review and a weighted retry pool.

A :class:`Quiz` walks the case bank in order, then offers generated practice
cases without end.  :meth:`Quiz.submit` grades an answer (vertebroplasty yes/no,
kyphoplasty yes/no, and the deciding rule) against :func:`widgets.candidacy.assess`,
the leaflet's rules, and returns an :class:`AnswerRecord` (the exact shape of
the progress file and of the export).  :meth:`Quiz.retry_pool` draws a seeded
practice set weighted toward the rules a student missed.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Literal, Sequence

from pydantic import Field, StrictBool, field_validator, model_validator

from widgets.candidacy.rules import RULE_IDS, Assessment, LoadedBank, assess, load_case_bank, load_rules
from widgets.core.loading import ContentModel
from widgets.candidacy.vignettes import Vignette, generate

RuleId = Literal[RULE_IDS]  # type: ignore[valid-type]
_GEN_ID = re.compile(r"^gen-(-?\d+)-(\d+)$")


class QuizError(ValueError):
    """A quiz action that cannot be done (the message says what to do instead)."""


def utc_now() -> str:
    """The current time as ISO-8601 UTC with seconds, e.g. ``2026-11-25T10:53:35Z``."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _is_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


class AnswerRecord(ContentModel):
    """One graded answer: what the progress file stores and the export writes, field for field."""

    case_id: str = Field(min_length=1, max_length=120)
    source: Literal["bank", "generated"]
    answered_at: str
    vertebroplasty_answer: StrictBool
    vertebroplasty_correct: StrictBool
    kyphoplasty_answer: StrictBool
    kyphoplasty_correct: StrictBool
    reason_rule: RuleId
    reason_correct: StrictBool
    deciding_rules: list[RuleId] = Field(min_length=1)
    correct: StrictBool

    @field_validator("answered_at")
    @classmethod
    def _iso(cls, value: str) -> str:
        if not _is_iso(value):
            raise ValueError("answered_at must be an ISO-8601 time such as 2026-11-25T10:53:35Z")
        return value

    @model_validator(mode="after")
    def _correct_is_all_three(self):
        want = self.vertebroplasty_correct and self.kyphoplasty_correct and self.reason_correct
        if self.correct != want:
            raise ValueError("'correct' must be true exactly when both procedure answers and the reason are correct")
        return self

    def to_dict(self) -> dict:
        return self.model_dump()


@dataclass(frozen=True)
class Grade:
    """The graded answer plus what the feedback needs."""

    vignette: Vignette
    assessment: Assessment
    record: AnswerRecord

    @property
    def correct(self) -> bool:
        return self.record.correct

    def summary(self) -> str:
        """Plain-text feedback naming the rules (citations are added by the view)."""
        a, r = self.assessment, self.record
        head = "Correct." if r.correct else "Not quite."
        lines = [head]
        for proc, given, ok in (("vertebroplasty", r.vertebroplasty_answer, r.vertebroplasty_correct),
                                ("kyphoplasty", r.kyphoplasty_answer, r.kyphoplasty_correct)):
            d = a.decision(proc)
            mark = "right" if ok else "wrong"
            said = "candidate" if given else "not a candidate"
            lines.append(f"{proc.capitalize()}: you said {said} ({mark}); the rules say {d.verdict} "
                         f"({', '.join(d.rule_ids)}).")
        lines.append(("Deciding reason: right" if r.reason_correct else "Deciding reason: wrong")
                     + f" (you chose {r.reason_rule}; deciding: {', '.join(r.deciding_rules)}).")
        return "\n".join(lines)


class Quiz:
    """Quiz state: the current case, the answers so far, and what comes next.

    ``cases`` are the bank's vignettes in order; ``records`` are earlier answers
    (e.g. from the progress file), so a student resumes at the first bank case
    not yet answered.  ``seed`` fixes the generated practice cases and the retry
    pool.  ``clock`` returns the ISO-8601 time stamped on each answer.
    """

    def __init__(self, cases: Sequence[Vignette], *, seed: int = 0,
                 records: Iterable[AnswerRecord] = (), clock: Callable[[], str] = utc_now):
        if not cases:
            raise QuizError("the quiz needs at least one case; load a case bank with cases in it")
        self.bank: list[Vignette] = list(cases)
        self.seed = int(seed)
        self.clock = clock
        self.rules = load_rules()
        self.records: list[AnswerRecord] = list(records)
        self._known: dict[str, Vignette] = {v.id: v for v in self.bank}
        self._practice_next = 1 + max(
            (int(m.group(2)) for r in self.records if (m := _GEN_ID.match(r.case_id))
             and int(m.group(1)) == self.seed), default=-1)
        done = self.answered_bank_ids
        self.queue: list[Vignette] = [v for v in self.bank if v.id not in done]
        self.mode: Literal["bank", "retry", "practice"] = "bank"
        self.current: Vignette | None = None
        self.last_grade: Grade | None = None
        self.next()

    @classmethod
    def from_bank(cls, bank: LoadedBank | None = None, **kwargs) -> "Quiz":
        bank = bank or load_case_bank()
        return cls([Vignette.from_case(c) for c in bank.cases], **kwargs)

    # ----------------------------------------------------------------- state
    @property
    def answered_bank_ids(self) -> set[str]:
        bank_ids = {v.id for v in self.bank}
        return {r.case_id for r in self.records if r.case_id in bank_ids}

    @property
    def answered(self) -> int:
        return len(self.records)

    @property
    def correct(self) -> int:
        return sum(r.correct for r in self.records)

    @property
    def score_percent(self) -> float:
        return round(100.0 * self.correct / self.answered, 1) if self.records else 0.0

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

    def progress_text(self) -> str:
        """The text twin of the progress bar, e.g. ``7 of 33 cases answered, 5 correct``.

        It counts the bank's cases (the latest answer to each); when the student
        has also answered practice or retry cases, the overall score follows.
        """
        bank_correct = sum(1 for cid in self.answered_bank_ids if self._latest(cid).correct)
        text = f"{self.bank_done} of {self.bank_total} cases answered, {bank_correct} correct"
        if self.answered > self.bank_done:
            text += (f"; all {self.answered} answers including practice and retries: "
                     f"{self.correct} correct ({self.score_percent:g}%)")
        return text

    def _latest(self, case_id: str) -> AnswerRecord:
        return [r for r in self.records if r.case_id == case_id][-1]

    def lookup(self, case_id: str) -> Vignette | None:
        """The vignette of a case id (bank or generated), or None if unknown."""
        if case_id in self._known:
            return self._known[case_id]
        m = _GEN_ID.match(case_id)
        if m:
            v = generate(int(m.group(1)), 1, start=int(m.group(2)))[0]
            self._known[v.id] = v
            return v
        return None

    # ----------------------------------------------------------------- flow
    def next(self) -> Vignette:
        """Move to the next case: the bank (or a retry set) first, then generated practice.

        When a retry set runs out, the bank cases not yet answered come next.
        """
        if not self.queue and self.mode == "retry":
            self.queue = self._unanswered_bank()
            self.mode = "bank"
        if self.queue:
            self.current = self.queue.pop(0)
        else:
            v = generate(self.seed, 1, start=self._practice_next)[0]
            self._practice_next += 1
            self._known[v.id] = v
            self.current = v
            self.mode = "practice"
        self.last_grade = None
        return self.current

    def _unanswered_bank(self) -> list[Vignette]:
        done = self.answered_bank_ids
        return [v for v in self.bank if v.id not in done]

    def submit(self, vertebroplasty: bool | None, kyphoplasty: bool | None, reason: str | None) -> Grade:
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
        if reason not in RULE_IDS:
            raise QuizError(f"'{reason}' is not one of the rules; choose one of: {', '.join(RULE_IDS)}")
        result = assess(self.current.patient, self.rules)
        deciding = list(result.deciding_rules)
        vp_ok = vertebroplasty == result.vertebroplasty.eligible
        kp_ok = kyphoplasty == result.kyphoplasty.eligible
        reason_ok = reason in deciding
        record = AnswerRecord(
            case_id=self.current.id, source=self.current.source, answered_at=self.clock(),
            vertebroplasty_answer=vertebroplasty, vertebroplasty_correct=vp_ok,
            kyphoplasty_answer=kyphoplasty, kyphoplasty_correct=kp_ok,
            reason_rule=reason, reason_correct=reason_ok, deciding_rules=deciding,
            correct=vp_ok and kp_ok and reason_ok)
        self.records.append(record)
        self.last_grade = Grade(self.current, result, record)
        return self.last_grade

    # ----------------------------------------------------------------- review and retry
    def missed(self) -> list[tuple[AnswerRecord, Vignette | None]]:
        """Answers that were not fully correct, oldest first, with their vignettes."""
        return [(r, self.lookup(r.case_id)) for r in self.records if not r.correct]

    def missed_rules(self) -> Counter:
        """How often each rule decided a case the student got wrong."""
        return Counter(rule for r in self.records if not r.correct for rule in r.deciding_rules)

    def retry_pool(self, size: int = 10) -> list[Vignette]:
        """A seeded practice set weighted toward the rules the student missed.

        Candidates are the bank cases and a fresh batch of generated cases; each
        is weighted ``1 + 4 x`` (how often its deciding rules were missed), and
        ``size`` are drawn without replacement.  With nothing missed, the weights
        are equal.
        """
        if size < 1:
            raise QuizError("a retry set needs at least one case")
        misses = self.missed_rules()
        start = 10_000 + 100 * len(self.records)
        candidates = list(self.bank) + generate(self.seed, max(size, 16), start=start)
        rng = random.Random(f"{self.seed}:retry:{len(self.records)}")
        weights = []
        for v in candidates:
            rules = assess(v.patient, self.rules).deciding_rules
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
        """Practise a retry set (see :meth:`retry_pool`), starting with its first case."""
        self.queue = self.retry_pool(size)
        self.mode = "retry"
        self.current = self.queue.pop(0)
        self.last_grade = None
        return self.current
