"""The evidence base: verified values unchanged, NOT VERIFIED never shown as a number."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from tests.conftest import ROOT, SHARED
from widgets.core.loading import ContentError
from widgets.core.evidence import SECTIONS, NotVerifiedError, load_evidence

SHARED_EVIDENCE = SHARED / "evidence" / "evidence.yaml"


#: sha256 of shared/evidence/evidence.yaml as verified and imported (2026-11-23 compilation).
VERIFIED_SHA256 = "747c1f1850796f054c7fab462685ce8dcd895d28bc0e4651a0e0a1bda4ecd3e8"


def test_copy_is_byte_for_byte_the_verified_file():
    """Holds on any machine: the shipped copy is exactly the verified file that was imported."""
    digest = hashlib.sha256((ROOT / "widgets/content/evidence.yaml").read_bytes()).hexdigest()
    assert digest == VERIFIED_SHA256, "widgets/content/evidence.yaml differs from the verified evidence file"


def test_values_are_the_verified_ones_unchanged():
    """Where shared/ is beside the checkout: every entry's values, source and address match it."""
    if not SHARED_EVIDENCE.exists():
        pytest.skip(f"{SHARED_EVIDENCE} is not beside this checkout (the sha256 test still checks the copy)")
    ours = yaml.safe_load((ROOT / "widgets/content/evidence.yaml").read_text())
    theirs = yaml.safe_load(SHARED_EVIDENCE.read_text())
    for section in SECTIONS:
        assert [e["id"] for e in ours[section]] == [e["id"] for e in theirs[section]], section
        for a, b in zip(ours[section], theirs[section]):
            assert a["values"] == b["values"], a["id"]
            assert a["source"] == b["source"], a["id"]
            assert a["url_seen"] == b["url_seen"], a["id"]


def test_every_entry_has_source_address_and_kind():
    ev = load_evidence()
    assert len(ev.entries) == 100
    for entry in ev.entries.values():
        assert entry.url_seen.startswith("http"), entry.id
        assert entry.evidence_type, entry.id
        assert entry.source.title, entry.id


def test_number_carries_its_evidence_id():
    ev = load_evidence()
    fig = ev.number("hr_marino2025_combined_mm", "anterior_height_gain_mm_KP_and_VP_pooled")
    assert fig.value == 3.48 and fig.evidence_id == "hr_marino2025_combined_mm"
    nested = ev.number("hr_winkelmann2018_abc_heights", "anterior_height_gain_mm.sd")
    assert nested.value == 2.9
    assert ev.number("hr_josr2018_smd", "ci95.0").value == -1.86


@pytest.mark.parametrize("entry_id,key", [
    ("hr_patel2022_scope", "pooled_height_numbers"),
    ("hr_xing2013_anterior_height", "ci95"),
    ("hr_xing2013_anterior_height", "unit"),
])
def test_not_verified_values_are_refused_as_numbers(entry_id, key):
    with pytest.raises(NotVerifiedError, match="not a verified number"):
        load_evidence().number(entry_id, key)


def test_unverified_values_are_listed():
    flagged = load_evidence().unverified_values("hr_xing2013_anterior_height")
    assert set(flagged) == {"unit", "ci95"}


def test_unknown_id_and_key_name_the_file():
    ev = load_evidence()
    with pytest.raises(KeyError, match="evidence.yaml"):
        ev.entry("no_such_entry")
    with pytest.raises(KeyError, match="no value 'nope'"):
        ev.raw("hr_josr2018_smd", "nope")


def test_seed_discrepancies_point_at_real_entries():
    ev = load_evidence()
    assert "seed_full_height" in ev.discrepancies
    for disc in ev.discrepancies.values():
        for entry_id in disc.entries:
            assert entry_id in ev.entries


def test_broken_evidence_file_names_field(tmp_path):
    text = (ROOT / "widgets/content/evidence.yaml").read_text()
    broken = tmp_path / "evidence.yaml"
    broken.write_text(text.replace("  url_seen: https://booksci.cn/literature/143381963.htm\n", "", 1))
    with pytest.raises(ContentError) as info:
        load_evidence(broken)
    message = str(info.value)
    assert "evidence.yaml" in message and "url_seen" in message and "hr_marino2025_combined_mm" in message
    assert "missing" in message and info.value.line is not None
