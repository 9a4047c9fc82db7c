"""Classroom capacity: per notebook, the kernel's memory after Run All and the time to a usable page.

Runs a real JupyterLab (loopback, temporary copy of the course) in headless Chromium.
For each notebook under notebooks/ and lessons/ it opens the notebook, waits for an idle
kernel, then times Run All until every code cell has run and every widget output is drawn.
It then reads the kernel's resident memory (VmRSS) and shuts the kernel down.

Prints, per notebook, the median over --repeat runs of time-to-rendered, kernel RSS, and
how many students' kernels fit in 1 GB of RAM (1024 / RSS).  Targets on the 2-core CI machine:
at most 150 MB per kernel and 3 s per notebook.

    python benchmarks/classroom.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.jlab import ALL_RUN, KERNEL_IDLE, WIDGET_OUTPUTS  # noqa: E402
from tests.browser.labserver import CHROMIUM, CHROMIUM_ARGS, kernel_pids, rss_mb, running_lab  # noqa: E402
from tests.conftest import notebook_paths  # noqa: E402

TARGET_MB, TARGET_S = 150, 3.0


def measure(page, lab, path: str) -> tuple[float, float]:
    page.goto(lab.url(path))
    page.wait_for_function("window.jupyterapp && window.jupyterapp.started", timeout=120_000)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    start = time.perf_counter()
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_RUN, timeout=300_000)
    page.wait_for_function(f"() => ({WIDGET_OUTPUTS})().every(w => w.rendered)", timeout=120_000)
    elapsed = time.perf_counter() - start
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    kernel_id = page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")
    pid = kernel_pids(lab)[kernel_id]
    memory = rss_mb(pid)
    page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    return elapsed, memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per notebook (median is shown)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"Chromium is missing at {CHROMIUM}: install Debian's `chromium` package", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    paths = [p.relative_to(ROOT).as_posix() for p in notebook_paths()]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, running_lab(Path(tmp)) as lab, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for path in paths:
            times, mems = [], []
            for _ in range(args.repeat):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                t, m = measure(page, lab, path)
                times.append(t)
                mems.append(m)
                context.close()
            rows.append((path, statistics.median(times), max(times), statistics.median(mems)))
        browser.close()

    print(f"{'notebook':42} {'run-all->rendered s':>20} {'(worst)':>8} {'kernel RSS MB':>14} "
          f"{'students/GB':>12}  targets: <= {TARGET_S:g} s, <= {TARGET_MB} MB")
    for path, t, worst, m in rows:
        flag = "" if t <= TARGET_S and m <= TARGET_MB else "  <- over target"
        print(f"{path:42} {t:20.2f} {worst:8.2f} {m:14.1f} {1024 / m:12.1f}{flag}")
    worst_mem = max(r[3] for r in rows)
    print(f"\nheaviest kernel {worst_mem:.1f} MB: about {int(1024 // worst_mem)} students' kernels per GB of RAM "
          f"(kernels only; the JupyterLab server and browser are per student machine or per hub user on top)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
