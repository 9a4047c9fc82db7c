"""Procedure steps as data, order grading, shuffling, attempts, export and decision points."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, source_markdown_keys
from widgets.core.citations import Citations
from widgets.core.loading import ContentError
from widgets.core.course import PROCEDURES
from widgets.procedures.exercise import AttemptHistory, attempt_number
from widgets.procedures.steps import (OrderResult, compare_steps,
                                grade_decision, grade_order, load_procedure, load_procedure_file, load_questions,
                                move, procedure_path, questions_for, shuffled_ids, steps_markdown)

VP = load_procedure("vertebroplasty")
KP = load_procedure("kyphoplasty")


# ----------------------------------------------------------------------------- the steps

def test_contract_steps_have_id_title_text():
    for proc in (VP, KP):
        assert proc.steps, proc.name
        for s in proc.steps:
            assert s.id and s.title and s.text


def test_vertebroplasty_follows_the_leaflet_order():
    # Leaflet: fluoroscopy; skin cleansed and numbed; needle; cement injected; set; lie flat; discharge.
    assert [s.phase for s in VP.steps] == ["fluoroscopy", "skin_prep", "needle", "cement_inject",
                                           "cement_set", "lie_flat", "discharge"]
    assert not any("balloon" in s.phase for s in VP.steps), "vertebroplasty has no balloon"


def test_kyphoplasty_inflates_then_deflates_then_fills_the_cavity():
    phases = [s.phase for s in KP.steps]
    assert phases.index("needle") < phases.index("balloon_inflate") < phases.index("balloon_deflate") \
        < phases.index("cement_inject") < phases.index("cement_set")
    inflate = KP.by_phase()["balloon_inflate"].drawing
    deflate = KP.by_phase()["balloon_deflate"].drawing
    assert inflate.balloon == 1.0 and not inflate.cavity
    assert deflate.balloon == 0 and deflate.cavity and deflate.cement == 0
    assert KP.by_phase()["cement_inject"].drawing.cavity, "KP cement goes into the cavity"


def test_every_step_cites_the_leaflet_and_only_known_keys():
    for proc in (VP, KP):
        for s in proc.steps:
            assert "kochan2015" in s.cites, s.id


def test_step_ids_are_stable_slugs():
    assert VP.step_ids[0] == "vp_fluoroscopy"
    assert "kp_balloon_inflate" in KP.step_ids
    assert all(re.fullmatch(r"(vp|kp)_[a-z_]+", i) for i in VP.step_ids + KP.step_ids)


def test_unknown_procedure_names_the_choices():
    with pytest.raises(ValueError, match="vertebroplasty, kyphoplasty"):
        load_procedure("spinal fusion")


def test_durations_come_from_the_evidence():
    from widgets.core.evidence import load_evidence
    ev = load_evidence()
    assert VP.duration_minutes() == ev.number("pf_duration_kaviar", "mean_procedure_minutes_VP")
    assert float(KP.duration_minutes()) > float(VP.duration_minutes()), "KP took longer in KAVIAR"


def test_content_text_hard_codes_no_numbers_but_the_leaflets():
    """Numbers a student reads come from evidence.yaml; the only ones written into the step and
    question text are the leaflet's '10 minutes' and notebook numbers."""
    for path in [procedure_path(p) for p in PROCEDURES] + [ROOT / "widgets/content/procedure_questions.yaml",
                                                          ROOT / "widgets/content/recovery.yaml"]:
        text = "\n".join(line for line in path.read_text().splitlines()
                         if not line.lstrip().startswith("#") and not re.match(
                             r"\s*(balloon|cement|leaflet_minutes|minutes):", line))
        text = re.sub(r"about 10 minutes|notebook 0\d", "", text)
        text = re.sub(r"\b[a-z][a-z_]*\d+[a-z0-9_]*\b", "", text)  # citation keys such as kochan2015
        assert not re.search(r"\d", text), f"{path.name}: a number is written into the content text"


# ----------------------------------------------------------------------------- order grading

def test_correct_order_is_correct():
    result = grade_order(VP, VP.step_ids)
    assert result.correct and result.misplaced == ()
    assert result.summary() == f"correct: all {len(VP.steps)} steps are in order."


def test_two_swapped_steps_are_exactly_the_misplaced_ones():
    ids = KP.step_ids
    swapped = ids[:3] + [ids[4], ids[3]] + ids[5:]
    result = grade_order("kyphoplasty", swapped)
    assert not result.correct
    assert set(result.misplaced) == {"kp_balloon_inflate", "kp_balloon_deflate"}
    assert result.in_place == len(ids) - 2


def test_reversed_order_misplaces_all_but_the_middle():
    ids = VP.step_ids  # 7 steps: the 4th stays in place when reversed
    result = grade_order(VP, list(reversed(ids)))
    assert set(result.misplaced) == set(ids) - {ids[3]}


@pytest.mark.parametrize("submitted,words", [
    (VP.step_ids[:-1] + ["vp_balloon"], ["unknown", "vp_balloon", "missing", "vp_go_home"]),
    (VP.step_ids[:-1], ["missing", "vp_go_home"]),
    (VP.step_ids + ["vp_needle"], ["repeated", "vp_needle"]),
    (VP.step_ids[:-1] + ["vp_needle"], ["repeated", "vp_needle", "missing", "vp_go_home"]),
])
def test_bad_submissions_raise_naming_the_ids(submitted, words):
    with pytest.raises(ValueError) as info:
        grade_order(VP, submitted)
    for word in words:
        assert word in str(info.value)


def test_shuffle_is_seeded_a_permutation_and_never_already_solved():
    for seed in range(30):
        order = shuffled_ids(KP, seed)
        assert sorted(order) == sorted(KP.step_ids)
        assert order != KP.step_ids
        assert order == shuffled_ids(KP, seed), "the same seed gives the same order"
    assert len({tuple(shuffled_ids(KP, s)) for s in range(30)}) > 20


def test_move_clamps_at_the_ends():
    order = ["a", "b", "c"]
    assert move(order, 1, -1) == (["b", "a", "c"], 0)
    assert move(order, 0, -1) == (order, 0)
    assert move(order, 2, +1) == (order, 2)
    with pytest.raises(ValueError, match="position 4"):
        move(order, 3, 1)


# ----------------------------------------------------------------------------- attempts and export

def test_attempts_count_per_procedure_and_report_progress():
    times = iter(["2026-01-01T10:00:00+00:00", "2026-01-01T10:05:00+00:00", "2026-01-01T10:06:00+00:00"])
    history = AttemptHistory(clock=lambda: next(times))
    history.record(grade_order(VP, list(reversed(VP.step_ids))))
    history.record(grade_order(KP, KP.step_ids))
    history.record(grade_order(VP, VP.step_ids))
    assert [(a.item, attempt_number(a)) for a in history.attempts] == [
        ("vertebroplasty", 1), ("kyphoplasty", 1), ("vertebroplasty", 2)]
    assert history.progress().splitlines() == [
        "Attempt 1: 1 of 7 in place", "Attempt 1: 9 of 9 in place (correct)", "Attempt 2: 7 of 7 in place (correct)"]


def test_an_attempt_is_stamped_with_the_time_stamp_every_answer_has():
    """The course's one clock (widgets.record.attempts.utc_stamp): UTC with milliseconds, as the hand-in stamps."""
    stamp = AttemptHistory().record(grade_order(VP, VP.step_ids)).answered_at
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp), stamp


# ----------------------------------------------------------------------------- decision points

def test_questions_have_one_answer_and_point_at_real_steps():
    questions = load_questions().questions
    ids = {q.id for q in questions}
    assert {"q_kp_only_step", "q_kp_why_lie_flat", "q_vp_cement_time"} <= ids
    for q in questions:
        assert sum(o.correct for o in q.options) == 1
        if q.step:
            assert any(q.step in load_procedure(p).step_ids for p in q.procedures)


def test_kp_only_question_answer_is_the_only_kp_only_phase():
    q = next(q for q in questions_for("kyphoplasty") if q.id == "q_kp_only_step")
    kp_only = {s.phase for s in KP.steps} - {s.phase for s in VP.steps}
    assert kp_only == {"balloon_inflate", "balloon_deflate"}
    assert "balloon" in q.answer.text.lower()


def test_grading_a_decision_gives_that_options_feedback():
    q = next(q for q in questions_for("kyphoplasty") if q.id == "q_kp_only_step")
    wrong = grade_decision(q, "fluoroscopy")
    assert not wrong.correct and wrong.answer == "balloon" and "both procedures" in wrong.feedback
    assert grade_decision(q, "balloon").correct
    with pytest.raises(ValueError, match="no option 'x'"):
        grade_decision(q, "x")
    with pytest.raises(ValueError, match="choose an answer"):
        grade_decision(q, None)


# ----------------------------------------------------------------------------- broken content files

def _broken(tmp_path, old: str, new: str, name="vertebroplasty.yaml") -> ContentError:
    text = procedure_path("vertebroplasty").read_text()
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as info:
        load_procedure_file(path)
    msg = str(info.value)
    assert str(path) in msg and "\n" not in msg
    return info.value


def _line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


def test_missing_field_names_file_line_field_and_step(tmp_path):
    text = procedure_path("vertebroplasty").read_text()
    err = _broken(tmp_path, "    phase: skin_prep\n", "")
    assert err.field == "steps[1].phase (in id 'vp_skin_prep')"
    assert err.line == _line_of(text, "  - id: vp_skin_prep") and "missing" in str(err)


def test_unknown_phase_is_named_with_the_allowed_values(tmp_path):
    err = _broken(tmp_path, "phase: needle", "phase: drill")
    assert "steps[2].phase" in err.field and "'drill'" in str(err) and "fluoroscopy" in str(err)


def test_steps_out_of_order_are_refused(tmp_path):
    text = procedure_path("vertebroplasty").read_text()
    swapped = text.replace("phase: cement_inject", "phase: TMP").replace("phase: cement_set", "phase: cement_inject")
    path = tmp_path / "vp.yaml"
    path.write_text(swapped.replace("phase: TMP", "phase: cement_set"))
    with pytest.raises(ContentError, match="not in the order"):
        load_procedure_file(path)


def test_unknown_citation_key_is_named(tmp_path):
    err = _broken(tmp_path, "cites: [kochan2015, pf_approach_and_imaging]", "cites: [kochan2015, smith1999]")
    assert "smith1999" in str(err) and "steps[0].cites" in err.field


def test_duration_must_be_a_verified_number(tmp_path):
    err = _broken(tmp_path, "key: mean_procedure_minutes_VP", "key: p")
    assert err.field == "duration" and "not a verified number" in str(err)


def test_duplicate_step_ids_are_refused(tmp_path):
    err = _broken(tmp_path, "id: vp_skin_prep", "id: vp_fluoroscopy")
    assert "vp_fluoroscopy" in str(err) and "twice" in str(err)


def test_a_question_about_a_missing_step_is_refused(tmp_path):
    text = (ROOT / "widgets/content/procedure_questions.yaml").read_text()
    path = tmp_path / "q.yaml"
    path.write_text(text.replace("step: vp_needle", "step: vp_scan"))
    with pytest.raises(ContentError, match="vp_scan") as info:
        load_questions(path)
    assert "q_vp_one_needle_or_two" in str(info.value)


def test_a_question_with_two_answers_is_refused(tmp_path):
    text = (ROOT / "widgets/content/procedure_questions.yaml").read_text()
    path = tmp_path / "q.yaml"
    path.write_text(text.replace("      - id: fluoroscopy\n", "      - id: fluoroscopy\n        correct: true\n", 1))
    with pytest.raises(ContentError, match="exactly one correct option"):
        load_questions(path)


# ----------------------------------------------------------------------------- tables and notebooks

def test_comparison_lines_up_the_phases():
    rows = {r.phase: r for r in compare_steps(VP, KP)}
    assert rows["Balloon"].vertebroplasty == "no such step" and rows["Balloon"].kyphoplasty
    assert rows["Cement"].vertebroplasty and rows["Cement"].kyphoplasty


def test_steps_table_has_one_row_per_step_in_order():
    table = steps_markdown(KP, Citations().plain)
    rows = table.splitlines()[2:]
    assert [r.split(" | ")[1] for r in rows] == [s.title for s in KP.steps]


@pytest.mark.parametrize("nb,name,compared", [("02-vertebroplasty.ipynb", "vertebroplasty", None),
                                              ("03-kyphoplasty.ipynb", "kyphoplasty", "vertebroplasty")])
def test_notebook_numbers_every_key_its_widgets_cite(nb, name, compared):
    """The views cite with the notebook's own Citations, so the reference list at the end (built
    from the Markdown) must already hold every key a step, question or table cites."""
    from widgets.procedures.balloon import GAIN_ID, POOLED_ID, full_height_rows
    in_markdown = source_markdown_keys(nb)
    proc = load_procedure(name)
    used = set(proc.cite_keys()) | {k for q in questions_for(name) for k in q.cites}
    if compared:  # the side-by-side table cites both settings and durations, and the balloon its sources
        for p in (proc, load_procedure(compared)):
            used |= set(p.setting.cites) | {p.duration.evidence}
        used |= {r.cite for r in full_height_rows()} | {GAIN_ID, POOLED_ID}
    assert used <= in_markdown, f"{nb}: keys cited by widgets but not in its Markdown: {used - in_markdown}"


def test_order_result_is_immutable_data():
    r = grade_order(VP, VP.step_ids)
    assert isinstance(r, OrderResult)
    with pytest.raises(AttributeError):
        r.correct = False  # type: ignore[misc]


def test_content_files_exist_where_documented():
    for p in PROCEDURES:
        assert procedure_path(p) == Path(ROOT / "widgets/content/procedures" / f"{p}.yaml")


TRIAL_WORDS = re.compile(r"\b(trial|meta-analysis|review|VERTOS|FREE|KAVIAR|INVEST|VAPOUR|studies|series)\b")


def test_decision_points_ask_for_a_decision_and_give_the_trial_as_the_reason():
    """A decision point asks what to do, plan or tell the patient; the trial behind the answer is the reason in its
    feedback, never the question ('In the KAVIAR trial, how did ...?')."""
    questions = load_questions().questions
    asked_about_trials = [q.id for q in questions if TRIAL_WORDS.search(q.prompt)]
    assert asked_about_trials == [], f"these ask what a trial found: {asked_about_trials}"
    from widgets.core.evidence import load_evidence
    ev = load_evidence()

    def is_trial(key: str) -> bool:
        try:
            kind = str(getattr(ev.entry(key), "evidence_type", "")).lower()
        except KeyError:                      # a source (sources.yaml), not an evidence entry
            return False
        return any(w in kind for w in ("rct", "meta-analysis", "systematic review"))
    evidence_backed = [q for q in questions if any(is_trial(c) for c in q.cites)]
    assert len(evidence_backed) >= 5, [q.id for q in evidence_backed]
    for q in evidence_backed:
        if q.id == "q_kp_why_lie_flat":          # its point is that no source gives a reason
            continue
        reasons = [o.feedback for o in q.options if o.correct] + [o.feedback for o in q.options if not o.correct]
        assert TRIAL_WORDS.search(" ".join(reasons)), f"{q.id}: the feedback gives the trial or review as the reason"
    red_flags = [q.id for q in questions if any(c.startswith("rf_") for c in q.cites)]
    assert {"q_vp_red_flag_before", "q_kp_red_flag_mscc"} <= set(red_flags), "the red-flag decision points stay"
    deciding = re.compile(r"\b(what now|what do you (tell|do|plan)|what does that change|how much .* do you|"
                          r"one needle or two|what must you|where do you)\b", re.I)
    for q in evidence_backed + [q for q in questions if q.id in red_flags]:
        if q.id == "q_kp_why_lie_flat":
            continue
        assert deciding.search(q.prompt), f"{q.id}: '{q.prompt}' does not ask for a decision"
