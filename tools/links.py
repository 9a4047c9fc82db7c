"""Print the links that open this module on Binder and on a school JupyterHub.

    python tools/links.py --repo https://github.com/OWNER/REPO [--hub https://hub.example.edu] [--branch main]

Both links open JupyterLab on notebooks/00-start-here.ipynb (or on the notebook named by
``notebook``: the course website, ``tools/site.py``, links every page to its own notebook).  The JupyterHub link uses
nbgitpuller (which must be installed in the hub's user image, with this module):
it clones the repository into each student's home folder on first click and merges
updates on later clicks without overwriting the student's own changes.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote, urlencode, urlparse

START = "notebooks/00-start-here.ipynb"


def _github_parts(repo: str) -> tuple[str, str]:
    parsed = urlparse(repo)
    parts = [p for p in parsed.path.split("/") if p]
    if parsed.scheme not in {"http", "https"} or len(parts) < 2:
        raise ValueError(f"--repo must be a repository address like https://github.com/OWNER/REPO, not {repo!r}")
    return parts[0], parts[1].removesuffix(".git")


def binder_link(repo: str, branch: str = "main", notebook: str = START) -> str:
    owner, name = _github_parts(repo)
    return f"https://mybinder.org/v2/gh/{owner}/{name}/{quote(branch)}?urlpath={quote('lab/tree/' + notebook, safe='')}"


def nbgitpuller_link(hub: str, repo: str, branch: str = "main", notebook: str = START) -> str:
    hub_parsed = urlparse(hub)
    if hub_parsed.scheme not in {"http", "https"} or not hub_parsed.netloc:
        raise ValueError(f"--hub must be the hub's address like https://hub.example.edu, not {hub!r}")
    _, name = _github_parts(repo)
    query = urlencode({"repo": repo.removesuffix(".git"), "branch": branch,
                       "urlpath": f"lab/tree/{name}/{notebook}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="the repository's address")
    parser.add_argument("--hub", help="your JupyterHub's address")
    parser.add_argument("--branch", default="main")
    args = parser.parse_args(argv)
    try:
        print("Binder:    ", binder_link(args.repo, args.branch))
        if args.hub:
            print("JupyterHub:", nbgitpuller_link(args.hub, args.repo, args.branch))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
