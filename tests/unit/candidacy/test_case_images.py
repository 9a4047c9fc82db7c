"""Quiz cases that show a simulated lateral x-ray (issue 15): the image field's validation, the images
the imaged cases draw (measured from the model they are drawn from), their alt text, and the quiz
showing them."""

from __future__ import annotations

import base64
import html as htmllib
import io
import re

import numpy as np
import pytest
from PIL import Image

from widgets.candidacy.case_image import (
    FIGURE_LABEL, MIN_FRACTION, CaseImage, image_problem, read_image, words_for,
)
from widgets.candidacy.case_image_view import DPI, HEIGHT_IN, WIDTH_IN, case_image_html, case_image_png, image_segment
from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.bank import CaseBankError
from widgets.anatomy.geometry import genant_grade
from widgets.anatomy.levels import load_anatomy

BANK = load_case_bank()
IMAGED = [c for c in BANK if c.image is not None]

CASE = """\
cases:
  - id: imaged-case
    title: A case with an x-ray
    history: >-
      {history}
    image: {image}
    findings:
      compression_fracture: {fracture}
      fracture_cause: {cause}
      severe_back_pain: true
      pain_relieved_by_medication_and_bed_rest: false
      posterior_cortical_defect: false
      vertebral_infection: false
      pain_from_herniated_disc: false
    expected: {expected}
"""
FRACTURE = dict(fracture="true", cause="osteoporosis",
                expected="{vertebroplasty: true, kyphoplasty: true, deciding_rules: [indication_met]}")
NO_FRACTURE = dict(fracture="false", cause="null",
                   expected="{vertebroplasty: false, kyphoplasty: false, deciding_rules: [no_fracture]}")
HISTORY = ("A 75-year-old woman with osteoporosis has severe back pain that painkillers and rest have not "
           "eased; her lateral x-ray is below.")


def bank_with(tmp_path, image: str, findings: dict, history: str = HISTORY):
    path = tmp_path / "bank.yaml"
    path.write_text(CASE.format(image=image, history=history, **findings), encoding="utf-8")
    return path


def refused(tmp_path, image, findings, history=HISTORY) -> str:
    with pytest.raises(CaseBankError) as info:
        load_case_bank(bank_with(tmp_path, image, findings, history))
    message = str(info.value)
    assert "bank.yaml" in message and "line " in message and "imaged-case" in message and "Fix:" in message
    assert "\n" not in message, "one line"
    return message


# ----------------------------------------------------------------------------- validation

def test_a_good_image_loads_with_its_case(tmp_path):
    bank = load_case_bank(bank_with(tmp_path, "{view: lateral, level: L2, heights_fraction: {anterior: 0.6}}",
                                    FRACTURE))
    image = bank.case("imaged-case").image
    assert image.level == "L2" and image.heights_fraction.as_tuple() == (0.6, 1.0, 1.0)


def test_an_unknown_level_is_refused_naming_the_levels_the_image_draws(tmp_path):
    message = refused(tmp_path, "{view: lateral, level: T12, heights_fraction: {anterior: 0.6}}", FRACTURE)
    assert "image.level" in message and "'T12' is not a level the simulated x-ray draws" in message
    for level in load_anatomy().ids:
        assert level in message


@pytest.mark.parametrize("value", ["1.2", "0.1", "-0.5", "true", "'tall'"])
def test_a_height_out_of_range_is_refused_naming_the_wall(tmp_path, value):
    message = refused(tmp_path, f"{{level: L1, heights_fraction: {{anterior: 0.7, middle: {value}}}}}", FRACTURE)
    assert "image.heights_fraction.middle" in message
    assert f"from {MIN_FRACTION:g} to 1" in message


def test_an_unknown_view_or_field_is_refused(tmp_path):
    assert "image.view" in refused(tmp_path, "{view: AP, level: L1, heights_fraction: {anterior: 0.6}}", FRACTURE)
    message = refused(tmp_path, "{level: L1, oedema: true, heights_fraction: {anterior: 0.6}}", FRACTURE)
    assert "image.oedema" in message and "not known" in message, "an image cannot claim what it cannot draw"


def test_a_case_without_a_fracture_must_show_a_normal_body(tmp_path):
    message = refused(tmp_path, "{level: L1, heights_fraction: {anterior: 0.6}}", NO_FRACTURE)
    assert "image.heights_fraction" in message
    assert "no compression fracture but the image shows one (wedge, Genant grade 2" in message
    assert "normal body" in message


def test_a_case_with_a_fracture_must_show_one(tmp_path):
    message = refused(tmp_path, "{level: L1, heights_fraction: {anterior: 0.9}}", FRACTURE)
    assert "image.heights_fraction" in message
    assert "compression fracture but the image shows a body of normal height (Genant grade 0" in message
    assert "at least Genant 1" in message


def test_the_image_shows_a_level_the_history_names(tmp_path):
    history = HISTORY.replace("her lateral", "MRI shows oedema in L3, and her lateral")
    message = refused(tmp_path, "{level: L1, heights_fraction: {anterior: 0.6}}", FRACTURE, history)
    assert "image.level" in message and "the history names L3 but the image shows L1" in message
    load_case_bank(bank_with(tmp_path, "{level: L3, heights_fraction: {anterior: 0.6}}", FRACTURE, history))


# ----------------------------------------------------------------------------- the shipped imaged cases

def test_at_least_a_third_of_the_bank_shows_an_image_each_with_alt_text():
    assert 3 * len(IMAGED) >= len(BANK), f"{len(IMAGED)} of {len(BANK)} cases show an image"
    for case in IMAGED:
        html = case_image_html(case.image)
        alt = re.search(r'alt="([^"]+)"', html)
        assert alt and read_image(case.image).level in alt.group(1), case.id
        assert image_problem(case.image, case.findings, case.history) is None, case.id


def test_a_history_that_names_the_deformity_gets_that_deformity(tmp_path):
    named = [c for c in IMAGED if re.search(r"\b(wedge|biconcave|crush)\b", c.history, re.I)]
    assert named, "some imaged cases name their deformity"
    for case in named:
        said = re.search(r"\b(wedge|biconcave|crush)\b", case.history, re.I).group(1).lower()
        assert read_image(case.image).shape == said, case.id
    message = refused(tmp_path, "{level: L1, heights_fraction: {anterior: 0.95, middle: 0.7, posterior: 0.97}}",
                      FRACTURE, "A 75-year-old woman with osteoporosis has a wedge fracture of L1 and severe pain "
                                "that painkillers and rest have not eased.")
    assert "calls the fracture wedge but the image shows a biconcave" in message


def test_at_least_four_cases_show_an_image_and_it_carries_a_finding():
    assert len(IMAGED) >= 4
    shapes = {read_image(c.image).shape for c in IMAGED}
    assert {"none", "wedge"} <= shapes and len(shapes) >= 3, shapes
    # the picture carries the finding: at least one fracture case whose history never says "fracture"
    assert any(c.findings.compression_fracture and "fracture" not in c.history.lower() for c in IMAGED)
    # a normal-looking vertebra behind disc pain, and a settled patient with an old wedge
    assert any(not c.findings.compression_fracture and c.findings.pain_from_herniated_disc for c in IMAGED)
    assert any(read_image(c.image).shape == "wedge" and c.findings.pain_relieved_by_medication_and_bed_rest
               for c in IMAGED)
    for c in IMAGED:
        assert "x-ray" in c.history.lower() and "shown with this case" in c.history, f"{c.id}: the history points at it"


@pytest.mark.parametrize("case", IMAGED, ids=lambda c: c.id)
def test_the_image_agrees_with_the_findings_by_its_genant_grade(case):
    reading = read_image(case.image)
    loss = reading.geometry.height_loss_percent
    assert reading.grade == genant_grade(loss)
    assert (reading.grade >= 1) == case.findings.compression_fracture


@pytest.mark.parametrize("case", IMAGED, ids=lambda c: c.id)
def test_the_rendered_image_is_a_png_of_the_expected_size_and_not_blank(case):
    png = case_image_png(case.image)
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    assert picture.size == (round(WIDTH_IN * DPI), round(HEIGHT_IN * DPI))
    grey = np.asarray(picture.convert("L"), dtype=float)
    assert grey.std() > 30, "an x-ray with bone, background and labels, not a flat image"
    assert case_image_png(case.image) is png, "drawn once per case, then kept"


@pytest.mark.parametrize("case", IMAGED, ids=lambda c: c.id)
def test_the_drawn_body_has_the_heights_the_case_states(case):
    """The treated body of the drawn model: its front and back heights in the ratio the case states."""
    seg = image_segment(case.image)
    body = seg.treated.body
    assert seg.level.id == case.image.level
    drawn_front = float(body.top(0.0) - body.bottom(0.0))
    drawn_back = float(body.top(body.depth) - body.bottom(body.depth))
    drawn_middle = float(body.top(body.depth / 2) - body.bottom(body.depth / 2))
    normal = seg.level.expected_heights()
    f = case.image.heights_fraction
    assert drawn_front / normal[0] == pytest.approx(f.anterior, abs=1e-3)
    assert drawn_middle / normal[1] == pytest.approx(f.middle, abs=1e-3)
    assert drawn_back / normal[2] == pytest.approx(f.posterior, abs=1e-3)
    assert (drawn_front / drawn_back) == pytest.approx(f.anterior * normal[0] / (f.posterior * normal[2]), rel=1e-3)
    # and the neighbours are drawn unfractured
    for neighbour in (seg.above.body, seg.below.body):
        assert neighbour.heights == pytest.approx(normal)


@pytest.mark.parametrize("case", IMAGED, ids=lambda c: c.id)
def test_the_image_in_the_picture_shows_the_treated_body_lower_where_the_case_says(case):
    """Read from the pixels: the bright bone in the front and back columns of the treated body."""
    from widgets.candidacy.case_image_view import FRAME
    from widgets.anatomy import camera
    from widgets.anatomy.xray import PIXEL_MM, radiograph
    seg = image_segment(case.image)
    img = radiograph(seg.level.id, seg.heights, camera.lateral(), FRAME)

    def bone_height(y_mm: float) -> float:
        col = int((y_mm - FRAME.u_min) / PIXEL_MM)
        column = img[:, col]
        rows = np.arange(len(column)) * PIXEL_MM + FRAME.v_min
        inside = (rows > -3) & (rows < max(seg.heights) + 3)     # the treated body's band, not the neighbours
        return float(((column > 0.2) & inside).sum() * PIXEL_MM)     # bone ~0.3 and up, disc and air ~0.1

    body = seg.treated.body
    near_front, near_back = 4.0, seg.depth - 4.0                      # a few mm inside the rounded corners
    front, back = bone_height(near_front), bone_height(near_back)
    assert front == pytest.approx(float(body.height(near_front)), abs=2.0)
    assert back == pytest.approx(float(body.height(near_back)), abs=2.0)   # the blur softens each edge
    a, _, p = seg.heights
    if abs(a - p) > 1:
        assert (front < back) == (a < p), "the lower wall in the model is the lower wall in the picture"


@pytest.mark.parametrize("case", IMAGED, ids=lambda c: c.id)
def test_alt_text_names_the_level_and_the_deformity(case):
    reading = read_image(case.image)
    shown = case_image_html(case.image)
    alt = htmllib.unescape(re.search(r'alt="([^"]*)"', shown).group(1))
    assert alt == reading.alt_text()
    assert case.image.level in alt and alt.startswith(FIGURE_LABEL)
    expected = {"wedge": "the front of {} is lower than the back: a wedge deformity",
                "biconcave": "the middle of {}'s body has sunk below its front and back: a biconcave deformity",
                "none": "{}'s body keeps its normal height at the front, middle and back: no fracture deformity"}
    if reading.shape in expected:
        assert expected[reading.shape].format(case.image.level).lower() in alt.lower()
    else:
        assert "crush deformity" in alt
    assert 'role="img"' in shown


def test_the_figure_is_labelled_as_simulated_and_illustrative():
    """The label is drawn on the figure: rendering the figure without it changes the pixels of its heading."""
    png = case_image_png(IMAGED[0].image)
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    heading = grey[: int(0.09 * grey.shape[0])]
    assert (heading < 128).sum() > 200, "dark heading text on the white margin"
    import widgets.candidacy.case_image_view as view
    source = open(view.__file__, encoding="utf-8").read()
    assert '"Simulated lateral x-ray"' in source and "(illustrative, drawn to the course's anatomy)" in source
    assert FIGURE_LABEL == "Simulated lateral x-ray (illustrative, drawn to the course's anatomy)"


def test_the_image_in_words_reaches_text_only_places():
    from widgets.candidacy.flashcards import card_for
    from widgets.candidacy.vignettes import Vignette
    case = IMAGED[0]
    card = card_for(Vignette.from_case(case))
    assert words_for(case.image) and words_for(case.image) in card.front.replace("&#x27;", "'")
    assert words_for(None) == ""


# ----------------------------------------------------------------------------- in the quiz

def _view_at(tmp_path, case_id):
    from widgets.candidacy.exercise import quiz_attempts
    from widgets.candidacy.quiz import Quiz
    from widgets.candidacy.quiz_view import QuizView
    from widgets.record.progress import ProgressFile
    from widgets.core.citations import Citations
    store = ProgressFile(tmp_path / "q.progress.json").load()
    view = QuizView(Quiz.from_bank(BANK, attempts=quiz_attempts(store.attempts)), store, Citations(),
                    export_dir=tmp_path)
    while view.quiz.current.id != case_id:
        view.quiz.next()
    view._show_case()
    return view


@pytest.mark.parametrize("case", IMAGED, ids=lambda c: c.id)
def test_the_quiz_shows_the_image_beside_the_case_and_says_what_it_showed_after_submit(tmp_path, case):
    view = _view_at(tmp_path, case.id)
    assert view.card.image.layout.display == "block"
    shown = view.card.image.value
    assert base64.b64encode(case_image_png(case.image)).decode() in shown
    assert f'alt="{read_image(case.image).alt_text()}"'.replace("'", "&#x27;") in shown
    assert view.feedback.value == ""
    from widgets.candidacy.practice import assess_practice
    e = assess_practice(case.patient)            # the right answer under current practice, the grade seen first
    view.form.choose(e.vertebroplasty.eligible, e.kyphoplasty.eligible, e.deciding_rules[0])
    view.form.submit_button.click()
    feedback = view.feedback.value.replace("&#x27;", "'")
    assert "Correct." in feedback
    assert read_image(case.image).summary() in feedback
    assert "cannot show whether a fracture is fresh or healed" in feedback


def test_a_case_without_an_image_hides_the_image_area(tmp_path):
    plain = next(c for c in BANK if c.image is None)
    view = _view_at(tmp_path, plain.id)
    assert view.card.image.layout.display == "none" and view.card.image.value == ""


# ----------------------------------------------------------------------------- generated cases that show one

def _templates_with(tmp_path, change):
    import yaml

    from tests.conftest import ROOT
    from widgets.candidacy.vignettes import load_templates
    from widgets.core.loading import ContentError
    data = yaml.safe_load((ROOT / "widgets/content/vignette_templates.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "vignette_templates.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_templates(path)
    message = str(info.value)
    assert str(path) in message and "line" in message and "\n" not in message, message
    return message


def test_a_deformity_range_that_could_draw_another_shape_or_no_fracture_is_refused(tmp_path):
    def widen(data):
        data["images"]["deformities"]["wedge"]["anterior"] = [0.55, 0.9]
    message = _templates_with(tmp_path, widen)
    assert "images.deformities" in message and "every draw must be a wedge of grade 1 or more" in message
    assert "(0.9, " in message, "names the draw that fails"

    def fractured_normal(data):
        data["images"]["normal"]["middle"] = [0.7, 1.0]
    assert "a normal body must stay under grade 1" in _templates_with(tmp_path, fractured_normal)


def test_an_image_level_the_xray_cannot_draw_or_an_unsaid_sentence_without_its_level_is_refused(tmp_path):
    def thoracic(data):
        data["images"]["levels"] = ["L1", "T12"]
    message = _templates_with(tmp_path, thoracic)
    assert "images" in message and "'T12' is not a level the simulated x-ray draws" in message

    def no_level(data):
        data["fracture"]["osteoporosis"]["unsaid_fresh"] = ["Her lateral x-ray is shown with this case."]
    message = _templates_with(tmp_path, no_level)
    assert "fracture" in message and "must name {level}" in message


def _practice_view(tmp_path, seed):
    """The quiz after its one bank case, in generated practice, as the notebook builds it."""
    from widgets.candidacy.exercise import quiz_attempts
    from widgets.candidacy.quiz import Quiz
    from widgets.candidacy.quiz_view import QuizView
    from widgets.candidacy.vignettes import Vignette
    from widgets.record.progress import ProgressFile
    from widgets.core.citations import Citations
    store = ProgressFile(tmp_path / f"q{seed}.progress.json").load()
    quiz = Quiz([Vignette.from_case(BANK.cases[0])], seed=seed, attempts=quiz_attempts(store.attempts))
    view = QuizView(quiz, store, Citations(), export_dir=tmp_path)
    view.quiz.submit(False, False, "no_fracture")        # a wrong answer: the case comes back in a retry
    view.quiz.next()
    view._show_case()
    return view


def _answer(view, right: bool):
    from widgets.candidacy.practice import assess_practice
    a = assess_practice(view.quiz.current.patient)
    view.form.choose(a.vertebroplasty.eligible == right, a.kyphoplasty.eligible, a.deciding_rules[0])
    view.form.submit_button.click()


def test_a_generated_case_with_an_image_shows_it_in_the_quiz_with_alt_text_and_again_in_a_retry(tmp_path):
    view = next(v for v in (_practice_view(tmp_path, seed) for seed in range(40))
                if v.quiz.mode == "practice" and v.quiz.current.image is not None)
    case = view.quiz.current
    assert case.source == "generated" and case.image is not None
    assert view.card.image.layout.display == "block"
    shown = view.card.image.value
    alt = htmllib.unescape(re.search(r'alt="([^"]*)"', shown).group(1))
    assert alt == read_image(case.image).alt_text() and case.image.level in alt and alt.startswith(FIGURE_LABEL)
    assert base64.b64encode(case_image_png(case.image)).decode() in shown
    _answer(view, right=False)                                         # missed: it is due for a retry
    feedback = htmllib.unescape(view.feedback.value)
    assert read_image(case.image).summary() in feedback and "cannot show whether a fracture is fresh" in feedback
    # The retry rebuilds the case from its id and shows the same image.
    view.quiz.start_retry()
    while view.quiz.current.id != case.id:
        view.quiz.next()
        assert view.quiz.mode == "retry", "the missed generated case is in the retry set"
    view._show_case()
    assert view.card.image.layout.display == "block" and view.card.image.value == shown


def test_a_generated_case_with_an_image_is_described_in_words_on_its_flashcard():
    from widgets.candidacy.flashcards import card_for
    from widgets.candidacy.vignettes import generate
    case = next(v for v in generate(2, 40) if v.image is not None)
    card = card_for(case)
    assert words_for(case.image) in htmllib.unescape(card.front)


def test_a_healed_scenario_without_old_sentences_names_the_cause_to_fix(tmp_path):
    """The message names the cause's block to fill (it once printed a literal '{cause}')."""
    def no_old(data):
        data["fracture"]["osteoporosis"]["old"] = []
    message = _templates_with(tmp_path, no_old)
    assert "fracture.osteoporosis.old has no sentence for it" in message and "{cause}" not in message
