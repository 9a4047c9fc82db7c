"""The Binder and nbgitpuller links open the start notebook."""

from urllib.parse import parse_qs, urlparse

import pytest

from tools.links import binder_link, main, nbgitpuller_link


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
                     "urlpath": ["lab/tree/vkp-course/notebooks/00-start-here.ipynb"]}


@pytest.mark.parametrize("repo", ["someone/vkp-course", "ftp://x/y/z", "https://github.com/only-owner"])
def test_bad_repo_is_a_clear_error(repo, capsys):
    assert main(["--repo", repo]) == 2
    assert "--repo must be a repository address" in capsys.readouterr().err
