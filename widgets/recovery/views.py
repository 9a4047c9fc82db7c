"""Views for notebook 07: the procedure-day timeline, the natural rate of a new
fracture, and the after-care quiz (a :class:`~widgets.core.questions_view.MultipleChoiceQuiz`)."""

from __future__ import annotations

from widgets.core.citations import Citations
from widgets.core.course import PROCEDURES
from widgets.core.figures import new_figure, show_figure
from widgets.core.questions_view import MultipleChoiceQuiz
from widgets.core.style import COLOURS
from widgets.record.handin import default_log
from widgets.recovery.exercise import AFTERCARE_QUIZ
from widgets.recovery.model import natural_rate, quiz_questions, timeline


def timeline_figure():
    """Both procedure days as horizontal bars (minutes from the start of the procedure)."""
    fig = new_figure(7.0, 2.8)
    ax = fig.add_subplot()
    rows = {name: timeline(name) for name in PROCEDURES}
    alt = []
    last = max(s.start for segs in rows.values() for s in segs)
    for y, (name, segs) in enumerate(rows.items()):
        colour = COLOURS[name]
        for s in segs:
            if s.end is None:
                ax.annotate(s.label.replace(" (leaflet)", ""), xy=(s.start, y), xytext=(s.start + 4, y),
                            va="center", fontsize=9, arrowprops=None)
                continue
            hatch = "//" if s.kind == "rest" else None
            ax.barh(y, s.end - s.start, left=s.start, height=0.5, color=colour if s.kind == "procedure" else "white",
                    edgecolor=colour, hatch=hatch, linewidth=1.5)
        alt.append(f"{name}: " + "; ".join(
            f"{s.label} from minute {s.start:g}" + (f" to {s.end:g}" if s.end is not None else "") for s in segs))
    ax.set_yticks(range(len(rows)), [n.capitalize() for n in rows])
    ax.set_xlim(0, last + 70)
    ax.set_xlabel("Minutes from the start of the procedure")
    ax.set_title("The procedure day, from the start of the procedure")
    return show_figure(fig, "Timeline of the procedure day; solid bars are the procedure, hatched bars lying flat. " + ". ".join(alt) + ".")


def natural_rate_figure():
    """The one-year rate of a new vertebral fracture after one, untreated, with its 95 % CI."""
    return show_figure(*natural_rate_chart())


def natural_rate_chart():
    """The figure of :func:`natural_rate_figure` and its alt text."""
    rate, low, high = natural_rate()
    fig = new_figure(6.0, 2.1)
    ax = fig.add_subplot()
    ax.barh(0, float(rate), height=0.5, color=COLOURS["non_surgical"])
    ax.errorbar(float(rate), 0, xerr=[[float(rate) - float(low)], [float(high) - float(rate)]], fmt="none",
                ecolor="black", capsize=6)
    ax.set_xlim(0, 100)
    ax.set_yticks([0], ["No procedure,\nno active drug"])
    ax.set_xlabel("Women with another vertebral fracture within a year, %")
    ax.set_title(f"A new fracture within a year:\n{rate} % (95 % CI {low} to {high} %)")   # two lines: it fits
    return fig, (f"Bar chart: {rate} % of women with a new vertebral fracture had another within a "
                 f"year, 95 % confidence interval {low} to {high} %, on a scale of 0 to 100 %.")


def aftercare_quiz(citations: Citations, *, log=None) -> MultipleChoiceQuiz:
    """The after-care questions; every answer is recorded as an ``aftercare-quiz`` attempt for the hand-in
    (in ``log``, else the kernel's own exercise log)."""
    return MultipleChoiceQuiz(quiz_questions(), citations, exercise=AFTERCARE_QUIZ,
                              log=log if log is not None else default_log)
