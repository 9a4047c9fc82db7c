"""The fracture explorer and the geometry and tables behind notebook 01."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.core.citations import Citations
from widgets.core.evidence import load_evidence
from widgets.fractures.explorer import MIN_HEIGHT_MM, FractureExplorer
from widgets.anatomy.geometry import FractureGeometry, Heights, genant_grade, reference_vertebra
from widgets.fractures.texts import EXAMPLES, examples_markdown, genant_table_markdown

REF = reference_vertebra()


def plain(html_value: str) -> str:
    return re.sub(r"<[^>]+>", "", html_value)


def test_reference_vertebra_is_the_measured_l5():
    ev = load_evidence()
    assert REF.expected.anterior == ev.number("fg_lumbar_L5_cook2021", "L5_anterior_height_mm.mean").value
    assert REF.expected.posterior == ev.number("fg_lumbar_L5_cook2021", "L5_posterior_height_mm.mean").value
    assert REF.depth_mm == ev.number("fg_lumbar_L5_cook2021", "L5_superior_AP_length_mm.mean").value
    assert REF.expected.middle == pytest.approx((REF.expected.anterior + REF.expected.posterior) / 2)


def test_sliders_span_from_collapse_to_the_unfractured_height():
    ex = FractureExplorer(Citations())
    for region, slider in ex.sliders.items():
        assert slider.min == MIN_HEIGHT_MM and slider.max == getattr(REF.expected, region)
        assert slider.unit == "mm" and slider.description.lower().startswith(region)


def test_a_front_collapse_of_forty_percent_is_a_grade_2_wedge():
    ex = FractureExplorer(Citations())
    anterior = round(REF.expected.anterior * 0.6, 1)  # 40 % lower at the front
    ex.set_heights(anterior, REF.expected.middle, REF.expected.posterior)
    loss = 100 * (1 - anterior / REF.expected.anterior)
    assert ex.geometry.height_loss_percent == pytest.approx(loss)
    assert ex.geometry.grade == genant_grade(loss) == 2 and ex.geometry.shape == "wedge"
    angle = math.degrees(math.atan((REF.expected.posterior - anterior) / REF.depth_mm))
    assert f"wedge angle {angle:.1f} degrees" in plain(ex.result.value)
    assert f"Height loss {loss:.1f} %" in plain(ex.result.value)


def test_each_slider_move_redraws_once_in_place():
    ex = FractureExplorer(Citations())
    fig, count = ex.drawing.view.figure, ex.drawing.view.render_count
    ex.sliders["middle"].value = 15.0
    assert ex.drawing.view.render_count == count + 1 and ex.drawing.view.figure is fig
    assert ex.geometry.fractured.middle == 15.0 and ex.geometry.shape == "biconcave"
    assert "middle 15.0 mm" in ex.drawing.view.alt
    assert (ex.drawing.outline.get_xy()[2] == [REF.depth_mm * 0.5, 15.0]).all(), "the outline moved"
    ex.set_heights(20, 20, 20)
    assert ex.drawing.view.render_count == count + 2, "three heights set together draw once"


def test_status_is_announced_to_screen_readers():
    ex = FractureExplorer(Citations())
    assert 'role="status"' in ex.result.value and 'aria-live="polite"' in ex.result.value


def test_genant_table_reads_the_evidence_bands():
    table = genant_table_markdown(Citations().plain)
    assert "| 1 | mild | 20 to 25 |" in table and "| 2 | moderate | 25 to 40 |" in table
    assert "| 3 | severe | over 40 |" in table and "| 0 | normal | under 20 |" in table


def test_worked_examples_agree_with_the_geometry():
    rows = examples_markdown().splitlines()[2:]
    assert len(rows) == len(EXAMPLES)
    shapes = {r.split(" | ")[0].strip("| "): r.split(" | ")[6] for r in rows}
    assert shapes == {"Unfractured": "none", "Front collapsed": "wedge", "Middle sunk": "biconcave",
                      "Whole body collapsed evenly": "crush", "Slight front dip": "none"}




@settings(max_examples=150, deadline=None)
@given(st.floats(0.17, 1.0), st.floats(0.17, 1.0), st.floats(0.17, 1.0))
def test_geometry_properties(fa, fm, fp):
    e = REF.expected
    g = FractureGeometry(e, Heights(e.anterior * fa, e.middle * fm, e.posterior * fp), REF.depth_mm)
    loss = g.height_loss_percent
    assert loss == pytest.approx(100 * (1 - min(fa, fm, fp)))
    assert g.grade == genant_grade(loss)
    assert (g.shape == "none") == (g.grade == 0)
    tan = (e.posterior * fp - e.anterior * fa) / REF.depth_mm
    assert g.wedge_angle_deg == pytest.approx(math.degrees(math.atan(tan)))


def test_the_explorers_legend_lists_only_what_it_draws():
    """The fracture explorer draws the vertebra and the height before the fracture, no instruments: its key says so
    (the balloon's drawing, which can show them, keeps them in its key)."""
    from widgets.procedures.balloon_view import BalloonView

    def legend(drawing) -> list[str]:
        return [t.get_text() for leg in drawing.view.figure.legends for t in leg.get_texts()]

    explorer = FractureExplorer(Citations())
    assert legend(explorer.drawing) == ["Vertebra", "Height before fracture"]
    balloon = BalloonView(Citations())
    assert {"Needle", "Balloon", "Cavity", "Cement"} <= set(legend(balloon.drawing))
