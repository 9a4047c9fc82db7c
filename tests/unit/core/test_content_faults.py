"""Issue 11, items 7 and 10: content files and names that escaped the loaders' one-line errors.

Each test reproduces a defect of the issue (its number is in the docstring) and failed before the fix.
"""

from __future__ import annotations

import subprocess
import unicodedata
import sys

import pytest
import yaml

from tests.conftest import ROOT
from widgets.candidacy.bank import load_case_bank
from widgets.record.identity import safe_slug, validate_name
from widgets.core import loading
from widgets.core.loading import ContentError, read_yaml

BANK_HEAD = "cases:\n  - id: c1\n    title: A case\n"


@pytest.mark.parametrize("value, what", [
    ('!!float ""', "float"), ('!!int ""', "int"), ("!!timestamp 2026-13-45", "timestamp"),
    ("1" * 100_000, "digits"), ("!!float", "float"),
])
def test_yaml_values_that_cannot_be_built_give_the_file_and_line(tmp_path, value, what):
    """11.7: an empty !!float or !!int, a bad !!timestamp, a 100,000-digit integer raised without the file."""
    path = tmp_path / "bank.yaml"
    path.write_text(BANK_HEAD + f"    history: {value}\n", encoding="utf-8")
    for load in (read_yaml, load_case_bank):
        with pytest.raises(ContentError) as info:
            load(path)
        message = str(info.value)
        assert str(path) in message and "line 4" in message, message
        assert "\n" not in message


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _patient_questions(path):
    from widgets.outcomes.model import load_patient_questions
    return load_patient_questions(path)


def _recovery(path):
    from widgets.recovery.model import load_recovery
    return load_recovery(path)


def _templates(path):
    from widgets.candidacy.vignettes import load_templates
    return load_templates(path)


@pytest.mark.parametrize("name, key, load", [
    ("patient_questions.yaml", "questions", _patient_questions),
    ("recovery.yaml", "aftercare", _recovery),
    ("vignette_templates.yaml", "scenarios", _templates),
])
def test_duplicate_record_ids_are_refused_with_the_id_and_its_line(tmp_path, name, key, load):
    """11.10: duplicate ids were accepted in patient_questions.yaml, recovery's aftercare and the scenarios."""
    data = yaml.safe_load((ROOT / "widgets/content" / name).read_text(encoding="utf-8"))
    data[key].append(data[key][0])
    path = write(tmp_path, name, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    with pytest.raises(ContentError) as info:
        load(path)
    message = str(info.value)
    assert f"'{data[key][0]['id']}'" in message and "twice" in message and "line" in message, message
    assert str(path) in message


@pytest.mark.parametrize("text", ["just words", "- a\n- list\n", "42\n"])
def test_a_file_of_the_wrong_shape_names_the_whole_file_not_line_1_without_a_field(tmp_path, text):
    """11.10: some errors said "line 1" with no field."""
    from widgets.core.course import Course
    path = write(tmp_path, "course.yaml", text)
    with pytest.raises(ContentError) as info:
        loading.load_content(path, Course)
    assert info.value.field, str(info.value)
    assert "mapping" in str(info.value)


def test_a_non_utf8_file_names_the_line_not_a_byte_offset(tmp_path):
    """11.10: a non-UTF-8 file gave a byte offset."""
    path = tmp_path / "bank.yaml"
    path.write_bytes((BANK_HEAD + "    history: caf").encode() + b"\xe9 au lait\n")
    with pytest.raises(ContentError) as info:
        read_yaml(path)
    assert "line 4" in str(info.value) and "byte" not in str(info.value)


@pytest.mark.parametrize("name", [
    "\u0645\u0647\u200c\u0633\u0627",           # Persian with a zero-width non-joiner (ZWNJ)
    "Ana \U0001F469\u200d\U0001F4BB",            # woman technologist: an emoji joined with ZWJ
    "\u0641\u0627\u0637\u0645\u0629 \u0627\u0644\u0632\u0647\u0631\u0627\u0621",   # Arabic
    "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",    # a flag: tag characters
])
def test_names_in_any_script_are_accepted_and_give_safe_file_names(name):
    """11.10: names with ZWNJ (Persian) or ZWJ (emoji sequences) were refused as control characters."""
    assert validate_name(name) == name
    slug = safe_slug(name)
    assert slug and "/" not in slug and "\\" not in slug and not slug.startswith(".")
    assert all(c.isalnum() or c in "-_" or unicodedata.category(c)[0] == "M" for c in slug), slug


@pytest.mark.parametrize("name", ["Sam\x00", "Sam\u202eevil", "Sam\ud800", "a\x1b[31m"])
def test_control_bidi_override_and_surrogates_are_still_refused(name):
    with pytest.raises(ValueError):
        validate_name(name)


def test_citations_for_a_notebook_work_whatever_folder_the_kernel_starts_in(tmp_path):
    """11.10: Citations.for_notebook resolved its path from the working directory."""
    code = ("from widgets.core.citations import Citations; "
            "c = Citations.for_notebook('06-candidacy-quiz'); print(c.plain.cite('kochan2015'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("[")


def test_a_content_file_is_parsed_once(tmp_path, monkeypatch):
    """11.10: a 6,000-case bank took 16 s because the YAML was parsed twice (benchmarks/loading.py measures it)."""
    path = tmp_path / "bank.yaml"
    path.write_text((ROOT / "widgets/content/cases.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    bank_text = path.read_text(encoding="utf-8")
    parsed = []
    original = loading.yaml_loader

    def counting(text):
        parsed.append(text == bank_text)
        return original(text)
    monkeypatch.setattr(loading, "yaml_loader", counting)
    load_case_bank(path)
    assert parsed.count(True) == 1
