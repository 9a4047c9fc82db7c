"""The pre-test and the post-test as exercises (:class:`widgets.record.exercise.Exercise`): their ids, which
items each student's test holds, and how a handed-in answer is graded again.

The two tests are the two parallel forms (:mod:`widgets.assessment.forms`): a student's pre-test is one form, and
their post-test the other, leaving out any item their pre-test answered.  An item is ``case:<id>`` or
``decision:<id>``; it is right under :data:`~widgets.assessment.forms.ACCEPTED` when right under either standard.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from typing import Iterable

from widgets.assessment.forms import ACCEPTED, FORMS, Forms, TestItem, first_form, form_of, grade_item, parallel_forms
from widgets.record.attempts import Attempt, Grade
from widgets.record.exercise import Exercise, Ungradable, register

#: The exercise ids: the pre-test (notebook 00) and the post-test (notebook 08).
PRE, POST = "pre-test", "post-test"


def form_for(phase: str, order_seed: str, earlier: Iterable[Attempt] = ()) -> str:
    """Which form this student takes now: the pre-test's form is kept once started; the post-test is the
    form the pre-test was not (or, with no pre-test answered, the other of :func:`first_form`)."""
    earlier = list(earlier)
    if phase == PRE:
        return form_of(a for a in earlier if a.exercise == PRE) or first_form(order_seed)
    taken = form_of(a for a in earlier if a.exercise == PRE) or first_form(order_seed)
    return FORMS[1 - FORMS.index(taken)]


def items_for(phase: str, order_seed: str, earlier: Iterable[Attempt] = (), *, forms: Forms | None = None
              ) -> tuple[str, list[TestItem]]:
    """(form, items) for this student now; the post-test leaves out every item their pre-test answered."""
    earlier = list(earlier)
    forms = forms or parallel_forms()
    name = form_for(phase, order_seed, earlier)
    items = list(forms.form(name))
    if phase == POST:
        seen = {a.item for a in earlier if a.exercise == PRE}
        items = [i for i in items if i.key not in seen]
    return name, items


def regrade_test(attempt: Attempt, bank_path: str | None = None) -> dict[str, Grade]:
    """A pre-test or post-test answer graded again: a case under both standards and 'accepted' (either),
    a decision point under 'course' (see widgets.assessment.forms.grade_item)."""
    try:
        grades = grade_item(attempt.item, attempt.answer, bank_path)
    except ValueError as exc:
        raise Ungradable(str(exc)) from None
    return {standard: Grade(**grade) for standard, grade in grades.items()}


def _test_items() -> list[str]:
    forms = parallel_forms()
    return [item.key for name in FORMS for item in forms.form(name)]


PRE_TEST = register(Exercise(PRE, "Pre-test", ACCEPTED, regrade_test, _test_items))
POST_TEST = register(Exercise(POST, "Post-test", ACCEPTED, regrade_test, _test_items))
