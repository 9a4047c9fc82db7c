"""Traced numbers, and text filled with them: what every topic uses to quote the evidence.  Pure logic.

A number shown to a student is a :class:`~widgets.core.evidence.Reported` (a verified value with its
evidence id and key), a :class:`Derived` (computed from traced inputs, with its formula) or a
:class:`Choice` (what the student set with a control).  :func:`fmt` writes one for students;
:func:`leaves` and :func:`recompute` trace it back to the evidence.  Content text quotes a number only
through a placeholder ``{evidence_id:dotted.key}``: :func:`fill` replaces it with the verified value
and returns the figures it used, and :data:`EvidenceText` is the content files' type of such text (every
placeholder fills, every ``[@key]`` names an entry).  Values marked NOT VERIFIED never become numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Union

from pydantic import AfterValidator, ValidationInfo

from widgets.core.citations import check_key, keys_in
from widgets.core.evidence import EvidenceBase, Reported, NotVerifiedError, evidence_of, is_verified_number
from widgets.core.loading import ContentProblem, Parsed

#: ``{evidence_id:dotted.key}`` in content text; ``#n``, ``#N``, ``#percent`` pick a part of a count
#: string such as '157/214 (73%)', ``#share`` is the percentage its counts give (n / N * 100), and
#: ``#num0``, ``#num1``, ... the first, second, ... number printed in a text value, as printed (e.g. the
#: 24 of 'MRI of the whole spine within 24 hours', or the 3 and 25 of '9 (95% CI 3-25)' as #num2 and #num3).
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*):([A-Za-z0-9_.]+(?:#(?:n|N|percent|share|num\d+))?)\}")
_PERCENT_ONLY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
#: A number printed inside a text value: '8,000', '-3.39', the 3 and the 25 of '3-25' (a range, not -25),
#: never the 12 of 'T12' or 'L2'.
_IN_TEXT = re.compile(r"(?<![\w.,])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_COUNT = re.compile(r"^\s*(\d+)\s*(?:(?:/|of)\s*(\d+))?\s*(?:patients|levels)?\s*"
                    r"(?:\((?:reported as\s*)?(\d+(?:\.\d+)?)\s*%\))?\s*$")


# ---------------------------------------------------------------- traced numbers
@dataclass(frozen=True)
class Derived:
    """A number computed from traced inputs, with the formula that made it."""

    value: float
    name: str
    formula: str
    inputs: tuple = ()

    def __float__(self) -> float:
        return float(self.value)


@dataclass(frozen=True)
class Choice:
    """A number the student chose with a control (not a clinical figure)."""

    value: float
    name: str

    def __float__(self) -> float:
        return float(self.value)


Number = Union[Reported, Derived, Choice]


def fmt(number: Number | float, decimals: int | None = None) -> str:
    """How a number is written for students: evidence figures as reported, derived ones rounded."""
    value = float(number)
    if decimals is None:
        decimals = 1 if isinstance(number, Derived) else None
    if decimals is None:
        return f"{value:g}"
    text = f"{value:.{decimals}f}"
    return "0" if text in ("-0", "-0.0") else text


def leaves(number: Number) -> list[Reported | Choice]:
    """The evidence figures (and student choices) a number ultimately rests on."""
    if isinstance(number, Derived):
        return [leaf for i in number.inputs for leaf in leaves(i)]
    return [number]


def lookup(ev: EvidenceBase, evidence_id: str, key: str):
    """``ev.raw``, also for value names that contain a dot (``PCE_by_PMMA_volume.lt_3.5_mL``):
    a part that is not found is joined to the next one before giving up."""
    try:
        return ev.raw(evidence_id, key)
    except KeyError:
        pass
    value = ev.entry(evidence_id).values
    parts = key.split(".")
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            name = ".".join(parts[i:j])
            if isinstance(value, dict) and name in value:
                value, i = value[name], j
                break
            if isinstance(value, list) and name.isdigit() and int(name) < len(value):
                value, i = value[int(name)], j
                break
        else:
            raise KeyError(f"evidence '{evidence_id}' has no value '{key}'")
    return value


def number(ev: EvidenceBase, evidence_id: str, key: str) -> Reported:
    """:meth:`EvidenceBase.number` through :func:`lookup` (verified numbers only); a key with a part
    (``key#num0``, ``key#percent``) reads that number of a verified text value (:func:`count_figures`)."""
    if "#" in key:
        base, _, part = key.partition("#")
        parts = count_figures(ev, evidence_id, base)
        if part not in parts:
            raise NotVerifiedError(f"evidence '{evidence_id}' value '{base}' has no '{part}'")
        return parts[part]
    value = lookup(ev, evidence_id, key)
    if not is_verified_number(value):
        raise NotVerifiedError(f"evidence '{evidence_id}' value '{key}' is {value!r}, not a verified number; "
                               "it must not be shown as a number")
    return Reported(float(value), evidence_id, key)


def parse_count(text: str) -> tuple[int, int | None, float | None]:
    """``'157/214 (73%)'`` -> (157, 214, 73.0); ``'24 (44%)'`` -> (24, None, 44.0)."""
    m = _COUNT.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a count such as '157/214 (73%)'")
    n, total, pct = m.groups()
    return int(n), int(total) if total else None, float(pct) if pct else None


def count_figures(ev: EvidenceBase, evidence_id: str, key: str) -> dict[str, Reported]:
    """The numbers in a verified count string, each a Reported keyed ``key#n``, ``#N``, ``#percent``
    (a bare percentage such as '0.11%' gives ``#percent`` only), and every number printed in a verified
    text value, in order, as ``#num0``, ``#num1``, ... (a text that is not a count gives only these)."""
    raw = lookup(ev, evidence_id, key)
    if ev.unverified_values(evidence_id).get(key):
        raise NotVerifiedError(f"evidence '{evidence_id}' value '{key}' is not verified: {raw!r}")
    if isinstance(raw, (dict, list)):
        raise NotVerifiedError(f"evidence '{evidence_id}' value '{key}' is a {type(raw).__name__}, not one value; "
                               "name one of its items")
    printed = {f"num{i}": Reported(float(m.replace(",", "")), evidence_id, f"{key}#num{i}")
               for i, m in enumerate(_IN_TEXT.findall(str(raw)))}
    bare = _PERCENT_ONLY.match(str(raw))
    if bare:
        return {"percent": Reported(float(bare.group(1)), evidence_id, f"{key}#percent"), **printed}
    try:
        n, total, pct = parse_count(raw)
    except ValueError:
        if printed:
            return printed
        raise
    out = {"n": Reported(float(n), evidence_id, f"{key}#n"), **printed}
    if total is not None:
        out["N"] = Reported(float(total), evidence_id, f"{key}#N")
    if pct is not None:
        out["percent"] = Reported(pct, evidence_id, f"{key}#percent")
    return out


def resolve(ev: EvidenceBase, fig: Reported) -> float:
    """Look a Reported up again in the evidence base (the check a tracing test makes)."""
    key, _, part = fig.key.partition("#")
    if part:
        return count_figures(ev, fig.evidence_id, key)[part].value
    return number(ev, fig.evidence_id, key).value


def recompute(ev: EvidenceBase, number: Number) -> float:
    """Recompute a number from the evidence base through its recorded inputs."""
    if isinstance(number, Reported):
        return resolve(ev, number)
    if isinstance(number, Choice):
        return number.value
    values = [recompute(ev, i) for i in number.inputs]
    return _FORMULAS[number.formula](*values)


_FORMULAS = {
    "n / N * 100": lambda n, total: 100.0 * n / total,
    "(a + b) / 2": lambda a, b: (a + b) / 2,
    "a - b": lambda a, b: a - b,
    "a + b": lambda a, b: a + b,
    "a - b - c": lambda a, b, c: a - b - c,
    "a + b - c": lambda a, b, c: a + b - c,
    "a * (1 - b / 100)": lambda a, b: a * (1 - b / 100),
    "(a + b) / 2 with a * (1 - c / 100)": lambda a, b, c: (a * (1 - c / 100) + b) / 2,
    "100 * a / b": lambda a, b: 100.0 * a / b,
    "min(a + b, c)": lambda a, b, c: min(a + b, c),
    "min(a + b - c, d)": lambda a, b, c, d: min(a + b - c, d),
    "atan((posterior - anterior) / depth) in degrees": lambda a, p, d: math.degrees(math.atan2(p - a, d)),
}


def derive(name: str, formula: str, *inputs: Number) -> Derived:
    value = _FORMULAS[formula](*[float(i) for i in inputs])
    return Derived(value, name, formula, tuple(inputs))


def fill(ev: EvidenceBase, text: str) -> tuple[str, list[Reported]]:
    """Replace ``{id:key}`` placeholders with verified values; return the text and the figures."""
    used: list[Reported] = []

    def sub(m: re.Match) -> str:
        evidence_id, key = m.groups()
        if "#" in key:   # a part of a count string such as '24 (44%)'
            base, _, part = key.partition("#")
            parts = count_figures(ev, evidence_id, base)
            if part == "share" and "N" in parts:
                fig = derive(f"{evidence_id} {base}: percent of its counts", "n / N * 100", parts["n"], parts["N"])
            elif part not in parts:
                raise NotVerifiedError(f"evidence '{evidence_id}' value '{base}' has no '{part}'")
            else:
                fig = parts[part]
        else:
            fig = number(ev, evidence_id, key)
        used.append(fig)
        return fmt(fig)

    return PLACEHOLDER.sub(sub, text), used


# ---------------------------------------------------------------- checks for the content files
#: What to do about a number that cannot be shown.
NUMBER_FIX = ("use an id and key from widgets/content/evidence.yaml whose value is a verified number "
              "(NOT VERIFIED values are never shown)")


def _shown(evidence_id: str, what: str, fn) -> ContentProblem | None:
    """Run ``fn`` (which reads a number): None, or the problem of a missing or unverified number."""
    try:
        fn()
    except (KeyError, NotVerifiedError, ValueError) as exc:
        reason = exc.args[0] if exc.args else str(exc)
        return ContentProblem(f"{what} of evidence '{evidence_id}' cannot be shown: {reason}", fix=NUMBER_FIX)
    return None


def check_number(parsed: Parsed, loc: tuple, evidence_id: str, what: str, fn) -> None:
    """For a loader's ``check``: run ``fn`` (which reads a number); a missing or unverified number is a
    ContentError at ``loc`` of the parsed file."""
    problem = _shown(evidence_id, what, fn)
    if problem is not None:
        raise parsed.error(loc, str(problem), fix=problem.fix)


def _fills(text: str, info: ValidationInfo) -> str:
    ev = evidence_of(info)
    for evidence_id, key in PLACEHOLDER.findall(text):
        problem = _shown(evidence_id, f"placeholder '{{{evidence_id}:{key}}}'",
                         lambda e=evidence_id, k=key: fill(ev, f"{{{e}:{k}}}"))
        if problem is not None:
            raise problem
    for key in keys_in(text):
        check_key(key, ev, in_text=True)
    return text


#: Content text that quotes numbers only as ``{evidence_id:key}`` placeholders and cites as ``[@key]`` (a
#: validated type: every placeholder must fill with a verified number and every key name an entry or source).
EvidenceText = Annotated[str, AfterValidator(_fills)]
