"""Print the links that open this module on Binder and on a school JupyterHub.

    python tools/links.py --repo https://github.com/OWNER/REPO [--hub https://hub.example.edu] [--branch main]

The links are made by :mod:`widgets.core.links` (what they open, and how nbgitpuller pulls the course).
``--repo`` may also be a local git repository (a path or a file:// address), as the hub test and
`make hub` use; the hub's servers must be able to read it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so `python tools/links.py` finds the widgets package
    sys.path.insert(0, str(ROOT))

from widgets.core.links import binder_link, git_pull_path, nbgitpuller_link  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="the course repository's address (or a local repository)")
    parser.add_argument("--hub", help="your JupyterHub's address")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--target", help="the folder the course lands in (default: the repository's name)")
    args = parser.parse_args(argv)
    try:
        if urlparse(args.repo).scheme in {"http", "https"}:
            print("Binder:    ", binder_link(args.repo, args.branch))
        if args.hub:
            print("JupyterHub:", nbgitpuller_link(args.hub, args.repo, args.branch, args.target))
        print("Hub default URL (singleuser.defaultUrl):", "/" + git_pull_path(args.repo, args.branch, args.target))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
