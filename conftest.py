"""What every pytest run from this checkout shares: nothing a test starts reads the developer's own settings.

At the start of a run, every variable the course reads (:data:`widgets.core.settings.ENVIRONMENT`: the progress,
hand-in and class folders, the hub's addresses) is taken out of this process's environment, and put back at
the end.  Each Python test then gets its own settings (``tests/conftest.py``: ``vkp_settings``), and each
notebook nbval runs gets its own progress folder before its kernel starts (kernels inherit this environment),
so one notebook's saved answers never reach another's.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from tests.conftest import isolated_environment
from widgets.core.settings import ENVIRONMENT

_SAVED: dict[str, str] = {}
_NOTEBOOKS: dict[object, str] = {}


def pytest_configure(config):
    for name in ENVIRONMENT:
        if name in os.environ:
            _SAVED[name] = os.environ.pop(name)


def pytest_unconfigure(config):
    for folder in _NOTEBOOKS.values():
        shutil.rmtree(folder, ignore_errors=True)
    for name in ENVIRONMENT:
        os.environ.pop(name, None)
    os.environ.update(_SAVED)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a notebook's first cell (when nbval starts its kernel): the notebook's own environment."""
    notebook = item.parent
    if type(item).__name__ != "IPyNbCell" or notebook in _NOTEBOOKS:
        return
    _NOTEBOOKS[notebook] = tempfile.mkdtemp(prefix="vkp-notebook-progress-")
    for name in ENVIRONMENT:
        os.environ.pop(name, None)
    os.environ.update(isolated_environment(_NOTEBOOKS[notebook]))
