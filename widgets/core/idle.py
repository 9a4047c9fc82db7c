"""Work done while the kernel is idle: a view draws ahead what a student will reach later, after Run All.

A widget that answers each click in a few milliseconds does so because its frames were drawn in advance
(:meth:`widgets.core.figures.BlitFigureView.prepare`).  Drawing every frame while the notebook runs makes
Run All slow; drawing none makes the first click on each frame slow.  :func:`when_idle` does the drawing
in between: one piece at a time, only once no cell has run for :data:`IDLE_S` seconds, each piece a
callback on the kernel's event loop, so a click that arrives meanwhile is answered after at most one piece
(and a frame not drawn yet is drawn when it is needed).  Outside a kernel (a script, a test, a benchmark)
there is no idle time to wait for, and the work is done at once (as it is with ``VKP_IDLE=off``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from widgets.core.settings import current_settings

#: How long after the last cell the kernel counts as idle.
IDLE_S = 1.0
_last_cell = [0.0]
_hooked = [False]


def _loop_and_shell():
    """The running event loop of the IPython kernel this code runs in, and its shell; (None, None) elsewhere."""
    try:
        from IPython import get_ipython
    except ImportError:   # pragma: no cover - IPython is a dependency
        return None, None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None, None
    try:
        return asyncio.get_running_loop(), shell
    except RuntimeError:
        return None, None


def _cell_ran(*_args) -> None:
    _last_cell[0] = time.monotonic()


def when_idle(pieces: Iterable[Callable[[], None]]) -> bool:
    """Run each of ``pieces`` while the kernel is idle, one per turn of its event loop, in order; outside a
    kernel, run them now.  Returns whether the work was deferred."""
    loop, shell = _loop_and_shell()
    todo = list(pieces)
    if loop is None or current_settings().idle_off:   # off: the benchmarks' naive run
        for piece in todo:
            piece()
        return False
    if not _hooked[0]:
        shell.events.register("post_run_cell", _cell_ran)
        _hooked[0] = True
    _last_cell[0] = time.monotonic()

    def turn() -> None:
        if not todo:
            return
        wait = IDLE_S - (time.monotonic() - _last_cell[0])
        if wait > 0:                      # a cell ran lately: the notebook may still be running
            loop.call_later(wait, turn)
            return
        try:
            todo.pop(0)()
        finally:
            loop.call_later(0.005, turn)  # let a waiting click in before the next piece

    loop.call_later(IDLE_S, turn)
    return True
