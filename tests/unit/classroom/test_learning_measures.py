"""Measuring learning (issue 24): item statistics and normalised gain on small fixture classes, against
values computed by hand; a negative discrimination flagged; a practice-following answer in its own column.

Every fixture student answers through the course's own engines and hands in through the exercise log, and
the class results read the folder, as they do a real class.
"""

from __future__ import annotations

import math

import pytest

from tests.classfolder import student_log
from widgets.assessment.exercise import POST, PRE
from widgets.assessment.forms import parallel_forms, vignette
from widgets.assessment.prepost import PrePostTest
from widgets.candidacy.practice import assess_practice
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz
from widgets.candidacy.rules import REASON_IDS, assess
from widgets.classroom import gain as lg
from widgets.classroom import item_analysis as ia
from widgets.classroom import measures_view as mv
from widgets.classroom import results as cr
from widgets.classroom import results_view as rv
from widgets.procedures.steps import load_questions

SECRET = b"fixture secret"


def read(folder):
    return cr.read_class_folder(folder, secret=SECRET)


# ----------------------------------------------------------------------------- the statistics, by hand

#: Ten students' first answers to five decision points (1 right, 0 wrong).  Q5 is answered right by the
#: students who did worst elsewhere: its discrimination is negative.
MATRIX = {"A": [1, 1, 1, 1, 0], "B": [1, 1, 1, 1, 0], "C": [1, 1, 1, 0, 1], "D": [1, 1, 0, 0, 1],
          "E": [1, 0, 1, 0, 0], "F": [0, 1, 1, 0, 1], "G": [1, 0, 0, 1, 1], "H": [1, 0, 0, 0, 1],
          "I": [0, 1, 0, 0, 1], "J": [0, 0, 0, 0, 1]}
# By hand, for Q5.  Rest scores (Q1-Q4 right, of 4, in %): A 100, B 100, C 75, D 50, E 50, F 50, G 50,
# H 25, I 25, J 0.  Facility: 7 of 10 = 70 %.  k = round(0.27 x 10) = 3: upper A, B, C (1 of 3 right),
# lower H, I, J (3 of 3): D = 1/3 - 1 = -0.667.  Point-biserial: M1 (right: C, D, F, G, H, I, J) =
# 275 / 7 = 39.286, M0 (A, B, E) = 250 / 3 = 83.333, mean 52.5, s = sqrt(9312.5 / 10) = 30.516,
# p = 0.7: r = (39.286 - 83.333) / 30.516 x sqrt(0.21) = -0.661.
Q5_FACILITY, Q5_D, Q5_RPB = 70.0, -0.667, -0.661
FACILITIES = [70.0, 60.0, 50.0, 30.0, 70.0]


def test_the_statistics_match_the_hand_computed_values():
    table = {s: {f"Q{i + 1}": x for i, x in enumerate(row)} for s, row in MATRIX.items()}
    for i, fac in enumerate(FACILITIES):
        assert ia.analyse(table, f"Q{i + 1}").facility == fac
    q5 = ia.analyse(table, "Q5")
    assert (q5.facility, q5.discrimination, q5.group, q5.point_biserial) == (Q5_FACILITY, Q5_D, 3, Q5_RPB)
    assert q5.flag == ia.NEGATIVE_FLAG
    # The point-biserial is the Pearson correlation of the 0/1 score with the rest score.
    crit = ia.rest_scores(table, "Q5")
    xs = [table[s]["Q5"] for s in crit]
    cs = [crit[s] for s in crit]
    mx, mc = sum(xs) / len(xs), sum(cs) / len(cs)
    pearson = (sum((x - mx) * (c - mc) for x, c in zip(xs, cs))
               / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((c - mc) ** 2 for c in cs)))
    assert round(pearson, 3) == Q5_RPB


def test_students_tied_at_a_groups_edge_count_in_part_so_the_order_of_the_class_does_not_matter():
    # Ten students, k = 3.  Criterion 90 for one (right), 70 for four (two right, two wrong): the upper group
    # is the 90 plus two of the four 70s, each 70 counting 2/4: p(upper) = (1 + 2/4 x 2) / 3 = 2/3.
    # Criterion 10 for three (one right): the lower group, p(lower) = 1/3.  D = 1/3.
    pairs = [(90.0, 1), (70.0, 1), (70.0, 1), (70.0, 0), (70.0, 0), (50.0, 1), (50.0, 0), (10.0, 1), (10.0, 0),
             (10.0, 0)]
    assert ia.discrimination_index(pairs) == (0.333, 3)
    assert ia.discrimination_index(list(reversed(pairs))) == (0.333, 3)


def test_groups_are_27_percent_and_too_few_students_give_no_discrimination():
    assert [ia.group_size(n) for n in (10, 30, 100)] == [3, 8, 27]
    few = [(100.0 - 10 * i, i % 2) for i in range(ia.MIN_FOR_DISCRIMINATION - 1)]
    assert ia.discrimination_index(few) is None and ia.point_biserial(few) is None
    # An item everyone got right has no point-biserial (no spread), and D = 0.
    same = [(100.0 - 10 * i, 1) for i in range(12)]
    assert ia.point_biserial(same) is None and ia.discrimination_index(same) == (0.0, 3)


def decision_class(tmp_path):
    """The MATRIX class, answered in notebook 02/03's decision points and handed in; A retries Q5 and gets
    it right (the first answer is what counts)."""
    folder = tmp_path / "class"
    questions = load_questions().questions[:5]
    for name, row in MATRIX.items():
        log = student_log(tmp_path / name, f"Student {name}", f"s-{name}", export_dir=folder)
        for q, right in zip(questions, row):
            option = q.answer if right else next(o for o in q.options if not o.correct)
            log.record_attempt("decision-points", q.id, {"option": option.id},
                               {"course": {"correct": option.correct, "expected": {"option": q.answer.id}}})
        if name == "A":
            log.record_attempt("decision-points", questions[4].id, {"option": questions[4].answer.id},
                               {"course": {"correct": True, "expected": {"option": questions[4].answer.id}}})
        log.hand_in()
    return folder, questions


def test_item_analysis_of_a_handed_in_class_matches_the_hand_computed_values(tmp_path):
    folder, questions = decision_class(tmp_path)
    items = {s.item: s for s in ia.choice_items(read(folder), "decision-points")}
    assert [items[q.id].facility for q in questions] == FACILITIES, "first tries only: A's retry changes nothing"
    q5 = items[questions[4].id]
    assert (q5.students, q5.discrimination, q5.point_biserial) == (10, Q5_D, Q5_RPB)
    # Every option is counted at the first try, the key marked.
    counts = {text: (n, key) for text, n, key in q5.choices}
    assert counts[questions[4].answer.text] == (7, True)
    assert sum(n for n, _ in counts.values()) == 10


def test_a_negative_discrimination_is_flagged_in_the_list_to_project(tmp_path):
    folder, questions = decision_class(tmp_path)
    results = read(folder)
    flagged = {s.item: s for s in ia.flagged(ia.choice_items(results, "decision-points"))}
    assert flagged[questions[4].id].flag == ia.NEGATIVE_FLAG
    assert all(s.discrimination < 0 for s in flagged.values())
    shown = mv.flagged_list(results).data
    assert "check the key or the wording" in shown and questions[4].prompt.split("?")[0][:30] in shown
    assert not any(f"Student {n}" in shown or f"s-{n}<" in shown for n in MATRIX), "items, never students"


# ----------------------------------------------------------------------------- the gain, by hand

def right_case(v):
    truth = assess(v.patient)
    return {"vertebroplasty": truth.vertebroplasty.eligible, "kyphoplasty": truth.kyphoplasty.eligible,
            "reason": truth.deciding_rules[0]}


def wrong_case(v):
    """Both verdicts as the leaflet says, and a rule that decides the case under neither standard."""
    answer = right_case(v)
    deciding = set(assess(v.patient).deciding_rules) | set(assess_practice(v.patient).deciding_rules)
    answer["reason"] = next(r for r in REASON_IDS if r not in deciding)
    return answer


def take(log, phase: str, plan: list[bool]) -> None:
    """Answer the student's form: plan[i] right or wrong, through the real test engine."""
    test = PrePostTest(phase, log.order_seed, log.attempts())
    assert len(plan) == len(test.items)
    for right in plan:
        item = test.current
        if item.kind == "case":
            v = vignette(item.ref)
            answer = right_case(v) if right else wrong_case(v)
        else:
            q = next(q for q in load_questions().questions if q.id == item.ref)
            answer = {"option": (q.answer if right else next(o for o in q.options if not o.correct)).id}
        log.record(test.answer(answer))
    assert test.result().right == sum(plan)


def plan(right: int, n: int) -> list[bool]:
    return [True] * right + [False] * (n - right)


def test_each_students_and_the_class_gain_match_the_hand_computed_values(tmp_path):
    folder = tmp_path / "class"
    n = len(parallel_forms().a)
    assert n == 8, "the shipped spec: 6 cases and 2 decision points"
    # (pre right, post right) of 8; None: that test not taken.
    students = {"P1": (2, 6), "P2": (4, 6), "P3": (8, 7), "P4": (6, None), "P5": (None, 4)}
    for name, (pre, post) in students.items():
        log = student_log(tmp_path / name, name, export_dir=folder)
        if pre is not None:
            take(log, PRE, plan(pre, n))
        if post is not None:
            take(log, POST, plan(post, n))
        log.hand_in()
    results = read(folder)
    rows = {r.student: r for r in lg.student_gains(results)}
    by_name = {results.pseudonyms()[k]: s.display for k, s in results.students.items()}
    g = {by_name[p]: r for p, r in rows.items()}
    # By hand: g = (post - pre) / (100 - pre).
    assert round(g["P1"].g, 4) == round((75 - 25) / 75, 4) == 0.6667
    assert g["P2"].g == (75 - 50) / 50 == 0.5
    assert g["P3"].g is None and "100 %" in g["P3"].note, "no gain to measure from a perfect pre-test"
    assert g["P4"].note == "no post-test handed in" and g["P5"].note == "no pre-test handed in"
    c = lg.class_gain(list(rows.values()))
    # Matched P1-P3: <pre> = (25 + 50 + 100) / 3 = 58.333, <post> = (75 + 75 + 87.5) / 3 = 79.167,
    # <g> = 20.833 / 41.667 = 0.5; the mean of the defined own gains = (0.6667 + 0.5) / 2 = 0.583.
    assert (c.matched, c.pre_only, c.post_only) == (3, 1, 1)
    assert (c.pre_mean, c.post_mean, c.g_class, c.g_mean_of_students, c.g_students) == (58.3, 79.2, 0.5, 0.583, 2)


def test_per_rule_gain_counts_each_rule_in_both_forms_alike(tmp_path):
    """Two students, all wrong before and all right after: every rule goes from 0 % to 100 % (g = 1), over
    the same number of items before and after, because the forms are parallel."""
    folder = tmp_path / "class"
    forms = parallel_forms()
    for name in ("Q1", "Q2"):
        log = student_log(tmp_path / name, name, export_dir=folder)
        take(log, PRE, plan(0, len(forms.a)))
        take(log, POST, plan(len(forms.a), len(forms.a)))
        log.hand_in()
    rows = lg.rule_gains(read(folder))
    assert rows and all(r.pre_right == 0 and r.post_right == r.post_items and r.g == 1.0 for r in rows)
    for r in rows:
        assert r.pre_items == r.post_items, r.title


def test_the_benchmarks_are_shown_as_their_source_gives_them(tmp_path):
    b = lg.load_benchmarks()
    marks = {x.id: (x.mean_g, x.sd_g, x.courses, x.students) for x in b.benchmarks}
    assert marks == {"traditional": (0.23, 0.04, 14, 2084), "interactive_engagement": (0.48, 0.14, 48, 4458)}
    assert b.source.url_seen == "https://aapt.scitation.org/doi/10.1119/1.18809" and "10.1119/1.18809" in b.source.citation
    folder = tmp_path / "class"
    log = student_log(tmp_path / "s", "S", export_dir=folder)
    take(log, PRE, plan(2, 8))
    take(log, POST, plan(6, 8))
    log.hand_in()
    shown = mv.gain_summary(read(folder)).data
    for text in ("0.23, standard deviation 0.04 over 14 courses (2084 students)",
                 "0.48, standard deviation 0.14 over 48 courses (4458 students)", b.source.url_seen,
                 "introductory physics", "not a medical class"):
        assert text in shown


# ----------------------------------------------------------------------------- both standards

def answer_case(log, case_id: str, answer: tuple) -> None:
    quiz = Quiz.from_bank(seed=log.quiz_seed, order_seed=log.order_seed, attempts=quiz_attempts(log.store.attempts))
    for _ in range(quiz.bank_total):
        if quiz.current.id == case_id:
            break
        quiz.next()
    log.record(quiz.submit(*answer).attempt)


def test_a_practice_following_answer_is_counted_in_its_own_column_never_as_a_miss(tmp_path):
    """A patient allergic to the cement: the leaflet says candidate (indication met), current practice says
    not a candidate (cement allergy).  The student answers by current practice."""
    case = "c46-cement-allergy"
    v = vignette(case)
    leaflet, practice = assess(v.patient), assess_practice(v.patient)
    assert leaflet.vertebroplasty.eligible != practice.vertebroplasty.eligible, "the two standards differ here"
    folder = tmp_path / "class"
    for name, by_practice in (("Follows practice", True), ("Follows leaflet", False), ("Misses", None)):
        log = student_log(tmp_path / name, name, export_dir=folder)
        truth = practice if by_practice else leaflet
        answer = (truth.vertebroplasty.eligible, truth.kyphoplasty.eligible, truth.deciding_rules[0])
        if by_practice is None:
            answer = (not leaflet.vertebroplasty.eligible, leaflet.kyphoplasty.eligible, "no_fracture")
        answer_case(log, case, answer)
        log.hand_in()
    results = read(folder)
    (row,) = [d for d in cr.rule_difficulty(results) if d.key in leaflet.deciding_rules]
    assert (row.answered, row.first_missed, row.other_followed, row.plain_missed) == (3, 2, 1, 1)
    assert all(m["times"] == 1 for m in cr.verdict_mistakes(results)), "only the plain miss is a mistake"
    (item,) = [s for s in ia.quiz_items(results, cr.LEAFLET) if s.item == case]
    assert (item.right, item.other_followed, item.plain_missed) == (1, 1, 1)
    (pitem,) = [s for s in ia.quiz_items(results) if s.item == case]
    assert pitem.standard == cr.PRACTICE, "current practice first, as the students see their score"
    assert (pitem.right, pitem.other_followed, pitem.plain_missed) == (1, 1, 1), "the leaflet-follower, under practice"
    table = rv.rule_table(results, cr.LEAFLET).data
    assert "Followed current practice instead" in table and "1 of 3 (33 %)" in table
    # Under current practice, the answer that followed the leaflet is the one in its own column.
    (prow,) = [d for d in cr.rule_difficulty(results, cr.PRACTICE) if d.key in practice.deciding_rules]
    assert (prow.answered, prow.other_followed, prow.plain_missed) == (3, 1, 1)
    assert "Followed the leaflet instead" in rv.rule_table(results, cr.PRACTICE).data
    assert rv.rule_table(results).data == rv.rule_table(results, cr.PRACTICE).data, "current practice by default"


def test_a_negative_discrimination_under_the_leaflet_alone_says_the_stronger_students_followed_practice():
    stats = ia.ItemStats("candidacy-quiz", "c46", "x", 10, 5, 50.0, discrimination=-0.5, other_followed=4,
                         either_discrimination=0.25)
    assert stats.flag == ia.PRACTICE_FLAG
    stats.standard = cr.PRACTICE
    assert "the stronger students followed the leaflet" in stats.flag
    stats.either_discrimination = -0.25
    assert stats.flag == ia.NEGATIVE_FLAG, "negative either way: the key or the wording"


# ----------------------------------------------------------------------------- the needle exercise

def test_the_needle_debrief_shows_first_against_best_and_every_measure_the_attempts_carry(tmp_path):
    """Per level: breach rate and passes at the first and the best attempt; the geometry's measures taken from
    the placement graded again (a number a hand-in claims for them does not count), the shots it records, and a
    measure another version of the exercise records (a field this version has never heard of) as a column."""
    from widgets.imaging.attempts import AttemptHistory, attempt_number
    from widgets.imaging.exercise import needle_grades
    from widgets.imaging.placement import grade_placement, taught_settings

    heights = (20.0, 23.0, 26.3)
    taught = taught_settings("model", "L1", heights)
    tries = [{**taught, "medial_deg": taught["medial_deg"] + 20}, taught]      # too medial, then right
    shots = [6, 3]
    folder = tmp_path / "class"
    errors = []
    for name, extra in (("Ana", 0), ("Ben", 1)):
        log = student_log(tmp_path / name, name, export_dir=folder)
        history = AttemptHistory()
        for i, (settings, n) in enumerate(zip(tries, shots)):
            g = grade_placement("model", "L1", settings, heights)
            errors.append(g.metrics["tip_error_mm"])
            rec = history.record(g, settings, heights, shots_ap=n + extra)
            context = {"attempt": attempt_number(rec), "tip_error_mm": 0.0}    # a claim the regraded geometry overrules
            if i == 0:
                context["tip_gap_mm"] = 4.0
            log.record_attempt("needle-placement", "L1", rec.answer, needle_grades(g), context=context)
        log.hand_in()
    (level,) = ia.needle_levels(read(folder))
    assert (level.students, level.attempts, level.first_breached, level.best_breached) == (2, 4, 2, 0)
    assert (level.first_passed, level.best_passed, level.median_attempts) == (0, 2, 2.0)
    m = {x["name"]: x for x in level.measures}
    # By hand: both students placed the same two needles, so the tip errors are the geometry's; shots 6, 7 then 3, 4.
    first_error, best_error = round(errors[0], 2), round(errors[1], 2)
    assert errors[0] > errors[1] > 0.0
    assert (m["tip_error_mm"]["first"], m["tip_error_mm"]["best"]) == (first_error, best_error)
    assert (m["shots_ap"]["first"], m["shots_ap"]["best"]) == (6.5, 3.5)
    assert (m["tip_gap_mm"]["label"], m["tip_gap_mm"]["unit"], m["tip_gap_mm"]["best"]) == ("Tip gap", "mm", None)
    shown = mv.needle_levels_table(read(folder)).data
    for text in ("Tip error (mm): first / best (mean)", f"{first_error:g} / {best_error:g} (n = 2)",
                 "Shots, front (AP) view: first / best", "Tip gap (mm)", "2 of 2 (100 %)"):
        assert text in shown, text
    assert "tip_error_mm" not in shown, "named, never by its field name"


# ----------------------------------------------------------------------------- charts on the sample class of 30

@pytest.fixture(scope="module")
def sample():
    from tests.conftest import ROOT
    return cr.read_class_folder(ROOT / "lessons" / "sample-exports")


@pytest.mark.parametrize("build", [mv.gain_figure, mv.rule_gain_figure, mv.item_figure, rv.rule_figure],
                         ids=["gain", "rule gain", "items", "rules"])
def test_every_chart_shows_its_whole_text_and_its_legend_covers_no_data(sample, build):
    fig, alt = build(sample)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    ticks = [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
    ticks += [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
    texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ticks]
    for legend in fig.legends + ([ax.get_legend()] if ax.get_legend() else []):
        texts += legend.get_texts()
        box = legend.get_window_extent(renderer)
        assert not box.overlaps(ax.get_window_extent(renderer)), "the legend sits outside the plot"
    for text in texts:
        if not text.get_text():
            continue
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.x1 and box.y0 >= 0 and box.y1 <= fig.bbox.y1, text.get_text()
    assert ax.get_title() and ax.get_xlabel() and len(alt) > 40


def test_the_sample_class_of_30_has_pre_post_gain_and_flagged_items(sample):
    c = lg.class_gain(lg.student_gains(sample))
    assert len(sample.students) == 30 and c.matched >= 25 and c.pre_only >= 1 and c.post_only >= 1
    assert c.post_mean > c.pre_mean and 0 < c.g_class < 1
    flagged = ia.flagged(ia.test_items(sample, "pre-test", str) + ia.test_items(sample, "post-test", str)
                         + ia.choice_items(sample, "decision-points") + ia.quiz_items(sample))
    assert flagged, "the sample shows what a flagged item looks like"
