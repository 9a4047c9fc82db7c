"""The candidacy quiz with two standards and spaced review: how long a student waits.

Prints, side by side, the time (median of --repeat runs) to:

* grade one answer against the leaflet only (the engine as before) and against both standards (now),
  with the ratio: the cost of the second standard on every Submit;
* replay the review schedule from a student's saved answers (20, 200 and 2,000 answers), which the
  quiz does after every answer to show "due today";
* start the quiz on the shipped bank (each student's own order, now covering both standards' rules);
* write the flashcards of 50 missed cases;
* show a case that carries a simulated x-ray: the first time (projection, figure, PNG) and again (kept),
  beside showing a case without one, with the ratios;
* generate 100 practice cases with the templates' images (some cases drawn with an x-ray, each checked
  as the bank's are) and without them, with the ratio;
* work out today's five and the streak (what the top of the quiz shows after every answer) for a student with
  20, 200 and 2,000 saved answers, beside the "due today" line alone that it adds to, with the ratio.

    python benchmarks/quiz_review.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from widgets.candidacy.flashcards import anki_text, card_for  # noqa: E402
from widgets.candidacy.practice import assess_practice  # noqa: E402
from widgets.candidacy.exercise import grade_answer  # noqa: E402
from widgets.candidacy.quiz import Quiz  # noqa: E402
from widgets.candidacy.review import build_schedule  # noqa: E402
from widgets.candidacy.bank import load_case_bank  # noqa: E402
from widgets.candidacy.rules import assess  # noqa: E402
from widgets.candidacy.vignettes import Vignette, generate  # noqa: E402
from benchmarks._timing import median_time  # noqa: E402



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bank = [Vignette.from_case(c) for c in load_case_bank()]
    assess(bank[0].patient), assess_practice(bank[0].patient)       # load the rules once, as a kernel has

    def leaflet_only():
        for v in bank:
            assess(v.patient)

    def both():
        for v in bank:
            grade_answer(v, True, True, "indication_met")

    one, two = median_time(leaflet_only, args.repeat) / len(bank), median_time(both, args.repeat) / len(bank)
    print(f"grade one answer: leaflet only {one * 1e3:.3f} ms, both standards {two * 1e3:.3f} ms "
          f"(x{two / one:.1f})")

    t0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
    for n in (20, 200, 2000):
        events = [(t0 + timedelta(hours=7 * i), f"case:c{i % 67}", i % 3 != 0) for i in range(n)]
        events += [(t0 + timedelta(hours=7 * i), f"rule:r{i % 15}", i % 3 != 0) for i in range(n)]
        t = median_time(lambda: build_schedule(events, tz=timezone.utc), args.repeat)
        print(f"replay the review schedule of {n:5d} answers: {t * 1e3:7.2f} ms")

    t = median_time(lambda: Quiz.from_bank(order_seed="install:bench", clock=lambda: "2026-11-26T09:00:00Z"), args.repeat)
    print(f"start the quiz on the shipped bank ({len(bank)} cases, own order over both standards): {t * 1e3:.1f} ms")
    cases = generate(3, 50)
    t = median_time(lambda: anki_text([card_for(v) for v in cases]), args.repeat)
    print(f"flashcards of 50 missed cases: {t * 1e3:.1f} ms")
    generated_images(args.repeat)
    case_images(args.repeat)
    five_a_day(args.repeat)


def generated_images(repeat: int) -> None:
    """Generating practice cases, with the images section of the templates and without it."""
    from widgets.candidacy.vignettes import load_templates
    with_images = load_templates()
    without = with_images.model_copy(update={"images": None})
    shown = sum(v.image is not None for v in generate(7, 100, templates=with_images))
    plain = median_time(lambda: generate(7, 100, templates=without), repeat)
    imaged = median_time(lambda: generate(7, 100, templates=with_images), repeat)
    print(f"generate 100 practice cases: without images {plain * 1e3:.1f} ms, with images ({shown} of them "
          f"drawn with an x-ray and checked) {imaged * 1e3:.1f} ms (x{imaged / plain:.2f})")


def case_images(repeat: int) -> None:
    """Showing an imaged case in the quiz widget: first time, again, and a case without an image."""
    import tempfile
    from widgets.candidacy import case_image_view
    from widgets.candidacy.quiz_view import QuizView
    from widgets.record.progress import ProgressFile
    from widgets.anatomy import xray

    with tempfile.TemporaryDirectory() as tmp:
        store = ProgressFile(Path(tmp) / "bench.progress.json").load()
        view = QuizView(Quiz.from_bank(load_case_bank(), attempts=[]), store, export_dir=tmp)
        imaged = next(v for v in view.quiz.order if v.image is not None)
        plain = next(v for v in view.quiz.order if v.image is None)

        def show(v):
            view.quiz.current = v
            view._show_case()

        def first_time():
            case_image_view._png.cache_clear()
            for cached in (xray.radiograph, xray._static_sum, xray._body_sum):
                cached.cache_clear()
            show(imaged)

        cold = median_time(first_time, repeat)
        show(imaged)
        warm = median_time(lambda: show(imaged), repeat)
        none = median_time(lambda: show(plain), repeat)
    print(f"show a case with its x-ray ({imaged.id}): first time {cold * 1e3:.1f} ms, again {warm * 1e3:.2f} ms "
          f"(x{cold / warm:.0f} faster when kept); a case without an image {none * 1e3:.2f} ms "
          f"(the kept x-ray costs x{warm / none:.1f} of that)")


def five_a_day(repeat: int) -> None:
    """Today's five and the streak beside the due-today line, for students with more and more saved answers."""
    for n in (20, 200, 2000):
        now = [datetime(2026, 9, 1, 9, tzinfo=timezone.utc)]

        def clock():
            now[0] += timedelta(minutes=50)            # about 29 answers a day, every day
            return now[0].isoformat().replace("+00:00", "Z")
        q = Quiz.from_bank(clock=clock, tz=timezone.utc)
        for i in range(n):
            truth = assess_practice(q.current.patient)
            q.submit(truth.vertebroplasty.eligible if i % 4 else not truth.vertebroplasty.eligible,
                     truth.kyphoplasty.eligible, truth.deciding_rules[0])
            q.next()
        q.clock = lambda: now[0].isoformat().replace("+00:00", "Z")

        def after_an_answer():                  # an answer was just added: the schedule is replayed again
            q._schedule = None
        due = median_time(lambda: (after_an_answer(), q.due_text()), repeat)
        both = median_time(lambda: (after_an_answer(), q.due_text(), q.daily_plan(), q.streak()), repeat)
        # The same top as it was before the schedule and each case's deciding rules were kept (both worked out
        # again on every call).
        naive = median_time(lambda: (after_an_answer(), q._deciding.clear(), q.due_text(), after_an_answer(),
                                     q.daily_plan(), q.streak()), repeat)
        print(f"top of the quiz for {n:5d} answers, after an answer: due today {due * 1e3:7.2f} ms, with today's "
              f"five and the streak {both * 1e3:7.2f} ms (x{both / due:.1f}); working everything out again "
              f"{naive * 1e3:7.2f} ms (x{naive / both:.1f} of kept)")


if __name__ == "__main__":
    main()
