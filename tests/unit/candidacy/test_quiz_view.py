"""The quiz widget, driven as a student would (set controls, press buttons), without a browser."""

from __future__ import annotations

import html
import json
import re

import ipywidgets as ipw
import pytest

import traitlets

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.rules import REASON_IDS
from widgets.core.citations import Citations
from widgets.record.progress import ProgressFile
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz
from widgets.core.controls import RadioGroup
from widgets.candidacy.quiz_view import QuizView

SCRIPT_BANK = """\
cases:
  - id: evil
    title: <b>Bold</b> title
    history: >-
      <script>alert('x')</script> A 70-year-old woman has severe pain from an osteoporotic
      compression fracture that pain medication and bed rest have not helped.
    findings:
      compression_fracture: true
      fracture_cause: osteoporosis
      severe_back_pain: true
      pain_relieved_by_medication_and_bed_rest: false
      posterior_cortical_defect: false
      vertebral_infection: false
      pain_from_herniated_disc: false
    expected: {vertebroplasty: true, kyphoplasty: true, deciding_rules: [indication_met]}
"""


def visible(html_value: str) -> str:
    """What a student reads: the HTML without its tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_value))


@pytest.fixture
def view(tmp_path):
    store = ProgressFile(tmp_path / "q.progress.json").load()
    return QuizView(Quiz.from_bank(load_case_bank(), attempts=quiz_attempts(store.attempts)), store, Citations(),
                    export_dir=tmp_path)


def choice(answer):
    return None if answer is None else ("candidate" if answer else "not_candidate")


def answer(v: QuizView, vp, kp, reason):
    """Answer as a student does: the two verdicts, the reason's family, then the reason."""
    v.form.vp.value, v.form.kp.value = choice(vp), choice(kp)
    if reason is not None:
        v.form.family.value = v.form.families.family_of(reason).id
        v.form.reason.value = reason
    v.form.submit_button.click()


def test_an_instructors_script_shows_as_text(tmp_path):
    bank = tmp_path / "bank.yaml"
    bank.write_text(SCRIPT_BANK, encoding="utf-8")
    v = QuizView.for_notebook(bank=bank, progress=tmp_path / "p.progress.json")
    assert isinstance(v, QuizView)
    shown = v.card.vignette.value
    assert "<script>" not in shown and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in shown
    assert "<b>" not in shown and "&lt;b&gt;Bold&lt;/b&gt;" in shown


def test_controls_are_labelled_and_keyboard_native(view):
    form = view.form
    assert isinstance(form.vp, RadioGroup) and form.vp.description == "Vertebroplasty"
    assert isinstance(form.kp, RadioGroup) and form.kp.description == "Kyphoplasty"
    assert [label for label, _ in form.vp.options] == ["Candidate", "Not a candidate"]
    assert isinstance(form.family, RadioGroup) and isinstance(form.reason, RadioGroup)
    assert "step 1" in form.family.description and "step 2" in form.reason.description
    assert all("_" not in label for label, _ in form.family.options), "plain words, never an id"
    assert view.saving.handin.name.style.description_width == "initial", "labels are not truncated"
    assert form.vp.value is None and form.family.value is None and form.reason.value is None, "nothing pre-selected"
    for b in (form.submit_button, form.next_button, view.saving.handin.button, view.saving.folder_button,
              view.session.daily_button):
        assert b.description and b.tooltip


def test_the_reason_is_chosen_in_two_short_steps_and_every_reason_is_reachable(view):
    form = view.form
    assert 3 <= len(form.family.options) <= 6, "a few families, not one flat list"
    assert form.reason.options == [], "no reason to choose before its family"
    reachable = []
    for label, family in form.family.options:
        form.family.value = family
        options = form.reason.options
        assert 1 <= len(options) <= 8, f"{label}: a short second step"
        assert all("_" not in words for words, _ in options), "plain words, never a rule id"
        reachable += [r for _, r in options]
        if len(options) == 1:
            assert form.reason.value == options[0][1], "a family of one picks its reason"
        else:
            assert form.reason.value is None, "changing the family clears the reason"
    assert sorted(reachable) == sorted(REASON_IDS), "every reason of either standard, and the red flag, once"
    assert [f for _, f in form.family.options][0] == "something_else_first", "red flags first"


def test_a_choice_group_refuses_an_unknown_value(view):
    with pytest.raises(traitlets.TraitError, match="Kyphoplasty"):
        view.form.kp.value = "maybe"


def test_feedback_names_the_rule_and_its_numbered_citation(view):
    cites = view.citations
    answer(view, True, True, "indication_met")
    fb = view.feedback.value
    assert "Correct." in fb
    assert "indication_met" not in fb and "Indication met" in fb, "rules in plain words"
    n = cites.number('kochan2015')
    assert f"[{n}]" in visible(fb) and f'href="#ref-{n}"' in fb, "a numbered link to the reference list"
    assert "grades against current practice first" in fb and "What the patient leaflet says" in fb
    assert 'role="status"' in fb


def test_evidence_note_added_without_changing_the_grade(view):
    while view.quiz.current.id != "c05-breast-metastasis":
        view.quiz.next()
    view._show_case()
    answer(view, True, True, "indication_met")
    fb = view.feedback.value
    assert fb.startswith('<div role="status"') and "Correct." in fb
    assert "does not change the grade" in fb
    for key in ("cand_jensen2009_neoplastic", "cand_barr2014_neoplastic", "cand_cafe2011_cancer"):
        n = view.citations.number(key)
        assert (f"[{n}" in visible(fb) or f", {n}" in visible(fb)) and f'href="#ref-{n}"' in fb


def test_wrong_answer_feedback_says_what_was_wrong(view):
    answer(view, False, True, "pain_relieved")
    fb = view.feedback.value
    assert "Not quite." in fb and "wrong" in fb and "right" in fb


def test_submitting_an_incomplete_answer_shows_a_message_not_a_traceback(view):
    view.form.vp.value = "candidate"
    view.form.submit_button.click()
    assert 'role="alert"' in view.error.value and "kyphoplasty" in view.error.value
    assert view.quiz.attempts == [] and view.feedback.value == ""


def test_answer_is_saved_at_once_and_progress_shown(view):
    answer(view, True, True, "indication_met")
    saved = json.loads(view.progress.path.read_text(encoding="utf-8"))
    assert len(saved["attempts"]) == 1 and saved["attempts"][0]["exercise"] == "candidacy-quiz"
    assert view.score.bar.value == 1 and view.score.bar.max == view.quiz.bank_total
    assert (f"1 of {view.quiz.bank_total} bank cases answered. Score (current practice): 1 of 1 case right (100 %)"
            in view.score.text.value)
    assert "saved as you give them" in view.saving.saved_to.value
    assert str(view.progress.path) not in view.saving.saved_to.value and "/" not in visible(view.saving.saved_to.value), \
        "where answers are saved, said in words: no file path"
    assert view.form.next_button.disabled is False and view.form.submit_button.disabled is True
    assert view.saving.handin.download.label == "Download my answers (1)", "the download follows every answer"


def test_next_resets_the_controls_and_moves_on(view):
    answer(view, True, True, "indication_met")
    view.form.next_button.click()
    assert view.quiz.current.id == view.quiz.bank[1].id
    form = view.form
    assert (form.vp.value, form.kp.value, form.family.value, form.reason.value) == (None, None, None, None)
    assert "case 2 of" in view.session.status.value and view.feedback.value == ""


def test_review_and_retry(view):
    answer(view, False, False, "no_fracture")
    view.tools.review_button.click()
    shown = view.tools.review.value
    assert "1 missed answer" in shown and html.escape(view.quiz.bank[0].title, quote=True) in shown
    view.tools.retry_button.click()
    assert view.quiz.mode == "retry" and "Retry set" in view.session.status.value


def test_hand_in_needs_a_name_then_writes_the_file_beside_the_notebook(view, tmp_path):
    from widgets.record.attempts import parse_export_text
    answer(view, True, True, "indication_met")
    handin = view.saving.handin
    handin.button.click()
    assert "type your name" in handin.status.value and 'role="alert"' in handin.status.value
    handin.name.value = "=2+3"
    handin.button.click()
    handed = list(tmp_path.glob("vkp-*.jsonl"))
    assert len(handed) == 1 and handed[0].name in handin.status.value
    export = parse_export_text(handed[0].read_text(encoding="utf-8"))
    assert export.identity.name == "=2+3" and len(export.attempts) == 1
    assert handed[0].stat().st_mode & 0o044 == 0o044, "group- and world-readable, like a notebook"
    assert handin.download.content == handed[0].read_text(encoding="utf-8")


def test_a_save_failure_is_shown_once_and_the_grade_kept(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = ProgressFile(blocker / "q.progress.json").load()
    v = QuizView(Quiz.from_bank(), store, Citations(), export_dir=tmp_path)
    answer(v, True, True, "indication_met")
    assert "cannot be saved" in v.saving.saved_to.value and "Correct." in v.feedback.value
    assert v.saving.folder_row.layout.display == "flex" and v.error.value == ""


def test_a_corrupt_progress_file_warning_is_shown(tmp_path):
    path = tmp_path / "q.progress.json"
    path.write_text("{ half", encoding="utf-8")
    v = QuizView.for_notebook(progress=path, export_dir=tmp_path)
    assert "Warning" in v.saving.saved_to.value and "corrupt-" in v.saving.saved_to.value


def test_a_broken_bank_gives_an_error_box_not_a_traceback(tmp_path):
    bank = tmp_path / "bank.yaml"
    bank.write_text("cases: 3\n", encoding="utf-8")
    box = QuizView.for_notebook(bank=bank, progress=tmp_path / "p.json")
    assert isinstance(box, ipw.HTML) and 'role="alert"' in box.value and "bank.yaml" in box.value


def test_every_key_the_feedback_can_cite_is_numbered_by_the_notebook():
    """Feedback citations must appear in the notebook's reference list, so its Markdown cites them all."""
    from tests.conftest import ROOT
    from widgets.candidacy.rules import load_rules
    cites = Citations.for_notebook(ROOT / "notebooks" / "06-candidacy-quiz.ipynb")
    for rule in load_rules():
        for key in list(rule.cites) + rule.note_cites:
            before = len(cites.keys)
            cites.number(key)
            assert len(cites.keys) == before, f"{rule.id} cites {key}, which the notebook's references would miss"


def test_the_answer_so_far_is_echoed_for_screen_readers(tmp_path):
    from widgets.record.progress import ProgressFile
    from widgets.candidacy.quiz import Quiz
    view = QuizView(Quiz.from_bank(), ProgressFile(tmp_path / "p.json").load(), export_dir=tmp_path)
    form = view.form
    assert "not chosen yet" in form.echo.value or form.echo.value == ""
    form.vp.value = "candidate"
    form.kp.value = "not_candidate"
    form.family.value = "fracture_not_suitable"
    form.reason.value = "kp_cause_excluded"
    echo = form.echo.value
    assert 'role="status"' in echo
    assert "vertebroplasty, candidate; kyphoplasty, not a candidate" in echo
    from widgets.candidacy.rules import load_rules
    assert load_rules()["kp_cause_excluded"].title.split()[0] in echo


def test_the_score_and_the_feedback_show_current_practice_first_and_the_leaflet_beside_it(view):
    """A tumour fracture: current practice offers both procedures, the leaflet rules kyphoplasty out."""
    while view.quiz.current.id != "c05-breast-metastasis":
        view.quiz.next()
    view._show_case()
    answer(view, True, True, "indication_met")
    fb = visible(view.feedback.value)
    assert fb.startswith("Correct."), "right under current practice, the grade a student sees first"
    assert "What the patient leaflet says [1]: your answer is not right under its rules" in fb
    table = re.search(r"<table class='vkp-quiz-verdicts'>.*?</table>", view.feedback.value).group(0)
    heads = re.findall(r"<th scope='col'[^>]*>([^<]*)</th>", table)
    assert heads == ["", "You said", "Current practice", "What the patient leaflet says"]
    score = visible(view.score.text.value)
    assert "Score (current practice): 1 of 1 case right (100 %)" in score
    assert score.index("current practice") < score.index("What the patient leaflet says: 0 of 1 right (0 %)")
    view.tools.review_button.click()
    assert "No missed cases so far" in view.tools.review.value, "nothing to review: right under current practice"


def test_a_wrong_reason_says_which_family_holds_the_right_one(view):
    answer(view, True, True, "pain_relieved")          # the first case: a candidate under both standards
    fb = visible(view.feedback.value)
    assert "Not quite." in fb and "The deciding reason is under 'A candidate'" in fb
    assert "you chose 'No fracture, or the wrong pain'" in fb
