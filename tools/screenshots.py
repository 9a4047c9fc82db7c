"""Screenshots of notebooks as a student sees them: a real JupyterLab, headless Chromium, Run All.

    .venv/bin/python tools/screenshots.py notebooks/02-vertebroplasty.ipynb --out /tmp/shots
    .venv/bin/python tools/screenshots.py notebooks/*.ipynb --out /tmp/shots --first-only

Saves one PNG per screenful (1280x1600 by default) as <out>/<notebook>-NN.png and prints how many
screenfuls each notebook is after it has run (the reading-length measure the course keeps to).
Needs Debian's Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.jlab import SCROLLER, open_and_run, screenfuls, wait_widgets_rendered  # noqa: E402
from tests.browser.labserver import CHROMIUM, CHROMIUM_ARGS, running_lab  # noqa: E402


def shoot(paths: list[str], out: Path, width: int, height: int, first_only: bool) -> dict[str, float]:
    from playwright.sync_api import sync_playwright
    out.mkdir(parents=True, exist_ok=True)
    found = {}
    with tempfile.TemporaryDirectory() as work, running_lab(Path(work)) as lab, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for rel in paths:
            page = browser.new_page(viewport={"width": width, "height": height})
            open_and_run(page, lab, rel)
            wait_widgets_rendered(page)
            time.sleep(1.5)
            name = Path(rel).stem
            found[rel] = screenfuls(page)
            total = page.evaluate(f"{SCROLLER}.scrollHeight")
            view = page.evaluate(f"{SCROLLER}.clientHeight")
            y, i = 0, 0
            while y < total:
                page.evaluate(f"{SCROLLER}.scrollTop = {y}")
                time.sleep(0.3)
                page.screenshot(path=str(out / f"{name}-{i:02d}.png"))
                i, y = i + 1, y + view
                if first_only:
                    break
            print(f"{rel}: {found[rel]:.1f} screenfuls at {width}x{height}; {i} screenshot(s) in {out}")
            page.close()
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", help="notebooks, relative to the repository root")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--first-only", action="store_true", help="only the top of each notebook")
    args = parser.parse_args()
    shoot([str(Path(p)) for p in args.paths], args.out, args.width, args.height, args.first_only)


if __name__ == "__main__":
    main()
