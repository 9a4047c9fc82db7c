"""Properties: every valid patient gets a decision with reasons; malformed banks raise only our error."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Loading the rules and evidence the first time takes longer than hypothesis's default deadline.
NO_DEADLINE = settings(deadline=None)

from widgets.candidacy.bank import load_case_bank
from widgets.candidacy.bank import CaseBankError
from widgets.candidacy.patient import FRACTURE_CAUSES, PATIENT_FIELDS, Patient
from widgets.candidacy.rules import REASON_IDS, RULE_IDS, assess, exclusions_for_both
from widgets.candidacy.vignettes import generate, scenario_rule_fires


@st.composite
def patients(draw):
    fracture = draw(st.booleans())
    return Patient(
        compression_fracture=fracture,
        fracture_cause=draw(st.sampled_from(FRACTURE_CAUSES)) if fracture else None,
        severe_back_pain=draw(st.booleans()),
        pain_relieved_by_medication_and_bed_rest=draw(st.booleans()),
        posterior_cortical_defect=draw(st.booleans()),
        vertebral_infection=draw(st.booleans()),
        pain_from_herniated_disc=draw(st.booleans()),
    )


@NO_DEADLINE
@given(patients())
def test_every_valid_patient_gets_a_decision_with_reasons(p):
    a = assess(p)
    for d in (a.vertebroplasty, a.kyphoplasty):
        assert isinstance(d.eligible, bool)
        assert d.reasons, "never empty"
        assert all(r.id in RULE_IDS and r.explanation for r in d.reasons)
        # A candidate is decided by the indication alone; a non-candidate never by it.
        assert (d.rule_ids == ("indication_met",)) == d.eligible
    assert a.deciding_rules and set(a.deciding_rules) <= set(RULE_IDS)


@NO_DEADLINE
@given(patients())
def test_kyphoplasty_is_never_more_permissive_than_vertebroplasty(p):
    a = assess(p)
    assert not (a.kyphoplasty.eligible and not a.vertebroplasty.eligible)
    # VP is eligible exactly when no both-procedure exclusion applies (the leaflet's rules).
    assert a.vertebroplasty.eligible == (not exclusions_for_both(p))


@given(st.integers(min_value=0, max_value=10**6))
@settings(max_examples=30, deadline=None)
def test_generated_vignettes_exercise_every_rule(seed):
    from widgets.candidacy.vignettes import load_templates
    cases = generate(seed, len(load_templates().scenarios))     # one round: every scenario once
    assert {v.scenario for v in cases} == set(REASON_IDS), "every rule of both standards, and a red flag, in one round"
    assert all(scenario_rule_fires(v) for v in cases)
    assert generate(seed, 3) == generate(seed, 3)[:3] == cases[:3], "seeded: same seed, same cases"


# ----------------------------------------------------------------- malformed banks

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
finding_values = st.one_of(st.booleans(), st.sampled_from(list(FRACTURE_CAUSES) + ["cancer", "yes", ""]),
                           st.none(), st.integers())


@st.composite
def near_valid_banks(draw):
    """Banks that look right but have random findings, missing fields or stray keys."""
    cases = []
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        findings = {f: draw(finding_values) for f in PATIENT_FIELDS if draw(st.booleans()) or True}
        if draw(st.booleans()):
            findings.pop(draw(st.sampled_from(PATIENT_FIELDS)), None)
        case = {"id": draw(st.sampled_from(["a", "b", f"c{i}", "", "x y"])), "title": "A title",
                "history": "A history that is long enough to pass the length check.",
                "findings": findings,
                "expected": {"vertebroplasty": draw(st.booleans()), "kyphoplasty": draw(st.booleans()),
                             "deciding_rules": draw(st.lists(st.sampled_from(list(RULE_IDS) + ["nope"]),
                                                             max_size=3))}}
        if draw(st.booleans()):
            case[draw(st.sampled_from(["extra", "findings", "expected", "title"]))] = draw(values)
        cases.append(case)
    return yaml.safe_dump({"cases": cases})


def _load(tmp_path_factory, text: str):
    path = tmp_path_factory.mktemp("bank") / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_case_bank(path)
    except CaseBankError as err:
        assert str(path) in str(err)
        assert "\n" not in str(err)


@given(st.text(max_size=200))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
def test_random_text_only_raises_our_error(tmp_path_factory, text):
    _load(tmp_path_factory, text)


@given(values)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
def test_random_structures_only_raise_our_error(tmp_path_factory, data):
    _load(tmp_path_factory, yaml.safe_dump(data))


@given(near_valid_banks())
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
def test_near_valid_banks_only_raise_our_error(tmp_path_factory, text):
    _load(tmp_path_factory, text)


@given(st.lists(st.sampled_from(["cases:", "  - id: a", "    findings:", "      x: [", "? [1]", ": 2",
                                 "- !!python/object:os.system", "  &a [*a]", "\t", "---", "...", "%YAML 1.1",
                                 "{", "}", "'", '"', "cases: *x"]), max_size=8))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150, deadline=None)
def test_yaml_fragments_only_raise_our_error(tmp_path_factory, lines):
    _load(tmp_path_factory, "\n".join(lines) + "\n")


# ----------------------------------------------------------------- generated cases read like a clinician wrote them

import re as _re  # noqa: E402

from widgets.candidacy.practice import assess_practice  # noqa: E402
from widgets.candidacy.vignettes import load_templates  # noqa: E402


def _template_vocabulary() -> set[str]:
    """Every word the templates can produce: the words of their sentences and of the values of their slots."""
    t = load_templates()
    texts = []

    def walk(x):
        if isinstance(x, str):
            texts.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
    walk(t.model_dump())
    words = {w.lower() for text in texts for w in _re.findall(r"[A-Za-z]+", _re.sub(r"\{[^}]*\}", " ", text))}
    return words | {"a", "an"}


VOCABULARY = _template_vocabulary()

# (pattern in the history, what it says about the findings): a history must never say what its findings deny.
CLAIMS = [
    (r"no fever|blood tests are normal", lambda p: not p.infected and not p.systemic_infection),
    (r"back wall[^.]*intact|intact\b", lambda p: not p.posterior_cortical_defect),
    (r"break through the back wall|defect in the posterior cortex|pushed back into the spinal canal",
     lambda p: p.posterior_cortical_defect),
    (r"legs are strong", lambda p: not p.neurological_deficit),
    (r"weak and numb|foot drags|heavy and numb", lambda p: p.neurological_deficit and p.deficit_worsening),
    (r"has not changed since|same for weeks", lambda p: p.neurological_deficit and not p.deficit_worsening),
    (r"not the source of the pain|centred on [TL]\d+", lambda p: not p.pain_from_herniated_disc),
    (r"herniated disc|ruptured disc", lambda p: p.pain_from_herniated_disc),
    (r"no oedema|old wedge fracture|old fracture|already there", lambda p: p.fracture_healed),
    (r"fresh|bright with|with oedema|new osteoporotic fracture|new fracture", lambda p: not p.fracture_healed),
    (r"eased with|faded|settled with|much better|walking about the house again",
     lambda p: p.pain_relieved_by_medication_and_bed_rest),
    (r"not improved|not touched|still stops|have not helped|not changed it|little difference",
     lambda p: not p.pain_relieved_by_medication_and_bed_rest),
    (r"only aches mildly|nagging soreness|mild ache|ache is mild", lambda p: not p.severe_back_pain),
    (r"severe|cannot get out of a chair|still stops|keeps (her|him) awake|could hardly stand",
     lambda p: p.severe_back_pain),
    (r"no vertebral fracture|no collapsed vertebra", lambda p: not p.compression_fracture),
    (r"allergic", lambda p: p.cement_allergy),
    (r"cannot be corrected|will not clot", lambda p: p.coagulopathy == "uncorrectable"),
    (r"can be paused|can be stopped", lambda p: p.coagulopathy == "correctable"),
    (r"epidural", lambda p: p.epidural_tumour),
    (r"nerve root", lambda p: p.radicular_pain or p.pain_from_herniated_disc or p.fracture_root_pain
     or (p.neurological_deficit and not p.deficit_worsening)),
    (r"away from the fracture|another level|not at the fracture", lambda p: p.radicular_pain),
    (r"nerve root at the level of the fracture|along the nerve root at the level", lambda p: p.fracture_root_pain),
    (r"looked for an infection in the spine|night sweats|chills", lambda p: p.infection_suspected),
    (r"without trying|cancer years ago|high calcium|no cause for fragile bone", lambda p: p.malignancy_suspected),
    (r"no MRI has been done|MRI has not been done", lambda p: p.infection_suspected or p.malignancy_suspected),
    (r"not a haemangioma", lambda p: p.vascular_lesion == "other"),
    (r"haemangioma filling|through a vertebral haemangioma", lambda p: p.vascular_lesion == "haemangioma"),
    (r"infection in the same vertebra|bone is infected|bone infection|infection of the bone",
     lambda p: p.infected),
    (r"high fever", lambda p: p.systemic_infection),
    (r"ladder|road traffic accident|came off a horse", lambda p: p.fracture_cause == "trauma"),
    (r"metasta|myeloma", lambda p: p.fracture_cause == "tumor"),
    (r"osteoporosis", lambda p: p.fracture_cause in ("osteoporosis", None) or p.fracture_cause == "other"),
]


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=500))
@settings(max_examples=200, deadline=None)
def test_generated_cases_have_no_broken_words_and_no_contradiction(seed, start):
    for v in generate(seed, 4, start=start):
        text = v.history
        # No broken or glued words: every word is one the templates can write, whole.
        words = _re.findall(r"[A-Za-z]+", text)
        unknown = [w for w in words if w.lower() not in VOCABULARY and not _re.fullmatch(r"[TL]\d*", w)]
        assert not unknown, (v.id, unknown, text)
        assert "{" not in text and "}" not in text and "  " not in text and " ." not in text and " ," not in text
        for sentence in _re.split(r"(?<=[.!?])\s+", text):
            assert sentence[:1].isupper() or sentence[:1].isdigit(), (v.id, sentence)
        # Both standards' verdicts are always computable, and the scenario's rule decides the case.
        assess(v.patient)
        assess_practice(v.patient)
        assert scenario_rule_fires(v), (v.id, v.scenario)
        # No case contradicts its own findings.
        for pattern, holds in CLAIMS:
            if _re.search(pattern, text, _re.I):
                assert holds(v.patient), (v.id, pattern, text, v.patient)
        if v.patient.neurological_deficit:
            assert v.patient.posterior_cortical_defect or v.patient.epidural_tumour, "a deficit has a cause"


def test_generated_cases_read_in_varied_natural_sentences():
    cases = generate(11, 300)
    histories = [v.history for v in cases]
    sentences = [s for h in histories for s in _re.split(r"(?<=[.!?])\s+", h)]
    assert len(set(histories)) == len(histories), "no two cases alike"
    assert len(set(sentences)) >= 150, len(set(sentences))
    # Not a checklist: most cases leave some absent finding unsaid.
    checklist = sum(("intact" in h) and ("no fever" in h) and ("not the source" in h) for h in histories)
    assert checklist < len(histories) / 10, checklist
    # Present findings are always said, often by implication.
    for v in cases:
        if v.patient.pain_relieved_by_medication_and_bed_rest:
            assert _re.search(r"eased|faded|settled|better|walking about", v.history), v.history


# ----------------------------------------------------------------- generated cases that show a simulated x-ray

from widgets.candidacy.case_image import CaseImage, image_problem, read_image  # noqa: E402
from widgets.anatomy.geometry import genant_grade  # noqa: E402

SAYS_FRACTURE = _re.compile(r"fracture|collaps", _re.I)   # how a history says there is, or is not, a fracture
DEFORMITY_WORDS = ("wedge", "biconcave", "crush")


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=500))
@settings(max_examples=200, deadline=None)
def test_every_generated_image_validates_and_agrees_with_its_case(seed, start):
    cases = generate(seed, 6, start=start)
    for v in cases:
        says = SAYS_FRACTURE.search(v.history)
        if not says:
            assert v.image is not None, ("a history that leaves the fracture unsaid shows an image", v.id, v.history)
        if v.image is None:
            continue
        image = CaseImage.model_validate(v.image.model_dump())      # the authored image's own field checks
        assert image == v.image
        assert image_problem(v.image, v.patient, v.history) is None, (v.id, v.history)   # the bank's check
        reading = read_image(v.image)
        assert reading.grade == genant_grade(reading.geometry.height_loss_percent)
        if v.patient.compression_fracture:
            assert reading.grade >= 1 and reading.shape in DEFORMITY_WORDS, (v.id, reading.shape)
        else:
            assert reading.grade == 0 and reading.shape == "none", (v.id, v.image)
        # The history names the imaged level, and no other, and points at the picture.
        assert set(_re.findall(r"\b[CTLS]\d{1,2}\b", v.history)) == {v.image.level}, (v.id, v.history)
        assert "x-ray" in v.history.lower() and "shown with this case" in v.history
        # A deformity the history names is the one drawn.
        for word in DEFORMITY_WORDS:
            if _re.search(rf"\b{word}\b", v.history, _re.I):
                assert reading.shape == word, (v.id, word, reading.shape)
    again = generate(seed, 6, start=start)
    assert [v.image for v in again] == [v.image for v in cases], "the same seed gives the same images"
    assert [v.history for v in again] == [v.history for v in cases]


def test_over_many_seeds_some_cases_show_an_image_of_every_kind_and_some_do_not():
    t = load_templates()
    cases = [v for seed in range(6) for v in generate(seed, 100)]
    imaged = [v for v in cases if v.image is not None]
    share = len(imaged) / len(cases)
    assert abs(share - t.images.share) < 0.05, share        # 600 cases: the templates' share, give or take
    shapes = {read_image(v.image).shape for v in imaged}
    assert shapes == {"none", *DEFORMITY_WORDS}, shapes
    assert {v.image.level for v in imaged} == set(t.images.levels)
    fractures = [v for v in imaged if v.patient.compression_fracture]
    unsaid = [v for v in fractures if not SAYS_FRACTURE.search(v.history)]
    assert 0 < len(unsaid) < len(fractures), "some imaged fractures are left for the student to read, not all"
    assert any(not v.patient.compression_fracture and not SAYS_FRACTURE.search(v.history) for v in imaged)
    assert all(", and a lateral x-ray" in v.title for v in imaged)
    assert not any("x-ray" in v.title for v in cases if v.image is None)
    # Saved answers, retries and the class results rebuild a generated case from its id: same image.
    from widgets.classroom.grading import quiz_vignette
    for v in imaged[:5]:
        assert quiz_vignette(v.id) == v
