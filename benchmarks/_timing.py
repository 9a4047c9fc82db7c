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
