"""The tables and sentences notebook 04 prints, every number read from the anatomy or the evidence.

Each function takes a notebook's :class:`~widgets.core.citations.Citations` (``cites``, which numbers the keys
it cites in its style) and returns Markdown or plain text.

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import re

from widgets.core.citations import Citations
from widgets.core.evidence import load_evidence
from widgets.core.text import plain_md
from widgets.anatomy import ct
from widgets.anatomy.levels import load_anatomy, measured_value
from widgets.anatomy.needle_path import needle_at, taught_needle
from widgets.anatomy.segment import segment
from widgets.imaging.grading import CHECKS, NEURAL, check_name, grade, great_vessels_text, mean_sd

TWO_FLUORO = "pf_rad_one_vs_two_fluoroscopes_pvp"
T12_CHORD = "ps_korkmaz2020_t12_chord"
LATERAL_FIRST = "pf_lateral_first_abstract"
WRONG_LEVEL = "ps_mody_wrong_level_survey"
LOCALISATION = "ps_nass2014_wrong_level_localization_news"
MIDLINE_FEASIBILITY = "ps_li2015_unilateral_midline_feasibility"
#: The rows of the table of sizes: what the needle meets first.
TABLE_ROWS = ("pedicle_width_mm", "pedicle_height_mm", "pedicle_angle_deg", "pedicle_length_mm",
              "interpedicular_distance_mm", "body_anterior_height_mm", "body_posterior_height_mm", "body_depth_mm",
              "canal_depth_mm", "disc_above_mm")
STATUS_WORDS = {"measured": "measured", "derived": "between measured levels", "illustrative": "drawn, not measured"}


def _fmt(value: float) -> str:
    return f"{value:g}"


def anatomy_table(cites: Citations) -> str:
    """Where every size of the model comes from, as a folded table (Markdown with HTML ``<details>``):
    each level's value with, in words, whether it was measured, lies between measured levels, or is
    drawn without a verified value; what it measures and its source."""
    anatomy = load_anatomy()
    levels = [anatomy.level(i) for i in anatomy.ids]
    head = "| Size | " + " | ".join(lv.id for lv in levels) + " | What it measures | Source |"
    lines = [head, "|---|" + "---|" * len(levels) + "---|---|"]
    for name in TABLE_ROWS:
        dims = [lv.dimension(name) for lv in levels]
        unit = "degrees" if dims[0].unit == "degrees" else "mm"
        label = "disc above" if name == "disc_above_mm" else dims[0].label
        cells = [f"{_fmt(d.value)} ({STATUS_WORDS[d.status]})" for d in dims]
        ids = []
        for d in dims:
            ids += [i for i in d.evidence_ids() if i not in ids]
        source = cites.cite(ids) if ids else "none"
        measures = plain_md(dims[-1].measures.split(", mean")[0]).replace("|", "/")
        lines.append(f"| {plain_md(label)}, {unit} | " + " | ".join(cells) + f" | {measures} | {source} |")
    shape = levels[0].shape
    drawn = ", ".join(f"{d.label} {_fmt(d.value)} mm" for d in shape.values() if d.unit == "mm")
    note = ("Between measured levels: a straight line between two levels a study measured. Drawn, not measured: "
            "no verified value, so another level's value (or, for the front wall of L1 to L4, the back wall's "
            "height) is drawn, and the figure says so. The back wall of L1 and L2 was measured in fractured "
            f"vertebrae, whose back wall stands. Shapes no study gives are drawn too: {drawn}.")
    return ("<details><summary>The table: every size, level by level, and where it comes from</summary>\n\n"
            + "\n".join(lines) + f"\n\n{note}\n\n</details>")


def pedicle_lengths(cites: Citations) -> str:
    """The measured pedicle lengths the model draws, in a sentence."""
    anatomy = load_anatomy()
    l2, l4 = (anatomy.level(i).dimension("pedicle_length_mm") for i in ("L2", "L4"))
    return (f"In cadavers the lumbar pedicle was longest at L2 (mean {_fmt(l2.value)} mm) and shortest at L4 "
            f"(mean {_fmt(l4.value)} mm) {cites.cite(l2.evidence_id)}: a needle travels that far inside the "
            "pedicle before it reaches the body.")


def safety_margins(cites: Citations) -> str:
    """How close the dural sac and the nerve roots lie to a lumbar pedicle."""
    ev = load_evidence()
    medial = ev.number(NEURAL, "pedicle_to_dural_sac_medial_mm")
    below = ev.number(NEURAL, "pedicle_to_nerve_root_inferior_mm")
    above = ev.number(NEURAL, "pedicle_to_nerve_root_superior_mm")
    return (f"In cadavers, the dural sac lay on average only {medial} mm medial to a lumbar pedicle and the exiting "
            f"nerve root {below} mm below it, against {above} mm to the root above {cites.cite(NEURAL)}: "
            "a breach through the inner or the lower wall is the dangerous one.")


def front_wall(cites: Citations) -> str:
    """What lies in front of the spine, and how deep the front cortex is at T12, with their sources."""
    ev = load_evidence()
    chord, _ = mean_sd(ev.raw(T12_CHORD, "left_chord_length_T12_mm"))
    span = re.search(r"range\s*([\d.]+\s*-\s*[\d.]+)", str(ev.raw(T12_CHORD, "left_chord_length_T12_mm")))
    age = re.search(r"range\s*([\d.]+\s*-\s*[\d.]+)", str(ev.raw(T12_CHORD, "age")))
    return (cites.cited(great_vessels_text(ev)) + " At T12, in one CT study of 60 adults aged "
            f"{age.group(1) if age else 'between 25 and 40'} years, the path from the pedicle's entry to the front "
            f"cortex measured {chord} mm on average (range {span.group(1) if span else 'not given'} mm) on the left "
            f"{cites.cite(T12_CHORD)}: older, osteoporotic spines may be shorter. So the depth is watched on the "
            "lateral view, and the tip stops in the front third, inside the bone.")


def cement_stop(cites: Citations) -> str:
    """Where the injection stops on the lateral view (one technique description)."""
    ev = load_evidence()
    stop = ev.raw(LATERAL_FIRST, "injection_stop_point")
    tip = ev.raw(LATERAL_FIRST, "tip_target")
    return (f"The lateral view also ends the injection. One technique description, read only as an abstract, "
            f"advances the tip to the {tip} and stops injecting when the {stop} on the lateral view "
            f"{cites.cite(LATERAL_FIRST)}, before cement can reach the back wall and the spinal canal behind it.")


def counting_levels(cites: Citations) -> str:
    """Why the level is counted twice: wrong-level figures exist only for open spine surgery."""
    ev = load_evidence()
    surveyed = ev.raw(WRONG_LEVEL, "surveyed")
    responded = str(ev.raw(WRONG_LEVEL, "responded"))
    once = str(ev.raw(WRONG_LEVEL, "surgeons_with_one_or_more_wrong_level_surgeries"))
    return (f"No study we could read gives how often vertebroplasty or kyphoplasty is done at the wrong level. In "
            f"open spine surgery it happens: of {surveyed} US neurosurgeons surveyed, {responded.split(' ')[0]} "
            f"answered, and {once.split(' ')[0]} of them reported at least one wrong-level operation in their career "
            f"{cites.cite(WRONG_LEVEL)} (open surgery, self-reported, few answered), and poor counting is among "
            f"the causes spine surgeons name {cites.cite(LOCALISATION)}. So the level is counted on the pictures "
            "before the needle goes in, and counted again.")


def midline_feasibility(cites: Citations) -> str:
    """How often one pedicle reaches the midline (an MRI simulation)."""
    ev = load_evidence()
    span = ev.raw(MIDLINE_FEASIBILITY, "puncture_success_rate_range_pct")
    l4 = ev.raw(MIDLINE_FEASIBILITY, "puncture_success_rate_pct.L4")
    span_text = str(span).replace(" across levels", "")
    return (f"It is not always possible: in simulated punctures on the MRI scans of 200 patients, a needle through "
            f"one pedicle reached the midline in {span_text} % of cases depending on the level, best at L4 ({l4} %), "
            f"hardest at the upper lumbar levels {cites.cite(MIDLINE_FEASIBILITY)}.")


def two_fluoroscopes(cites: Citations) -> str:
    """What one study found when each view had its own fluoroscope (means as printed); Markdown."""
    ev = load_evidence()
    one, two, t1, t2 = (measured_value(ev, TWO_FLUORO, k)[0] for k in (
        "patient_dose_one_fluoro_mSv", "patient_dose_two_fluoro_mSv", "operative_time_one_fluoro_min",
        "operative_time_two_fluoro_min"))
    return (f"In one study of 26 single-level vertebroplasties, 13 with each technique, the patient's mean dose "
            f"(measured on the flank) was {_fmt(two)} mSv (millisievert, the unit of radiation dose) with two "
            f"fluoroscopes (one per view) against {_fmt(one)} mSv with one fluoroscope, and the operation was shorter "
            f"(mean {_fmt(t2)} against {_fmt(t1)} minutes); the operator's dose was similar {cites.cite(TWO_FLUORO)}.")


def worked_examples(cites: Citations, level: str = "L1") -> str:
    """Two placements graded: the taught path, and the same entry angled 40 degrees toward the midline."""
    lv = load_anatomy().level(level)
    seg = segment(level, lv.example_fracture())
    good = taught_needle(seg)
    lateral = abs(good.entry[0])
    bad = needle_at(seg, lateral, good.entry[2], 40, good.caudal_deg, good.depth)
    out = []
    for name, needle in (("The taught path", good), ("The same entry, angled 40 degrees toward the midline", bad)):
        g = grade(seg, needle)
        checks = "; ".join(f"{check_name(c)}: {'yes' if g.results[c] else 'no'}" for c in CHECKS)
        verdict = "passes" if g.passed else f"fails ({g.score} of {len(CHECKS)} checks hold)"
        out.append(f"- **{name}** (entry {lateral:.1f} mm left of the midline and {good.entry[2]:.1f} mm above the "
                   f"lower endplate, {needle.medial_deg:.0f} degrees toward the midline, {needle.caudal_deg:.0f} "
                   f"degrees toward the feet, {needle.depth:.0f} mm in) {verdict}: {checks}.")
        for p in g.problems:
            out.append("    - " + cites.cited(p.text))
    ped = seg.pedicle
    out.append("")
    out.append(f"The {level} pedicle is {ped.width:g} mm wide and points {ped.angle_deg:g} degrees toward the midline; "
               f"reaching the midline of the front third from its upper outer corner takes {good.medial_deg:.0f} "
               "degrees.")
    return "\n".join(out)


def about_the_scan() -> str:
    """The real CT's source, licence and credit, and what the mask's resolution means for the grade,
    folded under one line (Markdown with HTML ``<details>``)."""
    return ("<details><summary>About the real spine: its source, its licence, and how exact the grading is"
            f"</summary>\n\n{ct.CREDIT_LONG} Nothing about this patient's history or diagnosis is known to us. "
            "The grading reads the scan's own outline of each vertebra, which the dataset provides.\n\n"
            f"{ct.RESOLUTION_NOTE}\n\n</details>")
