"""Every lesson plan has its parts, its minutes add up, and every notebook it names exists."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from widgets.core.loading import ContentError
from widgets.classroom.lessons import SECTIONS, load_plan, load_plans

PLANS = sorted((ROOT / "lessons" / "plans").glob("*.md"))


def test_at_least_the_three_sessions_exist():
    ids = {p.meta.id for p in load_plans()}
    assert {"fractures-and-candidacy", "the-two-procedures", "outcomes-and-evidence"} <= ids


@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_plan_has_its_parts_and_its_minutes_add_up(path):
    plan = load_plan(path)  # validates front matter, sections, minutes and notebook paths
    m = plan.meta
    assert 60 <= m.session_minutes <= 90
    assert sum(b.minutes for b in m.schedule) == m.session_minutes == m.teaching_minutes + m.exercise_minutes
    for name in SECTIONS:
        assert plan.section(name), f"{path.name}: '{name}' is empty"
    for nb in m.notebooks:
        assert (ROOT / nb).exists(), nb
    assert any(b.kind == "exercise" for b in m.schedule) and any(b.kind == "teaching" for b in m.schedule)


def test_misconceptions_include_full_height_restoration():
    text = " ".join(p.section("Common misconceptions").lower() for p in load_plans())
    assert "full height" in text


def test_sham_controlled_trials_are_taught():
    outcomes = {p.meta.id: p for p in load_plans()}["outcomes-and-evidence"]
    assert "sham" in outcomes.body.lower()


def test_broken_plan_names_the_problem(tmp_path):
    good = PLANS[0].read_text(encoding="utf-8")
    bad = tmp_path / "plan.md"
    bad.write_text(good.replace("session_minutes: ", "session_minutes: 1", 1), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_plan(bad)
    assert str(bad) in str(info.value) and "session_minutes" in str(info.value)
    bad.write_text(good.replace("## Answer key", "## Answers", 1), encoding="utf-8")
    with pytest.raises(ContentError, match="Answer key"):
        load_plan(bad)
    bad.write_text(good.replace("notebooks/0", "notebooks/9", 1), encoding="utf-8")
    with pytest.raises(ContentError, match="does not exist|not listed"):
        load_plan(bad)


def test_answer_keys_live_only_in_lessons():
    """No student notebook carries or loads an answer key (the keys are under lessons/ only)."""
    from tests.conftest import load_notebook
    key_rows = [line for line in (ROOT / "lessons/answer-keys/candidacy-cases.md").read_text().splitlines()
                if line.startswith("| `")]
    assert key_rows, "the candidacy answer key has no rows"
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        text = "\n".join("".join(c["source"]) for c in load_notebook(nb)["cells"])
        assert "## Answer key" not in text, nb.name
        assert "answer_keys" not in text and "answer-keys" not in text, f"{nb.name} loads an answer key"
        assert not any(row in text for row in key_rows), f"{nb.name} reproduces the case answer key"
