"""The committed answer keys are what the content generates now, and cover every case and step."""

import pytest

from tests.conftest import ROOT
from widgets.classroom.answer_keys import KEYS
from widgets.candidacy.bank import load_case_bank
from widgets.procedures.steps import PROCEDURES, load_procedure

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
