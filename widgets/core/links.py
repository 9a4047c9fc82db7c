"""The links that open this module on Binder and on a school JupyterHub (``python tools/links.py`` prints them).

Both links open JupyterLab on notebooks/00-start-here.ipynb (or on the notebook named by
``notebook``: the course website, ``tools/site.py``, links every page to its own notebook).  The JupyterHub link uses
nbgitpuller (installed in the hub's user image with this module: deploy/image/Dockerfile):
it clones the course repository into the student's home folder on the first click and merges
updates on later clicks without overwriting the student's own changes.  The same pull, as a
path on the student's server, is the hub's default URL (deploy/z2jh/values.yaml
``singleuser.defaultUrl``, deploy/local-hub/jupyterhub_config.py), so logging in does it too.

The repository may also be a local git repository (a path or a file:// address), as the hub test
and `make hub` use; the hub's servers must be able to read it.  Pure logic: the hub's configuration,
the course website and ``tools/links.py`` all import it from here.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

START = "notebooks/00-start-here.ipynb"


def _github_parts(repo: str) -> tuple[str, str]:
    parsed = urlparse(repo)
    parts = [p for p in parsed.path.split("/") if p]
    if parsed.scheme not in {"http", "https"} or len(parts) < 2:
        raise ValueError(f"--repo must be a repository address like https://github.com/OWNER/REPO, not {repo!r}")
    return parts[0], parts[1].removesuffix(".git")


def git_url(repo: str) -> str:
    """The address nbgitpuller clones: an http(s) repository (without a trailing .git), or a local one as file://."""
    parsed = urlparse(repo)
    if parsed.scheme in {"http", "https"}:
        _github_parts(repo)                                   # the same check, and the same message
        return repo.rstrip("/").removesuffix(".git")
    if parsed.scheme == "file" and parsed.path.startswith("/") and parsed.netloc in {"", "localhost"}:
        return f"file://{parsed.path.rstrip('/')}"
    if not parsed.scheme and repo.startswith("/"):
        return Path(repo).as_uri().rstrip("/")
    raise ValueError(f"--repo must be a repository address like https://github.com/OWNER/REPO "
                     f"(or a local repository as an absolute path or file:///path), not {repo!r}")


def course_folder(repo: str) -> str:
    """The folder the course lands in, in the student's home: the repository's name."""
    name = git_url(repo).rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    if not name:
        raise ValueError(f"cannot tell the repository's name from {repo!r}")
    return name


def git_pull_path(repo: str, branch: str = "main", target: str | None = None, notebook: str = START) -> str:
    """``git-pull?...`` on a student's server: pull ``repo`` into ``~/target`` and open ``notebook`` (the start one)."""
    target = target or course_folder(repo)
    if "/" in target or target in {".", ".."}:
        raise ValueError(f"--target must be one folder name, not {target!r}")
    query = urlencode({"repo": git_url(repo), "branch": branch, "targetpath": target,
                       "urlpath": f"lab/tree/{target}/{notebook}"})
    return f"git-pull?{query}"


def binder_link(repo: str, branch: str = "main", notebook: str = START) -> str:
    owner, name = _github_parts(repo)
    return f"https://mybinder.org/v2/gh/{owner}/{name}/{quote(branch)}?urlpath={quote('lab/tree/' + notebook, safe='')}"


def nbgitpuller_link(hub: str, repo: str, branch: str = "main", target: str | None = None,
                     notebook: str = START) -> str:
    """The link students click: log in if needed, start the server, pull the course, open ``notebook``."""
    hub_parsed = urlparse(hub)
    if hub_parsed.scheme not in {"http", "https"} or not hub_parsed.netloc:
        raise ValueError(f"--hub must be the hub's address like https://hub.example.edu, not {hub!r}")
    return f"{hub.rstrip('/')}/hub/user-redirect/{git_pull_path(repo, branch, target, notebook)}"
