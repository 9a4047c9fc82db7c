"""A kernel's idle time, on demand: the fixture ``kernel`` makes :func:`widgets.core.idle.when_idle` defer its work
as it does in a running kernel (outside one it runs the work at once), and ``kernel.idle(monkeypatch)`` runs what
waits, as the kernel does once no cell has run for a second.  Only the event loop is stood in for; the views and
what they draw are real."""

from __future__ import annotations

import pytest

from widgets.core import idle


class _KernelLoop:
    """The two things widgets.core.idle uses from a running kernel: its event loop's call_later and the shell's
    post_run_cell event.  Work scheduled on it runs only when the test says the kernel is idle."""

    def __init__(self):
        self.later: list = []
        self.events = self

    def register(self, _event, _callback) -> None:
        pass

    def call_later(self, _delay, callback) -> None:
        self.later.append(callback)

    def idle(self, monkeypatch) -> None:
        monkeypatch.setattr(idle, "IDLE_S", 0.0)
        while self.later:
            self.later.pop(0)()


@pytest.fixture()
def kernel(monkeypatch):
    loop = _KernelLoop()
    monkeypatch.setattr(idle, "_loop_and_shell", lambda: (loop, loop))
    return loop
