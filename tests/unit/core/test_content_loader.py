"""Broken content files give one-line errors naming the file, the line and the field."""

from __future__ import annotations

import pytest

from widgets.core.loading import ContentError, load_content
from widgets.core.course import Course, load_course

GOOD = """\
notebooks:
  - file: 00-start-here.ipynb
    title: Start here
    minutes: 10
    covers: How to work a notebook and its widgets.
  - file: 01-fractures.ipynb
    title: Fractures
    minutes: 25
    covers: The vertebral body and compression fractures.
"""


def write(tmp_path, text, name="course.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path, text) -> ContentError:
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as info:
        load_content(path, Course, id_field="file")
    message = str(info.value)
    assert "\n" not in message, "the error must be one line"
    assert str(path) in message, "the error must name the file"
    return info.value


def test_good_file_loads(tmp_path):
    course = load_content(write(tmp_path, GOOD), Course, id_field="file")
    assert [n.minutes for n in course.notebooks] == [10, 25]
    assert course.total_minutes == 35


def test_missing_field_names_line_and_field(tmp_path):
    err = error_for(tmp_path, GOOD.replace("    minutes: 25\n", ""))
    assert err.field.startswith("notebooks[1].minutes")
    assert "01-fractures.ipynb" in str(err), "names the record it sits in"
    assert err.line == 6
    assert "missing" in str(err) and "Fix: add it" in str(err)


def test_bad_value_names_line_field_and_value(tmp_path):
    err = error_for(tmp_path, GOOD.replace("minutes: 25", "minutes: lots"))
    assert err.line == 8
    assert "notebooks[1].minutes" in str(err)
    assert "'lots'" in str(err)


def test_out_of_range_value(tmp_path):
    err = error_for(tmp_path, GOOD.replace("minutes: 25", "minutes: -5"))
    assert err.line == 8 and "greater than 0" in str(err)


def test_unknown_field_is_a_typo(tmp_path):
    err = error_for(tmp_path, GOOD.replace("    minutes: 25\n", "    minutes: 25\n    minuets: 3\n"))
    assert "minuets" in str(err) and "not known" in str(err) and err.line == 9


def test_yaml_syntax_error_names_line(tmp_path):
    err = error_for(tmp_path, GOOD.replace("title: Fractures", "title: [Fractures"))
    assert "not valid YAML" in str(err) and err.line is not None and err.line >= 7


def test_duplicate_key_is_refused(tmp_path):
    err = error_for(tmp_path, GOOD.replace("    minutes: 25\n", "    minutes: 25\n    minutes: 30\n"))
    assert "appears twice" in str(err) and err.line == 9


def test_empty_and_missing_files(tmp_path):
    assert "empty" in str(error_for(tmp_path, ""))
    with pytest.raises(ContentError, match="does not exist"):
        load_content(tmp_path / "nowhere.yaml", Course)


def test_not_a_mapping(tmp_path):
    err = error_for(tmp_path, "- just\n- a list\n")
    assert "Course" in str(err) or "dictionary" in str(err)


def test_content_error_is_a_value_error(tmp_path):
    assert isinstance(error_for(tmp_path, "notebooks: []\n"), ValueError)


def test_shipped_course_map_is_valid():
    course = load_course()
    assert course.notebooks[0].file == "00-start-here.ipynb"


def test_list_as_a_key_is_a_clear_error(tmp_path):
    err = error_for(tmp_path, "? [a, b]\n: 1\n")
    assert "plain value" in str(err) and err.line == 1


def test_self_referring_alias_is_a_clear_error(tmp_path):
    err = error_for(tmp_path, "notebooks: &a [*a]\n")
    assert "alias" in str(err) or "notebooks" in str(err)


def test_alias_bomb_does_not_blow_up(tmp_path):
    lines = ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i-1}, *a{i-1}]" for i in range(1, 25)]
    err = error_for(tmp_path, "\n".join(lines) + "\n")
    assert "not known" in str(err) or "missing" in str(err)
