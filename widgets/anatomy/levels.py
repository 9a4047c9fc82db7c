"""The lumbar segment every view draws: per-level dimensions, each traced to its source.

``widgets/content/anatomy.yaml`` gives, for each level L1 to L5, the dimensions the drawings
need (vertebral body, pedicle, canal, discs).  Every dimension is one of

* **measured**: one value read from one evidence entry (a plain number, or the mean of a value
  printed as ``mean +/- SD``), carrying its evidence id and key;
* **derived**: computed from measured values by a rule the :class:`Dimension` names (a straight
  line between two measured levels);
* **illustrative**: no verified value exists; another level's value, the same level's value of
  another dimension (the front wall drawn as high as the back wall), or a shape value, drawn so
  the picture reads as a vertebra.  Every figure says which of its dimensions are illustrative.

A dimension's measured values all come from one evidence entry (the evidence file's caution:
pedicle "width" is measured differently from study to study), unless a level's entry says in its
own ``measures`` what its value from another study measures (the body heights of T12 to L2 come
from fractured vertebrae, whose back wall holds).  Nothing is rounded or pooled.

Each level also gives the anterior height of its example fracture (``fractured_anterior_mm``), a
grade 2 wedge where a study measured one: the needle exercise treats that fracture.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from widgets.core.evidence import EvidenceBase, NotVerifiedError, is_verified_number, load_evidence
from widgets.core.loading import ContentError, ContentModel, content_path, load_content, require_unique

#: Every level's dimensions (one name per idea, used in the content, the code and the tests).
DIMENSIONS = ("body_anterior_height_mm", "body_posterior_height_mm", "body_depth_mm", "pedicle_width_mm",
              "pedicle_height_mm", "pedicle_angle_deg", "pedicle_length_mm", "interpedicular_distance_mm",
              "canal_depth_mm")
#: Shape values no verified source gives (all illustrative).
SHAPE_NAMES = ("body_width_mm", "cortex_mm", "pedicle_centre_fraction", "lamina_thickness_mm", "lamina_height_mm",
               "spinous_length_mm", "spinous_height_mm", "spinous_width_mm", "transverse_length_mm",
               "transverse_height_mm", "transverse_thickness_mm", "skin_depth_mm")
STATUSES = ("measured", "derived", "illustrative")
ANATOMY_FILE = "anatomy.yaml"

#: A value printed as "mean +/- SD", perhaps followed in brackets by its P value, its number of cases
#: or a note in words ("(longest)"); nothing else: a range, a note with numbers or a cut-off value is refused.
_MEAN_SD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*\+/-\s*\d+(?:\.\d+)?\s*"
                      r"(\((?:P\s*[=<>]\s*0?\.\d+|n\s*=\s*\d+|[A-Za-z][A-Za-z ]*)\))?\s*$")


# --------------------------------------------------------------------------- content models

class Spec(ContentModel):
    """Where one dimension's value comes from: exactly one of the five kinds.

    ``part`` picks one value of a printed pair ("20.2 +/- 2.0 / 30.8 +/- 2.3": part 0 is the first);
    ``measures`` says what this level's value measures when it is not what the dimension's own
    description says (another study, another population)."""

    evidence: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    key: str | None = Field(None, min_length=1)
    part: int | None = Field(None, ge=0, le=3)
    measures: str | None = Field(None, min_length=10)
    interpolate: list[str] | None = Field(None, min_length=2, max_length=2)
    same_as: str | None = None
    like: str | None = None
    illustrative: float | None = None
    reason: str | None = Field(None, min_length=10)

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [k for k, on in (("evidence", self.evidence is not None), ("interpolate", self.interpolate),
                                 ("same_as", self.same_as), ("like", self.like),
                                 ("illustrative", self.illustrative is not None)) if on]
        if len(kinds) != 1:
            raise ValueError("give exactly one of evidence (with key), interpolate, same_as, like or illustrative; "
                             f"found {kinds or 'none'}")
        if (self.evidence is None) != (self.key is None):
            raise ValueError("evidence and key go together")
        if self.part is not None and self.evidence is None:
            raise ValueError("part picks a value of an evidence entry; give evidence and key with it")
        if kinds[0] in ("same_as", "like", "illustrative") and not self.reason:
            raise ValueError(f"an illustrative value ({kinds[0]}) needs a reason saying why no verified value is used")
        return self

    @property
    def kind(self) -> str:
        if self.evidence is not None:
            return "evidence"
        if self.interpolate:
            return "interpolate"
        if self.like:
            return "like"
        return "same_as" if self.same_as else "illustrative"


class LevelSpec(ContentModel):
    id: str = Field(pattern=r"^L[1-5]$")
    label: str = Field(min_length=3)
    above: str = Field(pattern=r"^(T12|L[1-5]|S1)$")
    below: str = Field(pattern=r"^(T12|L[1-5]|S1)$")
    dimensions: dict[str, Spec]
    fractured_anterior_mm: Spec = Field(description="the anterior height of the level's example fracture")

    @model_validator(mode="after")
    def _all_dimensions(self):
        missing = [d for d in DIMENSIONS if d not in self.dimensions]
        unknown = [d for d in self.dimensions if d not in DIMENSIONS]
        if missing or unknown:
            raise ValueError(f"level {self.id}: " + "; ".join(
                p for p in (f"missing dimensions {missing}" if missing else "",
                            f"unknown dimensions {unknown} (known: {list(DIMENSIONS)})" if unknown else "") if p))
        for name, spec in self.dimensions.items():
            if spec.like is not None and (spec.like not in DIMENSIONS or spec.like == name
                                          or self.dimensions[spec.like].like is not None):
                raise ValueError(f"level {self.id}, {name}: like '{spec.like}' must name another of this level's "
                                 f"dimensions, one that is not itself 'like' another (known: {list(DIMENSIONS)})")
        return self


class DiscSpec(ContentModel):
    id: str = Field(pattern=r"^(T12|L[1-5])-(L[1-5]|S1)$")
    height_mm: Spec


class DiscsSpec(ContentModel):
    measures: str = Field(min_length=10)
    heights: list[DiscSpec] = Field(min_length=1)


class ShapeSpec(ContentModel):
    illustrative: float = Field(gt=0)
    reason: str = Field(min_length=10)


class AnatomyFile(ContentModel):
    measures: dict[str, str]
    levels: list[LevelSpec] = Field(min_length=1)
    discs: DiscsSpec
    shape: dict[str, ShapeSpec]

    @model_validator(mode="after")
    def _consistent(self):
        if set(self.measures) != set(DIMENSIONS):
            raise ValueError(f"measures must say what each of {list(DIMENSIONS)} measures; "
                             f"missing {sorted(set(DIMENSIONS) - set(self.measures))}, "
                             f"unknown {sorted(set(self.measures) - set(DIMENSIONS))}")
        if set(self.shape) != set(SHAPE_NAMES):
            raise ValueError(f"shape must give each of {list(SHAPE_NAMES)}; missing "
                             f"{sorted(set(SHAPE_NAMES) - set(self.shape))}, unknown {sorted(set(self.shape) - set(SHAPE_NAMES))}")
        ids = [lv.id for lv in self.levels]
        require_unique(ids, "level ids")
        require_unique([d.id for d in self.discs.heights], "disc ids")
        by_id = {lv.id: lv for lv in self.levels}
        for lv in self.levels:
            for name, spec in lv.dimensions.items():
                _check_refs(spec, f"level {lv.id}, {name}", {i: by_id[i].dimensions[name] for i in ids})
            _check_refs(lv.fractured_anterior_mm, f"level {lv.id}, fractured_anterior_mm",
                        {i: by_id[i].fractured_anterior_mm for i in ids})
        discs = {d.id: d.height_mm for d in self.discs.heights}
        for d in self.discs.heights:
            _check_refs(d.height_mm, f"disc {d.id}", discs)
        for lv in self.levels:
            for disc in (f"{lv.above}-{lv.id}", f"{lv.id}-{lv.below}"):
                if disc not in discs:
                    raise ValueError(f"level {lv.id} needs the disc {disc} under discs.heights")
        for name in DIMENSIONS:
            # a value that says what it measures may come from another study; the others share one source
            sources = {lv.dimensions[name].evidence for lv in self.levels
                       if lv.dimensions[name].kind == "evidence" and lv.dimensions[name].measures is None}
            if len(sources) > 1:
                raise ValueError(f"{name} is read from {sorted(sources)}; take each dimension from one source "
                                 "(or say in the level's 'measures' what the other study's value measures)")
        return self


def _check_refs(spec: Spec, where: str, known: dict[str, Spec]) -> None:
    """same_as and interpolate name known entries whose own value is measured."""
    for target in ([spec.same_as] if spec.same_as else []) + (spec.interpolate or []):
        if target not in known:
            raise ValueError(f"{where} refers to '{target}', which is not listed (known: {sorted(known)})")
        if known[target].kind != "evidence":
            raise ValueError(f"{where} refers to '{target}', whose value is not measured; refer to a measured one")


# --------------------------------------------------------------------------- resolved values

@dataclass(frozen=True)
class Dimension:
    """One dimension of the drawing, with where its value comes from."""

    name: str
    owner: str                  # a level ("L1"), a disc ("L1-L2") or "segment" (shape values)
    value: float
    status: str                 # measured, derived or illustrative
    measures: str
    evidence_id: str | None = None
    key: str | None = None
    printed: str | None = None  # the value as the evidence file prints it
    how: str = ""               # the rule (derived) or the reason (illustrative)
    inputs: tuple["Dimension", ...] = ()
    part: int | None = None     # which value of a printed pair "a / b" (0: the first)

    def __float__(self) -> float:
        return float(self.value)

    @property
    def label(self) -> str:
        """'pedicle width' from 'pedicle_width_mm'."""
        return re.sub(r"_(mm|deg)$", "", self.name).replace("_", " ")

    @property
    def unit(self) -> str:
        return "degrees" if self.name.endswith("_deg") else ("" if self.name.endswith("fraction") else "mm")

    def evidence_ids(self) -> list[str]:
        """The evidence entries behind this value (its own, or its inputs')."""
        ids = [self.evidence_id] if self.evidence_id else []
        for d in self.inputs:
            ids += [i for i in d.evidence_ids() if i not in ids]
        return ids

    def trace(self) -> str:
        """One line: how the value was obtained."""
        if self.status == "measured":
            part = "" if self.part is None else f" (value {self.part + 1} of the pair)"
            return f"measured: {self.evidence_id}, {self.key}{part} = {self.printed}"
        if self.status == "derived":
            return f"derived: {self.how}"
        return f"illustrative: {self.how}"


def measured_value(ev: EvidenceBase, evidence_id: str, key: str, part: int | None = None) -> tuple[float, str]:
    """A verified number (plain, or the mean of a printed 'mean +/- SD', perhaps with its P value, its
    number of cases or a note in words) and the text it was read from.  ``part`` picks one value of a
    pair printed "a / b" (0: the first).

    Raises :class:`NotVerifiedError` for anything else (a range, a note, a value cut off)."""
    raw = ev.raw(evidence_id, key)
    if part is not None:
        parts = raw.split(" / ") if isinstance(raw, str) else []
        if part >= len(parts):
            raise NotVerifiedError(f"evidence '{evidence_id}' value '{key}' is {raw!r}, which has no part {part} "
                                   "(parts are values printed 'a / b')")
        raw = parts[part]
    if is_verified_number(raw):
        return float(raw), f"{raw:g}"
    if isinstance(raw, str):
        match = _MEAN_SD.match(raw)
        if match:
            return float(match.group(1)), raw.strip()
    raise NotVerifiedError(f"evidence '{evidence_id}' value '{key}' is {raw!r}, not a number or a printed "
                           "'mean +/- SD'; it must not be drawn as a measured value")


@dataclass(frozen=True)
class Level:
    """One lumbar level's dimensions, its discs, its example fracture and the segment's shape values."""

    id: str
    label: str
    above: str
    below: str
    dims: dict[str, Dimension]
    disc_above: Dimension
    disc_below: Dimension
    shape: dict[str, Dimension]
    fractured_anterior: Dimension | None = None

    def __getitem__(self, name: str) -> float:
        return float(self.dimension(name).value)

    def dimension(self, name: str) -> Dimension:
        for table in (self.dims, self.shape):
            if name in table:
                return table[name]
        if name == "disc_above_mm":
            return self.disc_above
        if name == "disc_below_mm":
            return self.disc_below
        if name == "fractured_anterior_mm" and self.fractured_anterior is not None:
            return self.fractured_anterior
        raise KeyError(f"level {self.id} has no dimension '{name}'; known: "
                       f"{sorted([*self.dims, *self.shape, 'disc_above_mm', 'disc_below_mm', 'fractured_anterior_mm'])}")

    def all_dimensions(self) -> list[Dimension]:
        """Everything the drawing of this level uses: level, discs, example fracture, shape."""
        extra = [self.fractured_anterior] if self.fractured_anterior is not None else []
        return [*self.dims.values(), self.disc_above, self.disc_below, *extra, *self.shape.values()]

    def illustrative(self) -> list[Dimension]:
        return [d for d in self.all_dimensions() if d.status == "illustrative"]

    def expected_heights(self) -> tuple[float, float, float]:
        """Unfractured (anterior, middle, posterior) body heights; the middle is drawn halfway."""
        a, p = self["body_anterior_height_mm"], self["body_posterior_height_mm"]
        return a, round((a + p) / 2, 2), p

    def example_fracture(self) -> tuple[float, float, float]:
        """The level's example wedge fracture (anterior, middle, posterior): the front at
        ``fractured_anterior_mm``, the back wall intact at its expected height, the middle halfway."""
        p = self["body_posterior_height_mm"]
        a = min(self["fractured_anterior_mm"], self["body_anterior_height_mm"])
        return a, round((a + p) / 2, 2), p

    def illustrative_note(self) -> str:
        """What a figure of this level draws without a verified value (said on the figure itself)."""
        names = [d.label for d in self.dims.values() if d.status == "illustrative"]
        if any(d.status == "illustrative" for d in (self.disc_above, self.disc_below)):
            names.append("a disc height")
        text = "Illustrative, not measured at " + self.id + ": " + ", ".join(names) if names else ""
        shape = "Illustrative everywhere: body width, cortex, lamina, spinous and transverse processes, " \
                "neighbouring vertebrae"
        return f"{text}. {shape}." if text else f"{shape}."


@dataclass(frozen=True)
class Anatomy:
    levels: dict[str, Level]
    path: Path

    def level(self, level_id: str) -> Level:
        try:
            return self.levels[level_id]
        except KeyError:
            raise KeyError(f"unknown level {level_id!r}; the anatomy has {', '.join(self.levels)} "
                           f"({self.path})") from None

    @property
    def ids(self) -> list[str]:
        return list(self.levels)


def _resolve(spec: Spec, name: str, owner: str, measures: str, measured: dict[str, Dimension],
             order: list[str], ev: EvidenceBase, path: Path, where: str,
             own: dict[str, Dimension] | None = None) -> Dimension:
    measures = spec.measures or measures
    if spec.kind == "evidence":
        try:
            value, printed = measured_value(ev, spec.evidence, spec.key, spec.part)
        except (KeyError, NotVerifiedError) as exc:
            raise ContentError(path, str(exc).strip("'\""), field=where,
                               fix="point at a verified number (or 'mean +/- SD') in the evidence files") from None
        return Dimension(name, owner, value, "measured", measures, spec.evidence, spec.key, printed, part=spec.part)
    if spec.kind == "interpolate":
        a, b = (measured[i] for i in spec.interpolate)
        ia, ib, io = (order.index(i) for i in (*spec.interpolate, owner))
        value = a.value + (b.value - a.value) * (io - ia) / (ib - ia)
        return Dimension(name, owner, round(value, 2), "derived", measures,
                         how=f"on a straight line between {a.owner} ({a.value:g}) and {b.owner} ({b.value:g})",
                         inputs=(a, b))
    if spec.kind == "same_as":
        src = measured[spec.same_as]
        return Dimension(name, owner, src.value, "illustrative", measures,
                         how=f"{spec.reason} ({src.owner}'s value, {src.value:g})", inputs=(src,))
    if spec.kind == "like":
        src = (own or {})[spec.like]
        return Dimension(name, owner, src.value, "illustrative", measures,
                         how=f"{spec.reason} ({src.label}, {src.value:g})", inputs=(src,))
    return Dimension(name, owner, float(spec.illustrative), "illustrative", measures, how=spec.reason or "")


#: What the example fracture's anterior height measures (unless a level's entry says otherwise).
FRACTURED_MEASURES = "height of the front wall of the level's example wedge fracture"


def build_anatomy(data: AnatomyFile, path: Path, ev: EvidenceBase | None = None) -> Anatomy:
    ev = ev or load_evidence()
    order = [lv.id for lv in data.levels]
    disc_order = [d.id for d in data.discs.heights]
    # measured values first (interpolate and same_as refer to them)
    measured: dict[str, dict[str, Dimension]] = {name: {} for name in (*DIMENSIONS, "fractured_anterior_mm")}
    for i, lv in enumerate(data.levels):
        specs = {**lv.dimensions, "fractured_anterior_mm": lv.fractured_anterior_mm}
        for name, spec in specs.items():
            if spec.kind == "evidence":
                where = f"levels[{i}].dimensions.{name}" if name in DIMENSIONS else f"levels[{i}].{name}"
                measured[name][lv.id] = _resolve(spec, name, lv.id, data.measures.get(name, FRACTURED_MEASURES), {},
                                                 order, ev, path, where)
    disc_measured = {}
    for i, d in enumerate(data.discs.heights):
        if d.height_mm.kind == "evidence":
            disc_measured[d.id] = _resolve(d.height_mm, "disc_height_mm", d.id, data.discs.measures, {}, disc_order,
                                           ev, path, f"discs.heights[{i}].height_mm")
    discs = {d.id: _resolve(d.height_mm, "disc_height_mm", d.id, data.discs.measures, disc_measured, disc_order,
                            ev, path, f"discs.heights[{i}].height_mm") for i, d in enumerate(data.discs.heights)}
    shape = {name: Dimension(name, "segment", s.illustrative, "illustrative", name.replace("_", " "),
                             how=s.reason) for name, s in data.shape.items()}
    levels = {}
    for i, lv in enumerate(data.levels):
        dims = {}
        for name, spec in sorted(lv.dimensions.items(), key=lambda kv: kv[1].kind == "like"):
            dims[name] = _resolve(spec, name, lv.id, data.measures[name], measured[name], order, ev, path,
                                  f"levels[{i}].dimensions.{name}", own=dims)
        dims = {name: dims[name] for name in DIMENSIONS}
        fractured = _resolve(lv.fractured_anterior_mm, "fractured_anterior_mm", lv.id, FRACTURED_MEASURES,
                             measured["fractured_anterior_mm"], order, ev, path, f"levels[{i}].fractured_anterior_mm")
        above, below = (discs[f"{lv.above}-{lv.id}"], discs[f"{lv.id}-{lv.below}"])
        levels[lv.id] = Level(lv.id, lv.label, lv.above, lv.below, dims,
                              _named(above, "disc_above_mm"), _named(below, "disc_below_mm"), shape, fractured)
    return Anatomy(levels, path)


def _named(d: Dimension, name: str) -> Dimension:
    return Dimension(name, d.owner, d.value, d.status, d.measures, d.evidence_id, d.key, d.printed, d.how, d.inputs,
                     d.part)


@lru_cache(maxsize=4)
def _load(path: str) -> Anatomy:
    p = Path(path)
    return build_anatomy(load_content(p, AnatomyFile), p)


def load_anatomy(path: Path | str | None = None) -> Anatomy:
    """The validated segment (cached per path); a broken file raises :class:`ContentError` naming
    the file, line, field and fix."""
    return _load(str(path or content_path(ANATOMY_FILE)))


def level(level_id: str = "L5") -> Level:
    return load_anatomy().level(level_id)


def dimension_rows(lv: Level) -> list[dict[str, Any]]:
    """One row per dimension a drawing of ``lv`` uses: what, value, status, what it measures, sources."""
    rows = []
    for d in lv.all_dimensions():
        rows.append({"dimension": d.label, "value": d.value, "unit": d.unit, "status": d.status,
                     "measures": d.measures, "how": d.trace(), "evidence": d.evidence_ids()})
    return rows
