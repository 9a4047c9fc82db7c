"""Tell a student, in plain words, what is missing or too old.

:func:`check_environment` is pure (it only reads installed versions), so it is
tested without a notebook; :func:`show_self_check` displays its verdict.  The
verdict's widget carries a plain-text twin: where the widgets front end is
missing, JupyterLab shows that text instead of the box, and the text says so.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import metadata

from packaging.version import InvalidVersion, Version

#: (distribution, minimum version, what it is for, how to fix)
REQUIREMENTS = [
    ("ipywidgets", "8.0", "the interactive controls",
     "run `make lab` again, or `pip install 'ipywidgets>=8'` in this environment"),
    ("jupyterlab_widgets", "3.0", "the widgets front end in JupyterLab",
     "run `pip install 'jupyterlab_widgets>=3'` then restart JupyterLab"),
    ("anywidget", "0.9", "the module's accessible sliders",
     "run `pip install 'anywidget>=0.9'` then restart JupyterLab"),
    ("matplotlib", "3.7", "the figures", "run `pip install 'matplotlib>=3.7'`"),
    ("pydantic", "2.0", "checking the teaching content", "run `pip install 'pydantic>=2'`"),
    ("PyYAML", "6.0", "reading the teaching content", "run `pip install 'pyyaml>=6'`"),
]

MIN_PYTHON = (3, 10)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_environment(version_of=_version, python=sys.version_info) -> list[Check]:
    """One :class:`Check` per requirement; ``version_of`` is injectable for tests."""
    checks = []
    py_ok = tuple(python[:2]) >= MIN_PYTHON
    need = ".".join(map(str, MIN_PYTHON))
    checks.append(Check(
        "Python", py_ok,
        f"Python {need} or newer is running." if py_ok else
        f"Python {python[0]}.{python[1]} is too old: this module needs Python {need} or newer. "
        "Ask for a newer Python, or use the conda/Binder route in the README."))
    for dist, minimum, purpose, fix in REQUIREMENTS:
        found = version_of(dist)
        if found is None:
            checks.append(Check(dist, False, f"{dist} is missing; it is needed for {purpose}. To fix: {fix}."))
            continue
        try:
            too_old = Version(found) < Version(minimum)
        except InvalidVersion:
            too_old = False
        if too_old:
            checks.append(Check(dist, False, f"{dist} {found} is too old for {purpose} "
                                             f"(needs {minimum} or newer). To fix: {fix}."))
        else:
            checks.append(Check(dist, True, f"{dist} {minimum} or newer is installed ({purpose})."))
    return checks


def report(checks: list[Check]) -> str:
    """A plain-text verdict: all set, or what to fix."""
    bad = [c for c in checks if not c.ok]
    if not bad:
        lines = ["All set: everything this module needs is installed."]
        lines += [f"  OK  {c.message}" for c in checks]
    else:
        lines = [f"{len(bad)} thing{'s' if len(bad) > 1 else ''} to fix before the widgets will work:"]
        lines += [f"  FIX {c.message}" for c in bad]
    return "\n".join(lines)


FRONT_END_MISSING = (
    "If you can read this sentence instead of a green box, the widgets front end is not "
    "running in this JupyterLab: close JupyterLab and start it again with `make lab`, "
    "or ask your JupyterHub admin to install jupyterlab_widgets and anywidget.")


def show_self_check():
    """Print the verdict and show a widget that only appears if the front end works."""
    import ipywidgets as ipw
    from IPython.display import display

    print(report(check_environment()))

    class _Probe(ipw.HTML):
        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            bundle["text/plain"] = FRONT_END_MISSING
            return bundle

    probe = _Probe(
        '<div role="status" style="border:2px solid #009E73;padding:0.4em 0.8em;border-radius:4px;'
        'color:#111">Widgets work: you can see this box, so the sliders and buttons in the '
        'next notebooks will work too.</div>')
    display(probe)
    return None
