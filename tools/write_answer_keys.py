"""Write lessons/answer-keys/*.md from the teaching content, and number the lesson plans' citations.

Run from the repository root:

    python -m tools.write_answer_keys          # write both
    python -m tools.write_answer_keys --check  # report what is out of date, write nothing (exit 1 if any)

The answer keys are generated from widgets/content/ (never edit them by hand). The lesson plans
(lessons/plans/*.md) are written by hand: cite a source there as [@evidence-id] and run this
command; it turns every key into a numbered link and (re)writes the plan's reference list, the
same way the notebook build does. A plan already numbered can be edited and numbered again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from widgets.classroom.answer_keys import KEYS
from widgets.classroom.lessons import plan_paths, render_plan_text

OUT = Path("lessons/answer-keys")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report files that are out of date; write nothing")
    args = parser.parse_args(argv)
    stale = []
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = {OUT / name: make() for name, make in KEYS.items()}
    for path in plan_paths(Path("lessons/plans")):
        wanted[path] = render_plan_text(path.read_text(encoding="utf-8"), path)
    for path, text in wanted.items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check:
        for path in stale:
            print(f"{path} is out of date: run python -m tools.write_answer_keys", file=sys.stderr)
        return 1 if stale else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
