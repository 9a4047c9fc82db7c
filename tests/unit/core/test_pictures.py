"""Pictures drawn once at build time (widgets.core.pictures): notebook 05's outcome pictures are shipped, current
and complete, so Run All and the first 'Show all panels' draw nothing; a stale picture is never shown."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.conftest import ROOT
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


def test_the_store_holds_exactly_what_the_notebook_shows(views):
    for view in views:
        if view.toggle is not None and "all" not in view.figures:
            view.show_all(True)
    wanted = {f.name for v in views for f in v.figures.values()}
    assert set(PictureStore().names()) == wanted
    assert sorted(p.stem for p in store_dir().glob("*.png")) == sorted(wanted), "a picture file nobody shows"


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
