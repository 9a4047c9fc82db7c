"""[@id] keys become numbered references with the full source and its address."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, load_notebook, notebook_paths
from widgets.core.citations import Citations, UnknownCitation, keys_in
from widgets.core.evidence import load_evidence


def test_numbers_follow_first_use():
    refs = Citations()
    text = refs.cite("A [@hr_marino2025_combined_mm], B [@kochan2015], again [@hr_marino2025_combined_mm].")
    assert text == "A [1], B [2], again [1]."
    assert refs.cite("Both [@kochan2015; @hr_beall2018_no_difference].") == "Both [2, 3]."


def test_reference_has_source_kind_and_address():
    refs = Citations(keys=["hr_beall2018_no_difference"])
    listing = refs.references_md()
    assert listing.startswith("**References**")
    assert "1. `[@hr_beall2018_no_difference]` Beall D" in listing
    assert "Review of Vertebral Augmentation" in listing
    assert "Evidence: meta-analysis." in listing
    assert "<https://www.ijssurgery.com/content/12/3/295.full.txt>" in listing
    assert "not shown" not in listing, "placeholders for unseen fields are left out"


def test_seed_source_is_citable():
    assert "Kochan J. (2015)" in Citations(keys=["kochan2015"]).references_md()


def test_unknown_key_is_a_clear_error():
    with pytest.raises(UnknownCitation, match=r"\[@hr_nonexistent\].*sources.yaml"):
        Citations().cite("x [@hr_nonexistent]")


def test_every_key_in_notebooks_and_content_resolves():
    ev = load_evidence()
    texts = {}
    for nb in notebook_paths():
        texts[str(nb)] = "".join("".join(c.get("source", "")) for c in load_notebook(nb)["cells"])
    for path in (ROOT / "widgets" / "content").rglob("*.yaml"):
        texts[str(path)] = path.read_text(encoding="utf-8")
    for path in (ROOT / "lessons").rglob("*.md"):
        texts[str(path)] = path.read_text(encoding="utf-8")
    unknown = {(where, k) for where, text in texts.items() for k in keys_in(text) if k not in ev}
    assert not unknown, f"citation keys that resolve to nothing: {sorted(unknown)}"
