"""The README keeps its promises: the two commands, and the course map as in course.yaml."""

from tests.conftest import ROOT
from widgets.core.course import load_course

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_two_commands_come_first():
    assert "make lab" in README and "make test" in README
    assert README.index("make lab") < README.index("## Other ways to run it")


def test_course_map_matches_course_yaml():
    for n in load_course().notebooks:
        row = f"| {n.file[:2]} | [{n.title}](notebooks/{n.file}) | {n.covers} | {n.minutes} |"
        assert row in README, f"README course map row out of step with course.yaml: {n.file}"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "apt-get install" in ci and "chromium" in ci
