"""[@id] keys become numbered references with the full source and its address."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, load_notebook, notebook_paths
from widgets.core.citations import Citations, UnknownCitation, keys_in, markers, strip_citations
from widgets.core.evidence import load_evidence


def test_numbers_follow_first_use():
    refs = Citations().plain
    text = refs.cited("A [@hr_marino2025_combined_mm], B [@kochan2015], again [@hr_marino2025_combined_mm].")
    assert text == "A [1], B [2], again [1]."
    assert refs.cited("Both [@kochan2015; @hr_beall2018_no_difference].") == "Both [2, 3]."
    assert refs.cite(["hr_beall2018_no_difference", "kochan2015"]) == "[3, 2]" and refs.cite("kochan2015") == "[2]"


def test_every_style_shares_one_numbering():
    """A notebook's Citations cites in Markdown; its plain and HTML views give the same numbers."""
    refs = Citations()
    assert refs.plain.cite("hr_beall2018_no_difference") == "[1]"
    assert refs.cite("kochan2015").startswith("\\[[2](#ref-2 ") and refs.html.cite("kochan2015").startswith(
        '[<a href="#ref-2"')
    assert refs.keys == ["hr_beall2018_no_difference", "kochan2015"] == refs.html.keys
    assert refs.markdown is refs


def test_markers_and_stripping_are_the_inverse_of_citing():
    assert markers(["a", "b"]) == "[@a; @b]" and markers("kochan2015") == "[@kochan2015]"
    keys = ["kochan2015", "hr_beall2018_no_difference"]
    assert keys_in(markers(keys)) == keys
    assert strip_citations("Breach [@an_x]. Rule [@a; @b], then more [@c]") == "Breach. Rule, then more"


def test_reference_reads_like_a_journal_and_is_folded():
    refs = Citations(keys=["hr_beall2018_no_difference"])
    listing = refs.references_md()
    assert listing.startswith("<details>") and listing.rstrip().endswith("</details>")
    assert "<summary><strong>References</strong> (1 source" in listing
    line = next(l for l in listing.splitlines() if l.startswith("1. "))
    assert '<span id="ref-1"></span>Beall D' in line, "the list item is the anchor the text links to"
    assert "Review of Vertebral Augmentation" in line
    assert "[@" not in listing and "hr_beall2018" not in listing, "students never see a key"
    assert "not shown" not in listing, "placeholders for unseen fields are left out"


def test_doi_and_pubmed_become_links_and_working_notes_stay_out():
    ev = load_evidence()
    with_pmid = next(e for e in ev.entries.values() if str(e.source.pmid).isdigit())
    with_note = next(e for e in ev.entries.values() if e.source.citation_note)
    refs = Citations(keys=[with_pmid.id, with_note.id])
    listing = refs.references_md()
    assert f"(https://pubmed.ncbi.nlm.nih.gov/{with_pmid.source.pmid}/)" in listing
    assert with_note.source.citation_note not in listing
    for entry in (with_pmid, with_note):
        if entry.verification_note:
            assert entry.verification_note not in listing
    marino = Citations(keys=["hr_marino2025_combined_mm"]).references_md()
    assert "(https://doi.org/10.1007/s00586-025-08707-1)" in marino


def test_one_publication_one_number():
    """Two evidence entries read from one paper share its number and its line in the list."""
    refs = Citations().plain
    assert refs.cited("[@hr_marino2025_combined_mm] and [@ka_marino2025_pooled]") == "[1] and [1]"
    assert refs.cited("[@hr_marino2025_combined_mm; @ka_marino2025_pooled]") == "[1]"
    assert refs.references_md().count("Marino V") == 1


def test_markdown_and_html_markers_link_to_the_list():
    refs = Citations(keys=["kochan2015"])
    md = refs.cited("as the leaflet says [@kochan2015; @hr_beall2018_no_difference].")
    assert md.startswith("as the leaflet says \\[[1](#ref-1 ") and "[2](#ref-2 " in md and "[@" not in md
    assert refs.html.cite("hr_beall2018_no_difference").startswith('[<a href="#ref-2" title="Beall')


def test_seed_source_is_citable():
    assert "Kochan J. (2015)" in Citations(keys=["kochan2015"]).references_md()


def test_unknown_key_is_a_clear_error():
    with pytest.raises(UnknownCitation, match=r"\[@hr_nonexistent\].*sources.yaml"):
        Citations().cited("x [@hr_nonexistent]")


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


WORKING_NOTES = ("not shown", "not displayed", "not printed", "retrieved", "from url", "ocr", "mirror",
                 "garbled", "truncated", "as quoted", "low-confidence", "verify", "start page", "access number")


def test_no_working_note_reaches_the_student_list():
    """Every reference of both evidence files and the source texts reads as a citation, without the
    authors' notes on what could not be read."""
    ev = load_evidence()
    refs = Citations(keys=list(ev.entries) + list(ev.sources))
    for key in list(ev.entries) + list(ev.sources):
        text = refs.reference(key).lower()
        if key in ev.sources:  # its note field is an author's remark, its citation is what students read
            assert (ev.sources[key].note or "@@").lower() not in text
            continue
        # Whole words: "ocr" is a working note, "Endocrinology" is a journal.
        found = [w for w in WORKING_NOTES if re.search(rf"\b{re.escape(w)}\b", text.split("available at")[0])
                 and w not in ev.entry(key).source.title.lower()]
        assert not found, f"{key}: {found} in {refs.reference(key)}"
        assert ".." not in text.split("](")[0] and "()" not in text, f"{key}: {refs.reference(key)}"
