"""The evidence base: verified values unchanged, NOT VERIFIED never shown as a number."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from tests.conftest import ROOT, SHARED
from widgets.core.loading import ContentError
from widgets.core.evidence import (
    CARE_SECTIONS, IMAGING_SECTIONS, SECTIONS, WEAK_CARE_ENTRIES, NotVerifiedError, load_evidence,
)

#: sha256 of each shared/evidence file as verified and imported: the first part (2026-11-23
#: compilation), the second part, anatomy, imaging, technique and complications (2026-11-25), and the
#: third part, red flags, conservative care, prevention, work-up and procedure safety (2026-12-07).
PINS = {
    "evidence-care.yaml": ("55ea8e20124539b8caee05ac4d220fec77e50c2fb996408a5fdb721dfdd5a936", CARE_SECTIONS),
    "evidence.yaml": ("747c1f1850796f054c7fab462685ce8dcd895d28bc0e4651a0e0a1bda4ecd3e8", SECTIONS),
    "evidence-imaging.yaml": ("e3c3206995498e180f1e593c66645d9010d701c589ba93bd3e7f58684cbabd14", IMAGING_SECTIONS),
}


@pytest.mark.parametrize("name", sorted(PINS))
def test_copy_is_byte_for_byte_the_verified_file(name):
    """Holds on any machine: the shipped copy is exactly the verified file that was imported."""
    digest = hashlib.sha256((ROOT / "widgets/content" / name).read_bytes()).hexdigest()
    assert digest == PINS[name][0], f"widgets/content/{name} differs from the verified evidence file"


@pytest.mark.parametrize("name", sorted(PINS))
def test_values_are_the_verified_ones_unchanged(name):
    """Where shared/ is beside the checkout: every entry's values, source and address match it."""
    shared = SHARED / "evidence" / name
    if not shared.exists():
        pytest.skip(f"{shared} is not beside this checkout (the sha256 test still checks the copy)")
    ours = yaml.safe_load((ROOT / "widgets/content" / name).read_text())
    theirs = yaml.safe_load(shared.read_text())
    for section in PINS[name][1]:
        assert [e["id"] for e in ours[section]] == [e["id"] for e in theirs[section]], section
        for a, b in zip(ours[section], theirs[section]):
            assert a["values"] == b["values"], a["id"]
            assert a["source"] == b["source"], a["id"]
            assert a["url_seen"] == b["url_seen"], a["id"]


def test_all_three_parts_load_into_one_base_with_unique_ids():
    ev = load_evidence()
    first = load_evidence(imaging="", care="")
    assert len(first.entries) == 100
    assert len(load_evidence(care="").entries) == 100 + 69
    assert len(ev.entries) == 100 + 69 + 88
    assert ev.file_of["rf_nice_ng234_bmj2023_summary"].name == "evidence-care.yaml"
    assert [e.id for e in ev.section("red_flags")][:1] == ["rf_nice_ng234_bmj2023_summary"]
    assert ev.entry("cand_contraindications_radiopaedia").evidence_type
    assert ev.file_of["an_lien2007_pedicle_safe_zone"].name == "evidence-imaging.yaml"
    assert ev.file_of["hr_marino2025_combined_mm"].name == "evidence.yaml"
    # A section present in both parts holds the entries of both.
    assert {e.id for e in first.section("procedure_facts")} < {e.id for e in ev.section("procedure_facts")}


def test_every_entry_has_source_address_and_kind():
    ev = load_evidence()
    assert len(ev.entries) == 257
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


def test_the_weak_entries_the_third_part_names_are_the_ones_we_hold_back():
    """meta.caution of evidence-care.yaml names its weakest entries; each exists, so holding it back means something."""
    ev = load_evidence()
    caution = ev.care.meta["caution"]
    for entry_id in WEAK_CARE_ENTRIES:
        assert entry_id in caution and entry_id in ev.entries, entry_id
