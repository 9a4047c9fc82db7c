"""The needle-placement views (ipywidgets): Learn mode and Test mode over the two fluoroscopic views.

:class:`NeedleExercise` gives the student the needle's entry point on the back of the pedicle
(left-right and up-down, as seen on the AP view), its two angles (toward the midline, toward the
feet) and how far it is advanced, all as labelled keyboard sliders; the level (L1 to L5), the
front view (true AP or the barrel view along the pedicle) and labels on or off as radio groups.
Every change moves the needle in both views in place.

* ``mode="learn"``: starts on the textbook path and says live whether each of the three checks
  holds;
* ``mode="test"``: starts straight ahead at depth 0; **Grade this attempt** grades the placement
  (:func:`widgets.imaging.grading.grade`), names the danger of each error with its source, marks
  where the needle left the pedicle, and keeps the attempts; each is recorded in the student's
  exercise log (``needle-placement``) and handed in with the notebook's hand-in box.

Everything it shows is computed by the pure modules of :mod:`widgets.imaging`; nothing here
parses content or does geometry.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as ipw

from widgets.record.handin import ExerciseLog, default_log
from widgets.core.citations import Citations
from widgets.core.controls import KeyboardShield, RadioGroup, Slider
from widgets.anatomy.levels import load_anatomy
from widgets.imaging.attempts import EXERCISE_ID, AttemptHistory, needle_answer, needle_grades
from widgets.anatomy.fluoro import FluoroViews
from widgets.imaging.grading import CHECK_NAMES, CHECKS, NeedleGrade, grade
from widgets.anatomy.needle_path import needle_at, planned_needle
from widgets.anatomy.scene import Scene, describe_tip
from widgets.anatomy.segment import segment
from widgets.anatomy.geometry import default_fracture

AUTO = ipw.Layout(width="auto")
DEFAULT_LEVEL = "L1"


def _status(body: str) -> str:
    return f'<div role="status" aria-live="polite" class="vkp-status">{body}</div>'


class NeedleExercise:
    """Place a needle through the pedicle watching both views; graded in Test mode."""

    def __init__(self, citations: Citations, *, level: str = DEFAULT_LEVEL, mode: str = "test",
                 heights: tuple[float, float, float] | None = None, log: ExerciseLog | None = None,
                 history: AttemptHistory | None = None, prepare: bool | None = None):
        if mode not in ("learn", "test"):
            raise ValueError(f"mode must be 'learn' or 'test', not {mode!r}")
        self.citations = citations
        self.mode = mode
        if heights is None:
            h = default_fracture()
            heights = (h.anterior, h.middle, h.posterior)
        self.heights = tuple(float(v) for v in heights)
        self._log = log
        self.history = history or AttemptHistory()
        self.last_grade: NeedleGrade | None = None
        anatomy = load_anatomy()
        self.level = RadioGroup("Vertebra", options=[(lv, lv) for lv in anatomy.ids], value=level)
        self.front = RadioGroup("Front view", options=[("True AP", "ap"),
                                                       ("Barrel (owl's-eye) view: C-arm turned to the pedicle's angle", "barrel")],
                                value="ap")
        self.labels = RadioGroup("Labels", options=[("On", "on"), ("Off", "off")], value="on")
        self.entry_lateral = Slider("Entry point: mm left of the midline", min=4, max=30, value=10, step=0.5,
                                    unit="mm", decimals=1)
        self.entry_up = Slider("Entry point: mm above the lower endplate", min=4, max=34, value=18, step=0.5,
                               unit="mm", decimals=1)
        self.medial = Slider("Angle toward the midline (medial)", min=0, max=45, value=0, step=1, unit="degrees")
        self.caudal = Slider("Angle toward the feet (caudal; below 0: toward the head)", min=-20, max=20, value=0,
                             step=1, unit="degrees")
        self.depth = Slider("Needle advanced past the entry point", min=0, max=60, value=0, step=1, unit="mm")
        self.sliders = [self.entry_lateral, self.entry_up, self.medial, self.caudal, self.depth]
        self.readout = ipw.HTML(layout=ipw.Layout(max_width="60em"))
        self.readout.add_class("vkp-needle-readout")
        self.feedback = ipw.HTML(_status("Set the entry point and the angles, advance the needle, then press "
                                         "Grade this attempt." if mode == "test" else ""))
        self._syncing = False
        self.seg = segment(level, self.heights)
        self._reset_needle(render=False)
        self.views = FluoroViews(level, self.heights, Scene(needle=self.needle()),
                                 title="Needle placement: " + ("Learn mode" if mode == "learn" else "Test mode"))
        # Test mode draws every level's frames in advance, so each change only blits; Learn mode (the same
        # controls, shown first in notebook 04) draws a frame the first time it is reached, to save memory
        if prepare if prepare is not None else mode == "test":
            self.prepare()
        for control in (*self.sliders,):
            control.observe(self._changed, names="value")
        self.level.observe(self._level_changed, names="value")
        self.front.observe(self._changed, names="value")
        self.labels.observe(self._changed, names="value")
        children = [ipw.HBox([self.level, self.front, self.labels], layout=ipw.Layout(flex_flow="row wrap")),
                    *self.sliders]
        if mode == "test":
            self.grade_button = ipw.Button(description="Grade this attempt", button_style="primary", layout=AUTO,
                                           tooltip="Check the three rules for the needle as it is now")
            self.restart = ipw.Button(description="Start again", layout=AUTO,
                                      tooltip="Put the needle back at its starting point, straight and not advanced")
            self.grade_button.on_click(lambda _: self.grade())
            self.restart.on_click(lambda _: self.start_again())
            self.attempts = ipw.HTML()
            # the pictures sit right under the controls that move the needle; the verdict comes after them;
            # every attempt is recorded in the student's exercise log, handed in with the notebook's hand-in box
            children += [self.views.widget, self.readout, ipw.HBox([self.grade_button, self.restart]), self.feedback,
                         self.attempts]
            self._show_attempts()
        else:
            children += [self.views.widget, self.readout, self.feedback]
        children.append(KeyboardShield(".vkp-needle"))
        self._show_text()
        self.widget = ipw.VBox(children)
        self.widget.add_class("vkp-needle")
        self.widget.add_class(f"vkp-needle-{mode}")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ state
    def needle(self):
        return needle_at(self.seg, self.entry_lateral.value, self.entry_up.value, self.medial.value,
                         self.caudal.value, self.depth.value)

    @property
    def oblique(self) -> float:
        return self.seg.pedicle.angle_deg if self.front.value == "barrel" else 0.0

    def prepare(self) -> None:
        """Draw now the frames the level, front-view and label controls reach (so each later change
        only blits); takes a moment once, when the exercise is made."""
        states = []
        for lv in load_anatomy().ids:
            ped = segment(lv, self.heights).pedicle
            for phi in (0.0, ped.angle_deg):
                states.append((lv, self.heights, phi, True, Scene()))
        self.views.prepare(states)

    def _starting_values(self) -> dict[str, float]:
        ped = self.seg.pedicle
        if self.mode == "learn":
            n = planned_needle(self.seg, 0.0)
            lateral, up, medial, caudal = abs(n.entry[0]), n.entry[2], round(n.medial_deg), round(n.caudal_deg)
        else:
            lateral, up, medial, caudal = abs(float(ped.centre_x(ped.y_back))), ped.z_centre, 0, 0
        return {"entry_lateral": round(lateral * 2) / 2, "entry_up": round(up * 2) / 2, "medial": medial,
                "caudal": caudal, "depth": 0}

    def _reset_needle(self, render: bool = True) -> None:
        self._syncing = True
        try:
            for name, value in self._starting_values().items():
                getattr(self, name).value = value
        finally:
            self._syncing = False
        if render:
            self._changed(None)

    # ------------------------------------------------------------------ events
    def _level_changed(self, change) -> None:
        self.seg = segment(change["new"], self.heights)
        self._reset_needle(render=False)
        self._changed(None)

    def _changed(self, _change) -> None:
        if self._syncing:
            return
        self.last_grade = None
        self.views.update(Scene(needle=self.needle()), level_id=self.seg.level.id, heights=self.heights,
                          oblique_deg=self.oblique, labels=self.labels.value == "on")
        self._show_text()

    def start_again(self) -> None:
        self._reset_needle(render=True)
        self.feedback.value = _status("The needle is back at its starting point: straight ahead, not advanced.")

    # ------------------------------------------------------------------ text
    def _show_text(self) -> None:
        n = self.needle()
        text = describe_tip(self.seg, n)
        if self.mode == "learn":
            g = grade(self.seg, n)
            marks = "".join(f"<li>{'&#10003;' if ok else '&#10007;'} {html.escape(CHECK_NAMES[c])}</li>"
                            for c, ok in g.results.items())
            self.feedback.value = _status(f"<p>Right now:</p><ul>{marks}</ul>")
        self.readout.value = f"<p><strong>Where the tip is:</strong> {html.escape(text)}</p>"

    def grade(self) -> NeedleGrade:
        """Grade the needle as it is now, record the attempt and show the feedback."""
        g = grade(self.seg, self.needle())
        self.last_grade = g
        rec = self.history.record(g, self.entry_lateral.value, self.entry_up.value)
        (self._log or default_log()).record_attempt(EXERCISE_ID, rec.level, needle_answer(rec, self.heights),
                                                    needle_grades(g), context={"attempt": rec.attempt})
        self.views.update(breach=g.breach.point if g.breach else None)
        cite = self.citations.html.cited
        items = "".join(f"<li>{'&#10003;' if ok else '&#10007;'} {html.escape(CHECK_NAMES[c])}: "
                        f"<strong>{'yes' if ok else 'no'}</strong></li>" for c, ok in g.results.items())
        problems = "".join(f"<li>{cite(html.escape(p.text))}</li>" for p in g.problems)
        verdict = (f"Attempt {rec.attempt}: pass. All three checks hold." if g.passed else
                   f"Attempt {rec.attempt}: not yet, {g.score} of 3 checks hold.")
        body = f"<p><strong>{verdict}</strong></p><ul>{items}</ul>"
        if problems:
            body += f"<p>What went wrong:</p><ul>{problems}</ul>"
        if g.breach is not None:
            body += "<p>A red cross in both views marks where the needle left the pedicle.</p>"
        self.feedback.value = _status(body)
        self._show_attempts()
        return g

    def _show_attempts(self) -> None:
        attempts = self.history.attempts
        if not attempts:
            self.attempts.value = "<p>Attempts so far: none.</p>"
            return
        rows = "".join(
            f"<tr><td>{a.attempt}</td><td>{a.level}</td>"
            + "".join(f"<td>{'yes' if getattr(a, c) else 'no'}</td>" for c in CHECKS)
            + f"<td>{'pass' if a.passed else 'not yet'}</td></tr>" for a in attempts)
        head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in
                       ("Attempt", "Level", "Within the pedicle", "Medial wall rule", "Tip in target", "Result"))
        self.attempts.value = (f"<table><caption>Your attempts: {html.escape(self.history.progress())}</caption>"
                               f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")

