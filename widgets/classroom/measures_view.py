"""Views of learning measures for the class-results notebook: pre/post gain, item analysis, the needle.

Everything here that is projected is about the class or an item, never a student: per-student rows go
through :func:`instructor_only`, a closed fold that says it is not for projecting.  Charts come first,
with titles, labelled axes and alt text; tables are the accessible tables of
:func:`widgets.classroom.results_view.html_table` (every cell escaped).
"""

from __future__ import annotations

import html

from IPython.display import HTML

from widgets.assessment.exercise import POST, PRE
from widgets.assessment.forms import item_title, parse_key
from widgets.classroom import gain as lg
from widgets.classroom import item_analysis as ia
from widgets.classroom import results as cr
from widgets.classroom.results_view import Column, _pair, html_table, wrap_label
from widgets.core.figures import new_figure, show_figure
from widgets.core.style import COLOURS, OKABE_ITO
from widgets.procedures.exercise import DECISION_POINTS


def _f(value, digits: int = 2, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def folded(title: str, *parts) -> HTML:
    """A closed fold for a long table about items (nothing private): the summary says what it holds."""
    body = "".join(p.data if hasattr(p, "data") else str(p) for p in parts)
    return HTML(f"<details><summary>{html.escape(title)} (a table: open it to read)</summary>{body}</details>")


def instructor_only(title: str, *parts) -> HTML:
    """A closed fold for per-student rows: its summary says not to open it while projecting."""
    body = "".join(p.data if hasattr(p, "data") else str(p) for p in parts)
    return HTML(f'<details class="vkp-instructor-only"><summary><strong>Instructor only</strong> (one row per '
                f"student: do not open while projecting): {html.escape(title)}</summary>{body}</details>")


# --------------------------------------------------------------------------- pre/post gain

def gain_chart(results: cr.ClassResults):
    return show_figure(*gain_figure(results))


def gain_figure(results: cr.ClassResults):
    """(figure, alt text): paired pre-test and post-test scores of the matched students, as lines from pre to
    post (sorted by the pre-test), with the class averages; no student is named."""
    rows = sorted((r for r in lg.student_gains(results) if r.matched), key=lambda r: (r.pre_percent, r.post_percent))
    summary = lg.class_gain(lg.student_gains(results))
    fig = new_figure(7.0, 3.6)
    ax = fig.add_subplot()
    if not rows:
        ax.text(0.5, 0.5, "No student took both tests yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig, "No student took both the pre-test and the post-test yet."
    xs = range(1, len(rows) + 1)
    for x, r in zip(xs, rows):
        ax.plot([x, x], [r.pre_percent, r.post_percent], color="#767676", linewidth=1, zorder=1)
    ax.scatter(xs, [r.pre_percent for r in rows], color=OKABE_ITO["orange"], marker="o", s=28, zorder=2,
               label="Pre-test (session 1)")
    ax.scatter(xs, [r.post_percent for r in rows], color=COLOURS["vertebroplasty"], marker="s", s=28, zorder=3,
               label="Post-test (session 3)")
    ax.axhline(summary.pre_mean, color=OKABE_ITO["orange"], linestyle=":", linewidth=1.2,
               label=f"Class average, pre: {summary.pre_mean:.0f} %")
    ax.axhline(summary.post_mean, color=COLOURS["vertebroplasty"], linestyle="--", linewidth=1.2,
               label=f"Class average, post: {summary.post_mean:.0f} %")
    ax.set_ylim(-5, 105)
    ax.set_xlim(0.3, len(rows) + 0.7)
    ax.set_xticks([])
    ax.set_xlabel(f"Students who took both tests ({len(rows)}), ordered by their pre-test score")
    ax.set_ylabel("Score (% of items right)")
    ax.set_title(f"Pre-test and post-test, each student a line: class gain <g> = {_f(summary.g_class)}")
    fig.legend(frameon=False, fontsize=8, loc="outside lower center", ncol=2)
    alt = (f"Dot plot of {len(rows)} students' pre-test and post-test scores joined by lines, ordered by the "
           f"pre-test; class averages {summary.pre_mean:.0f} % before and {summary.post_mean:.0f} % after; "
           f"class normalised gain {_f(summary.g_class)}; "
           f"{sum(1 for r in rows if r.post_percent > r.pre_percent)} students scored higher after, "
           f"{sum(1 for r in rows if r.post_percent == r.pre_percent)} the same, "
           f"{sum(1 for r in rows if r.post_percent < r.pre_percent)} lower.")
    return fig, alt


def gain_summary(results: cr.ClassResults) -> HTML:
    """The class's gain in words, with the benchmarks said exactly as their source gives them."""
    s = lg.class_gain(lg.student_gains(results))
    if not s.matched:
        text = ("<p>No student has handed in both the pre-test and the post-test yet "
                f"({s.pre_only} pre-test only, {s.post_only} post-test only).</p>")
        return HTML(text)
    b = lg.load_benchmarks()
    marks = "".join(f"<li>{html.escape(x.label)}: mean &lt;g&gt; {x.mean_g:.2f}, standard deviation {x.sd_g:.2f} "
                    f"over {x.courses} courses ({x.students} students)</li>" for x in b.benchmarks)
    missing = []
    if s.pre_only:
        missing.append(f"{s.pre_only} took only the pre-test")
    if s.post_only:
        missing.append(f"{s.post_only} took only the post-test")
    return HTML(
        f"<p><strong>{s.matched} students took both tests.</strong> Class average {s.pre_mean:.1f} % before and "
        f"{s.post_mean:.1f} % after; the class's average normalised gain "
        f"&lt;g&gt; = (&lt;post&gt; &minus; &lt;pre&gt;) / (100 &minus; &lt;pre&gt;) = <strong>{_f(s.g_class)}</strong>. "
        f"The mean of the students' own gains is {_f(s.g_mean_of_students)} (over {s.g_students} students; a student "
        "who scored 100 % on the pre-test has no gain to measure)."
        + (f" Not counted: {'; '.join(missing)}." if missing else "") + "</p>"
        f"<p>For scale, Hake's survey (the abstract, read at <a href=\"{html.escape(b.source.url_seen)}\">"
        f"{html.escape(b.source.url_seen)}</a>) gives {html.escape(b.measure)}:</p><ul>{marks}</ul>"
        f"<p><em>{html.escape(b.caution)}</em> Source: {html.escape(b.source.citation)}</p>")


def gain_table(results: cr.ClassResults) -> HTML:
    """Per student (S01, S02, ...): pre, post, g; for the instructor-only fold."""
    cols: list[Column] = [
        ("student", "Student"), (lambda r: r.pre_form or "-", "Pre-test form"),
        (lambda r: _pair(r.pre_right, r.pre_items), "Pre-test right"),
        (lambda r: r.post_form or "-", "Post-test form"),
        (lambda r: _pair(r.post_right, r.post_items), "Post-test right"),
        (lambda r: _f(r.g), "Normalised gain g"), (lambda r: r.note or "-", "Note")]
    return html_table(lg.student_gains(results), cols, "Each student's pre-test, post-test and normalised gain",
                      "No pre-test or post-test in this folder.")


def rule_gain_chart(results: cr.ClassResults):
    return show_figure(*rule_gain_figure(results))


def rule_gain_figure(results: cr.ClassResults):
    """(figure, alt text): per rule, the matched students' pre-test and post-test per cent right."""
    rows = lg.rule_gains(results)
    fig = new_figure(7.0, 0.45 * max(len(rows), 1) + 1.5)
    ax = fig.add_subplot()
    if not rows:
        ax.text(0.5, 0.5, "No student took both tests yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig, "No student took both tests yet: no per-rule gain to show."
    ys = list(range(len(rows)))[::-1]
    ax.barh([y + 0.2 for y in ys], [r.pre_percent or 0 for r in rows], height=0.4, color=OKABE_ITO["orange"],
            label="Pre-test")
    ax.barh([y - 0.2 for y in ys], [r.post_percent or 0 for r in rows], height=0.4,
            color=COLOURS["vertebroplasty"], label="Post-test")
    ax.set_yticks(ys, [r.title if r.key.startswith("decision:") else wrap_label(r.title) for r in rows])
    ax.set_xlim(0, 100)
    ax.set_xlabel("Items right (% of first answers)")
    ax.set_title("Per rule: the class before and after")
    fig.legend(frameon=False, loc="outside lower center", fontsize=8, ncol=2)
    alt = "Horizontal bar chart per rule of the share right in the pre-test and the post-test: " + "; ".join(
        f"{r.title} {_f(r.pre_percent, 0)}% before, {_f(r.post_percent, 0)}% after, gain {_f(r.g)}" for r in rows)
    return fig, alt


def rule_gain_table(results: cr.ClassResults) -> HTML:
    cols: list[Column] = [
        ("title", "Rule (cases it decides) or decision points"),
        (lambda r: _pair(r.pre_right, r.pre_items), "Pre-test right"),
        (lambda r: _pair(r.post_right, r.post_items), "Post-test right"),
        (lambda r: _f(r.g), "Normalised gain")]
    return html_table(lg.rule_gains(results), cols, "Per rule, over the students who took both tests: first answers "
                                                    "right under either standard", "No student took both tests yet.")


# --------------------------------------------------------------------------- item analysis

def _choices(s: ia.ItemStats, top: int = 3) -> str:
    shown = [f"{c}{' (key)' if key else ''}: {n}" for c, n, key in s.choices[:top]]
    more = len(s.choices) - top
    return "; ".join(shown) + (f"; {more} other answer(s)" if more > 0 else "") if shown else "-"


def _item_cols(*, other: str | None, title: str) -> list[Column]:
    cols: list[Column] = [
        ("title", title), ("students", "Students (first tries)"),
        (lambda s: _f(s.facility, 0, " %"), "Facility (right at the first try)")]
    if other:
        cols.append((lambda s: _pair(s.other_followed, s.students), f"Followed {other} (not a miss)"))
    cols += [
        (lambda s: _f(s.discrimination) + (f" (k = {s.group})" if s.group else ""),
         "Discrimination (upper minus lower 27 %)"),
        (lambda s: _f(s.point_biserial), "Point-biserial"),
        (lambda s: _choices(s), "Answers chosen at the first try"),
        (lambda s: s.flag or "-", "Flag")]
    return cols


_HOW = ("<p>Facility: the share right at the first try. Discrimination: the share right in the top 27 % of "
        "the students (by their other items of the same exercise) minus the share right in the bottom 27 %; "
        "point-biserial: the correlation of the item with the rest of the exercise. Both need at least "
        f"{ia.MIN_FOR_DISCRIMINATION} students who also answered other items. A negative discrimination means "
        "the stronger students did worse on this item: check the key or the wording.</p>")


def quiz_item_table(results: cr.ClassResults, standard: str = cr.PRACTICE, top: int = 12) -> HTML:
    """Item analysis of the quiz's cases (those answered by at least MIN_ANSWERS students), the flagged and
    the hardest first; under current practice (the score students see first) with the answers that followed the
    leaflet beside it, or under the leaflet."""
    items = [s for s in ia.quiz_items(results, standard) if s.students >= cr.MIN_ANSWERS]
    items.sort(key=lambda s: (not s.flag, s.discrimination is None, s.facility if s.facility is not None else 101,
                              s.item))
    name = {cr.LEAFLET: "the leaflet", cr.PRACTICE: "current practice"}[standard]
    other = {cr.LEAFLET: "current practice", cr.PRACTICE: "the leaflet"}[standard]
    table = html_table(items[:top], _item_cols(other=other, title="Case"),
                       f"Quiz cases under {name}: item analysis on first tries (flagged first, then those with enough "
                       f"students, hardest first; {min(top, len(items))} of the {len(items)} cases answered by at least "
                       f"{cr.MIN_ANSWERS} students)",
                       f"No case has first tries from {cr.MIN_ANSWERS} students yet.")
    return HTML(table.data + (_HOW if standard == cr.PRACTICE else ""))


def decision_item_table(results: cr.ClassResults) -> HTML:
    items = ia.choice_items(results, DECISION_POINTS)
    items.sort(key=lambda s: (not s.flag, s.facility if s.facility is not None else 101, s.item))
    return html_table(items, _item_cols(other=None, title="Decision point"),
                      "Decision points (notebooks 02 and 03): item analysis on first tries",
                      "No decision points in this folder.")


def prepost_item_table(results: cr.ClassResults, exercise: str) -> HTML:
    name = {PRE: "Pre-test", POST: "Post-test"}[exercise]
    items = ia.test_items(results, exercise, item_title)
    items.sort(key=lambda s: (not s.flag, parse_key(s.item)[0], s.facility if s.facility is not None else 101))
    return html_table(items, _item_cols(other="current practice", title="Item (case or decision point)"),
                      f"{name}: item analysis (right under either standard; both forms' items)",
                      f"No {name.lower()} answers in this folder.")


def flagged_list(results: cr.ClassResults) -> HTML:
    """Every item with a negative discrimination, across the exercises: the list to check first."""
    found = []
    for label, items in (("Quiz case, current practice", ia.quiz_items(results, cr.PRACTICE)),
                         ("Quiz case, leaflet", ia.quiz_items(results, cr.LEAFLET)),
                         ("Decision point", ia.choice_items(results, DECISION_POINTS)),
                         ("Pre-test", ia.test_items(results, PRE, item_title)),
                         ("Post-test", ia.test_items(results, POST, item_title))):
        found += [(label, s) for s in ia.flagged(items)]
    if not found:
        return HTML("<p>No item has a negative discrimination index.</p>")
    cols: list[Column] = [(lambda t: t[0], "Where"), (lambda t: t[1].title, "Item"),
                          (lambda t: t[1].students, "Students"),
                          (lambda t: _f(t[1].facility, 0, " %"), "Facility"),
                          (lambda t: _f(t[1].discrimination), "Discrimination"),
                          (lambda t: _f(t[1].point_biserial), "Point-biserial"),
                          (lambda t: t[1].key or "-", "The key says"), (lambda t: t[1].flag, "Why it is flagged")]
    return html_table(found, cols, "Items with a negative discrimination index", "")


def item_chart(results: cr.ClassResults):
    return show_figure(*item_figure(results))


def item_figure(results: cr.ClassResults):
    """(figure, alt text): facility against discrimination, each item a point: quiz cases (under current practice),
    decision points, and the items of the pre-test and the post-test; flagged items marked apart."""
    kinds = [("Quiz case (current practice)", ia.quiz_items(results, cr.PRACTICE), "o", COLOURS["vertebroplasty"]),
             ("Decision point", ia.choice_items(results, DECISION_POINTS), "s", OKABE_ITO["bluish_green"]),
             ("Pre-test or post-test item", ia.test_items(results, PRE, item_title)
              + ia.test_items(results, POST, item_title), "^", OKABE_ITO["reddish_purple"])]
    fig = new_figure(7.0, 4.2)
    ax = fig.add_subplot()
    shown = [(name, [s for s in items if s.discrimination is not None], m, c) for name, items, m, c in kinds]
    if not any(items for _, items, _, _ in shown):
        ax.text(0.5, 0.5, "Too few first tries for item statistics", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig, "Too few first tries for item statistics yet."
    ax.axhline(0, color="#767676", linewidth=1)
    flagged = []
    for name, items, marker, colour in shown:
        ok = [s for s in items if not s.flag]
        flagged += [(name, s) for s in items if s.flag]
        ax.scatter([s.facility for s in ok], [s.discrimination for s in ok], color=colour, marker=marker, s=32,
                   label=f"{name} ({len(items)})", zorder=2)
    ax.scatter([s.facility for _, s in flagged], [s.discrimination for _, s in flagged], color=OKABE_ITO["vermillion"],
               marker="X", s=60, label=f"Negative discrimination ({len(flagged)})", zorder=3)
    ax.set_xlim(-5, 105)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("Facility (% right at the first try)")
    ax.set_ylabel("Discrimination (upper - lower 27 %)")
    ax.set_title("Every item with enough students: how hard, and how well it separates")
    fig.legend(frameon=False, fontsize=8, loc="outside lower center", ncol=2)
    total = sum(len(items) for _, items, _, _ in shown)
    alt = (f"Scatter plot of {total} items, facility against discrimination: "
           + "; ".join(f"{len(items)} {name.lower()}s" for name, items, _, _ in shown)
           + f"; {len(flagged)} with a negative discrimination"
           + (": " + "; ".join(f"{s.title} ({name}, facility {s.facility:.0f} %, D {s.discrimination:.2f})"
                               for name, s in flagged) if flagged else "") + ".")
    return fig, alt


# --------------------------------------------------------------------------- the needle

def needle_levels_table(results: cr.ClassResults) -> HTML:
    """Per level: breach rate and passes at the first and the best attempt, and every measure the attempts
    carry (tip error, shots ...), first against best."""
    levels = ia.needle_levels(results)
    names = []
    for lv in levels:
        for m in lv.measures:
            if m["name"] not in [n for n, _ in names]:
                names.append((m["name"], f"{m['label']}" + (f" ({m['unit']})" if m["unit"] else "")))
    cols: list[Column] = [
        ("level", "Level"), ("students", "Students"), ("attempts", "Attempts in all"),
        (lambda r: f"{r.median_attempts:g}", "Attempts per student (median)"),
        (lambda r: _pair(r.first_breached, r.students), "Breached a wall: first attempt"),
        (lambda r: _pair(r.best_breached, r.students), "Breached a wall: best attempt"),
        (lambda r: _pair(r.first_passed, r.students), "Passed: first attempt"),
        (lambda r: _pair(r.best_passed, r.students), "Passed: best attempt")]
    for name, label in names:
        cols.append((lambda r, name=name: _measure(r, name), f"{label}: first / best (mean)"))
    note = ("<p>A breach: the needle left the pedicle or crossed the medial wall before the posterior wall. "
            "The best attempt: the most checks passed, then the smallest tip error where attempts record one.</p>")
    if not names:
        note += ("<p>These attempts record no tip error, shots or time; when the needle exercise records them, "
                 "they appear here as columns.</p>")
    return HTML(html_table(levels, cols, "Needle placement (notebook 04) per level: first attempt against best",
                           "No needle placements in this folder.").data + note)


def _measure(level: ia.NeedleLevel, name: str) -> str:
    m = next((m for m in level.measures if m["name"] == name), None)
    if m is None:
        return "-"
    return f"{_f(m['first'], 1)} / {_f(m['best'], 1)} (n = {m['students']})"
