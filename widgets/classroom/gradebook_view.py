"""The gradebook for the instructor: a table to read when not projecting, and the files for the LMS.

:func:`gradebook_table` is the instructor-only table (names, how same-name students are told apart, the
problem with any file); it is meant for :func:`widgets.classroom.measures_view.instructor_only`.
:func:`save_lms_buttons` save the Canvas and Moodle import files (:mod:`widgets.classroom.gradebook`),
each readable by the instructor only, and say how many rows an LMS cannot match (to grade by hand).
"""

from __future__ import annotations

import html

import ipywidgets as ipw
from IPython.display import HTML

from widgets.classroom import gradebook as gb
from widgets.classroom import results as cr
from widgets.classroom.results_view import Column, _save_box, html_table


def _num(value) -> str:
    return "-" if value is None else f"{value:g}"


def gradebook_table(results: cr.ClassResults) -> HTML:
    rows = gb.gradebook_rows(results)
    cols: list[Column] = [
        ("name", "Name"), (lambda r: r.told_apart_by or "-", "Told apart by"),
        (lambda r: r.pseudonym or "-", "Label"), (lambda r: r.student_id or r.hub_user or "-", "Student id or login"),
        (lambda r: _num(r.quiz_practice_score_percent), "Quiz score %, current practice"),
        (lambda r: _num(r.quiz_leaflet_score_percent), "What the patient leaflet says %"),
        (lambda r: _num(r.pre_test_percent), "Pre-test %"), (lambda r: _num(r.post_test_percent), "Post-test %"),
        (lambda r: r.problem or "-", "Problem")]
    return html_table(rows, cols, "The gradebook: every student who handed anything in", "No hand-ins in this folder.")


def _left_out(what: str, names: list[str]) -> str:
    if not names:
        return ""
    return (f"{len(names)} row(s) of the gradebook are not in the {what} file (no identifier that LMS can match, "
            "or no score): the instructor-only gradebook table names them; enter these by hand.")


def save_lms_buttons(results: cr.ClassResults) -> ipw.VBox:
    """Save the Canvas and Moodle import files (private to you; the gradebook itself is
    :func:`widgets.classroom.results_view.save_gradebook_button`), and say how to import them."""
    rows = gb.gradebook_rows(results)
    canvas, moodle = gb.canvas_csv(rows), gb.moodle_csv(rows)
    key = gb.moodle_key(rows)
    note = ipw.HTML(
        "<p>Canvas: <em>Grades &gt; Import</em>, choose the file; a new column named "
        f"<q>{html.escape(gb.SCORE_TITLE)}</q> becomes a new assignment out of {gb.POINTS_POSSIBLE} points. "
        f"Moodle: <em>Grades &gt; Import &gt; CSV file</em>; map <q>{gb.MOODLE_KEYS[key][0]}</q> to "
        f"<q>{key}</q> and the score column to a new grade item. "
        + html.escape(" ".join(x for x in (_left_out("Canvas", canvas.left_out), _left_out("Moodle", moodle.left_out))
                               if x)) + "</p>")
    box = ipw.VBox([
        _save_box("Save for Canvas", "class-grades-canvas.csv", "Canvas's Gradebook import format",
                  lambda: canvas.text, 0o600),
        _save_box("Save for Moodle", "class-grades-moodle.csv", "Moodle's CSV grade import format",
                  lambda: moodle.text, 0o600),
        note])
    box.add_class("vkp-class-save-lms")
    return box
