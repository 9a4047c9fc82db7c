"""Every figure the module draws uses the colour-blind-safe Okabe-Ito palette (plus neutral greys)."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pytest
from matplotlib.collections import Collection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from widgets.core.citations import Citations
from widgets.core.style import COLOURS, OKABE_ITO

NEUTRAL = {"#000000", "#FFFFFF", COLOURS["bone"].upper(), COLOURS["bone_fill"].upper()}
ALLOWED = {c.upper() for c in OKABE_ITO.values()} | NEUTRAL


def is_grey(hex_colour: str) -> bool:
    """A neutral grey (red, green and blue equal): what an x-ray shows metal, cement and bone in."""
    r, g, b = (hex_colour[i:i + 2] for i in (1, 3, 5))
    return r == g == b


def colours_of(fig) -> set[str]:
    """Hex colours of every visible line, patch, collection and text in the figure."""
    found = set()

    def add(c):
        rgba = mcolors.to_rgba(c)
        if rgba[3] > 0:
            found.add(mcolors.to_hex(rgba[:3]).upper())

    for artist in fig.findobj():
        if not artist.get_visible() or artist is fig.patch:
            continue
        if isinstance(artist, Line2D):
            add(artist.get_color())
            if artist.get_marker() not in (None, "None", "", " "):
                add(artist.get_markerfacecolor())
        elif isinstance(artist, Patch):
            if artist.get_fill():
                add(artist.get_facecolor())
            if artist.get_linewidth():
                add(artist.get_edgecolor())
        elif isinstance(artist, Collection):
            for c in list(artist.get_facecolors()) + list(artist.get_edgecolors()):
                add(c)
        elif isinstance(artist, Text) and artist.get_text().strip():
            add(artist.get_color())
    return found


def procedure_figures():
    from widgets.fractures.explorer import FractureExplorer
    from widgets.procedures.balloon_view import BalloonView
    from widgets.procedures.views import StepperView
    from widgets.procedures.steps import load_procedure
    cites = Citations()
    kp = StepperView(load_procedure("kyphoplasty"), cites)
    figs = []
    for i in range(len(kp.procedure.steps)):
        kp.go(i)
        figs.append((f"kyphoplasty step {i + 1}", kp.drawing.view.figure))
    figs.append(("fracture explorer", FractureExplorer(cites).drawing.view.figure))
    figs.append(("balloon", BalloonView(cites, inflation_percent=100).drawing.view.figure))
    return figs


def outcome_figures():
    from widgets.outcomes.model import default_outcomes
    from widgets.outcomes.views import HeightExplorerView, OutcomeView
    cites = Citations()
    figs = [(f"outcome {k}", OutcomeView(o, cites).figure.figure) for k, o in default_outcomes().outcomes.items()]
    explorer = HeightExplorerView(cites)
    figs.append(("height explorer", explorer.figure.figure))
    return figs


def imaging_figures():
    from widgets.imaging.views import NeedleExercise
    from widgets.procedures.views import StepperView
    from widgets.procedures.steps import load_procedure
    cites = Citations()
    ex = NeedleExercise(cites, spine="model", seed=1)
    ex.medial.value, ex.depth.value = 40, 40
    ex.grade()                                   # the breach mark is drawn
    real = NeedleExercise(cites, spine="ct", seed=1)
    real.medial.value, real.depth.value = 40, 40
    real.grade()                                 # the anatomy revealed, the axial slice, the learning curve
    vp = StepperView(load_procedure("vertebroplasty"), cites, prepare=False)
    vp.go(vp.procedure.step_ids.index("vp_cement_inject"))
    vp.leaks.value = "show"                      # the leakage routes are drawn
    return [("needle exercise", ex.views.figure), ("vertebroplasty leak routes", vp.drawing.figure),
            ("needle exercise on the real spine", real.views.figure), ("axial slice", real.axial.figure),
            ("learning curve", real.curve.figure)]


@pytest.mark.parametrize("source", [procedure_figures, outcome_figures, imaging_figures])
def test_figures_use_only_the_palette(source):
    for name, fig in source():
        fig.canvas.draw()
        stray = {c for c in colours_of(fig) - ALLOWED if not is_grey(c)}
        assert not stray, f"{name} uses colours outside Okabe-Ito and neutral greys: {sorted(stray)}"


def test_the_check_catches_a_stray_colour():
    from widgets.core.figures import new_figure
    fig = new_figure()
    fig.add_subplot().plot([0, 1], [0, 1], color="#FF0000")
    assert "#FF0000" in colours_of(fig) - ALLOWED


def test_static_charts_use_only_the_palette(monkeypatch):
    from tests.conftest import ROOT
    from widgets.classroom import results as cr
    from widgets.classroom import results_view as crv
    from widgets.recovery import views as rv
    captured = []
    for module in (crv, rv):
        monkeypatch.setattr(module, "show_figure", lambda fig, alt, **kw: captured.append((alt, fig)))
    results = cr.read_class_folder(ROOT / "lessons" / "sample-exports")
    crv.score_chart(results)
    crv.rule_chart(results)
    rv.timeline_figure()
    rv.natural_rate_figure()
    assert len(captured) == 4
    for alt, fig in captured:
        fig.canvas.draw()
        stray = colours_of(fig) - ALLOWED
        assert not stray, f"chart '{alt[:40]}' uses colours outside the palette: {sorted(stray)}"
