"""Pictures drawn once at build time (widgets.core.pictures): notebook 05's outcome pictures and the first
fluoroscopy picture of notebooks 02, 03 and 04 are shipped, current and complete, so Run All and the first 'Show
all panels' draw nothing; a stale picture is never shown."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT
from tests.idle_loop import kernel  # noqa: F401 - a fixture the tests below use
from widgets.core.citations import Citations
from widgets.core.figures import StoredFigureView, new_figure
from widgets.core.pictures import PictureStore, picture_key, store_dir
from widgets.core.settings import use_settings
from widgets.outcomes.model import default_outcomes
from widgets.outcomes.views import OutcomeView

SOURCE = (ROOT / "notebooks" / "05-comparing-outcomes.md").read_text(encoding="utf-8")
#: What notebook 05 shows: each outcome_evidence("id", cites, [panels]) call, in order.
SHOWN = [(m.group(1), eval(m.group(2))) for m in re.finditer(r'outcome_evidence\("(\w+)", cites, (\[[^\]]*\])\)', SOURCE)]


@pytest.fixture(scope="module")
def views():
    cites = Citations.for_notebook("05-comparing-outcomes")
    outcomes = default_outcomes()
    return [OutcomeView(outcomes.outcome(oid), cites, panels) for oid, panels in SHOWN]


def test_notebook_05_draws_no_outcome_picture_when_it_runs(views, vkp_settings):
    """Every picture it shows, and every 'Show all panels' picture, comes from the store: nothing is drawn."""
    assert vkp_settings.pictures == "read", "the default: a student's run reads the store"
    assert len(views) == 8
    for view in views:
        assert view.figures["main"].stored, f"{view.outcome.id}: drawn at Run All (the store is out of date: make build)"
        assert view.figures["main"].render_count == 0
        if view.toggle is not None:
            view.toggle.click()
            assert view.figures["all"].stored, f"{view.outcome.id}: 'Show all panels' drew its figure"
            view.toggle.click()


def _first_fluoroscopy_views():
    """The fluoroscopy views notebooks 02, 03 and 04 show first, made as the notebooks make them."""
    from widgets.imaging.views import NeedleExercise
    from widgets.procedures.steps import load_procedure
    from widgets.procedures.views import StepperView
    steppers = [StepperView(load_procedure(name), Citations.for_notebook(nb), prepare=False).drawing
                for name, nb in (("vertebroplasty", "02-vertebroplasty"), ("kyphoplasty", "03-kyphoplasty"))]
    learn = NeedleExercise(Citations.for_notebook("04-needle-placement"), level="L1", mode="learn").views
    return {"fluoro-steps-vertebroplasty-0": steppers[0], "fluoro-steps-kyphoplasty-0": steppers[1],
            "fluoro-needle-learn-L1": learn}


def test_the_store_holds_exactly_what_the_notebooks_show(views):
    for view in views:
        if view.toggle is not None and "all" not in view.figures:
            view.show_all(True)
    outcomes = {f.name for v in views for f in v.figures.values()}
    fluoroscopy = set(_first_fluoroscopy_views())
    assert set(PictureStore().names()) == outcomes | fluoroscopy
    assert sorted(p.stem for p in store_dir().glob("*.png")) == sorted(outcomes), "a picture file nobody shows"
    assert sorted(p.stem for p in store_dir().glob("*.jpg")) == sorted(fluoroscopy), "an x-ray file nobody shows"


def test_the_first_fluoroscopy_pictures_come_from_the_store_and_are_what_a_draw_gives(vkp_settings):
    """Notebooks 02, 03 and 04 open on a fluoroscopy picture in the same state on every run: it is shown from the
    store (nothing drawn for it at Run All), and it is the picture drawing that state gives, pixel for pixel
    within JPEG's rounding; with the store switched off the same views draw it."""
    shown = _first_fluoroscopy_views()
    for name, fluoro in shown.items():
        assert fluoro.view.stored, f"{name}: drawn at Run All (the store is out of date: make build)"
        assert PictureStore().entry(name)["alt"] == fluoro.alt_text()
    with use_settings(vkp_settings.replace(pictures="off")):
        drawn = _first_fluoroscopy_views()
    for name, fluoro in drawn.items():
        assert not fluoro.view.stored and fluoro.view.render_count == 1
        stored = np.asarray(Image.open(io.BytesIO(PictureStore().get(name, shown[name].picture_key(80), ".jpg"))),
                            dtype=float)
        fresh = np.asarray(Image.open(io.BytesIO(fluoro.view.image_bytes)), dtype=float)
        assert stored.shape == fresh.shape, name
        assert np.abs(stored - fresh).mean() < 1.0, f"{name}: the stored picture is not what the view draws"


def test_in_a_kernel_a_stored_first_picture_leaves_the_radiographs_until_the_kernel_is_idle(kernel, monkeypatch):
    """Run All shows the stored x-ray and computes no radiograph (the costly part of a fluoroscopy view); once the
    kernel is idle the figure is drawn with them, and it is the stored picture (within JPEG's rounding)."""
    shown = _first_fluoroscopy_views()
    for name, fluoro in shown.items():
        assert fluoro.view.stored and fluoro.view.render_count == 0, name
        for kind, art in fluoro.art.items():
            assert not art.image.get_array().any(), f"{name}, {kind}: a radiograph computed at Run All"
    kernel.idle(monkeypatch)
    for name, fluoro in shown.items():
        for kind, art in fluoro.art.items():
            assert art.image.get_array().any(), f"{name}, {kind}: no radiograph once the kernel was idle"
        fluoro.update(render=True)
        drawn = np.asarray(Image.open(io.BytesIO(fluoro.view.image_bytes)), dtype=float)
        stored = np.asarray(Image.open(io.BytesIO(PictureStore().get(name, fluoro.picture_key(80), ".jpg"))),
                            dtype=float)
        assert np.abs(stored - drawn).mean() < 1.0, f"{name}: drawn later, not the picture shown first"


def test_in_a_kernel_a_change_before_the_idle_drawing_draws_the_radiographs_at_once(kernel):
    learn = _first_fluoroscopy_views()["fluoro-needle-learn-L1"]
    learn.update(labels=False)
    assert learn.view.render_count == 1
    assert all(art.image.get_array().any() for art in learn.art.values()), "drawn without its radiographs"


def test_a_view_shown_from_the_store_draws_at_its_first_change(vkp_settings):
    """The first change after a stored picture draws the figure (a click never waits for nothing)."""
    learn = _first_fluoroscopy_views()["fluoro-needle-learn-L1"]
    before = learn.widget.value
    learn.update(labels=False)
    assert learn.view.render_count == 1 and learn.widget.value != before
    assert "Labels are off" in learn.alt_text()


def test_a_stored_picture_is_the_picture_the_view_would_draw(views):
    view = next(v for v in views if v.outcome.id == "new_fractures")
    stored = view.figures["main"]
    drawn = stored.figure                                   # drawn now, on request
    size = (drawn.get_figwidth() * stored.dpi, drawn.get_figheight() * stored.dpi)
    width, height = Image.open(io.BytesIO(stored.png)).size
    assert abs(width - size[0]) <= 1 and abs(height - size[1]) <= 1, "the stored picture has the drawn one's size"
    assert PictureStore().entry(stored.name)["alt"] == stored.alt


def test_a_stale_or_switched_off_picture_is_drawn_and_only_the_build_stores(tmp_path, vkp_settings):
    store = PictureStore(tmp_path)
    calls = []

    def draw():
        calls.append(1)
        fig = new_figure(2, 1)
        fig.add_subplot().plot([0, 1], [0, 1])
        return fig

    def pictures(value):      # VKP_PICTURES=value, as the settings read it
        return use_settings(vkp_settings.replace(pictures=value))

    with pictures("read"):
        first = StoredFigureView(draw, "A line.", name="p", code="v1", store=store)
        assert not first.stored and calls == [1] and store.names() == [], "a student's run stores nothing"
    with pictures("write"):
        StoredFigureView(draw, "A line.", name="p", code="v1", store=store)
        assert store.names() == ["p"] and calls == [1, 1]
    with pictures("read"):
        assert StoredFigureView(draw, "A line.", name="p", code="v1", store=store).stored and calls == [1, 1]
        for changed in ({"alt": "Another line."}, {"code": "v2"}):
            args = {"alt": "A line.", "code": "v1", **changed}
            view = StoredFigureView(draw, args["alt"], name="p", code=args["code"], store=store)
            assert not view.stored, f"shown although {changed} changed"
    with pictures("off"):
        assert not StoredFigureView(draw, "A line.", name="p", code="v1", store=store).stored
    with pictures("sometimes"), pytest.raises(ValueError, match="VKP_PICTURES='sometimes': use one of read, write, off"):
        StoredFigureView(draw, "A line.", name="p", code="v1", store=store)
    assert picture_key("a", "b", "c") != picture_key("a", "b", "d")
