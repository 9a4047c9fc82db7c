"""The shared slider and figure view: labelled, range-checked, rendered once per change."""

from __future__ import annotations

import re

import matplotlib
import pytest
import traitlets

from widgets.core.controls import Slider
from widgets.core.figures import FigureView, new_figure
from widgets.core.style import COLOURS, CYCLE, OKABE_ITO


def test_slider_keeps_label_unit_and_range():
    s = Slider("Height loss", min=0, max=80, value=30, unit="%")
    assert (s.description, s.unit, s.value) == ("Height loss", "%", 30.0)
    s.value = 45
    assert s.value == 45.0
    assert repr(s) == "Slider('Height loss': 45 %)"


def test_slider_out_of_range_is_a_clear_error():
    s = Slider("Height loss", min=0, max=80, value=30, unit="%")
    with pytest.raises(traitlets.TraitError, match=r"'Height loss' must be between 0 and 80 %; 150 is out"):
        s.value = 150
    assert s.value == 30.0, "a refused value leaves the control as it was"


def test_slider_needs_a_name_and_a_range():
    with pytest.raises(ValueError, match="accessible name"):
        Slider("", min=0, max=1, value=0)
    with pytest.raises(ValueError, match="min"):
        Slider("x", min=5, max=1, value=2)


def test_figure_view_has_alt_text_and_renders_in_place():
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    view = FigureView(fig, alt='A line "rising"')
    first = view.widget.value
    assert view.render_count == 1
    assert 'alt="A line &quot;rising&quot;"' in first and first.startswith('<img src="data:image/png;base64,')
    line.set_ydata([1, 0])
    view.render(alt="A line falling")
    assert view.render_count == 2 and view.widget.value != first and 'alt="A line falling"' in view.widget.value
    assert view.figure is fig, "the same figure is updated, not rebuilt"


def test_palette_is_okabe_ito():
    okabe = {c.upper() for c in OKABE_ITO.values()}
    assert len(okabe) == 8
    assert {c.upper() for c in CYCLE} <= okabe
    for idea in ("vertebroplasty", "kyphoplasty", "non_surgical", "sham"):
        assert COLOURS[idea].upper() in okabe
    assert len({COLOURS[k] for k in ("vertebroplasty", "kyphoplasty", "non_surgical", "sham")}) == 4
    new_figure()  # applies the module style
    cycle = [c["color"].upper() for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle == [c.upper() for c in CYCLE]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in cycle)
