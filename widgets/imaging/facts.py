"""The tables and sentences notebook 04 prints, every number read from the anatomy or the evidence.

Each function takes a notebook's :class:`~widgets.core.citations.Citations` (``cites``, which numbers the keys
it cites in its style) and returns Markdown or plain text.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from widgets.core.citations import Citations
from widgets.core.evidence import load_evidence
from widgets.anatomy.levels import DIMENSIONS, load_anatomy, measured_value
from widgets.imaging.grading import NEURAL, grade
from widgets.anatomy.needle_path import needle_at, planned_needle
from widgets.anatomy.segment import segment
from widgets.anatomy.geometry import default_fracture

STATUS_MARK = {"measured": "", "derived": " (d)", "illustrative": " (i)"}
TWO_FLUORO = "pf_rad_one_vs_two_fluoroscopes_pvp"


def _fmt(value: float) -> str:
    return f"{value:g}"


def anatomy_table(cites: Citations) -> str:
    """Every level's dimensions side by side, each marked measured, derived (d) or illustrative (i),
    with what it measures and its source."""
    anatomy = load_anatomy()
    levels = [anatomy.level(i) for i in anatomy.ids]
    head = "| Dimension | " + " | ".join(lv.id for lv in levels) + " | What it measures | Source |"
    lines = [head, "|---|" + "---|" * len(levels) + "---|---|"]
    names = [*DIMENSIONS, "pedicle_length_mm", "disc_above_mm", "disc_below_mm"]
    for name in names:
        dims = [lv.dimension(name) for lv in levels]
        label = dims[0].label + (", degrees" if dims[0].unit == "degrees" else ", mm")
        if name in ("disc_above_mm", "disc_below_mm"):
            label = ("disc above" if name == "disc_above_mm" else "disc below") + ", mm"
        cells = [_fmt(d.value) + STATUS_MARK[d.status] for d in dims]
        ids = []
        for d in dims:
            ids += [i for i in d.evidence_ids() if i not in ids]
        source = cites.cite(ids) if ids else "none (illustrative)"
        measures = dims[0].measures.split(", mean")[0]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {measures} | {source} |")
    shape = levels[0].shape
    lines.append("")
    lines.append("(d) derived from measured values: the interpedicular distance at L2 to L4 and two disc heights "
                 "lie on a straight line between measured levels, and the pedicle's length is the chord length "
                 "less the part of it inside the body (depth / cos(angle)). (i) illustrative: no verified value, "
                 "so another level's value is drawn (or, for the pedicle's length at L1 to L4, computed from one) "
                 "and every figure says so. Shapes no study gives are drawn "
                 "illustratively too: " + ", ".join(f"{d.label} {_fmt(d.value)}" for d in shape.values()
                                                   if d.unit == "mm") + " mm.")
    return "\n".join(lines)


def safety_margins(cites: Citations) -> str:
    """How close the dural sac and the nerve roots lie to a lumbar pedicle."""
    ev = load_evidence()
    medial = ev.number(NEURAL, "pedicle_to_dural_sac_medial_mm")
    below = ev.number(NEURAL, "pedicle_to_nerve_root_inferior_mm")
    above = ev.number(NEURAL, "pedicle_to_nerve_root_superior_mm")
    return (f"In cadavers, the dural sac lay on average only {medial} mm medial to a lumbar pedicle and the exiting "
            f"nerve root {below} mm below it, against {above} mm to the root above {cites.cite(NEURAL)}: "
            "a breach through the inner or the lower wall is the dangerous one.")


def two_fluoroscopes(cites: Citations) -> str:
    """What one study found when each view had its own fluoroscope (means as printed); Markdown."""
    ev = load_evidence()
    one, two, t1, t2 = (measured_value(ev, TWO_FLUORO, k)[0] for k in (
        "patient_dose_one_fluoro_mSv", "patient_dose_two_fluoro_mSv", "operative_time_one_fluoro_min",
        "operative_time_two_fluoro_min"))
    return (f"In one study of 26 single-level vertebroplasties, 13 with each technique, the patient's mean dose "
            f"(measured on the flank) was {_fmt(two)} mSv with two fluoroscopes (one per view) against {_fmt(one)} mSv "
            f"with one fluoroscope, and the operation was shorter (mean {_fmt(t2)} against {_fmt(t1)} minutes); the "
            f"operator's dose was similar {cites.cite(TWO_FLUORO)}.")


def example_heights() -> tuple[float, float, float]:
    h = default_fracture()
    return (h.anterior, h.middle, h.posterior)


def worked_examples(cites: Citations, level: str = "L1") -> str:
    """Two placements graded: the textbook path, and the same entry angled 40 degrees toward the midline."""
    seg = segment(level, example_heights())
    good = planned_needle(seg)
    ped = seg.pedicle
    lateral = abs(good.entry[0])
    bad = needle_at(seg, lateral, good.entry[2], 40, good.caudal_deg, good.depth)
    out = []
    for name, needle in (("Textbook path", good), ("Angled 40 degrees toward the midline", bad)):
        g = grade(seg, needle)
        out.append(f"- **{name}** (entry {lateral:.1f} mm left of the midline, {needle.medial_deg:.0f} degrees medial, "
                   f"{needle.caudal_deg:.0f} degrees caudal, {needle.depth:.0f} mm in): {g.summary()}")
        for p in g.problems:
            out.append("    - " + cites.cited(p.text))
    out.append("")
    out.append(f"The {level} pedicle is {ped.width:g} mm wide and points {ped.angle_deg:g} degrees toward the midline.")
    return "\n".join(out)
