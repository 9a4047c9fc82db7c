"""Views for the class-results notebook: HTML tables, charts with alt text, files to save.

Every value that comes from a student's file (a case id, a step, a chosen option, a file name) is
escaped with :func:`html.escape` into HTML tables, never placed into Markdown, so an export cannot
put a heading, a link, an image or a script into the instructor's notebook.  What the notebook
projects by default names no student and no file: students are S01, S02, ...; file names (which
hold names) are in a folded list; the gradebook with names is only ever saved to a file.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

import ipywidgets as ipw
from IPython.display import HTML

from widgets.classroom import gradebook as gb
from widgets.classroom import item_analysis as ia
from widgets.classroom import results as cr
from widgets.record.progress import atomic_write_text
from widgets.core.figures import new_figure, show_figure
from widgets.core.style import COLOURS, OKABE_ITO
from widgets.candidacy.practice import reason_title
from widgets.imaging.grading import PROBLEM_NAMES as NEEDLE_PROBLEMS
from widgets.outcomes.exercise import PATIENT_EXERCISE
from widgets.procedures.exercise import DECISION_EXERCISE
from widgets.recovery.exercise import AFTERCARE_EXERCISE

Column = tuple[str | Callable, str]


def _cell(value) -> str:
    if isinstance(value, float):
        value = f"{value:.1f}"
    return html.escape(str(value), quote=True)


def html_table(rows: list, columns: list[Column], caption: str, empty: str) -> HTML:
    """An accessible HTML table (caption, column headers); every cell escaped."""
    if not rows:
        return HTML(f'<p class="vkp-empty">{html.escape(empty)}</p>')
    # Rule ids in headers may break after an underscore, so a wide table still fits.
    head = "".join(f'<th scope="col" style="text-align:left">{html.escape(h).replace("_", "_<wbr>")}</th>'
                   for _, h in columns)
    body = []
    for r in rows:
        cells = []
        for key, _ in columns:
            value = key(r) if callable(key) else (r[key] if isinstance(r, dict) else getattr(r, key))
            text = _cell(value)
            # Short cells (numbers, "3 of 5 (60 %)") stay on one line; long text wraps, ids after an underscore.
            style = "text-align:left" + (";white-space:nowrap" if len(text) <= 16 else "")
            cells.append(f'<td style="{style}">{text.replace("_", "_<wbr>")}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    # A table wider than the notebook scrolls inside its own region, which the keyboard can reach.
    return HTML(f'<div class="vkp-table-scroll" role="region" tabindex="0" aria-label="{html.escape(caption, quote=True)}"'
                ' style="overflow-x:auto">'
                f'<table class="vkp-results"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(body)}</tbody></table></div>")


def _pair(n: int, d: int) -> str:
    return f"{n} of {d} ({100.0 * n / d:.0f} %)" if d else "-"


# --------------------------------------------------------------------------- what was read

def problems_view(results: cr.ClassResults) -> HTML:
    """The projected line (counts only), then, folded, every file that could not be used and why."""
    parts = [f"<p>{html.escape(cr.report_problems(results))}</p>"]
    if results.problems or results.notes:
        items = "".join(f"<li><code>{html.escape(p.file)}</code>: {html.escape(p.problem)}</li>"
                        for p in results.problems)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in results.notes)
        parts.append("<details><summary>Files that could not be used, and notes (they name files, which hold "
                     "students' names: open this only when not projecting)</summary>"
                     + (f"<ul>{items}</ul>" if items else "") + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
                     + "</details>")
    return HTML("".join(parts))


# --------------------------------------------------------------------------- scores

def summary_table(results: cr.ClassResults) -> HTML:
    rows = cr.score_table(results)
    cols: list[Column] = [
        ("student", "Student"), ("quiz_cases", "Quiz cases"),
        (lambda r: _pair(r["quiz_practice_first_right"], r["quiz_cases"]), "Right at the first try (current practice)"),
        (lambda r: _pair(r["quiz_practice_final_right"], r["quiz_cases"]), "Right at the latest try (score, current "
                                                                             "practice)"),
        (lambda r: _pair(r["quiz_final_right"], r["quiz_cases"]), "What the patient leaflet says: latest try"),
        ("bank_completion_percent", "Bank done %"),
        (lambda r: f"{r['ordering_final_right']} of {r['ordering_procedures']}" if r["ordering_procedures"] else "-",
         "Step orders right"),
        (lambda r: f"{r['decision-points_final_right']} of {r['decision-points_answered']}"
         if r["decision-points_answered"] else "-", "Decision points right"),
        (lambda r: f"{r['patient-questions_final_right']} of {r['patient-questions_answered']}"
         if r["patient-questions_answered"] else "-", "Patient questions right"),
        (lambda r: f"{r['aftercare-quiz_final_right']} of {r['aftercare-quiz_answered']}"
         if r["aftercare-quiz_answered"] else "-", "After-care right"),
    ]
    return html_table(rows, cols, "Each student's results: first try and latest try side by side",
                      "Nothing to show: no readable hand-ins in this folder.")


STANDARD_NAMES = {cr.LEAFLET: "the leaflet", cr.PRACTICE: "current practice"}
#: The other standard, as a column beside each rule's misses says it.
OTHER_NAMES = {cr.LEAFLET: "current practice", cr.PRACTICE: "the leaflet"}


def rule_table(results: cr.ClassResults, standard: str = cr.PRACTICE) -> HTML:
    """Per rule: misses at the first and the latest try; the answers that followed the other standard (current
    practice under the leaflet, the leaflet under current practice) have their own column beside the misses and
    are never counted as plain misses."""
    other = OTHER_NAMES[standard]
    cols: list[Column] = [
        ("title", "Rule"), ("answered", "Cases answered (first tries)"),
        (lambda d: _pair(d.plain_missed, d.answered), f"Missed at the first try (not by {other})"),
        (lambda d: _pair(d.other_followed, d.answered), f"Followed {other} instead"),
        (lambda d: _pair(d.final_plain_missed, d.answered), f"Still missed at the latest try (not by {other})"),
        ("verdict_wrong", "Verdict wrong"), ("reason_wrong", "Verdict right, reason wrong"),
        (lambda d: _titles(d.wrong_reasons), "Reason chosen instead (most often)"),
    ]
    return html_table(cr.rule_difficulty(results, standard), cols,
                      f"Per rule of {STANDARD_NAMES[standard]}, over each student's first and latest answer to the "
                      "bank cases the rule decides (one vote per student per case)",
                      "No quiz answers in this folder.")


def _titles(counter) -> str:
    return ", ".join(f"{_short(reason_title(r))} ({n})" for r, n in counter.most_common(2)) or "none"


def case_table(results: cr.ClassResults, top: int = 10, standard: str = cr.PRACTICE) -> HTML:
    """The cases most missed at the first try under ``standard`` (current practice, the score students see first,
    unless asked); the answers that followed the other standard have their own column."""
    rows = cr.case_difficulty(results, standard)
    ranked = [r for r in rows if r.ranked][:top]
    other = OTHER_NAMES[standard]
    cols: list[Column] = [
        ("key", "Case"), ("title", "Patient"), ("answered", "Students"),
        (lambda d: _pair(d.plain_missed, d.answered), f"Missed at the first try (not by {other})"),
        (lambda d: _pair(d.other_followed, d.answered), f"Followed {other} instead"),
        (lambda d: _pair(d.final_plain_missed, d.answered), "Still missed"),
        (lambda d: f"{d.verdict_wrong} / {d.reason_wrong}", "Verdict wrong / only the reason"),
        (lambda d: _titles(d.wrong_reasons), "Reason chosen instead"),
    ]
    table = html_table(ranked, cols, f"The {top} cases most missed at the first try under {STANDARD_NAMES[standard]} "
                                     f"(cases with at least {cr.MIN_ANSWERS} students' answers)",
                       f"No case has answers from {cr.MIN_ANSWERS} students yet.")
    few = len(rows) - len([r for r in rows if r.ranked])
    note = (f"<p>{few} more case(s) had fewer than {cr.MIN_ANSWERS} students' answers and are not ranked.</p>"
            if few else "")
    return HTML(table.data + note)


def misconception_table(results: cr.ClassResults, standard: str = cr.PRACTICE, top: int = 10) -> HTML:
    """The misconceptions and the wrong verdicts, most frequent first (the ``top`` of each; how many rarer
    ones there are is said under each table)."""
    cols: list[Column] = [("deciding_title", "The deciding rule"), ("chosen_title", "Rule chosen instead"),
                          ("times", "First tries"), ("cases", "Cases")]
    verdicts = cr.verdict_mistakes(results, standard)
    vcols: list[Column] = [("procedure", "Procedure"), ("said", "Students said"),
                           ("deciding_title", "Deciding rule(s)"), ("times", "First tries")]
    name = STANDARD_NAMES[standard]
    found = cr.misconceptions(results, standard)

    def more(rows):
        rest = rows[top:]
        return (f"<p>{len(rest)} rarer one(s), {sum(r['times'] for r in rest)} first tries in all, are not listed.</p>"
                if rest else "")
    return HTML(
        html_table(found[:top], cols,
                   f"Misconceptions under {name}: verdicts right, but another rule named as the reason (first tries)",
                   "No first try had the verdicts right and the reason wrong.").data + more(found)
        + html_table(verdicts[:top], vcols, f"Wrong verdicts under {name} at the first try, by what students said",
                     "No wrong verdict at a first try.").data + more(verdicts))


def standards_table(results: cr.ClassResults, top: int = 10) -> HTML:
    """Where the two standards give different verdicts: whose verdicts students' first answers followed (the
    ``top`` cases most answered; how many more there are is said under the table)."""
    cols: list[Column] = [("case", "Case"), ("title", "Patient"), ("students", "Students"),
                          (lambda r: _pair(r["practice"], r["students"]), "Followed current practice"),
                          (lambda r: _pair(r["leaflet"], r["students"]), "Followed the leaflet"),
                          (lambda r: _pair(r["neither"], r["students"]), "Neither")]
    rows = cr.standards_split(results)
    rest = rows[top:]
    more = (f"<p>{len(rest)} more such case(s), answered by {sum(r['students'] for r in rest)} students' first tries "
            "in all, are not listed.</p>" if rest else "")
    return HTML(html_table(rows[:top], cols,
                           "Cases where the leaflet and current practice differ: the verdicts of students' first "
                           "answers (the cases most answered)",
                           "No answers to cases where the two standards differ.").data + more)


def per_student_rule_table(results: cr.ClassResults, standard: str = cr.PRACTICE) -> HTML:
    rules, rows = cr.per_student_rules(results, standard)
    cols: list[Column] = [("student", "Student")] + [
        ((lambda r, rule=rule: r.get(rule, "-")), reason_title(rule)) for rule in rules]
    return html_table(rows, cols, f"Per student and rule of {STANDARD_NAMES[standard]}: cases right at the first "
                                  "try / cases answered", "No quiz answers in this folder.")


def ordering_table(results: cr.ClassResults) -> HTML:
    """Steps out of place, by name, at the first real attempt and in all; Checks pressed before any step was
    moved are counted apart (they are a look at the task, not an attempt at the order)."""
    order = ia.step_order(results)
    cols: list[Column] = [("procedure", "Procedure"), ("title", "Step"),
                          (lambda r: _pair(r.first_out, r.students), "Out of place at the first attempt"),
                          (lambda r: _pair(r.all_out, r.attempts), "Out of place in all attempts")]
    table = html_table(order.rows, cols, "Steps placed out of order (notebooks 02 and 03), at attempts made after "
                                         "moving a step", "No step-order attempts in this folder, or every step "
                                                          "was in place.")
    looks = ", ".join(f"{n} on the {html.escape(proc)} steps" + (f" ({order.only_unmoved[proc]} never moved one)"
                                                             if order.only_unmoved.get(proc) else "")
                      for proc, n in sorted(order.checked_unmoved.items()))
    notes = [f"Students who pressed Check before moving any step: {looks}. Such a Check is a look at the task, not an "
             "attempt at the order, so it is left out of both columns; a student's first attempt is their first "
             "Check after moving a step."] if looks else []
    return HTML(table.data + "".join(f"<p>{n}</p>" for n in notes))


def needle_table(results: cr.ClassResults) -> HTML:
    cols: list[Column] = [("level", "Level"), ("students", "Students"),
                          (lambda r: _pair(r["first_passed"], r["students"]), "Passed at the first attempt"),
                          (lambda r: _pair(r["final_passed"], r["students"]), "Passed at the latest attempt"),
                          ("attempts", "Attempts in all"),
                          (lambda r: f"{NEEDLE_PROBLEMS.get(r['common_problem'], r['common_problem'])} "
                                     f"({r['common_problem_times']})" if r["common_problem_times"] else "-",
                           "Most common problem at a failed first attempt")]
    return html_table(cr.needle_difficulty(results), cols, "Needle placement (notebook 04), per level",
                      "No needle placements in this folder.")


#: What the debrief calls each multiple-choice exercise (never its id).
CHOICE_EXERCISES = (DECISION_EXERCISE, PATIENT_EXERCISE, AFTERCARE_EXERCISE)
EXERCISE_NAMES = {ex.id: ex.title for ex in CHOICE_EXERCISES}


def exercise_table(results: cr.ClassResults) -> HTML:
    rows = [r for ex in EXERCISE_NAMES
            for r in cr.choice_difficulty(results, ex)]
    cols: list[Column] = [(lambda r: EXERCISE_NAMES.get(r["exercise"], r["exercise"]), "Exercise"),
                          ("prompt", "Question"), ("students", "Students"),
                          (lambda r: _pair(r["first_right"], r["students"]), "Right at the first try"),
                          (lambda r: _pair(r["final_right"], r["students"]), "Right at the latest try"),
                          (lambda r: f"{r['common_wrong']} ({r['common_wrong_times']})" if r["common_wrong_times"]
                           else "-", "Wrong answer chosen most"),
                          (lambda r: r["misconception"] or "-", "The misconception it reveals")]
    return html_table(rows, cols, "Decision points (02, 03), patient questions (05) and after-care (07)",
                      "No answers to these exercises in this folder.")


# --------------------------------------------------------------------------- charts

def _short(title: str, width: int = 44) -> str:
    """A rule's short title (before its explanation), cut at a word: for the rule chosen instead in tables."""
    title = title.split(" (")[0].split(":")[0]
    return title if len(title) <= width else title[:width].rsplit(" ", 1)[0] + "..."


def score_chart(results: cr.ClassResults):
    """Students per score band under current practice (the score students see first), first try and latest."""
    first = cr.score_distribution(results, which="practice_first")
    final = cr.score_distribution(results, which="practice_final")
    fig = new_figure(7.0, 3.4)
    ax = fig.add_subplot()
    x = range(len(final))
    ax.bar([i - 0.2 for i in x], [n for _, n in first], width=0.4, color=COLOURS["kyphoplasty"],
           label="First try")
    ax.bar([i + 0.2 for i in x], [n for _, n in final], width=0.4, color=COLOURS["vertebroplasty"],
           label="Latest try (score)")
    ax.set_xticks(list(x), [b for b, _ in final], rotation=45)
    ax.set_title("Quiz scores under current practice: first try and latest try")
    ax.set_xlabel("Score band (% of cases fully right)")
    ax.set_ylabel("Students (count)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False)
    alt = ("Bar chart of students per score band under current practice, first try beside latest try: "
           + "; ".join(f"{b}: {f} first, {l} latest" for (b, f), (_, l) in zip(first, final) if f or l))
    return show_figure(fig, alt)


def wrap_label(title: str, width: int = 26, lines: int = 2) -> str:
    """An axis label on at most ``lines`` lines of ``width`` characters, cut at a word (alt text and tables
    keep the whole title)."""
    import textwrap
    short = title.split(" (")[0].split(":")[0]
    parts = textwrap.wrap(short, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1].rstrip(",;") + "..."
    return "\n".join(parts)


def rule_figure(results: cr.ClassResults, standard: str = cr.PRACTICE):
    """(figure, alt text) of the rules' misses: the answers that followed the other standard are their own
    segment beside the plain misses, never part of them."""
    rows = cr.rule_difficulty(results, standard)
    fig = new_figure(7.0, 0.55 * max(len(rows), 1) + 2.0)
    ax = fig.add_subplot()
    ys = list(range(len(rows)))[::-1]

    def pct(n, d):
        return 100.0 * n / d if d else 0.0
    plain = [pct(r.plain_missed, r.answered) for r in rows]
    other = [pct(r.other_followed, r.answered) for r in rows]
    ax.barh([y + 0.2 for y in ys], plain, height=0.4, color=COLOURS["kyphoplasty"],
            label=f"Missed at the first try (not by {OTHER_NAMES[standard]})")
    if any(other):
        ax.barh([y + 0.2 for y in ys], other, left=plain, height=0.4, color=OKABE_ITO["yellow"],
                hatch="//", edgecolor=OKABE_ITO["black"], linewidth=0.3, label=f"Followed {OTHER_NAMES[standard]} instead")
    ax.barh([y - 0.2 for y in ys], [pct(r.final_plain_missed, r.answered) for r in rows], height=0.4,
            color=OKABE_ITO["sky_blue"], label="Still missed at the latest try")
    ax.set_yticks(ys, [wrap_label(reason_title(r.key)) for r in rows])
    ax.set_title(f"Rules of {STANDARD_NAMES[standard]} the class misses:\nfirst try and latest try")
    ax.set_xlabel("Missed (% of the answers to the cases it decides)")
    ax.set_xlim(0, 100)
    fig.legend(frameon=False, loc="outside lower center", ncol=2, fontsize=8)
    alt = "Horizontal bar chart per rule of the share of students who missed it: " + "; ".join(
        f"{reason_title(r.key)} {pct(r.plain_missed, r.answered):.0f}% missed at the first try"
        + (f" and {pct(r.other_followed, r.answered):.0f}% followed {OTHER_NAMES[standard]} instead"
           if r.other_followed else "")
        + f", {pct(r.final_plain_missed, r.answered):.0f}% still missed at the latest, of {r.answered} cases answered"
        for r in rows)
    return fig, alt


def rule_chart(results: cr.ClassResults, standard: str = cr.PRACTICE):
    return show_figure(*rule_figure(results, standard))


# --------------------------------------------------------------------------- saving

def _save_box(label: str, default: str, tooltip: str, make_text: Callable[[], str], mode: int) -> ipw.VBox:
    path_box = ipw.Text(value=default, description="Save as", style={"description_width": "initial"},
                        layout=ipw.Layout(width="30em"))
    button = ipw.Button(description=label, icon="save", layout=ipw.Layout(width="auto"), tooltip=tooltip)
    status = ipw.HTML(layout=ipw.Layout(min_height="1.5em"))
    status.add_class("vkp-status")

    def save(_=None):
        target = Path(path_box.value.strip() or default).expanduser()
        try:
            atomic_write_text(target, make_text(), mode=mode)
        except OSError as exc:
            status.value = f'<span role="alert">Could not save {html.escape(str(target))}: ' \
                           f'{html.escape(exc.strerror or str(exc))}. Choose a folder you can write to.</span>'
            return
        status.value = f'<span role="status">Saved {html.escape(str(target.resolve()))}</span>'

    button.on_click(save)
    return ipw.VBox([ipw.HBox([path_box, button]), status])


def save_summary_button(results: cr.ClassResults, default: str = "class-summary.csv") -> ipw.VBox:
    """A path box and a button that saves the anonymised summary CSV (no names)."""
    return _save_box("Save anonymised summary", default, "One row per student as S01, S02, ... with scores; no names",
                     lambda: cr.summary_csv(results), 0o644)


def save_gradebook_button(results: cr.ClassResults, default: str = "class-gradebook.csv") -> ipw.VBox:
    """A path box and a button that saves the gradebook with names (every student who handed anything in,
    a problem named where there is one; readable only by you)."""
    return _save_box("Save gradebook (with names)", default,
                     "Name, ids, scores, pre/post and gain, and any problem, per student; the file is private to you",
                     lambda: gb.gradebook_csv(gb.gradebook_rows(results)), 0o600)


def save_rules_summary_button(results: cr.ClassResults, default: str = "class-rules-summary.csv") -> ipw.VBox:
    """A path box and a button that save the class's most-missed rules for students (counts only, no students)."""
    return _save_box("Save the class's rule summary for students", default,
                     "Counts per rule under both standards; no student, pseudonym or file name is in it",
                     lambda: cr.rules_summary_csv(results), 0o644)


def save_buttons(results: cr.ClassResults) -> ipw.VBox:
    box = ipw.VBox([save_summary_button(results), save_rules_summary_button(results), save_gradebook_button(results)])
    box.add_class("vkp-class-save")
    return box
