"""Views of notebook 05: every number a widget displays traces to evidence, and controls render once."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SHARED
from widgets.core.citations import Citations
from widgets.core.controls import RadioGroup
from widgets.core.evidence import Reported, load_evidence
from widgets.outcomes.height import ExplorerInputError, HeightExplorer
from widgets.outcomes.views import (HeightExplorerView, LeafletView, OutcomeView, evidence_table, explorer_summary,
                                   outcome_evidence, visible_text)
from widgets.core.numbers import fmt, leaves, recompute
from widgets.outcomes.model import default_outcomes
from widgets.outcomes.plots import draw_outcome
from tests.unit.student_text import shown_numbers

EV = load_evidence()
OUT = default_outcomes()


def traced(numbers) -> set[str]:
    out = set()
    for n in numbers:
        assert recompute(EV, n) == pytest.approx(float(n), abs=1e-9), n
        for leaf in leaves(n):
            if isinstance(leaf, Reported):
                assert leaf.key.partition("#")[0] not in EV.unverified_values(leaf.evidence_id)
        out.add(fmt(n))
    return out


def alt_of(view) -> str:
    m = re.search(r'alt="([^"]*)"', view.figure.widget.value)
    return visible_text(m.group(1))


def img_src(view) -> str:
    return re.search(r'src="([^"]+)"', view.figure.widget.value).group(1)


@pytest.fixture
def cites():
    return Citations()


# ---------------------------------------------------------------- explorer
def explorer_text(view) -> str:
    return visible_text(view.readout.value) + " " + alt_of(view)


def check_explorer_numbers(view):
    state = view.state
    allowed = traced(state.numbers())
    text = explorer_text(view)
    text = text.replace(f"grade {state.grade}", "grade")   # the grade is genant_grade(loss), tested in the model
    for number in shown_numbers(text):
        assert number in allowed, f"{number!r} is shown but traces to no evidence figure: {text}"
    return text


@pytest.mark.parametrize("level, loss, procedure, shape", [
    ("L5", 30, "kyphoplasty", "wedge"), ("L5", 55, "kyphoplasty", "crush"), ("T9", 22, "kyphoplasty", "biconcave"),
    ("T2", 41, "vertebroplasty", "wedge"), ("L5", 0, "kyphoplasty", "wedge"), ("L5", 35, "vertebroplasty", "crush"),
])
def test_every_number_the_explorer_shows_traces_to_evidence(cites, level, loss, procedure, shape):
    view = HeightExplorerView(cites, level=level, loss=loss, procedure=procedure, shape=shape)
    text = check_explorer_numbers(view)
    assert len(shown_numbers(text)) >= 5
    # Xing's MD (unit not verified) and the 7-RCT outlier are never inputs of what is shown.
    sources = {leaf.evidence_id for n in view.state.numbers() for leaf in leaves(n) if isinstance(leaf, Reported)}
    assert not sources & {"hr_xing2013_anterior_height", "hr_meta7rct_cm", "hr_patel2022_scope"}


def test_each_control_change_renders_once_and_updates_picture_and_words(cites):
    view = HeightExplorerView(cites)
    for control, value in [(view.loss, 31.0), (view.shape, "crush"), (view.procedure, "vertebroplasty"),
                           (view.level, "T9"), (view.grade, 3), (view.level, "L5"), (view.loss, 12.0)]:
        before_count, before_src, before_alt = view.figure.render_count, img_src(view), alt_of(view)
        control.value = value
        assert view.figure.render_count == before_count + 1, f"{control.description} rendered more than once"
        assert img_src(view) != before_src and alt_of(view) != before_alt
        check_explorer_numbers(view)
    # The grade list moved the slider to where grade 3 starts, and follows the slider back.
    assert view.grade.value == 0 and view.state.loss.value == 12.0
    assert 'role="status"' in view.readout.value


def test_grade_dropdown_sets_the_slider(cites):
    view = HeightExplorerView(cites, loss=10)
    view.grade.value = 2
    assert view.loss.value == 25.0 and view.state.grade == 2
    assert "moderate (grade 2)" in visible_text(view.readout.value)


def test_vertebroplasty_readout_says_no_band_and_names_the_pooled_line(cites):
    view = HeightExplorerView(cites, procedure="vertebroplasty")
    text = visible_text(view.readout.value)
    assert "no verified VP-only gain" in text and "pooled" in text
    assert "orange band" not in alt_of(view)


def test_model_error_is_shown_in_the_widget_not_raised(cites):
    class Refusing(HeightExplorer):
        def explore(self, *args, **kwargs):
            raise ExplorerInputError("height loss must be between 0 and 75 %; 99 is out of range")
    view = HeightExplorerView(cites)
    view.model = Refusing(OUT)
    view.loss.value = 40
    assert "Cannot show this" in view.readout.value and "between 0 and 75" in view.readout.value


def test_controls_are_labelled_for_keyboard_and_screen_reader_users(cites):
    view = HeightExplorerView(cites)
    for control in (view.level, view.shape, view.grade, view.procedure):
        assert control.description and control.style.description_width == "initial"
    assert view.loss.description.startswith("Height loss") and view.loss.unit == "%"
    assert len(view.procedure.tooltips) == len(view.procedure.options)
    # each assumption names its source as a reader would (issue 23: no internal evidence id reaches a student)
    assert "Every assumption" in view.assumptions.value and "(Cook 2021, International Journal of Spine Surgery)" \
        in view.assumptions.value and "fg_lumbar_L5_cook2021" not in view.assumptions.value


# ---------------------------------------------------------------- outcome pictures and tables
#: The panels notebook 05 opens each outcome with (the take-home message's picture).
MAIN_PANELS = {"height_restoration": ["height_mm"], "kyphotic_angle": ["angle_deg"], "pain_timecourse": ["evans_pain"],
               "pain_trials": ["sham_difference"], "cement_leakage": ["leak_rates"], "cement_embolism": ["pce_rates"],
               "new_fractures": ["nf_vertos2", "nf_kaviar"], "procedure_time": ["duration"]}


def test_the_notebook_opens_each_outcome_with_the_panels_tested_here():
    from tests.conftest import ROOT
    source = (ROOT / "notebooks" / "05-comparing-outcomes.md").read_text(encoding="utf-8")
    shown = {m.group(1): eval(m.group(2)) for m in re.finditer(r'outcome_evidence\("(\w+)", cites, (\[[^\]]*\])\)', source)}
    assert shown == MAIN_PANELS and set(shown) == set(OUT.outcomes), "every outcome opens with its picture"


@pytest.mark.parametrize("outcome_id", list(OUT.outcomes))
def test_every_number_an_outcome_picture_shows_traces_to_evidence(cites, outcome_id):
    outcome = OUT.outcome(outcome_id)
    view = OutcomeView(outcome, cites, MAIN_PANELS[outcome_id])
    numbers = list(outcome.numbers)
    for panel in outcome.panels:
        for row in panel.rows:
            numbers += row.numbers
        for s in panel.series:
            numbers += s["means"] + s["sds"]
    allowed = traced(numbers)
    main_alt = alt_of(view)
    view.show_all(True)
    for text in (main_alt, alt_of(view)):
        # The kind of evidence is a label from evidence.yaml (e.g. 'conference abstract of 24-month results').
        # Longest first, so 'RCT' does not cut a number out of 'RCT (sham-controlled, 1-year follow-up)'.
        for kind in sorted({EV.entry(r.evidence_id).evidence_type for r in outcome.rows}, key=len, reverse=True):
            text = text.replace(kind, "")
        for number in shown_numbers(text):
            assert number in allowed, f"{outcome_id}: {number!r} traces to no evidence figure"
    # The whole picture has every row of every panel; the main one only the rows of its panels.
    main_rows = [r for p in outcome.panels if p.spec.id in MAIN_PANELS[outcome_id] for r in p.rows]
    for row in outcome.rows:
        assert (f"{row.label} {cites.plain.cite(row.evidence_id)}" in main_alt) == (row in main_rows), row.label
        assert f"{row.label} {cites.plain.cite(row.evidence_id)}" in alt_of(view), row.label


@pytest.mark.parametrize("outcome_id", list(OUT.outcomes))
def test_every_source_in_an_outcome_table_links_to_its_reference(cites, outcome_id):
    """The table's numbers are links to the reference list, as in the Markdown, and name the source
    (first author, year) on hover."""
    outcome = OUT.outcome(outcome_id)
    md = evidence_table(outcome_id, cites).data
    for eid in outcome.evidence_ids():
        n = cites.number(eid)
        link = re.search(rf'\[{n}\]\(#ref-{n} "([^"]+)"\)', md)
        assert link, f"{outcome_id}: source {n} ({eid}) is not a link to #ref-{n}"
        entry = EV.entry(eid)
        surname = entry.source.authors.split(",")[0].split(" ")[0]
        if "not " not in entry.source.authors:
            assert link.group(1).startswith(surname), (eid, link.group(1))
        year = re.search(r"\d{4}", str(entry.source.year))
        if year and not str(entry.source.year).startswith("not "):   # a year the page did not show is not shown
            assert year.group(0) in link.group(1), (eid, link.group(1))


def test_height_picture_shows_spread_kind_and_both_sides(cites):
    view = OutcomeView(OUT.outcome("height_restoration"), cites, ["height_mm"])
    alt = alt_of(view)
    assert "1.5, SD 2.9 (between patients)" in alt and "cohort study (retrospective)" in alt
    view.show_all(True)
    alt = alt_of(view)
    assert "-1.27, 95% CI -1.86 to -0.67" in alt
    assert "no significant difference (anterior p = 0.226" in alt   # Beall beside JOSR, not averaged
    assert "3.67" not in alt and "7.1" not in alt
    table = evidence_table("height_restoration", cites).data
    assert "Not plotted:" in table and "3.67" not in table and "7.1" not in table


def test_values_that_barely_differ_are_not_drawn_far_apart(cites):
    """KAVIAR's device-related embolism, 1 of 191 against 1 of 190: on an axis zoomed to the two points
    they looked far apart; an axis from zero shows them as the same small rate."""
    outcome = OUT.outcome("cement_embolism")
    fig = draw_outcome(outcome, cites)
    axis = {p.spec.id: ax for p, ax in zip(outcome.panels, fig.axes)}
    low, high = axis["device_embolism"].get_xlim()
    assert low <= 0 < 0.53 < high
    # Values that differ widely keep an axis fitted to them.
    low, high = axis["pce_rates"].get_xlim()
    assert low > 0


def test_the_whole_picture_is_one_press_away_and_never_redrawn(cites):
    view = OutcomeView(OUT.outcome("cement_leakage"), cites, ["leak_rates"])
    main = view.figure
    assert view.toggle.description == "Show all 4 panels" and "Showing 1 of 4 panels" in view.status.value
    assert 'role="status"' in view.status.value
    view.toggle.click()
    whole = view.figure
    assert whole is not main and view.body.children == (whole.widget,)
    assert "Showing 4 of 4 panels" in view.status.value and view.toggle.description == "Show only the main panel"
    view.toggle.click()
    view.toggle.click()
    assert view.figure is whole and (main.render_count, whole.render_count) == (1, 1)
    # An outcome shown whole needs no button.
    assert OutcomeView(OUT.outcome("procedure_time"), cites).toggle is None
    with pytest.raises(ValueError, match="no panel 'angle'.*angle_deg, angle_kp_vs_vp"):
        OutcomeView(OUT.outcome("kyphotic_angle"), cites, ["angle"])


def test_before_the_notebook_runs_a_picture_says_what_it_will_show(cites):
    """The notebook stores the picture's plain text (nbval compares it): one line, no image data."""
    bundle = outcome_evidence("new_fractures", cites, ["nf_pooled", "nf_kaviar"]).picture._repr_mimebundle_()
    assert bundle["text/plain"] == (
        "[Picture, drawn when the notebook runs: Randomised and non-randomised studies pooled, KP and VP against "
        "non-surgical care (percent of patients; not proof of prevention); KAVIAR, KP against VP, new fractures on "
        "radiographs (percent of patients followed) (and 2 more panels on request)]")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_evidence_table_cell_output(cites):
    md = evidence_table("new_fractures", cites)
    assert ("| No procedure, women with a new vertebral fracture, next year | non-surgical | 19.2 | "
            "95% CI 13.6 to 24.8 |") in md.data
    assert "*Context only, not comparable with the trial rows below" in md.data
    summary = explorer_summary(cites, level="L5", loss=30).data
    assert "30 % height loss: moderate (grade 2)" in summary
    assert "expected anterior height at L5 (mm): 30.3 (Cook 2021, International Journal of Spine Surgery)" in summary
    assert not re.search(r"\b(fg|hr)_\w+", summary), "no evidence file's internal id in what a student reads"


def test_tables_and_the_worked_example_are_folded_under_a_summary_that_says_what_they_hold(cites):
    md = evidence_table("new_fractures", cites).data
    assert md.startswith("<details>\n<summary><strong>Full evidence: new fractures</strong> "
                         "(8 results from 4 sources; select to show)</summary>\n\n")
    assert md.rstrip().endswith("</details>") and md.count("| Result | Arm |") == 4   # every panel's table inside
    summary = explorer_summary(cites, level="L5", loss=30).data
    assert summary.startswith("<details>\n<summary><strong>One case in words, to check against the picture"
                              "</strong> (L5 wedge, 30 % loss, kyphoplasty; 20 assumptions; select to show)</summary>")


# ---------------------------------------------------------------- leaflet and questions
def test_leaflet_table_numbers_trace_and_claims_are_paraphrased(cites):
    view = LeafletView(cites)
    numbers = [n for _, _, used in OUT.claims() for n in used]
    allowed = traced(numbers)
    text = visible_text(view.table.value.split("</summary>", 1)[1])   # the fold's summary counts claims
    for number in shown_numbers(text):
        assert number in allowed, number
    assert "<th scope='col'>The leaflet says</th>" in view.table.value
    assert cites.plain.cite("kochan2015") in text
    # Folded, with citation numbers that link to the reference list, as in the notebook's Markdown.
    summary = re.search(r"<details><summary>(.*?)</summary>", view.table.value).group(1)
    assert visible_text(summary) == "The leaflet's claims beside the evidence (6 claims side by side; select to show)"
    assert view.table.value.index("<details>") < view.table.value.index("<table")
    n = cites.number("kochan2015")
    assert f'[<a href="#ref-{n}" title="Kochan 2015"' in view.table.value
    # The leaflet's claims are our paraphrase: no run of eight words is copied from the leaflet.
    seed = SHARED / "source" / "seed.txt"
    if not seed.exists():
        pytest.skip(f"{seed} is not present")
    words = re.findall(r"[a-z]+", seed.read_text(encoding="utf-8").lower())
    runs = {" ".join(words[i:i + 8]) for i in range(len(words) - 7)}
    ours = re.findall(r"[a-z]+", text.lower())
    copied = [" ".join(ours[i:i + 8]) for i in range(len(ours) - 7) if " ".join(ours[i:i + 8]) in runs]
    assert not copied, f"copied from the leaflet: {copied[:2]}"


def test_patient_question_feedback(cites):
    view = LeafletView(cites)
    card = view.cards[0]
    card.check.click()
    assert "Choose one of the answers first" in visible_text(card.feedback.value)
    wrong = next(o.id for o in card.question.options if not o.correct)
    card.choice.value = wrong
    card.check.click()
    assert "Not the best answer" in card.feedback.value
    right = next(o.id for o in card.question.options if o.correct)
    card.choice.value = right
    card.check.click()
    feedback = visible_text(card.feedback.value)
    assert "Good answer" in feedback and "[" in feedback and "{" not in feedback
    assert card.check.description == "Check my answer"
    assert 'role="status"' in card.feedback.value


def test_patient_question_answers_are_a_labelled_group_that_wraps_long_answers(cites):
    """ipywidgets' RadioButtons drew long answers over one another; the core radio group is a fieldset
    whose legend is the question, stacked so each answer wraps on its own lines."""
    for card in LeafletView(cites).cards:
        assert isinstance(card.choice, RadioGroup) and card.choice.vertical
        assert card.choice.description == card.question.prompt
        assert [label for label, _ in card.choice.options] == [o.text for o in card.question.options]


def test_notebook_reference_list_covers_every_source_its_widgets_cite():
    """The notebook ends with Citations.for_notebook(...).references(), which numbers the keys of its
    Markdown; the widgets must cite nothing else, or a number under a plot would have no reference."""
    from tests.conftest import ROOT
    path = ROOT / "notebooks" / "05-comparing-outcomes.ipynb"
    cites = Citations.for_notebook(path)
    before = cites.keys
    for outcome_id in OUT.outcomes:
        outcome_evidence(outcome_id, cites).picture.show_all(True)
    HeightExplorerView(cites)
    LeafletView(cites)
    for outcome_id in OUT.outcomes:
        evidence_table(outcome_id, cites)
    assert cites.keys == before, f"cited by widgets only: {sorted(set(cites.keys) - set(before))}"
