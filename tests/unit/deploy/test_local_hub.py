"""tools/local_hub.py, the parts that need no running hub: the course repositories nbgitpuller pulls, the roster,
the accounts and passwords `make hub` makes (real system accounts, as root), and the clear errors."""

from __future__ import annotations

import os
import pwd
import subprocess

import pytest

from tools.local_hub import (
    Accounts, HubError, Roster, course_files, ensure_accounts, instructor_files, read_roster, remove_accounts,
    sync_course_repo,
)


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


def test_the_instructors_copy_has_the_lessons_and_answer_keys(tmp_path, monkeypatch):
    monkeypatch.delenv("VKP_COURSE_SOURCE", raising=False)
    files = instructor_files(tmp_path / "teacher")
    assert (files / "lessons" / "class-results.ipynb").exists() and (files / "lessons" / "answer-keys").is_dir()
    assert (files / "widgets" / "classroom" / "results.py").exists()
    assert (files / "notebooks" / "00-start-here.ipynb").exists()


def test_a_roster_names_instructors_and_students_and_says_what_is_wrong(tmp_path):
    roster = tmp_path / "class.txt"
    roster.write_text("# my class\n[instructors]\nmsmith  # the lecturer\n[students]\njdoe\n\nakim\n")
    assert read_roster(roster) == Roster(("msmith",), ("jdoe", "akim"))
    for text, words in [("[instructors]\nmsmith\n[students]\nJohn Smith\n", "line 4: 'John Smith' cannot be a login"),
                        ("[instructors]\nmsmith\n[students]\njdoe\njdoe\n", "line 5: jdoe is already on line 4"),
                        ("[teachers]\nmsmith\n", "line 1: '[teachers]' is not a section"),
                        ("jdoe\n", "no instructor")]:
        roster.write_text(text)
        with pytest.raises(HubError, match=words.replace("[", "\\[").replace("]", "\\]")):
            read_roster(roster)
    with pytest.raises(HubError, match="cannot be read"):
        read_roster(tmp_path / "missing.txt")


@pytest.mark.skipif(os.geteuid() != 0, reason="makes real system accounts: root only (CI runs as root)")
def test_accounts_get_private_homes_and_their_own_passwords_kept_from_one_run_to_the_next(tmp_path):
    accounts = Accounts("vkpt-")
    roster = Roster(("vkpt-lt-teach",), ("vkpt-lt-ann", "vkpt-lt-ben"))
    homes, private = tmp_path / "homes", tmp_path / "private"
    homes.mkdir()
    private.mkdir(mode=0o700)
    try:
        first = ensure_accounts(roster, homes, private, accounts)
        assert set(first) == set(roster.everyone) and len(set(first.values())) == 3
        for name in roster.everyone:
            account = pwd.getpwnam(name)
            assert account.pw_dir == str(homes / name) and (homes / name).stat().st_mode & 0o777 == 0o700
            assert (homes / name).stat().st_uid == account.pw_uid
        assert first == ensure_accounts(roster, homes, private, accounts), "passwords changed on the second run"
        students = (private / "students-passwords.csv").read_text()
        teachers = (private / "instructors-passwords.csv").read_text()
        assert first["vkpt-lt-teach"] in teachers and first["vkpt-lt-teach"] not in students
        assert all(first[n] in students for n in roster.students)
        for f in private.iterdir():
            assert f.stat().st_mode & 0o077 == 0, f"{f.name} is readable by others"
        # An account the hub did not make is never taken over.
        subprocess.run(["useradd", "--no-create-home", "vkpt-lt-other"], check=True)
        with pytest.raises(HubError, match="already has an account 'vkpt-lt-other' that the hub did not make"):
            ensure_accounts(Roster(("vkpt-lt-teach",), ("vkpt-lt-other",)), homes, private, accounts)
        assert remove_accounts(["vkpt-lt-other"], accounts) == []
    finally:
        subprocess.run(["userdel", "vkpt-lt-other"], capture_output=True)
        removed = remove_accounts(roster.everyone, accounts)
    assert sorted(removed) == sorted(roster.everyone)
    for name in roster.everyone:
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
