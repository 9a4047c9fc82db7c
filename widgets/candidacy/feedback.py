"""What the feedback on one graded answer says, as data: the view only draws it.  Pure logic.

:func:`feedback_for` turns a :class:`~widgets.candidacy.quiz.GradedAnswer` into a :class:`Feedback`: the headline (right
or not under current practice, the grade a student sees first, and what the patient leaflet says beside it),
a row per procedure and for the deciding reason with both standards' verdicts (current practice first), the
red-flag box or the sentence on whether the two standards agree and why, each standard's deciding rules with
their sources, current practice's cautions, the evidence notes that fit the case and, for a case with an
image, what the image showed.  Texts keep their ``[@id]`` citation keys, for the view to number.
"""

from __future__ import annotations

from dataclasses import dataclass

from widgets.candidacy import red_flags
from widgets.candidacy.case_image import CANNOT_SHOW, read_image
from widgets.candidacy.practice import reason_title
from widgets.candidacy.reasons import load_families
from widgets.candidacy.rules import LEAFLET, PRACTICE, case_notes
from widgets.core.citations import markers
from widgets.core.course import PROCEDURES

PRACTICE_NAME = "Current practice"
LEAFLET_NAME = "What the patient leaflet says"


def practice_title(rules, rule_id: str) -> str:
    """A deciding reason under current practice in its own words (the red flag's, above both standards)."""
    return rules[rule_id].title if rule_id in rules.IDS else reason_title(rule_id)


def said(answer: bool) -> str:
    return "candidate" if answer else "not a candidate"


@dataclass(frozen=True)
class Row:
    """One row of the verdict table: what the student said and each standard's answer, right or not."""

    what: str
    said: str
    practice: str | None
    practice_ok: bool | None
    leaflet: str
    leaflet_ok: bool


@dataclass(frozen=True)
class Note:
    """A titled note: ``text`` keeps its ``[@id]`` keys; ``kind`` is extra words after the title."""

    title: str
    text: str
    kind: str = ""


@dataclass(frozen=True)
class RedFlagBox:
    title: str
    verdict: str
    flags: tuple[Note, ...]
    alone: str                      # what each standard's rules alone would say
    leaflet_silent: str


@dataclass(frozen=True)
class Feedback:
    right: bool                     # under current practice (the leaflet's, for an answer without it)
    leaflet_right: bool
    has_practice: bool
    rows: tuple[Row, ...]
    red_flag: RedFlagBox | None
    agreement: str | None           # whether the two standards agree (no red flag)
    why: tuple[Note, ...]           # why they differ
    practice_rules: tuple[Note, ...]
    leaflet_rules: tuple[Note, ...]
    alone: bool                     # the rules above are what each standard says alone (a red flag decides)
    cautions: tuple[Note, ...]
    evidence: tuple[Note, ...]
    family_hint: str | None         # where the deciding reason is, when the student's was not it
    image_said: str | None

    @property
    def headline(self) -> str:
        return "Correct." if self.right else "Not quite."


def feedback_for(grade, rules, practice_rules) -> Feedback:
    """The feedback of one graded answer (``rules``: the leaflet's; ``practice_rules``: current practice's)."""
    answer, a, p = grade.attempt.answer, grade.assessment, grade.practice
    lg = grade.attempt.grades[LEAFLET]
    pg = grade.attempt.grades[PRACTICE] if p is not None else None
    rows = []
    for proc in ("vertebroplasty", "kyphoplasty"):
        rows.append(Row(proc.capitalize(), said(answer[proc]),
                        p.decision(proc).verdict if p is not None else None,
                        pg.parts[proc] if pg is not None else None,
                        a.decision(proc).verdict, lg.parts[proc]))
    rows.append(Row("Deciding reason", reason_title(answer["reason"]),
                    "; ".join(practice_title(practice_rules, i) for i in pg.expected["deciding_rules"])
                    if pg is not None else None,
                    pg.parts["reason"] if pg is not None else None,
                    "; ".join(reason_title(i) for i in lg.expected["deciding_rules"]), lg.parts["reason"]))

    box, agreement, why = None, None, ()
    if a.red_flags:
        box = red_flag_box(a, p, practice_rules)
    elif grade.comparison is not None:
        agreement = grade.comparison.sentence()
        why = tuple(Note(t, x) for t, x in grade.comparison.why)

    beneath_a, beneath_p = (a.beneath, p.beneath if p is not None else None) if a.red_flags else (a, p)
    practice_notes = ()
    cautions = ()
    if beneath_p is not None:
        items = []
        for rule_id in beneath_p.deciding_rules:
            rule = practice_rules[rule_id]
            note = rule.note_for(a.patient.fracture_cause)
            items.append(Note(rule.title, f"{rule.explanation} {markers(rule.cites)}" + (f" {note}" if note else ""),
                              practice_rules.kind_words(rule_id)))
        practice_notes = tuple(items)
        cautions = tuple(Note(t, n) for t, n in beneath_p.cautions)
    leaflet_notes = tuple(Note(rules[i].title, f"{rules[i].explanation} {markers(rules[i].cites)}")
                          for i in beneath_a.deciding_rules)
    flagged = red_flags.notes(a.red_flags)         # shown in the red-flag box
    evidence = tuple(Note(t, n) for t, n in case_notes(grade.vignette, a, rules) if (t, n) not in flagged)

    family_hint = None
    shown = pg if pg is not None else lg           # the standard the hint follows: the one a student sees first
    deciding = shown.expected["deciding_rules"]
    if not shown.parts["reason"]:
        families = load_families()
        chosen = families.family_of(answer["reason"])
        right_families = list(dict.fromkeys(families.family_of(i).title for i in deciding))
        where = " or ".join(f"'{t}'" for t in right_families)
        family_hint = (f"The deciding reason is under {where}"
                       + (", the family you chose." if chosen.title in right_families else
                          f"; you chose '{chosen.title}'."))

    image = getattr(grade.vignette, "image", None)
    image_said = f"{read_image(image).summary()} {CANNOT_SHOW}" if image is not None else None
    return Feedback(grade.correct, grade.leaflet_correct, p is not None, tuple(rows), box, agreement, why,
                    practice_notes, leaflet_notes, bool(a.red_flags), cautions, evidence, family_hint, image_said)


def red_flag_box(a, p, practice_rules) -> RedFlagBox:
    """The red flags a case shows, what each looks like and what to do; what each standard's rules alone say."""
    spec = red_flags.load_red_flags()
    flags = tuple(Note(t, n) for t, n in red_flags.notes(a.red_flags, spec))
    alone = []
    for name, result, title in (("Current practice's rules", p.beneath if p is not None else None,
                                 lambda i: practice_title(practice_rules, i)),
                                ("The leaflet's rules", a.beneath, reason_title)):
        if result is None:
            continue
        verdicts = "; ".join(f"{proc} {result.decision(proc).verdict}" for proc in PROCEDURES)
        deciding = "; ".join(title(i) for i in result.deciding_rules)
        alone.append(f"{name}, read alone, would say: {verdicts} (deciding: {deciding}).")
    return RedFlagBox(spec.title, spec.verdict, flags, " ".join(alone),
                      f"{' '.join(spec.leaflet_silent.split())} [@kochan2015]")
