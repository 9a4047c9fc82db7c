"""References send a reader to the publisher, PubMed or PMC, never silently to a copy (issues 23 and 24).

The evidence files are pinned; ``widgets/content/reference_links.yaml`` names the preferred page per entry.
"""

from __future__ import annotations

import re

import pytest

from widgets.core.citations import Citations
from widgets.core.evidence import load_evidence
from widgets.core.loading import ContentError
from widgets.core.reference_links import load_reference_links, urls_in

EV = load_evidence()
LINKS = load_reference_links()
ALL_KEYS = list(EV.entries) + list(EV.sources)

#: The kinds of copy issue 24 names: translation proxies, document-sharing sites, ResearchGate, bare IP addresses.
ISSUE_MIRRORS = re.compile(r"(proxy\.weglot\.com|websiteproxy\.net|scribd\.com|docslib\.org|1library\.net|123dok\.net|"
                           r"coek\.info|docksci\.com|researchgate\.net|^https?://\d+\.\d+\.\d+\.\d+)")


def _refs() -> dict[str, str]:
    refs = Citations(keys=ALL_KEYS)
    return {key: refs.reference(key) for key in ALL_KEYS}


REFS = _refs()


def test_the_overlay_agrees_with_the_evidence_files():
    """Every id exists, and every mirror it keeps as the alternative is the address the evidence file gives."""
    assert LINKS.problems(EV) == []
    assert len(LINKS.by_id) >= 60


def test_no_student_visible_reference_links_to_a_mirror_unless_no_other_page_was_found():
    for key, text in REFS.items():
        for url in urls_in(text):
            if LINKS.is_mirror(url):
                link = LINKS.get(key)
                assert link is not None and link.kind == "mirror", f"{key} links to a copy: {url}"
                assert "Copy on a third-party site (no publisher, PubMed or PMC page was found)" in text, key


def test_every_copy_the_issue_names_has_its_preferred_page_or_is_labelled():
    """Translation proxies, document-sharing sites, ResearchGate and IP-address mirrors, in all three files."""
    named = [key for key, entry in EV.entries.items() if any(ISSUE_MIRRORS.search(u) for u in urls_in(entry.url_seen))]
    assert len(named) >= 17, named
    for key in named:
        link = LINKS.get(key)
        assert link is not None, f"{key}: its url_seen is a copy and reference_links.yaml says nothing about it"
        if link.kind != "mirror":
            assert link.mirror and link.mirror in urls_in(EV.entry(key).url_seen), f"{key}: keep the copy as 'mirror'"
    replaced = [k for k in named if LINKS.get(k).kind != "mirror"]
    assert len(replaced) >= len(named) // 2, "most copies have a publisher, PubMed or PMC page instead"


def test_a_preferred_page_is_shown_where_the_evidence_file_had_only_a_copy():
    assert "<http://www.aafp.org/afp/2016/0701/p44.html>" in REFS["cc_afp2016_conservative_options"]
    assert "scribd" not in REFS["cc_afp2016_conservative_options"]
    assert "Trial registry record: <https://clinicaltrials.gov/ct2/show/study/NCT02049931>" in \
        REFS["cc_kim2014_brace_trial_registry"]
    assert "(https://pmc.ncbi.nlm.nih.gov/articles/PMC6422949/)" in REFS["sp_swedish_registry_imminent_risk"]


def test_no_reference_is_untitled_or_carries_a_working_note():
    for key, text in REFS.items():
        assert "untitled" not in text.lower(), f"{key}: {text}"
        assert "ground truth" not in text.lower() and "grades against" not in text.lower(), f"{key}: {text}"
    # Titles that the evidence files could not show are read on the preferred page ...
    assert "Risk of imminent fracture following a previous fracture in a Swedish database study" in \
        REFS["sp_swedish_registry_imminent_risk"]
    assert REFS["cl_infection_zhang2021"].startswith("Zhang S") and "Debridement and corpectomy via single" in \
        REFS["cl_infection_zhang2021"]
    # ... or, where no page showed one, the work is described in square brackets.
    assert "[Case report; title not recorded]" in REFS["ps_ajnr2006_fat_marrow_embolism_case"]


def test_the_seed_reference_reads_as_a_citation():
    seed = REFS["kochan2015"]
    assert seed.startswith("Kochan J. (2015). Percutaneous vertebroplasty and kyphoplasty.")
    assert "module's ground truth" not in seed


def _write(tmp_path, text):
    path = tmp_path / "reference_links.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """mirror_hosts: [scribd.com]
links:
  - ids: [cc_afp2016_conservative_options]
    url: {url}
    kind: {kind}
    checked: 2026-12-07
    check: searched by title; the publisher's page found
"""


@pytest.mark.parametrize("url,kind,message", [
    ("https://www.scribd.com/x", "publisher", "mirror host"),
    ("http://www.aafp.org/afp/2016/0701/p44.html", "mirror", "not in mirror_hosts"),
    ("https://example.org/not-pubmed", "pubmed", "pubmed.ncbi.nlm.nih.gov"),
])
def test_a_wrong_overlay_entry_is_refused_with_the_file_and_the_fix(tmp_path, url, kind, message):
    path = _write(tmp_path, GOOD.format(url=url, kind=kind))
    with pytest.raises(ContentError) as info:
        load_reference_links(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_a_good_overlay_entry_loads(tmp_path):
    links = load_reference_links(_write(tmp_path, GOOD.format(url="https://www.aafp.org/x", kind="publisher")))
    assert links.get("cc_afp2016_conservative_options").kind == "publisher"
    assert links.is_mirror("https://ja.scribd.com/document/1") and links.is_mirror("http://47.251.13.51:8081/1")
    assert not links.is_mirror("https://pubmed.ncbi.nlm.nih.gov/1/")


def test_every_address_is_its_own_link():
    """An entry read on several pages links each one; no autolink swallows a second address."""
    for key, text in REFS.items():
        for inside in re.findall(r"<(https?://[^>]*)>", text):
            assert " " not in inside and ";" not in inside, f"{key}: <{inside}>"
