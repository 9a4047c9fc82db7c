"""The one timing helper the benchmarks share: the median of several runs of a call, in seconds."""

from __future__ import annotations

import statistics
import time


def median_time(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def compile_package(*roots) -> str:
    """Write the bytecode of the course package under each checkout in ``roots`` (a student's kernel reads it from
    the second start on; the class hub ships it compiled), so that a "fresh kernel" is timed as a student meets it,
    not as a first start that compiles every module (as it would with PYTHONDONTWRITEBYTECODE set).  Returns the
    line a benchmark prints about it."""
    import compileall
    import os
    for root in roots:
        compileall.compile_dir(str(root / "widgets"), quiet=1)
    unset = " (PYTHONDONTWRITEBYTECODE is set here: without this every kernel would compile the package)" if (
        os.environ.get("PYTHONDONTWRITEBYTECODE")) else ""
    return f"(the course package's bytecode written first, as after a student's first kernel{unset})"
