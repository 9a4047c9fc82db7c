"""The Binder and nbgitpuller links open the start notebook; the hub's default URL is the same pull."""

from urllib.parse import parse_qs, urlparse

import pytest

from tools.links import main
from widgets.core.links import binder_link, course_folder, git_pull_path, nbgitpuller_link


def test_binder_link_opens_start_notebook():
    link = binder_link("https://github.com/someone/vkp-course")
    assert link == ("https://mybinder.org/v2/gh/someone/vkp-course/main"
                    "?urlpath=lab%2Ftree%2Fnotebooks%2F00-start-here.ipynb")


def test_nbgitpuller_link_clones_and_opens_start_notebook():
    link = nbgitpuller_link("https://hub.example.edu/", "https://github.com/someone/vkp-course.git", "main")
    parsed = urlparse(link)
    assert parsed.netloc == "hub.example.edu" and parsed.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parsed.query)
    assert query == {"repo": ["https://github.com/someone/vkp-course"], "branch": ["main"],
                     "targetpath": ["vkp-course"],
                     "urlpath": ["lab/tree/vkp-course/notebooks/00-start-here.ipynb"]}


@pytest.mark.parametrize("repo", ["/srv/course/vkp-teaching", "file:///srv/course/vkp-teaching/",
                                  "/srv/course/vkp-teaching.git"])
def test_a_local_repository_is_pulled_by_file_url_into_its_own_folder(repo):
    query = parse_qs(urlparse(nbgitpuller_link("http://127.0.0.1:8000", repo)).query)
    assert query["repo"][0].startswith("file:///srv/course/vkp-teaching")
    assert query["targetpath"] == ["vkp-teaching"] == [course_folder(repo)]
    assert query["urlpath"] == ["lab/tree/vkp-teaching/notebooks/00-start-here.ipynb"]


def test_the_hub_default_url_is_the_same_pull():
    repo = "https://github.com/someone/vkp-course"
    assert nbgitpuller_link("https://hub.example.edu", repo).endswith("/hub/user-redirect/" + git_pull_path(repo))
    assert git_pull_path(repo, target="course").endswith("urlpath=lab%2Ftree%2Fcourse%2Fnotebooks%2F00-start-here.ipynb")


@pytest.mark.parametrize("repo", ["someone/vkp-course", "ftp://x/y/z", "https://github.com/only-owner",
                                  "file://otherhost/srv/x", "relative/path"])
def test_bad_repo_is_a_clear_error(repo, capsys):
    assert main(["--repo", repo]) == 2
    assert "--repo must be a repository address" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["a/b", "..", "."])
def test_bad_target_is_a_clear_error(target, capsys):
    assert main(["--repo", "https://github.com/someone/vkp-course", "--target", target]) == 2
    assert "--target must be one folder name" in capsys.readouterr().err


def test_cli_prints_all_three(capsys):
    assert main(["--repo", "https://github.com/someone/vkp-course", "--hub", "https://hub.example.edu"]) == 0
    out = capsys.readouterr().out
    assert "Binder:" in out and "JupyterHub: https://hub.example.edu/hub/user-redirect/git-pull?" in out
    assert "(singleuser.defaultUrl): /git-pull?repo=" in out
