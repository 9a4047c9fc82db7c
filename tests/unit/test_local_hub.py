"""tools/local_hub.py, the parts that need no running hub: the course repository nbgitpuller pulls, the passwords
`make hub` keeps, and the clear errors."""

from __future__ import annotations

import subprocess

import pytest

from tools.local_hub import HubError, course_files, passwords, sync_course_repo


def log(repo) -> list[str]:
    return subprocess.run(["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.split("\n")[:-1]


def test_course_repository_keeps_one_history_and_commits_only_changes(tmp_path):
    source = tmp_path / "source"
    (source / "notebooks").mkdir(parents=True)
    (source / "notebooks" / "00-start-here.ipynb").write_text("{}")
    (source / "notebooks" / "old.ipynb").write_text("{}")
    repo = tmp_path / "course" / "vkp-teaching"
    assert sync_course_repo(source, repo, "first")
    assert not sync_course_repo(source, repo, "nothing changed")
    (source / "notebooks" / "old.ipynb").unlink()
    (source / "notebooks" / "new.ipynb").write_text("{}")
    assert sync_course_repo(source, repo, "second")
    assert log(repo) == ["second", "first"]
    tracked = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True).stdout.split()
    assert tracked == ["notebooks/00-start-here.ipynb", "notebooks/new.ipynb"]
    branch = subprocess.run(["git", "branch", "--show-current"], cwd=repo, capture_output=True, text=True).stdout
    assert branch.strip() == "main"


def test_course_files_are_the_student_release_or_the_named_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("VKP_COURSE_SOURCE", raising=False)
    files = course_files(tmp_path / "a")
    assert (files / "notebooks" / "00-start-here.ipynb").exists() and (files / "widgets" / "__init__.py").exists()
    assert not (files / "lessons").exists(), "students pull no instructor files"
    # only the students' README, their set-up page and the real CT's credit and licence notes (CC BY-SA 4.0
    # requires them to travel with the data), no lesson plans
    assert sorted(p.relative_to(files).as_posix() for p in files.rglob("*.md")) == [
        "README.md", "SETUP.md", "widgets/data/ct-verse012/README.md"], "only the students' README, no lesson plans"
    assert not (files / "widgets" / "classroom" / "answer_keys.py").exists()
    release = tmp_path / "release"
    (release / "notebooks").mkdir(parents=True)
    (release / "notebooks" / "x.ipynb").write_text("{}")
    monkeypatch.setenv("VKP_COURSE_SOURCE", str(release))
    assert [p.name for p in course_files(tmp_path / "b").rglob("*.ipynb")] == ["x.ipynb"]
    monkeypatch.setenv("VKP_COURSE_SOURCE", str(tmp_path / "missing"))
    with pytest.raises(HubError, match="VKP_COURSE_SOURCE=.* is not a folder"):
        course_files(tmp_path / "c")


def test_make_hub_keeps_its_passwords_from_one_run_to_the_next(tmp_path, monkeypatch):
    monkeypatch.delenv("VKP_HUB_PASSWORD", raising=False)
    monkeypatch.delenv("VKP_HUB_INSTRUCTOR_PASSWORD", raising=False)
    first = passwords(tmp_path)
    assert first == passwords(tmp_path) and first[0] != first[1] and min(map(len, first)) >= 8
    assert (tmp_path / "passwords.json").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("VKP_HUB_PASSWORD", "chosen-by-admin")
    assert passwords(tmp_path) == ("chosen-by-admin", first[1])
