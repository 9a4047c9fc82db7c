"""Issue 15, better items: decision points that differ between the notebooks, distractors tagged with the
misconception they reveal, and options of similar length whose right answer is not the longest by habit."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from widgets.core.citations import Citations
from widgets.core.loading import ContentError
from widgets.outcomes.model import load_patient_questions
from widgets.procedures.steps import load_questions, questions_for
from widgets.recovery.model import quiz_questions

SETS = {"decision points": load_questions().questions, "after-care quiz": quiz_questions(),
        "patient questions": load_patient_questions()}
ALL = [(name, q) for name, qs in SETS.items() for q in qs]


def test_the_vertebroplasty_and_kyphoplasty_notebooks_ask_different_decision_points():
    vp = {q.id for q in questions_for("vertebroplasty")}
    kp = {q.id for q in questions_for("kyphoplasty")}
    assert len(vp) >= 4 and len(kp) >= 4
    assert not vp & kp, f"asked in both notebooks: {vp & kp}"
    texts = lambda qs: {q.prompt for q in qs}  # noqa: E731
    assert not texts(questions_for("vertebroplasty")) & texts(questions_for("kyphoplasty"))


@pytest.mark.parametrize("name, q", [(n, q) for n, q in ALL if n != "patient questions"],
                         ids=lambda x: getattr(x, "id", x))
def test_every_wrong_option_names_the_misconception_it_reveals(name, q):
    for o in q.options:
        if o.correct:
            assert not o.misconception
        else:
            assert o.misconception and len(o.misconception.split()) >= 4, f"{q.id}.{o.id}"
            assert o.misconception.rstrip(".").lower() not in o.feedback.lower(), "says something of its own"


def test_an_untagged_distractor_is_refused_with_the_option_named(tmp_path):
    text = (ROOT / "widgets/content/procedure_questions.yaml").read_text(encoding="utf-8")
    marker = "        misconception: The single needle is the riskier route for a leak.\n"
    broken = text.replace("        misconception: A single needle is the riskier route for a leak.\n", "")
    assert broken != text
    path = tmp_path / "q.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError, match="two_for_leaks") as info:
        load_questions(path)
    assert "misconception" in str(info.value) and str(path) in str(info.value)
    assert marker not in broken


@pytest.mark.parametrize("name, q", ALL, ids=lambda x: getattr(x, "id", x))
def test_options_are_of_similar_length_and_fit_one_line(name, q):
    lengths = [len(o.text) for o in q.options]
    assert max(lengths) / min(lengths) <= 1.5, f"{q.id}: option lengths {lengths}"
    assert max(lengths) <= 90, f"{q.id}: an option this long wraps onto a line of its own ({max(lengths)} characters)"


def test_the_right_answer_is_not_systematically_the_longest():
    longest = [q.id for _, q in ALL if len(q.answer.text if hasattr(q, "answer") else
                                               next(o for o in q.options if o.correct).text)
               == max(len(o.text) for o in q.options)]
    chance = sum(1 / len(q.options) for _, q in ALL)
    # At chance the right answer would be the longest in about `chance` questions; never in most of them.
    assert len(longest) <= chance + 1, (longest, chance)
    for name, qs in SETS.items():
        right_longest = [q for q in qs if len(next(o for o in q.options if o.correct).text)
                         == max(len(o.text) for o in q.options)]
        assert len(right_longest) < len(qs), f"in the {name} the right answer is always the longest"


def test_the_right_answer_does_not_sit_in_one_place():
    positions = [next(i for i, o in enumerate(q.options) if o.correct) for _, q in ALL]
    assert len(set(positions)) >= 3, positions
    assert max(positions.count(p) for p in set(positions)) <= len(positions) / 2


@pytest.mark.parametrize("notebook, procedure", [("02-vertebroplasty", "vertebroplasty"),
                                                 ("03-kyphoplasty", "kyphoplasty")])
def test_every_key_a_decision_point_cites_is_in_its_notebooks_references(notebook, procedure):
    cites = Citations.for_notebook(ROOT / "notebooks" / f"{notebook}.ipynb")
    for q in questions_for(procedure):
        for key in q.cites:
            before = len(cites.keys)
            cites.number(key)
            assert len(cites.keys) == before, f"{q.id} cites {key}, which notebook {notebook} does not list"
