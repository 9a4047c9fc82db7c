"""After the procedure: the day's timeline, after-care, the natural rate and the quiz."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, SHARED
from widgets.core.loading import ContentError
from widgets.core.evidence import load_evidence
from widgets.recovery.model import (LEAFLET_MINUTES, aftercare_markdown, bed_rest_text, load_recovery, natural_rate,
                              natural_rate_text, quiz_questions, timeline, timeline_markdown)
from widgets.core.citations import Citations
from widgets.recovery.views import aftercare_quiz

EV = load_evidence()
RECOVERY = ROOT / "widgets/content/recovery.yaml"


@pytest.mark.parametrize("name,key", [("vertebroplasty", "mean_procedure_minutes_VP"),
                                      ("kyphoplasty", "mean_procedure_minutes_KP")])
def test_timeline_is_the_trial_time_then_the_leaflets_hour_then_discharge(name, key):
    segs = timeline(name)
    minutes = float(EV.number("pf_duration_kaviar", key))
    assert [s.kind for s in segs] == ["procedure", "rest", "discharge"]
    assert (segs[0].start, segs[0].end, segs[0].source) == (0, minutes, "pf_duration_kaviar")
    assert (segs[1].start, segs[1].end, segs[1].source) == (minutes, minutes + 60, "kochan2015")
    assert segs[2].start == segs[1].end and segs[2].end is None


def test_leaflet_durations_are_the_leaflets_own():
    seed = SHARED / "source" / "seed.txt"
    if not seed.exists():
        pytest.skip("the shared leaflet text is not available here")
    text = seed.read_text()
    assert LEAFLET_MINUTES == (10, 60)
    assert "10 minutes" in text and "one hour" in text


def test_timeline_table_lists_both_days():
    table = timeline_markdown(Citations().plain)
    assert table.count("| Vertebroplasty |") == 3 and table.count("| Kyphoplasty |") == 3


def test_timeline_table_reads_as_words_not_as_raw_cells():
    """Issue 23: a student met '91.8 | then'. Each row says when, in words: 'minute 31.8 to minute 91.8', and the
    last step of each day 'from minute 91.8 on'."""
    rows = timeline_markdown(Citations().plain).splitlines()[2:]
    whens = [row.split(" | ")[2] for row in rows]
    assert all(re.fullmatch(r"minute [\d.]+ to minute [\d.]+|from minute [\d.]+ on", w) for w in whens), whens
    assert not any(cell.strip() == "then" for row in rows for cell in row.split("|"))
    vp = [float(x) for x in re.findall(r"[\d.]+", " ".join(whens[:3]))]
    assert vp == sorted(vp), "each row starts where the row before it ended"


def test_natural_rate_is_lindsay_2001():
    rate, low, high = natural_rate()
    assert rate == EV.number("nf_lindsay2001_natural_history", "new_VF_within_1yr_after_incident_VF_percent")
    assert float(low) < float(rate) < float(high)
    text = natural_rate_text(Citations().plain)
    assert f"{rate} %" in text and f"{low} to {high}" in text and "[1]" in text


def test_bed_rest_text_uses_the_verified_range():
    text = bed_rest_text(Citations().plain)
    assert EV.raw("pf_bed_rest_medscape", "post_procedure_bed_rest_hours") in text


def test_aftercare_covers_the_leaflets_four_points():
    ids = [i.id for i in load_recovery().aftercare]
    assert ids == ["ac_lie_flat", "ac_incision_pain", "ac_limit_activity", "ac_treat_osteoporosis"]
    assert aftercare_markdown(Citations().plain).count("\n- ") == 3


def test_quiz_has_one_answer_per_question_and_its_feedback():
    qs = quiz_questions()
    assert len(qs) >= 3 and all(sum(o.correct for o in q.options) == 1 for q in qs)
    quiz = aftercare_quiz(Citations())
    q = qs[1]
    quiz.choices[q.id].value = q.answer.id
    quiz.buttons[q.id].click()
    assert "Correct." in quiz.feedback[q.id].value and "Score: 1 of 3 correct" in quiz.score_html.value


def _load_broken(tmp_path, old, new):
    text = RECOVERY.read_text()
    assert old in text
    path = tmp_path / "recovery.yaml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as info:
        load_recovery(path)
    assert str(path) in str(info.value)
    return info.value


def test_a_duration_not_in_the_leaflet_is_refused(tmp_path):
    err = _load_broken(tmp_path, "leaflet_minutes: 60", "leaflet_minutes: 45")
    assert "timelines.vertebroplasty[1].leaflet_minutes" in err.field and "45" in str(err)


def test_a_rest_without_a_duration_is_refused(tmp_path):
    err = _load_broken(tmp_path, "      leaflet_minutes: 60\n", "")
    text = RECOVERY.read_text()
    assert "exactly one of minutes" in str(err) and err.field == "timelines.vertebroplasty[1]"
    assert err.line == text[:text.index("- id: tl_vp_lie_flat")].count("\n") + 1, "points at the segment"


def test_an_unverified_evidence_value_is_refused(tmp_path):
    err = _load_broken(tmp_path, "key: mean_procedure_minutes_VP", "key: p")
    assert "not a verified number" in str(err) and "timelines.vertebroplasty[0].minutes" in err.field


def test_the_natural_rate_chart_shows_its_whole_title_and_labels():
    """Nothing of the chart's text is cut off at the figure's edge (its title once ran past the right edge)."""
    from widgets.recovery.views import natural_rate_chart

    fig, alt = natural_rate_chart()
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    texts = [ax.title, ax.xaxis.label, *ax.get_yticklabels()]
    for text in texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.x1 and box.y0 >= 0 and box.y1 <= fig.bbox.y1, text.get_text()
    rate, low, high = natural_rate()
    assert f"{rate} %" in ax.title.get_text() and f"{low} to {high} %" in ax.title.get_text() and f"{rate} %" in alt
