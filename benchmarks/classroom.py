"""Classroom capacity: per notebook, the kernel's memory after Run All and the time to a usable page.

Runs a real JupyterLab (loopback, temporary copy of the course) in headless Chromium.
For each notebook under notebooks/ and lessons/ it opens the notebook, waits for an idle
kernel, then times Run All until every code cell has run and every widget output is drawn.
It then reads the kernel's resident memory (VmRSS) and shuts the kernel down.

Prints, per notebook, the median over --repeat runs of time-to-rendered, kernel RSS, and
how many students' kernels fit in 1 GB of RAM (1024 / RSS).  Targets on the 2-core CI machine:
at most 150 MB per kernel and 3 s per notebook.

``--kernel`` measures Run All in the kernel alone (no browser): each student notebook in a fresh kernel
(started before the clock), every code cell in order, wall-clock and the kernel's CPU time (what the wall
clock would read on a quiet machine), the cells that cost most, and beside them the same notebook run the naive way:
every static picture drawn in the kernel instead of shown from the pictures shipped with the package
(``VKP_PICTURES=off``) and every frame a widget draws ahead drawn while the notebook runs instead of while the
kernel is idle afterwards (``VKP_IDLE=off``).  The import of the plotting and widget libraries and the loading of the content are printed apart
(``--costs``), each in a fresh Python.

    python benchmarks/classroom.py [--repeat 2]
    python benchmarks/classroom.py --kernel [--repeat 3] [notebooks/05-comparing-outcomes.ipynb ...]
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


# ---------------------------------------------------------------- Run All in the kernel alone
_CLOCK = "import time as _vkp_t\n_vkp_c0, _vkp_w0 = _vkp_t.process_time(), _vkp_t.perf_counter()"
_READ = "print(_vkp_t.process_time() - _vkp_c0, _vkp_t.perf_counter() - _vkp_w0)"


def run_all_in_kernel(path: Path, env: dict | None = None) -> tuple[float, float, list[tuple[float, int, str]]]:
    """(wall s, CPU s, [(wall s, cell index, last line)]) of Run All of ``path`` in a fresh kernel, which is
    started (and its first message answered) before the clock starts."""
    import os

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
        clock, read = nbformat.v4.new_code_cell(_CLOCK), nbformat.v4.new_code_cell(_READ)
        nb.cells = [clock] + nb.cells + [read]
        cells = []
        with client.setup_kernel():
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                t0 = time.perf_counter()
                client.execute_cell(cell, i)
                if cell is not clock and cell is not read:
                    last = (cell.source.strip().splitlines() or [""])[-1][:60]
                    cells.append((time.perf_counter() - t0, i - 1, last))
            cpu, wall = (float(x) for x in read.outputs[0]["text"].split())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return wall, cpu, cells


#: What a notebook pays before its first picture, each measured in a fresh Python (CPU seconds).
COSTS = {
    "import ipywidgets + matplotlib": "import ipywidgets, matplotlib.figure, matplotlib.backends.backend_agg",
    "import the course package's views (05)": "import widgets.outcomes.views, widgets.core.citations",
    "load the evidence (3 files, libyaml)": "from widgets.core.evidence import load_evidence; load_evidence()",
    "load the evidence, pure-Python YAML": ("import yaml; yaml.CSafeLoader = yaml.SafeLoader; "
                                            "from widgets.core.evidence import load_evidence; load_evidence()"),
    "number a notebook's citations (05)": ("from widgets.core.citations import Citations; "
                                           "Citations.for_notebook('05-comparing-outcomes')"),
}


def cost(code: str) -> float:
    import subprocess
    probe = f"import time; t = time.process_time(); {code}; print(time.process_time() - t)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def kernel_main(paths: list[Path], repeat: int, costs: bool) -> int:
    import os
    print(f"machine load (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
          "CPU s is what the wall clock reads on a quiet machine")
    if costs:
        for name, code in COSTS.items():
            print(f"  {name:48} {statistics.median(cost(code) for _ in range(repeat)):6.2f} s CPU")
    print(f"\n{'notebook':34} {'run all, wall s':>15} {'CPU s':>7} {'naive wall s':>13} {'naive CPU s':>12} "
          f"{'ratio (CPU)':>11}  target <= {TARGET_S:g} s   costliest cells (wall s)")
    ok = True
    for path in paths:
        ours = [run_all_in_kernel(path) for _ in range(repeat)]
        naive = [run_all_in_kernel(path, {"VKP_PICTURES": "off", "VKP_IDLE": "off"}) for _ in range(repeat)]
        wall, cpu = statistics.median(r[0] for r in ours), statistics.median(r[1] for r in ours)
        nwall, ncpu = statistics.median(r[0] for r in naive), statistics.median(r[1] for r in naive)
        top = sorted(ours[0][2], reverse=True)[:3]
        flag = "" if cpu <= TARGET_S else "  <- over target"
        ok &= cpu <= TARGET_S
        print(f"{path.name:34} {wall:15.2f} {cpu:7.2f} {nwall:13.2f} {ncpu:12.2f} {ncpu / cpu:10.1f}x{flag}   "
              + "; ".join(f"{t:.2f} cell {i} ({last})" for t, i, last in top))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per notebook (median is shown)")
    parser.add_argument("--kernel", action="store_true", help="Run All in the kernel alone, no browser")
    parser.add_argument("--costs", action="store_true", help="with --kernel: import and loading costs apart")
    parser.add_argument("paths", nargs="*", type=Path, help="with --kernel: notebooks (default: the students')")
    args = parser.parse_args()
    if args.kernel:
        paths = [p.resolve() for p in args.paths] or sorted((ROOT / "notebooks").glob("*.ipynb"))
        return kernel_main(paths, args.repeat, args.costs)
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
