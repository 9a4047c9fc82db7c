"""Writes lessons/class-results.ipynb.  Run from the repository root, then store outputs."""
from tools.nbbuild import code, md, write

write("lessons/class-results.ipynb", [
    md("""
# Class results: what did the class get wrong?

For instructors. This notebook reads a folder of the students' exports (the candidacy quiz as JSON or CSV, and the ordering tests), tells you which files it could not read, and shows the score distribution, which cases and which candidacy rules the class missed most, and an anonymised summary you can save.

**How to use it:** put every student's export file in one folder, type that folder's path in the next cell instead of `sample-exports` (the sample class that ships with the module, one file deliberately corrupt), then *Run → Run All Cells*. Nothing in the folder is changed.
"""),
    code("""
from widgets.classroom import results as cr

FOLDER = "sample-exports"   # the folder holding your students' export files
results = cr.read_class_folder(FOLDER)
print(cr.report_problems(results))
""", check=True),
    md("""
Files that could not be read are named above with the reason, and the rest are still counted. When a student exported more than once, the newest quiz export counts.

## Scores

Each student appears as S01, S02, ... (the numbering does not follow the names). A case counts as correct only when both verdicts (vertebroplasty and kyphoplasty) and the deciding reason are right; when a student answered a case twice, the later answer counts.
"""),
    code("""
from widgets.classroom.results_view import score_chart, summary_table

score_chart(results)
""", tags=[]),
    code("summary_table(results)", check=True),
    md("""
## Which rules the class misses most

For each candidacy rule: how many answers were given to cases that rule decides, and what share of them was not fully correct. The rules are the leaflet's, as the quiz states; a rule missed often is worth ten minutes of discussion (see the lesson plan's misconceptions).
"""),
    code("""
from widgets.classroom.results_view import rule_chart, rule_table

rule_table(results)
""", check=True),
    code("rule_chart(results)"),
    md("""
## Which cases the class misses most

The ten most-missed cases. Open a case in `widgets/content/cases.yaml` by its id to read its vignette with the class.
"""),
    code("""
from widgets.classroom.results_view import case_table, ordering_table

case_table(results)
""", check=True),
    md("""
## Ordering tests

Steps most often placed out of order in the procedure ordering tests (notebooks 02 and 03).
"""),
    code("ordering_table(results)", check=True),
    md("""
## Save the anonymised summary

The summary has one row per student (S01, S02, ...) with cases answered, correct answers and score, and no names. Choose a file name and press the button; the file is written in this folder unless you give another path.
"""),
    code("""
from widgets.classroom.results_view import save_summary_button

save_summary_button(results)
"""),
])
