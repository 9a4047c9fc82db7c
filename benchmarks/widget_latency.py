"""Latency of the module's interactive figures: time from a control's value change to the updated figure.

Drives every control of notebook 05's height-restoration explorer and outcome pictures, the
figure controls of notebooks 01-03 (fracture explorer sliders, procedure stepper with its
within-step slider and its leak-route and label switches, balloon), and every control of notebook
04's needle-placement exercise (entry point, angles, depth, level, front view, labels), in the
kernel (no browser): set the value, the view's observers run, the artists move, the figure is
rendered to PNG and the <img> HTML is replaced; the clock stops when that returns.  Beside each,
the naive pattern (what ``ipywidgets.interact`` with pyplot does: build a new figure from
scratch and render it on every change) is measured in the same run on the same sequence of
values.  Prints median and p95 per control and the ratio naive / ours.  The simulated radiographs
are computed once per state either way (cached), so the naive figures pay only for drawing.

Run: .venv/bin/python benchmarks/widget_latency.py  [--repeat N]
Target on a 2-core machine: p95 <= 50 ms, and at least 3 times faster than naive.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from widgets.core.citations import Citations  # noqa: E402
from widgets.core.figures import img_html, new_figure, png_bytes  # noqa: E402
from widgets.outcomes.model import default_outcomes  # noqa: E402
from widgets.outcomes.plots import ExplorerArtists, draw_outcome  # noqa: E402
from widgets.outcomes.sentences import outcome_alt  # noqa: E402
from widgets.outcomes.views import HeightExplorerView, OutcomeView  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_RATIO = 3.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def timed(fn, values) -> list[float]:
    out = []
    for v in values:
        t0 = time.perf_counter()
        fn(v)
        out.append((time.perf_counter() - t0) * 1000)
    return out


# ---------------------------------------------------------------- the naive explorer (interact-style)
def naive_explorer(view: HeightExplorerView, level: str, loss: float, procedure: str, shape: str) -> str:
    """Build the same picture from scratch, as an interact callback would, and render it."""
    state = view.model.explore(level, loss, procedure, shape)
    art = ExplorerArtists(new_figure(6.4, 3.6), fixed_axes=False)
    art.draw(state)
    _, alt = view.describe(state)
    return img_html(png_bytes(art.figure, view.figure.dpi), alt)


def bench_explorer(repeat: int) -> list[tuple]:
    cites = Citations()
    view = HeightExplorerView(cites)
    rows = []
    sequences = {
        "height-loss slider": ("loss", [float(v) for v in itertools.islice(itertools.cycle(
            list(range(10, 70)) + list(range(70, 10, -1))), 60 * repeat)]),
        "vertebra dropdown": ("level", [lv for lv in itertools.islice(itertools.cycle(["T9", "T2", "L5"]), 30 * repeat)]),
        "shape dropdown": ("shape", [s for s in itertools.islice(itertools.cycle(["crush", "biconcave", "wedge"]), 30 * repeat)]),
        "procedure buttons": ("procedure", [p for p in itertools.islice(itertools.cycle(["vertebroplasty", "kyphoplasty"]), 30 * repeat)]),
        "Genant grade dropdown": ("grade", [g for g in itertools.islice(itertools.cycle([1, 2, 3, 0]), 30 * repeat)]),
    }
    for name, (attr, values) in sequences.items():
        control = getattr(view, attr)
        before = view.figure.render_count

        def ours(v, control=control):
            control.value = v
        ours_ms = timed(ours, values)
        renders = view.figure.render_count - before

        current = {"level": view.level.value, "loss": view.loss.value, "procedure": view.procedure.value,
                   "shape": view.shape.value}

        def naive(v, attr=attr, current=current):
            if attr == "grade":
                current["loss"] = view.model.loss_for_grade(v)
            else:
                current[attr] = v
            naive_explorer(view, current["level"], current["loss"], current["procedure"], current["shape"])
        naive_ms = timed(naive, values)
        rows.append(("explorer", name, len(values), renders, ours_ms, naive_ms))
    return rows


#: The panels notebook 05 opens each outcome with: its calls to outcome_evidence("id", cites, [panels]), read
#: from its source so that the benchmark shows what the notebook shows.
MAIN_PANELS = {m.group(1): ast.literal_eval(m.group(2)) for m in re.finditer(
    r'outcome_evidence\("(\w+)", cites, (\[[^\]]*\])\)',
    (Path(__file__).resolve().parents[1] / "notebooks" / "05-comparing-outcomes.md").read_text(encoding="utf-8"))}


def bench_pictures(repeat: int) -> list[tuple]:
    """Notebook 05's outcome pictures: 'Show all panels' and back, every press timed, the first ones too (what
    a student feels first).  Ours shows the picture drawn when the notebooks were built (widgets.core.pictures)
    and swaps which one is shown; naive draws the figure for the new state on every press."""
    cites = Citations.for_notebook("05-comparing-outcomes")   # the notebook's numbering, as its pictures have
    outcomes = default_outcomes()
    t0 = time.perf_counter()
    views = [OutcomeView(outcomes.outcome(i), cites, panels) for i, panels in MAIN_PANELS.items()]
    build_ms = (time.perf_counter() - t0) * 1000
    presses = list(itertools.islice(itertools.cycle(views), 40 * repeat))
    ours = timed(lambda v: v.toggle.click(), presses)
    drawn = sum(f.render_count for v in views for f in v.figures.values())

    def naive(v):
        shown = v.outcome if v.showing_all else v.main   # the state the press has just set (ours ran first)
        img_html(png_bytes(draw_outcome(shown, cites), 72), outcome_alt(shown, cites))
    naive_ms = timed(naive, presses)
    print(f"(outcome pictures: the {len(views)} main pictures shown in {build_ms:.0f} ms in all when the notebook "
          f"runs; {drawn} of the {sum(len(v.figures) for v in views)} pictures had to be drawn in the kernel, the "
          "others were shipped)")
    return [("outcome pictures", "Show all panels / only the main ones", len(presses), None, ours, naive_ms)]


#: The notebook each widget of the table is in.
NOTEBOOK = {"explorer": "05", "outcome pictures": "05", "fracture explorer": "01", "balloon": "03",
            "procedure stepper": "02, 03", "needle exercise": "04"}


def bench_procedures(repeat: int) -> list[tuple]:
    """Notebooks 01-03: each change moves the SagittalDrawing's artists and renders once; naive
    builds the whole drawing again (what an interact callback would do)."""
    from widgets.fractures.explorer import FractureExplorer
    from widgets.procedures.balloon_view import BalloonView
    from widgets.procedures.views import StepperView
    from widgets.procedures.steps import load_procedure
    from widgets.anatomy.drawing import SagittalDrawing

    cites = Citations()
    rows = []

    def naive_drawing(drawing: SagittalDrawing) -> None:
        SagittalDrawing(drawing.heights, drawing.depth, expected=drawing.expected, state=drawing.state)

    rows += bench_stepper(repeat)

    explorer = FractureExplorer(cites)
    slider = explorer.sliders["anterior"]
    lo, hi, now = int(slider.min) + 1, int(slider.max) - 1, int(slider.value)
    sweep = [v for v in list(range(lo, hi + 1)) + list(range(hi - 1, lo, -1))]
    start = sweep.index(now) + 1 if now in sweep else 0       # every value differs from the one before
    values = [float(v) for v in itertools.islice(itertools.cycle(sweep[start:] + sweep[:start]), 40 * repeat)]
    before = explorer.drawing.view.render_count
    ours = timed(lambda v: setattr(slider, "value", v), values)
    renders = explorer.drawing.view.render_count - before
    naive = timed(lambda v: naive_drawing(explorer.drawing), values)
    rows.append(("fracture explorer", "anterior height slider", len(values), renders, ours, naive))

    balloon = BalloonView(cites)
    values = [float(v) for v in itertools.islice(itertools.cycle(list(range(5, 101, 5)) + list(range(95, -1, -5))),
                                                 40 * repeat)]
    before = balloon.drawing.view.render_count
    ours = timed(lambda v: setattr(balloon.slider, "value", v), values)
    renders = balloon.drawing.view.render_count - before
    naive = timed(lambda v: naive_drawing(balloon.drawing), values)
    rows.append(("balloon", "inflation slider", len(values), renders, ours, naive))
    return rows


def naive_fluoro(views) -> None:
    """The stepper's or the exercise's two views built from scratch in their current state, and rendered."""
    from widgets.anatomy.fluoro import FluoroViews
    FluoroViews(views.seg.level.id, views.seg.heights, views.scene, labels=views.labels, oblique_deg=views.oblique,
                title=views.title)


def _measure(view, figure_view, control_values, set_value) -> tuple[list[float], list[float], int]:
    before = figure_view.render_count
    ours = timed(set_value, control_values)
    renders = figure_view.render_count - before

    def naive(v):
        set_value(v)
        naive_fluoro(view)
    # the naive pass also moves the real view (to reach the same state); that part is ours, taken off
    naive_ms = [n - o for n, o in zip(timed(naive, control_values), ours)]
    return ours, naive_ms, renders


def bench_stepper(repeat: int) -> list[tuple]:
    """Notebooks 02-03: the steppers' two fluoroscopic views."""
    from widgets.procedures.steps import load_procedure
    from widgets.procedures.views import StepperView

    cites = Citations()
    rows = []
    stepper = StepperView(load_procedure("kyphoplasty"), cites)
    steps = list(itertools.islice(itertools.cycle(list(range(1, stepper.n)) + list(range(stepper.n - 2, -1, -1))),
                                  30 * repeat))
    ours, naive, renders = _measure(stepper.drawing, stepper.drawing.view, steps, stepper.go)
    rows.append(("procedure stepper", "Next / Previous (both views)", len(steps), renders, ours, naive))
    stepper.go(stepper.procedure.step_ids.index("kp_balloon_inflate"))
    values = [float(v) for v in itertools.islice(itertools.cycle([75, 50, 25, 0, 25, 50, 75, 100]), 32 * repeat)]
    ours, naive, renders = _measure(stepper.drawing, stepper.drawing.view, values,
                                    lambda v: setattr(stepper.within, "value", v))
    rows.append(("procedure stepper", "within-step slider (balloon inflating)", len(values), renders, ours, naive))
    stepper.go(stepper.procedure.step_ids.index("kp_cement_inject"))
    for control, options in ((stepper.leaks, ["show", "hide"]), (stepper.labels, ["off", "on"])):
        values = list(itertools.islice(itertools.cycle(options), 40 * repeat))
        ours, naive, renders = _measure(stepper.drawing, stepper.drawing.view, values,
                                        lambda v, c=control: setattr(c, "value", v))
        rows.append(("procedure stepper", f"{control.description.split(':')[0].lower()} switch", len(values), renders,
                     ours, naive))
    return rows


def bench_needle(repeat: int) -> list[tuple]:
    """Notebook 04: every control of the needle exercise's Learn mode (live: each change moves the needle in
    both views), and Test mode's shot buttons (benchmarks/needle_exercise.py also times a shot with grading)."""
    from widgets.imaging.views import NeedleExercise

    t0 = time.perf_counter()
    ex = NeedleExercise(Citations(), mode="learn")
    print(f"(needle exercise, Learn mode: made in {(time.perf_counter() - t0) * 1000:.0f} ms)")
    rows = []

    def sweep(lo, hi, step, n):
        up = [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]
        return [float(v) for v in itertools.islice(itertools.cycle(up[1:] + up[-2::-1]), n * repeat)]

    sliders = [(ex.depth, sweep(0, 50, 1, 60)), (ex.medial, sweep(0, 40, 1, 40)), (ex.caudal, sweep(-15, 15, 1, 40)),
               (ex.entry_lateral, sweep(8, 22, 0.5, 40)), (ex.entry_up, sweep(12, 26, 0.5, 40))]
    for control, values in sliders:
        ours, naive, renders = _measure(ex.views, ex.views.view, values, lambda v, c=control: setattr(c, "value", v))
        rows.append(("needle exercise", control.description[:40], len(values), renders, ours, naive))
    for control, options in ((ex.level, ["L2", "L3", "L4", "L5", "L1"]), (ex.front, ["barrel", "ap"]),
                             (ex.labels, ["off", "on"])):
        values = list(itertools.islice(itertools.cycle(options), 40 * repeat))
        ours, naive, renders = _measure(ex.views, ex.views.view, values, lambda v, c=control: setattr(c, "value", v))
        rows.append(("needle exercise", control.description, len(values), renders, ours, naive))
    test = NeedleExercise(Citations(), mode="test", spine="model", seed=1)
    views = ["AP", "lateral"] * (20 * repeat)
    ours, naive, renders = _measure(test.views, test.views.view, views, test.shoot)
    rows.append(("needle exercise", "Test mode: a shot (model spine)", len(views), renders, ours, naive))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="multiply the number of changes per control")
    args = parser.parse_args(argv)
    rows = (bench_explorer(args.repeat) + bench_pictures(args.repeat) + bench_procedures(args.repeat)
            + bench_needle(args.repeat))
    print(f"{'nb':6} {'widget':20} {'control':40} {'n':>4} {'median':>8} {'p95':>8} {'naive med':>10} "
          f"{'naive p95':>10} {'ratio med':>9} {'ratio p95':>9}  verdict")
    ok = True
    for widget, control, n, renders, ours, naive in rows:
        med, hi = statistics.median(ours), p95(ours)
        nmed, nhi = statistics.median(naive), p95(naive)
        ratio_med, ratio_p95 = nmed / med, nhi / hi
        meets = hi <= TARGET_P95_MS and ratio_med >= TARGET_RATIO
        ok &= meets
        verdict = "meets target" if meets else "MISSES target"
        if renders is not None and renders != n:
            verdict += f" (renders {renders} != changes {n})"
        print(f"{NOTEBOOK.get(widget, ''):6} {widget:20} {control:40} {n:>4} {med:8.1f} {hi:8.1f} {nmed:10.1f} "
              f"{nhi:10.1f} {ratio_med:8.1f}x {ratio_p95:8.1f}x  {verdict}")
    print("times in ms from value change to rendered figure; naive = new figure + render per change "
          "(interact pattern), same values, same run")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
