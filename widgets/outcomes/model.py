"""Outcome comparison as traced, plot-ready data (pure logic: no ipywidgets, no matplotlib).

``widgets/content/outcomes.yaml`` says which evidence entries and keys each
outcome shows, how they are labelled and grouped.  This module loads it,
cross-checks every reference against the evidence base (an unknown id, a
missing key or a value that is not a verified number is a :class:`ContentError`
naming the file, the line and the id), and turns each item into a
:class:`Row`: its value and its spread (CI, SD or range, as reported) are
:class:`~widgets.core.evidence.Reported` objects that carry their evidence id and key;
anything computed from them (a percentage from counts) is a
:class:`~widgets.core.numbers.Derived` that records its inputs.  Values marked NOT VERIFIED never
become numbers.

Text in the content file may quote a number only through a placeholder
``{evidence_id:dotted.key}``; :func:`widgets.core.numbers.fill` replaces it with the verified value
and returns the figures it used, so prose numbers are traced too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from widgets.core.citations import Citations
from widgets.core.loading import ContentModel, Parsed, content_path, load_content, require_unique
from widgets.core.evidence import DiscrepancyId, EvidenceBase, EvidenceId, Reported, NotVerifiedError, load_evidence
from widgets.core.numbers import EvidenceText, Number, check_number, count_figures, derive, fill, fmt, number
from widgets.core.text import plain_md

ARMS = ("kyphoplasty", "vertebroplasty", "non_surgical", "sham", "pooled", "difference")
ARM_NAMES = {
    "kyphoplasty": "KP", "vertebroplasty": "VP", "non_surgical": "non-surgical",
    "sham": "sham/placebo", "pooled": "KP and VP pooled", "difference": "between-group",
}
SPREAD_NAMES = {"ci95": "95% CI", "sd": "SD", "range": "range", "none": "spread not reported"}

# ---------------------------------------------------------------- content models
class SpreadSpec(ContentModel):
    kind: Literal["ci95", "sd", "range", "none"]
    key: str | None = None        # a two-number list (ci95 or range), or the SD
    low: str | None = None        # or separate keys for the two bounds
    high: str | None = None

    @model_validator(mode="after")
    def _keys_fit_kind(self):
        if self.kind == "none":
            if self.key or self.low or self.high:
                raise ValueError("a spread of kind 'none' takes no keys")
        elif self.kind == "sd":
            if not self.key:
                raise ValueError("an 'sd' spread needs 'key' (the SD value)")
        elif not (self.key or (self.low and self.high)):
            raise ValueError(f"a '{self.kind}' spread needs 'key' (a two-number list) or 'low' and 'high'")
        return self


class ItemSpec(ContentModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: EvidenceText = Field(min_length=3)
    arm: Literal["kyphoplasty", "vertebroplasty", "non_surgical", "sham", "pooled", "difference"]
    evidence: EvidenceId
    point: str | None = None      # key of a verified number
    count: str | None = None      # key of a verified count string such as '157/214 (73%)'
    spread: SpreadSpec = SpreadSpec(kind="none")
    statement: EvidenceText | None = None  # a row with no plotted number (text may use {id:key})
    group: str | None = None      # e.g. sham_controlled, open_label, acute, natural_history
    detection: str | None = None  # how an event was detected (cement leakage)
    note: EvidenceText | None = None       # shown beside the row (text may use {id:key})
    flag: str | None = None       # e.g. outlier: shown, but flagged
    series_index: int | None = None  # timecourse: position of this arm in each time point's list
    direction: str | None = None  # a between-group result: which sign favours which arm, or that the
                                  # source does not say

    @model_validator(mode="after")
    def _difference_has_a_direction(self):
        if self.arm == "difference" and not (self.direction and self.direction.strip()):
            raise ValueError(f"item '{self.id}' is a between-group result: say which sign favours which arm in "
                             "'direction' (or that the source does not give it)")
        return self

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [k for k in ("point", "count", "statement") if getattr(self, k)]
        if self.spread.kind == "range" and not kinds:
            return self   # a range reported with no point estimate
        if len(kinds) != 1:
            raise ValueError("an item needs exactly one of 'point', 'count' or 'statement' "
                             "(or a 'range' spread alone)")
        return self


class PanelSpec(ContentModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    axis: str = Field(min_length=3)
    kind: Literal["forest", "timecourse"] = "forest"
    reference: float | None = None   # a no-effect line (0 for a difference, 1 for a ratio)
    categories: list[str] = []        # timecourse: the time-point keys in order
    category_labels: list[str] = []
    items: list[ItemSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _timecourse(self):
        if self.kind == "timecourse" and (not self.categories
                                          or len(self.categories) != len(self.category_labels)):
            raise ValueError("a timecourse panel needs 'categories' and as many 'category_labels'")
        return self


class Excluded(ContentModel):
    evidence: EvidenceId
    reason: EvidenceText


class OutcomeSpec(ContentModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    question: str
    summary: EvidenceText
    panels: list[PanelSpec] = Field(min_length=1)
    not_plotted: list[Excluded] = []


class LeafletClaim(ContentModel):
    id: DiscrepancyId
    leaflet: str
    evidence: EvidenceText


class WallGain(ContentModel):
    mean: str
    sd: str


class ExplorerLevel(ContentModel):
    id: str = Field(pattern=r"^[A-Z][0-9]+$")
    label: str
    evidence: EvidenceId
    anterior: str
    posterior: str
    depth: str | None = None
    depth_note: str | None = None


class ExplorerSpec(ContentModel):
    levels: list[ExplorerLevel] = Field(min_length=1)
    band_evidence: str            # per-wall KP gain, mean and SD
    band: dict[Literal["anterior", "middle", "posterior"], WallGain]
    pooled_evidence: str          # KP and VP pooled gain (no spread reported)
    pooled: dict[Literal["anterior", "middle"], str]
    vp_note: EvidenceText
    band_note: EvidenceText       # what the band is: spread between patients, not uncertainty
    disagreement: EvidenceText


class OutcomesFile(ContentModel):
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    leaflet_claims: list[LeafletClaim] = Field(min_length=1)
    explorer: ExplorerSpec

    @model_validator(mode="after")
    def _unique_ids(self):
        ids = [o.id for o in self.outcomes]
        items = [i.id for o in self.outcomes for p in o.panels for i in p.items]
        for name, found in (("outcome", ids), ("item", items)):
            require_unique(found, f"{name} ids")
        return self


# ---------------------------------------------------------------- plot-ready rows
@dataclass(frozen=True)
class Row:
    """One plotted (or stated) result, every number traced."""

    item: ItemSpec
    evidence_id: str
    evidence_type: str
    design: str
    value: Number | None
    low: Number | None
    high: Number | None
    spread_kind: str
    count: tuple[Reported, Reported] | None = None   # (n, N) behind a percentage
    n: Reported | None = None                        # a count reported with a percentage only
    statement: str | None = None
    numbers: tuple = ()                            # every number the row shows
    printed: Reported | None = None                  # a printed percentage its counts do not give
    note: str | None = None                        # the item's note, placeholders filled

    @property
    def label(self) -> str:
        return self.item.label

    def value_text(self, direction: bool = True) -> str:
        """The value as read: counts, a flagged printed percentage, and (for a between-group result)
        which sign favours which arm."""
        if self.statement is not None:
            text = self.statement
        elif self.value is None:
            text = "no point estimate"
        else:
            text = fmt(self.value)
            if self.count is not None:
                text += f" ({fmt(self.count[0])}/{fmt(self.count[1])})"
            elif self.n is not None:
                text += f" ({fmt(self.n)} patients)"
            if self.printed is not None:
                text += f"; printed as {fmt(self.printed)} %, which does not match its counts"
        if direction and self.item.direction:
            text += f"; {self.item.direction}"
        return text

    def spread_text(self) -> str:
        if self.spread_kind == "none" or self.statement is not None:
            return "not reported"
        if self.spread_kind == "sd":
            return (f"SD {fmt(self.sd)}, the spread between patients, not the uncertainty of the mean "
                    f"(mean ± SD: {fmt(self.low)} to {fmt(self.high)})")
        return f"{SPREAD_NAMES[self.spread_kind]} {fmt(self.low)} to {fmt(self.high)}"

    @property
    def sd(self) -> Number | None:
        for n in self.numbers:
            if isinstance(n, Reported) and n.key == self.item.spread.key and self.spread_kind == "sd":
                return n
        return None


def design_of(evidence_type: str) -> str:
    """A short design flag from an entry's evidence_type."""
    t = evidence_type.lower()
    if t.startswith("cohort"):   # e.g. 'cohort analysis of RCT placebo arms' is no placebo-controlled trial
        return "cohort"
    if "sham" in t or "placebo" in t:
        return "sham-controlled RCT"
    if "open-label" in t:
        return "open-label RCT"
    if "no meta-analysis" in t or "no pooling" in t:
        return "systematic review"
    if "meta-analysis" in t:
        return "meta-analysis"
    if "systematic review" in t:
        return "systematic review"
    if "rct" in t:
        return "RCT"
    if "cohort" in t or "registry" in t:
        return "cohort"
    return evidence_type


def _pair(ev: EvidenceBase, evidence_id: str, spec: SpreadSpec) -> tuple[Reported, Reported]:
    if spec.key:
        raw = ev.raw(evidence_id, spec.key)
        if not (isinstance(raw, list) and len(raw) == 2):
            raise NotVerifiedError(f"evidence '{evidence_id}' value '{spec.key}' is {raw!r}, "
                                   "not a verified two-number interval")
        return ev.number(evidence_id, f"{spec.key}.0"), ev.number(evidence_id, f"{spec.key}.1")
    return number(ev, evidence_id, spec.low), number(ev, evidence_id, spec.high)


def build_row(ev: EvidenceBase, item: ItemSpec) -> Row:
    """Turn one item into a traced row; NotVerifiedError/KeyError if a reference does not hold."""
    entry = ev.entry(item.evidence)
    numbers: list = []
    value = low = high = None
    count = None
    n = None
    statement = None
    printed = None
    note = None
    if item.note is not None:
        note, used = fill(ev, item.note)
        numbers += used
    if item.statement is not None:
        statement, used = fill(ev, item.statement)
        numbers += used
    elif item.point is not None:
        value = number(ev, item.evidence, item.point)
        numbers.append(value)
    elif item.count is not None:
        parts = count_figures(ev, item.evidence, item.count)
        if "N" in parts and "percent" in parts:   # as reported, with its counts, if they agree
            count = (parts["n"], parts["N"])
            value = parts["percent"]
            if not percent_matches(value, parts["n"], parts["N"]):
                printed = value
                value = derive(f"{item.label}: percent", "n / N * 100", parts["n"], parts["N"])
            numbers += [parts["n"], parts["N"], value] + ([printed] if printed is not None else [])
        elif "N" in parts:
            count = (parts["n"], parts["N"])
            value = derive(f"{item.label}: percent", "n / N * 100", parts["n"], parts["N"])
            numbers += [parts["n"], parts["N"], value]
        elif "percent" in parts:
            value = parts["percent"]
            n = parts.get("n")
            numbers += [value] + ([n] if n is not None else [])
        else:
            raise NotVerifiedError(f"evidence '{item.evidence}' value '{item.count}' has no denominator "
                                   "or percentage, so no rate can be shown")
    kind = item.spread.kind
    if statement is None and kind in ("ci95", "range"):
        low, high = _pair(ev, item.evidence, item.spread)
        numbers += [low, high]
    elif statement is None and kind == "sd":
        sd = ev.number(item.evidence, item.spread.key)
        low = derive(f"{item.label}: mean - SD", "a - b", value, sd)
        high = derive(f"{item.label}: mean + SD", "a + b", value, sd)
        numbers += [sd, low, high]
    return Row(item, item.evidence, entry.evidence_type, design_of(entry.evidence_type), value, low, high,
               kind if statement is None else "none", count, n, statement, tuple(numbers), printed, note)


def percent_matches(printed: Reported, n: Reported, total: Reported) -> bool:
    """Does a printed percentage agree with its counts, to the precision it was printed with?"""
    text = fmt(printed)
    decimals = len(text.partition(".")[2])
    return abs(100.0 * float(n) / float(total) - float(printed)) <= 0.5 * 10 ** -decimals + 1e-9


@dataclass(frozen=True)
class Panel:
    spec: PanelSpec
    rows: tuple[Row, ...]
    series: tuple = ()   # timecourse panels: see timecourse_series


@dataclass(frozen=True)
class Outcome:
    spec: OutcomeSpec
    panels: tuple[Panel, ...]
    summary: str
    numbers: tuple = ()

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def rows(self) -> list[Row]:
        return [r for p in self.panels for r in p.rows]

    def evidence_ids(self) -> list[str]:
        ids: list[str] = []
        for r in self.rows:
            if r.evidence_id not in ids:
                ids.append(r.evidence_id)
        return ids


@dataclass
class OutcomeSet:
    """Everything outcomes.yaml describes, built and traced."""

    spec: OutcomesFile
    evidence: EvidenceBase
    path: Path
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def outcome(self, outcome_id: str) -> Outcome:
        try:
            return self.outcomes[outcome_id]
        except KeyError:
            raise KeyError(f"unknown outcome '{outcome_id}'; outcomes are {', '.join(self.outcomes)}") from None

    def claims(self) -> list[tuple[LeafletClaim, str, list[Reported]]]:
        out = []
        for claim in self.spec.leaflet_claims:
            text, used = fill(self.evidence, claim.evidence)
            out.append((claim, text, used))
        return out


# ---------------------------------------------------------------- loading and cross-checks
def _check_numbers(spec: OutcomesFile, parsed: Parsed, ev: EvidenceBase) -> None:
    """Every number an item, a level or the explorer's band reads is a verified number (ContentError at its line);
    ids, placeholders and citations are checked by the model's types as the file loads."""
    for oi, outcome in enumerate(spec.outcomes):
        for pi, panel in enumerate(outcome.panels):
            for ii, item in enumerate(panel.items):
                loc = ("outcomes", oi, "panels", pi, "items", ii)
                if panel.kind == "timecourse":
                    for cat in panel.categories:
                        check_number(parsed, loc + ("point",), item.evidence, f"time point '{cat}'",
                                     lambda c=cat, it=item: (
                                         ev.number(it.evidence, f"{it.point}.{c}.{it.series_index}"),
                                         ev.number(it.evidence, f"{it.spread.key}.{c}.{it.series_index}")))
                    continue
                key_field = next((k for k in ("point", "count", "statement") if getattr(item, k)), "spread")
                check_number(parsed, loc + (key_field,), item.evidence, f"item '{item.id}'",
                             lambda it=item: build_row(ev, it))
    ex = spec.explorer
    for li, level in enumerate(ex.levels):
        for name in ("anterior", "posterior", "depth"):
            key = getattr(level, name)
            if key:
                check_number(parsed, ("explorer", "levels", li, name), level.evidence, f"level {level.id} {name}",
                             lambda k=key, lv=level: ev.number(lv.evidence, k))
    for wall, gain in ex.band.items():
        for part in ("mean", "sd"):
            check_number(parsed, ("explorer", "band", wall, part), ex.band_evidence, f"{wall} gain {part}",
                         lambda k=getattr(gain, part): ev.number(ex.band_evidence, k))
    for wall, key in ex.pooled.items():
        check_number(parsed, ("explorer", "pooled", wall), ex.pooled_evidence, f"pooled {wall} gain",
                     lambda k=key: ev.number(ex.pooled_evidence, k))


def load_outcomes(path: Path | str | None = None, evidence: EvidenceBase | None = None) -> OutcomeSet:
    """Load, validate and cross-check outcomes.yaml, and build every outcome."""
    ev = evidence or load_evidence()
    path = Path(path) if path else content_path("outcomes.yaml")
    spec = load_content(path, OutcomesFile, evidence=ev, check=lambda spec, parsed: _check_numbers(spec, parsed, ev))
    result = OutcomeSet(spec, ev, path)
    for outcome in spec.outcomes:
        panels = []
        for panel in outcome.panels:
            rows = tuple(build_row(ev, item) for item in panel.items) if panel.kind != "timecourse" else ()
            series = tuple(timecourse_series(ev, panel)) if panel.kind == "timecourse" else ()
            panels.append(Panel(panel, rows, series))
        summary, used = fill(ev, outcome.summary)
        result.outcomes[outcome.id] = Outcome(outcome, tuple(panels), summary, tuple(used))
    return result


@lru_cache(maxsize=2)
def default_outcomes() -> OutcomeSet:
    return load_outcomes()


# ---------------------------------------------------------------- tables (what nbval checks)
def timecourse_series(ev: EvidenceBase, panel: PanelSpec) -> list[dict]:
    """Per arm: mean and SD figures at each time point of a timecourse panel."""
    out = []
    for item in panel.items:
        means = [ev.number(item.evidence, f"{item.point}.{c}.{item.series_index}") for c in panel.categories]
        sds = [ev.number(item.evidence, f"{item.spread.key}.{c}.{item.series_index}") for c in panel.categories]
        out.append({"item": item, "means": means, "sds": sds,
                    "evidence_type": ev.entry(item.evidence).evidence_type})
    return out


def _cell(text: str) -> str:
    return plain_md(text.replace("|", "/").replace("\n", " "), citations=True)


def outcome_table_md(outcome: Outcome, cites: Citations, title: bool = True) -> str:
    """The evidence behind one outcome as a Markdown table: value, spread, kind, citation (numbered by ``cites``;
    ``title=False`` leaves out the outcome's title, for a table folded under it)."""
    lines = [f"**{plain_md(outcome.spec.title)}**", ""] if title else []
    for panel in outcome.panels:
        lines += [f"*{plain_md(panel.spec.title)}* ({plain_md(panel.spec.axis)})", "",
                  "| Result | Arm | Value | Spread | Evidence | Source |", "|---|---|---|---|---|---|"]
        if panel.spec.kind == "timecourse":
            for s in panel.series:
                for label, m, sd in zip(panel.spec.category_labels, s["means"], s["sds"]):
                    lines.append(f"| {_cell(s['item'].label)}, {label} | {ARM_NAMES[s['item'].arm]} | {fmt(m)} | "
                                 f"SD {fmt(sd)} (between patients) | {_cell(s['evidence_type'])} | "
                                 f"{cites.cite(s['item'].evidence)} |")
        for r in panel.rows:
            extra = f"; detection: {_cell(r.item.detection)}" if r.item.detection else ""
            flag = f" ({_cell(r.item.flag)})" if r.item.flag else ""
            flag += f" ({_cell(r.note)})" if r.note else ""
            lines.append(f"| {_cell(r.label)}{flag} | {ARM_NAMES[r.item.arm]} | {_cell(r.value_text())} | "
                         f"{_cell(r.spread_text())} | {_cell(r.evidence_type)}{extra} | {cites.cite(r.evidence_id)} |")
        lines.append("")
    if outcome.spec.not_plotted:
        lines.append("Not plotted: " + "; ".join(
            f"{cites.cite(x.evidence)} {plain_md(x.reason, citations=True)}" for x in outcome.spec.not_plotted) + ".")
    return "\n".join(lines)


__all__ = [
    "ARMS", "Outcome", "OutcomeSet", "Row", "build_row", "default_outcomes", "load_outcomes", "outcome_table_md",
    "timecourse_series", "PatientQuestion", "Verdict", "grade_patient_answer", "load_patient_questions",
]


# ---------------------------------------------------------------- "what would you tell this patient?"
class QuestionOption(ContentModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: EvidenceText = Field(min_length=3)
    correct: bool
    feedback: EvidenceText = Field(min_length=3)


class PatientQuestion(ContentModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    patient: EvidenceText
    prompt: EvidenceText
    options: list[QuestionOption] = Field(min_length=2)

    @model_validator(mode="after")
    def _one_correct(self):
        right = [o.id for o in self.options if o.correct]
        if len(right) != 1:
            raise ValueError(f"question '{self.id}' needs exactly one correct option, found {len(right)}")
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question '{self.id}' uses an option id twice")
        return self


class PatientQuestionsFile(ContentModel):
    questions: list[PatientQuestion] = Field(min_length=1)


@dataclass(frozen=True)
class Verdict:
    correct: bool
    feedback: str          # placeholders filled, [@id] keys kept for the view to number
    numbers: tuple = ()


def load_patient_questions(path: Path | str | None = None,
                           evidence: EvidenceBase | None = None) -> list[PatientQuestion]:
    """Load and cross-check the patient questions (every placeholder and citation must resolve)."""
    spec = load_content(Path(path) if path else "patient_questions.yaml", PatientQuestionsFile, evidence=evidence)
    return list(spec.questions)


def grade_patient_answer(question: PatientQuestion, option_id: str | None,
                 evidence: EvidenceBase | None = None) -> Verdict:
    """Judge one answer; an unknown or missing choice is a ValueError with a plain message."""
    if option_id is None:
        raise ValueError("choose one of the answers first")
    for opt in question.options:
        if opt.id == option_id:
            text, used = fill(evidence or load_evidence(), opt.feedback)
            return Verdict(opt.correct, text, tuple(used))
    raise ValueError(f"'{option_id}' is not an answer to question '{question.id}'")
