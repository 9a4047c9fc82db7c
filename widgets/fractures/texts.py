"""What notebook 01 says about a compression fracture: the Genant table, the worked examples, the
reference vertebra and how common the fractures are, and one plain sentence for any fracture.

Pure logic.  The geometry and the grading behind it are :mod:`widgets.anatomy.geometry`.
"""

from __future__ import annotations

from widgets.anatomy.geometry import (
    EXAMPLE_WEDGE, GENANT_ID, GRADE_NAMES, REFERENCE_ID, FractureGeometry, Heights, genant_thresholds,
    reference_vertebra,
)
from widgets.core.citations import Citations
from widgets.core.evidence import load_evidence


def describe(geometry: FractureGeometry) -> str:
    """One plain sentence a screen reader can read: loss, grade, shape and wedge angle."""
    loss = geometry.height_loss_percent
    shape = geometry.shape
    shape_text = "no fracture shape (under grade 1)" if shape == "none" else f"a {shape} shape"
    return (f"Height loss {loss:.1f} %: Genant {GRADE_NAMES[geometry.grade]}, {shape_text}, "
            f"wedge angle {geometry.wedge_angle_deg:.1f} degrees.")


def genant_table_markdown(cites: Citations) -> str:
    """Genant's grades as a Markdown table, thresholds read from the evidence (``cites`` numbers keys)."""
    ev = load_evidence()
    t = genant_thresholds()
    ref = cites.cite(GENANT_ID)
    rows = [("0", "normal", f"under {t.grade1_from:g}"),
            ("1", "mild", ev.raw(GENANT_ID, "grade_1_mild.height_loss_percent").replace("-", " to ")),
            ("2", "moderate", ev.raw(GENANT_ID, "grade_2_moderate.height_loss_percent").replace("-", " to ")),
            ("3", "severe", "over " + ev.raw(GENANT_ID, "grade_3_severe.height_loss_percent").lstrip(">"))]
    lines = [f"| Genant grade {ref} | Name | Height loss, % |", "|---|---|---|"]
    lines += [f"| {g} | {name} | {band} |" for g, name, band in rows]
    lines.append("")
    lines.append(f"Genant's method is semi-quantitative: a reader estimates the height loss by eye {ref}, so its "
                 "bands are a guide to that estimate, not exact cut-offs to be measured. The widgets of this course "
                 f"need a rule at each boundary, and use this convention: {t.grade1_from:g} % is grade 1 and "
                 f"{t.grade2_from:g} % is grade 2, but {t.grade3_above:g} % is still grade 2 (grade 3 is *over* "
                 f"{t.grade3_above:g} %).")
    return "\n".join(lines)


#: The even collapse of the worked examples: every wall loses this share of its height (%).
EVEN_LOSS = 35.0

#: Worked examples for notebook 01: (name, anterior, middle, posterior) heights in mm of the
#: reference L5 body; ``None`` keeps that wall's unfractured height and ``"even"`` lowers it by
#: ``EVEN_LOSS`` % (all three walls alike).  Illustrative shapes, not patient data.
EXAMPLES = (
    ("Unfractured", None, None, None),
    ("Front collapsed", EXAMPLE_WEDGE[0], EXAMPLE_WEDGE[1], None),
    ("Middle sunk", 28.0, 18.0, 25.5),
    ("Whole body collapsed evenly", "even", "even", "even"),
    ("Slight front dip", 26.0, 27.5, None),
)


def example_heights(anterior, middle, posterior) -> Heights:
    """The heights of one worked example (see :data:`EXAMPLES`)."""
    e = reference_vertebra().expected

    def wall(value, region: str) -> float:
        full = getattr(e, region)
        if value is None:
            return full
        if value == "even":
            return full * (1 - EVEN_LOSS / 100)
        return float(value)

    return Heights(wall(anterior, "anterior"), wall(middle, "middle"), wall(posterior, "posterior"))


def examples_markdown() -> str:
    """The worked examples as a Markdown table: heights, % loss, grade, shape and wedge angle."""
    ref = reference_vertebra()
    e = ref.expected
    # short headings: the eight columns fit a 1024 px window's notebook column without a sideways scroll
    lines = ["| Example | Front, mm | Middle, mm | Back, mm | Height loss, % | Genant grade | Shape | "
             "Wedge angle, degrees |", "|---|---|---|---|---|---|---|---|"]
    for name, a, m, p in EXAMPLES:
        h = example_heights(a, m, p)
        g = FractureGeometry(e, h, ref.depth_mm)
        lines.append(f"| {name} | {h.anterior:.1f} | {h.middle:.1f} | {h.posterior:.1f} | "
                     f"{g.height_loss_percent:.1f} | {g.grade} | {g.shape} | {g.wedge_angle_deg:.1f} |")
    return "\n".join(lines)


def reference_text(cites: Citations) -> str:
    ref = reference_vertebra()
    e = ref.expected
    return (f"The drawings use an unfractured L5 vertebral body measured on CT: {e.anterior:g} mm high at the "
            f"front, {e.posterior:g} mm at the back and {ref.depth_mm:g} mm deep {cites.cite(REFERENCE_ID)}. "
            f"The source gives no middle height, so the middle is drawn halfway, at {e.middle:g} mm.")


def epidemiology_text(cites: Citations) -> str:
    ev = load_evidence()
    n = ev.number("epi_us_750k_one_third", "new_vertebral_fractures_per_year_US")
    share = ev.raw("epi_us_750k_one_third", "symptomatic_fraction")
    return (f"In the United States about {n.value:,.0f} new vertebral fractures happen each year, and only "
            f"{share} of them cause symptoms {cites.cite('epi_us_750k_one_third')}.")
