"""The needle-placement views (ipywidgets): Learn mode on the model spine, Test mode on a real spine.

:class:`NeedleExercise` gives the student the needle's entry point on the back of the pedicle
(left-right and up-down, as seen on the front view), its two angles (toward the midline, toward
the feet) and how far it is advanced, all as labelled keyboard sliders; the level, the approach
(one pedicle or two) and labels on or off as radio groups.

* ``mode="learn"``: the model spine (:mod:`widgets.anatomy.segment`), the one that explains the
  anatomy: live fluoroscopy (every change moves the needle in both views), the textbook path to
  start from, the guides (medial wall, posterior wall, target) and the four checks said live; the
  front view can be turned and tilted along the planned path (the barrel view).
* ``mode="test"``: graded like a simulator.  It starts at a random level, with the needle at a
  random point near the centre of the back of the pedicle, straight ahead, not advanced.  Moving
  the sliders moves the needle unseen: **Take an AP shot** and **Take a lateral shot** show it,
  one shot each, counted per view.  **Grade this attempt** grades it (four checks,
  :mod:`widgets.imaging.grading`), shows a result card with the simulator's metrics (tip error,
  tip-to-target distance, closest approach to the medial wall, breach, shots per view, redirects,
  time), reveals the hidden anatomy (pedicle, spinal canal, target) and, on the real CT, the axial
  slice through the needle; it adds the attempt to the table and the learning curve and records it
  in the student's exercise log (``needle-placement``, handed in with the notebook's hand-in box).
  **New attempt** draws a new level and start.  The spine is a real one, a CT of T11 to L2
  (:mod:`widgets.anatomy.ct`), graded from its vertebra mask; the model spine (L1 to L5) is the
  other choice, and the fallback when the CT cannot be read.

Everything it shows is computed by the pure modules (:mod:`widgets.imaging.placement`,
:mod:`widgets.imaging.grading`, :mod:`widgets.imaging.attempts`); nothing here parses content or
does geometry.
"""

from __future__ import annotations

import html
import math
import random
import time

import ipywidgets as ipw
import numpy as np

from widgets.record.handin import ExerciseLog, default_log
from widgets.record.progress import ProgressError
from widgets.core.citations import Citations
from widgets.core.controls import KeyboardShield, RadioGroup, Slider
from widgets.core.figures import BlitFigureView, new_figure
from widgets.core.idle import when_idle
from widgets.core.style import OKABE_ITO
from widgets.anatomy import ct
from widgets.anatomy.ct_view import AxialView, CtViews
from widgets.anatomy.fluoro import FluoroViews
from widgets.anatomy.levels import level as model_level
from widgets.anatomy.needle_path import planned_needle
from widgets.anatomy.scene import Scene, describe_tip
from widgets.anatomy.segment import segment
from widgets.imaging.attempts import (
    AttemptHistory, attempt_number, check_held, metric, passed, process, shots,
)
from widgets.imaging.grading import CHECKS, NeedleGrade, check_name
from widgets.imaging.placement import (LIMITS, SETTINGS, ct_available, grade_placement, levels, needle_for,
                                       settings_text, start_settings, taught_settings)

AUTO = ipw.Layout(width="auto")
DEFAULT_LEVEL = "L1"
APPROACH_OPTIONS = [("One pedicle: the tip to the midline of the front third", "unilateral"),
                    ("Two pedicles: the tip in this side's front third", "bilateral")]
SPINE_OPTIONS = [("A real spine (CT, T11 to L2)", "ct"), ("The model spine (L1 to L5)", "model")]
SLIDER_TEXT = {"entry_lateral_mm": ("Entry point: mm left of the midline", "mm", 1),
               "entry_up_mm": ("Entry point: mm above the lower endplate", "mm", 1),
               "medial_deg": ("Angle toward the midline (medial)", "degrees", 0),
               "caudal_deg": ("Angle toward the feet (caudal; below 0: toward the head)", "degrees", 0),
               "depth_mm": ("Needle advanced past the entry point", "mm", 0)}
#: How far apart two settings may be and still count as the same needle (no redirect).
SAME = 1e-6
#: The learning curve shows the shots of the last MAX_BARS attempts as bars.
MAX_BARS = 40


def drawing_box(spine: str):
    """What stands where the two pictures will be while they are drawn: a box of their size that says so, and
    that narrows with its column as the pictures do (a 1024 px laptop window leaves it under 600 px)."""
    what = "the real CT" if spine == "ct" else "the model spine"
    box = ipw.HTML(f'<div role="status" style="width:100%;aspect-ratio:704/456;display:flex;'
                   f'align-items:center;justify-content:center;text-align:center;padding:0 1em;box-sizing:border-box;'
                   f'background:#111;color:#eee;font-size:1.05em">'
                   f"Drawing the front (AP) and side (lateral) C-arm views of {what}…</div>",
                   layout=ipw.Layout(width="100%", max_width="704px"))
    box.add_class("vkp-needle-drawing")
    return box


def _status(body: str) -> str:
    return f'<div role="status" aria-live="polite" class="vkp-status">{body}</div>'


class LearningCurve:
    """Tip error and shots over the attempts: the simulator's learning curve, redrawn after each attempt
    (the axes grow in steps, so most attempts only draw the points over a cached frame)."""

    def __init__(self, width: float = 6.0, height: float = 2.9, dpi: int = 80):
        fig = new_figure(width, height, layout=None)
        ax = fig.add_axes((0.1, 0.2, 0.78, 0.66))
        shots = ax.twinx()
        ax.set_zorder(shots.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.set_xlabel("attempt", fontsize=9)
        ax.set_ylabel("tip error, mm", fontsize=9)
        shots.set_ylabel("shots (both views)", fontsize=9, color="#555555")
        ax.set_title("Your learning curve: tip error (line) and shots (bars) per attempt", fontsize=10)
        self.ax, self.shots_ax = ax, shots
        self.line, = ax.plot([], [], color=OKABE_ITO["blue"], lw=1.6)
        self.passed, = ax.plot([], [], ls="none", marker="o", ms=7, mfc=OKABE_ITO["bluish_green"], mec="black",
                               label="passed")
        self.failed, = ax.plot([], [], ls="none", marker="X", ms=8, mfc=OKABE_ITO["vermillion"], mec="black",
                               label="not yet")
        self.bars = shots.bar(np.arange(1, MAX_BARS + 1), np.zeros(MAX_BARS), width=0.5, color="#BBBBBB", alpha=0.7)
        ax.legend(handles=[self.passed, self.failed], fontsize=8, loc="upper right", frameon=False)
        self.figure = fig
        self.data: dict = {"attempt": [], "tip_error_mm": [], "shots": [], "passed": []}
        self._limits(1, 10.0, 6.0)
        moving = [*self.bars.patches, self.line, self.passed, self.failed]
        self.view = BlitFigureView(fig, self.alt_text(), moving, dpi=dpi)

    @property
    def widget(self):
        return self.view.widget

    def _limits(self, n: int, top: float, shots: float) -> tuple:
        """Axes that hold ``n`` attempts, tip errors up to ``top`` mm and ``shots`` shots, in steps."""
        xmax = max(10, int(math.ceil(n / 10.0)) * 10)
        ymax = max(10.0, math.ceil(top * 1.15 / 10.0) * 10.0)
        smax = max(6.0, math.ceil(shots * 1.3 / 5.0) * 5.0)
        self.ax.set_xlim(0.5, xmax + 0.5)
        self.ax.set_xticks(range(1, xmax + 1, 1 if xmax <= 10 else 5))
        self.ax.set_ylim(0, ymax)
        self.shots_ax.set_ylim(0, smax)
        return (xmax, ymax, smax)

    def update(self, curve: dict) -> None:
        self.data = curve
        x = np.array(curve["attempt"], dtype=float)
        y = np.array(curve["tip_error_mm"], dtype=float)
        ok = np.array(curve["passed"], dtype=bool)
        self.line.set_data(x, y)
        self.passed.set_data(x[ok], y[ok])
        self.failed.set_data(x[~ok], y[~ok])
        shown = list(zip(curve["attempt"], curve["shots"]))[-MAX_BARS:]
        for i, bar in enumerate(self.bars.patches):
            if i < len(shown):
                bar.set_x(shown[i][0] - 0.25)
                bar.set_height(shown[i][1])
                bar.set_visible(True)
            else:
                bar.set_visible(False)
        key = self._limits(len(x), float(y.max()) if len(y) else 0.0, float(max(curve["shots"], default=0)))
        self.view.render(alt=self.alt_text(), background=key)

    def alt_text(self) -> str:
        d = self.data
        if not d["attempt"]:
            return "Your learning curve: no attempts yet."
        points = "; ".join(f"attempt {a}: tip error {e:.1f} mm, {s} shot{'s' if s != 1 else ''}, "
                           f"{'passed' if p else 'not yet'}"
                           for a, e, s, p in zip(d["attempt"], d["tip_error_mm"], d["shots"], d["passed"]))
        return f"Your learning curve, tip error and shots per attempt: {points}."


class NeedleExercise:
    """Place a needle through the pedicle watching both views; graded like a simulator in Test mode."""

    def __init__(self, citations: Citations, *, level: str | None = None, mode: str = "test",
                 spine: str | None = None, heights: tuple[float, float, float] | None = None,
                 log: ExerciseLog | None = None, history: AttemptHistory | None = None, seed: int | None = None,
                 approach: str = "unilateral", prepare: bool | None = None):
        """``seed`` makes Test mode's random levels and starts repeatable; ``prepare`` is accepted for
        older notebooks and ignored (nothing is drawn in advance any more)."""
        if mode not in ("learn", "test"):
            raise ValueError(f"mode must be 'learn' or 'test', not {mode!r}")
        self.citations = citations
        self.mode = mode
        self.rng = random.Random(seed)
        self._log = log
        self.history = history or AttemptHistory()
        self.last_grade: NeedleGrade | None = None
        self._heights_given = tuple(float(v) for v in heights) if heights else None
        if mode == "learn":
            spine = "model"
        elif spine is None:
            spine = "ct" if ct_available() else "model"
        elif spine == "ct" and not ct_available():
            spine = "model"
        self.spine_id = spine
        if level is None:
            level = DEFAULT_LEVEL if mode == "learn" else self.rng.choice(levels(spine))
        if level not in levels(spine):
            raise ValueError(f"level {level!r} is not on {spine} spine; choose one of {', '.join(levels(spine))}")
        # ------------------------------------------------ controls
        self.level = RadioGroup("Vertebra", options=[(lv, lv) for lv in levels(spine)], value=level)
        self.approach = RadioGroup("Approach", options=APPROACH_OPTIONS, value=approach, vertical=True)
        self.labels = RadioGroup("Labels", options=[("On", "on"), ("Off", "off")], value="on")
        self.sliders = []
        for name in SETTINGS:
            words, unit, decimals = SLIDER_TEXT[name]
            lo, hi, step = LIMITS[name]
            slider = Slider(words, min=lo, max=hi, value=lo if name != "caudal_deg" else 0.0, step=step, unit=unit,
                            decimals=decimals)
            self.sliders.append(slider)
        self.entry_lateral, self.entry_up, self.medial, self.caudal, self.depth = self.sliders
        self.readout = ipw.HTML(layout=ipw.Layout(max_width="60em"))
        self.readout.add_class("vkp-needle-readout")
        self.feedback = ipw.HTML(_status(""))
        self._syncing = False
        self._set_values(self._starting_values(), render=False)
        top = [self.level, self.labels]
        if mode == "learn":
            self.front = RadioGroup("Front view", options=[
                ("True AP", "ap"), ("Barrel view: the C-arm turned and tilted along the planned path", "barrel")],
                value="ap")
            top.insert(1, self.front)
            self.views = FluoroViews(level, self.heights, Scene(needle=self.needle()),
                                     title="Needle placement: Learn mode (the model spine)",
                                     stored=f"fluoro-needle-learn-{level}")   # the same first picture every run
            self.pictures = ipw.Box([self.views.widget])
            children = [ipw.HBox(top, layout=ipw.Layout(flex_flow="row wrap")), self.approach, *self.sliders,
                        self.pictures, self.readout, self.feedback]
            for control in (*self.sliders, self.front, self.labels, self.approach):
                control.observe(self._changed, names="value")
            self.level.observe(self._level_changed, names="value")
        else:
            self._build_test(top)
            children = self._test_children
        children.append(KeyboardShield(".vkp-needle"))
        self._show_text()
        self.widget = ipw.VBox(children)
        self.widget.add_class("vkp-needle")
        self.widget.add_class(f"vkp-needle-{mode}")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ state
    @property
    def level_id(self) -> str:
        return self.level.value

    @property
    def heights(self) -> tuple[float, float, float] | None:
        """The treated body's heights on the model spine (the level's example fracture unless given)."""
        if self.spine_id != "model":
            return None
        return self._heights_given or model_level(self.level_id).example_fracture()

    @property
    def seg(self):
        return segment(self.level_id, self.heights) if self.spine_id == "model" else None

    def settings(self) -> dict:
        return {name: float(s.value) for name, s in zip(SETTINGS, self.sliders)}

    def needle(self):
        return needle_for(self.spine_id, self.level_id, self.settings(), self.heights)

    def _starting_values(self) -> dict:
        if self.mode == "learn":
            t = taught_settings("model", self.level_id, self.heights, self.approach.value)
            return {**t, "depth_mm": 0.0}
        return start_settings(self.spine_id, self.level_id, self.heights, self.rng)

    def _set_values(self, values: dict, render: bool = True) -> None:
        self._syncing = True
        try:
            for name, slider in zip(SETTINGS, self.sliders):
                slider.value = values[name]
        finally:
            self._syncing = False
        if render:
            self._changed(None)

    # ------------------------------------------------------------------ Learn mode
    def barrel_angles(self) -> tuple[float, float]:
        """The barrel view's C-arm turn and tilt: the planned path's angles, to the whole degree."""
        n = planned_needle(self.seg, approach=self.approach.value)
        return float(round(n.medial_deg)), float(round(n.caudal_deg))

    def _level_changed(self, change) -> None:
        if self.mode == "learn":
            self._set_values(self._starting_values(), render=False)
            self._changed(None)
        else:
            self.new_attempt(level=change["new"])

    def _changed(self, _change) -> None:
        if self._syncing:
            return
        self.last_grade = None
        if self.mode == "test":
            self._moved()
            return
        turn, tilt = self.barrel_angles() if self.front.value == "barrel" else (0.0, 0.0)
        on = self.labels.value == "on"
        self.views.update(Scene(needle=self.needle()), level_id=self.level_id, heights=self.heights,
                          oblique_deg=turn, tilt_deg=tilt, labels=on, guides=on)
        self._show_text()

    # ------------------------------------------------------------------ Test mode
    def _build_test(self, top: list) -> None:
        self.spine = None
        if ct_available():
            self.spine = RadioGroup("Spine", options=SPINE_OPTIONS, value=self.spine_id)
            top.insert(0, self.spine)
            self.spine.observe(self._spine_changed, names="value")
        self.shot_ap = ipw.Button(description="Take an AP shot", layout=AUTO,
                                  tooltip="One x-ray from the front: shows where the needle is now")
        self.shot_lateral = ipw.Button(description="Take a lateral shot", layout=AUTO,
                                       tooltip="One x-ray from the side: shows how deep the needle is now")
        self.grade_button = ipw.Button(description="Grade this attempt", button_style="primary", layout=AUTO,
                                       tooltip="Check the four rules for the needle as it is now")
        self.restart = ipw.Button(description="New attempt", layout=AUTO,
                                  tooltip="A new level and a new starting point, straight ahead and not advanced")
        self.shot_ap.on_click(lambda _: self.shoot("AP"))
        self.shot_lateral.on_click(lambda _: self.shoot("lateral"))
        self.grade_button.on_click(lambda _: self.grade())
        self.restart.on_click(lambda _: self.new_attempt())
        self.shot_count = ipw.HTML()
        self.shot_count.add_class("vkp-needle-shots")
        self.card = ipw.HTML()
        self.card.add_class("vkp-needle-card")
        self.attempts = ipw.HTML()
        self.curve = None                   # made with the first attempt
        self.curve_box = ipw.Box([], layout=ipw.Layout(display="none"))
        self.axial = None
        self.axial_box = ipw.Box([], layout=ipw.Layout(display="none"))
        self._ct_views = None
        self._model_views = None
        self.pictures = ipw.Box([])
        # The first picture depends on the random start, so nothing can be drawn for it in advance: it is drawn
        # while the kernel is idle after Run All (at once outside a kernel), or at the first press or shot if
        # that comes sooner; a box of the picture's size says so meanwhile.
        self._begin(show=False)
        self._start_pending = True
        when_idle([self._show_start_if_pending])
        for control in self.sliders:
            control.observe(self._changed, names="value")
        self.labels.observe(self._labels_changed, names="value")
        self.approach.observe(self._approach_changed, names="value")
        self.level.observe(self._level_changed, names="value")
        self._show_attempts()
        self._test_children = [
            ipw.HBox(top, layout=ipw.Layout(flex_flow="row wrap")), self.approach, *self.sliders,
            ipw.HBox([self.shot_ap, self.shot_lateral, self.shot_count], layout=ipw.Layout(flex_flow="row wrap")),
            self.pictures, self.readout, ipw.HBox([self.grade_button, self.restart]), self.feedback, self.card,
            self.axial_box, self.attempts, self.curve_box]

    @property
    def views(self):
        """The pictures in use: the real CT's or the model's (drawn now if their first picture is still due)."""
        if self.mode == "learn":
            return self.__dict__["views"]
        if self._start_pending:
            self._show_start()
        return self._ct_views if self.spine_id == "ct" else self._model_views

    @views.setter
    def views(self, value) -> None:
        self.__dict__["views"] = value

    def _views_for_spine(self, needle=None):
        on = self.labels.value == "on"
        if self.spine_id == "ct":
            if self._ct_views is None:
                self._ct_views = CtViews(self.level_id, needle=needle or self.needle(), labels=on,
                                         approach=self.approach.value, title="Needle placement: Test mode (a real spine)")
            return self._ct_views
        if self._model_views is None:
            self._model_views = FluoroViews(self.level_id, self.heights, Scene(), labels=on, guides=False,
                                            title="Needle placement: Test mode (the model spine)")
        return self._model_views

    def _begin(self, show: bool = True) -> None:
        """Start an attempt: counters to zero, the clock started, the anatomy hidden again; ``show=False`` leaves
        the pictures to :meth:`_show_start` (a box of their size says they are being drawn)."""
        self.shots = {"AP": 0, "lateral": 0}
        self.redirects = 0
        self._last_shot: dict | None = None
        self.started = time.monotonic()
        self.graded = False
        self.last_grade = None
        self.card.value = ""
        self.grade_button.disabled = False
        self._start_settings = self.settings()      # where the needle starts: what the first pictures show
        self.feedback.value = _status(
            f"{self.level_id}: the needle starts near the centre of the back of the pedicle, straight ahead, not "
            "advanced (the pictures show it there). Move it with the sliders, take a shot to see it, and press "
            "Grade this attempt when the tip is in the target.")
        self._show_shots()
        if show:
            self._show_start()
        else:
            self.pictures.children = (drawing_box(self.spine_id),)

    def _show_start_if_pending(self) -> None:
        if self._start_pending:
            self._show_start()

    def _show_start(self) -> None:
        """The attempt's first pictures: the needle at its start in both views (no shot counted)."""
        self._start_pending = False
        n = needle_for(self.spine_id, self.level_id, self._start_settings, self.heights)
        views = self._views_for_spine(n)
        self.pictures.children = (views.widget,)
        if self.spine_id == "ct":
            views.set_approach(self.approach.value)
            if views.level != self.level_id:
                views.set_level(self.level_id, render=False)
            views.hide(render=False)
            for v in views.art.values():
                v.shots = 0
            if not (views.view.render_count == 1 and all(m is not None and np.allclose(m.tip, ct.as_path(n).tip)
                                                         for m in views.needles.values())):
                views.show(n)           # (a view just made already shows the starting needle)
        else:
            views.update(Scene(), level_id=self.level_id, heights=self.heights, labels=self.labels.value == "on",
                         guides=False, needles={"AP": n, "lateral": n}, breach=None)

    def new_attempt(self, level: str | None = None) -> None:
        """A new attempt: a random level (or ``level``) and a random start near the pedicle's centre."""
        chosen = level or self.rng.choice(levels(self.spine_id))
        if self.level.value != chosen:
            self._syncing = True
            try:
                self.level.value = chosen
            finally:
                self._syncing = False
        self._set_values(start_settings(self.spine_id, chosen, self.heights, self.rng), render=False)
        self._begin()
        self._show_text()

    def _spine_changed(self, change) -> None:
        self.spine_id = change["new"]
        self._syncing = True
        try:
            self.level.options = [(lv, lv) for lv in levels(self.spine_id)]
            self.level.value = self.rng.choice(levels(self.spine_id))
        finally:
            self._syncing = False
        self.new_attempt(level=self.level.value)

    def _labels_changed(self, change) -> None:
        on = change["new"] == "on"
        if self.spine_id == "ct":
            self.views.set_labels(on)
        else:
            self.views.update(labels=on, guides=self.graded, needles=self.views.needles,
                              breach=self.views.breach_point)

    def _approach_changed(self, _change) -> None:
        if self.spine_id == "ct":
            self.views.set_approach(self.approach.value)
        self._show_text()

    def _moved(self) -> None:
        """The sliders moved the needle: nothing is seen until the next shot."""
        self._show_text()

    def shoot(self, view: str) -> None:
        """One shot of ``view``: the picture shows the needle where it is now; counted for this attempt."""
        settings = self.settings()
        if self._last_shot is not None:
            before = self._last_shot
            turned = any(abs(before[k] - settings[k]) > SAME for k in SETTINGS if k != "depth_mm")
            if turned and before["depth_mm"] > 0:
                self.redirects += 1
        self._last_shot = settings
        self.shots[view] += 1
        n = self.needle()
        if self.spine_id == "ct":
            self.views.shoot(view, n)
        else:
            needles = dict(self.views.needles or {})
            needles[view] = n
            self.views.update(needles=needles, guides=self.graded, labels=self.labels.value == "on",
                              breach=self.views.breach_point)
        self._show_shots()

    def _show_shots(self) -> None:
        s = self.shots
        self.shot_count.value = (f"<span>Shots this attempt: <strong>{s['AP']}</strong> AP, "
                                 f"<strong>{s['lateral']}</strong> lateral; redirects: {self.redirects}</span>")

    # ------------------------------------------------------------------ text
    def _show_text(self) -> None:
        if self.mode == "learn":
            n = self.needle()
            g = grade_placement("model", self.level_id, self.settings(), self.heights, self.approach.value)
            marks = "".join(f"<li>{'&#10003;' if ok else '&#10007;'} {html.escape(check_name(c, g.approach))}</li>"
                            for c, ok in g.results.items())
            self.feedback.value = _status(f"<p>Right now:</p><ul>{marks}</ul>")
            self.readout.value = f"<p><strong>Where the tip is:</strong> {html.escape(describe_tip(self.seg, n))}</p>"
            return
        self.readout.value = (f"<p><strong>The needle now:</strong> {html.escape(settings_text(self.settings()))}. "
                              "Take a shot to see where it is.</p>")

    # ------------------------------------------------------------------ grading
    def grade(self) -> NeedleGrade:
        """Grade the needle as it is now, record the attempt, show the result and reveal the anatomy."""
        if self.mode != "test":
            raise RuntimeError("only Test mode grades attempts")
        settings = self.settings()
        g = grade_placement(self.spine_id, self.level_id, settings, self.heights, self.approach.value)
        self.last_grade = g
        elapsed = time.monotonic() - self.started
        rec = self.history.record(g, settings, self.heights, shots_ap=self.shots["AP"],
                                  shots_lateral=self.shots["lateral"], redirects=self.redirects, time_s=elapsed)
        try:
            (self._log or default_log()).record(rec)     # the attempt the history holds is the one handed in
        except ProgressError:
            pass                                          # kept in memory; the log's save_problem says why
        self.graded = True
        self.grade_button.disabled = True
        breach = g.breach.point if g.breach else None
        n = self.needle()
        if self.spine_id == "ct":
            self.views.show(n, render=False)
            self.views.reveal(breach)
            if self.axial is None:
                self.axial = AxialView()
                self.axial_box.children = (self.axial.widget,)
            self.axial.show(self.level_id, n)
            self.axial_box.layout.display = None
        else:
            self.views.update(needles={"AP": n, "lateral": n}, guides=True, labels=self.labels.value == "on",
                              breach=breach)
            self.axial_box.layout.display = "none"
        cite = self.citations.html.cited
        items = "".join(f"<li>{'&#10003;' if ok else '&#10007;'} {html.escape(check_name(c, g.approach))}: "
                        f"<strong>{'yes' if ok else 'no'}</strong></li>" for c, ok in g.results.items())
        problems = "".join(f"<li>{cite(html.escape(p.text))}</li>" for p in g.problems)
        verdict = (f"Attempt {attempt_number(rec)}: pass. All four checks hold." if g.passed else
                   f"Attempt {attempt_number(rec)}: not yet, {g.score} of {len(CHECKS)} checks hold.")
        body = f"<p><strong>{verdict}</strong></p><ul>{items}</ul>"
        if problems:
            body += f"<p>What went wrong:</p><ul>{problems}</ul>"
        reveal = ("The pictures now show the needle where it ended, with the pedicle, the spinal canal and the target "
                  "outlined" + (" from the scan's outline of the vertebra" if self.spine_id == "ct" else ""))
        if g.breach is not None:
            reveal += "; a red cross marks where the needle left the pedicle"
        body += f"<p>{reveal}. Press New attempt for another level.</p>"
        if self.spine_id == "ct":
            body += f"<p class='vkp-note'>{html.escape(ct.RESOLUTION_NOTE)}</p>"
        self.feedback.value = _status(body)
        self.card.value = self._card(rec)
        self._show_attempts()
        return g

    def _card(self, rec) -> str:
        """The result card: the simulator's metrics for this attempt."""
        medial = metric(rec, "closest_medial_mm")
        closest = ("never in the pedicle" if medial is None else
                   f"{medial:.1f} mm" + (" (beyond the wall)" if medial < 0 else ""))
        time_s = process(rec, "time_s")
        rows = [("Tip error (tip to the target's centre)", f"{metric(rec, 'tip_error_mm'):.1f} mm"),
                ("Tip to the target (0: inside it)", f"{metric(rec, 'tip_to_target_mm'):.1f} mm"),
                ("Closest approach to the pedicle's medial wall", closest),
                ("Pedicle wall breached", "yes" if metric(rec, "breach") else "no"),
                ("Through the front wall of the body", "yes" if metric(rec, "front_breach") else "no"),
                ("Shots", f"{process(rec, 'shots_ap')} AP, {process(rec, 'shots_lateral')} lateral"),
                ("Redirects (needle turned between shots while in the bone)", str(process(rec, "redirects"))),
                ("Time", f"{time_s:.0f} s" if time_s is not None else "not timed")]
        body = "".join(f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
        return (f"<table class='vkp-card'><caption>Result card, attempt {attempt_number(rec)} "
                f"({html.escape(rec.item)}, {'a real spine' if rec.answer['spine'] == 'ct' else 'the model spine'})"
                f"</caption><tbody>{body}</tbody></table>")

    def _show_attempts(self) -> None:
        attempts = self.history.attempts
        if not attempts:
            self.attempts.value = "<p>Attempts so far: none.</p>"
            self.curve_box.layout.display = "none"
            return
        heads = ("Attempt", "Level", "Within the pedicle", "Medial wall rule", "Tip in target", "Front wall intact",
                 "Tip error, mm", "Shots", "Result")
        rows = "".join(
            f"<tr><td>{attempt_number(a)}</td><td>{html.escape(a.item)}</td>"
            + "".join(f"<td>{'yes' if check_held(a, c) else 'no'}</td>" for c in CHECKS)
            + f"<td>{metric(a, 'tip_error_mm'):.1f}</td><td>{shots(a)}</td>"
            + f"<td>{'pass' if passed(a) else 'not yet'}</td></tr>"
            for a in attempts)
        head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in heads)
        self.attempts.value = (f"<table><caption>Your attempts: {html.escape(self.history.progress())}</caption>"
                               f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        if self.curve is None:
            self.curve = LearningCurve()
            self.curve_box.children = (self.curve.widget,)
        self.curve.update(self.history.curve())
        self.curve_box.layout.display = None
