"""Views for the class-results notebook: tables, two charts with alt text, a save button."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as ipw
from IPython.display import Markdown

from widgets.classroom import results as cr
from widgets.core.figures import new_figure, show_figure
from widgets.classroom.progress import atomic_write_text
from widgets.core.style import COLOURS

SCORE_COLUMNS = [("student", "Student"), ("cases", "Cases answered"), ("correct", "Correct"),
                 ("score_percent", "Score %"), ("ordering_attempts", "Ordering attempts"),
                 ("ordering_correct", "Ordering correct")]
DIFFICULTY_COLUMNS = [("key", "Id"), ("title", "What it is"), ("answers", "Answers"), ("missed", "Missed"),
                      ("miss_percent", "Missed %")]


def summary_table(results: cr.ClassResults) -> Markdown:
    return Markdown(cr.markdown_table(cr.score_table(results), SCORE_COLUMNS))


def rule_table(results: cr.ClassResults) -> Markdown:
    return Markdown(cr.markdown_table(cr.rule_difficulty(results), DIFFICULTY_COLUMNS))


def case_table(results: cr.ClassResults, top: int = 10) -> Markdown:
    return Markdown(cr.markdown_table(cr.case_difficulty(results)[:top], DIFFICULTY_COLUMNS))


def ordering_table(results: cr.ClassResults) -> Markdown:
    rows = cr.ordering_difficulty(results)
    cols = [("key", "Step"), ("title", "Procedure"), ("answers", "Attempts"), ("missed", "Out of place")]
    return Markdown(cr.markdown_table(rows, cols) if rows else "_No ordering-test exports in this folder._")


def score_chart(results: cr.ClassResults):
    bands = cr.score_distribution(results)
    fig = new_figure(6.4, 3.2)
    ax = fig.add_subplot()
    ax.bar([b for b, _ in bands], [n for _, n in bands], color=COLOURS["vertebroplasty"])
    ax.set_title("Quiz scores across the class")
    ax.set_xlabel("Score band (% of cases fully correct)")
    ax.set_ylabel("Students (count)")
    ax.tick_params(axis="x", labelrotation=45)
    ax.yaxis.get_major_locator().set_params(integer=True)
    alt = "Bar chart of students per score band: " + "; ".join(f"{b}: {n}" for b, n in bands if n)
    return show_figure(fig, alt)


def rule_chart(results: cr.ClassResults):
    rows = cr.rule_difficulty(results)
    fig = new_figure(6.4, 0.45 * max(len(rows), 1) + 1.2)
    ax = fig.add_subplot()
    ax.barh([r.key for r in rows][::-1], [r.miss_percent for r in rows][::-1], color=COLOURS["kyphoplasty"])
    ax.set_title("Which rules the class misses most")
    ax.set_xlabel("Answers missed on cases this rule decides (%)")
    ax.set_xlim(0, 100)
    alt = "Horizontal bar chart of the share of answers missed per rule: " + "; ".join(
        f"{r.key} {r.miss_percent:.0f}% of {r.answers}" for r in rows)
    return show_figure(fig, alt)


def save_summary_button(results: cr.ClassResults, default: str = "class-summary.csv") -> ipw.VBox:
    """A path box and a button that saves the anonymised summary CSV (no names)."""
    path_box = ipw.Text(value=default, description="Save as", style={"description_width": "initial"},
                        layout=ipw.Layout(width="30em"))
    button = ipw.Button(description="Save anonymised summary", icon="save", layout=ipw.Layout(width="auto"),
                        tooltip="Writes one row per student as S01, S02, ... with scores; no names")
    status = ipw.HTML(layout=ipw.Layout(min_height="1.5em"))
    status.add_class("vkp-status")

    def save(_=None):
        target = Path(path_box.value.strip() or default)
        try:
            atomic_write_text(target, cr.summary_csv(results))
        except OSError as exc:
            status.value = f'<span role="alert">Could not save {html.escape(str(target))}: ' \
                           f'{html.escape(exc.strerror or str(exc))}. Choose a folder you can write to.</span>'
            return
        status.value = f'<span role="status">Saved {html.escape(str(target.resolve()))}</span>'

    button.on_click(save)
    return ipw.VBox([ipw.HBox([path_box, button]), status])
