"""The committed answer keys are what the content generates now, and cover every case and step."""

import re

import pytest

from tests.conftest import ROOT
from widgets.classroom.answer_keys import KEYS
from widgets.candidacy.bank import load_case_bank
from widgets.core.course import PROCEDURES
from widgets.procedures.steps import load_procedure

OUT = ROOT / "lessons" / "answer-keys"


@pytest.mark.parametrize("name", sorted(KEYS))
def test_committed_key_matches_the_content(name):
    committed = (OUT / name).read_text(encoding="utf-8")
    assert committed == KEYS[name](), f"lessons/answer-keys/{name} is stale: run python -m tools.write_answer_keys"


def test_keys_cover_every_case_and_step():
    cases = (OUT / "candidacy-cases.md").read_text()
    for case in load_case_bank():
        assert f"`{case.id}`" in cases
    steps = (OUT / "procedures.md").read_text()
    for name in PROCEDURES:
        for step in load_procedure(name).steps:
            assert f"(`{step.id}`)" in steps


@pytest.mark.parametrize("name", sorted(KEYS))
def test_keys_show_numbered_citations_and_a_reference_list(name):
    text = (OUT / name).read_text(encoding="utf-8")
    assert "[@" not in text, "a raw citation key reached the answer key"
    cited = {int(n) for n in re.findall(r"\]\(#ref-(\d+) ", text)}
    listed = {int(n) for n in re.findall(r'<span id="ref-(\d+)"></span>', text)}
    assert cited == listed == set(range(1, len(listed) + 1))
    if cited:
        assert "## References" in text
    if name == "candidacy-cases.md":
        assert cited and "Kochan J. (2015)" in text, "the leaflet, the first standard, is in the list"
