"""Writes notebooks/00-start-here.ipynb.  Run from the repository root, then `make outputs`."""
from tools.nbbuild import code, md, write

write("notebooks/00-start-here.ipynb", [
    md("""
# Start here: vertebroplasty and kyphoplasty

This short notebook gets you working: how a notebook and its widgets behave, what the course covers, and a check that your set-up has everything it needs.

- **Objectives:** run a cell; use a slider and a button from the keyboard; find your way to each notebook of the course.
- **Estimated time:** 10 minutes
- **Prerequisites:** none. You need no programming: every cell is already written.
"""),
    md("""
## What this course is

Vertebroplasty (VP) and kyphoplasty (KP) are two image-guided ways of injecting bone cement into a collapsed vertebral body to stabilise a painful osteoporotic compression fracture. The course walks through both procedures step by step, compares what they achieve (height restoration above all) against the published evidence, and lets you practise deciding who is a candidate.

It grows from a patient-education text that summarises Kochan's Medscape overview [@kochan2015]. That leaflet's rules of candidacy and its procedure facts are what the quiz grades against. The leaflet simplifies, though, and in several places trials and guidelines say something different (for example how much height kyphoplasty restores [@hr_marino2025_combined_mm]). Wherever that happens the course shows the leaflet's rule and the evidence side by side: appraising a claim is part of the lesson.

Every number you see traces to a checked source, listed with its address in the numbered references at the end of each notebook.
"""),
    md("""
## How to work a notebook

- A notebook is a column of **cells**. Grey cells hold Python code; the others are text like this one.
- **Run a cell:** click in it (or move to it with the arrow keys) and press **Shift + Enter**. The result appears under the cell and the next cell is selected.
- **Run everything:** menu *Run → Run All Cells*. Do this first when you open a notebook.
- **Start again:** menu *Kernel → Restart Kernel and Run All Cells*. Nothing you typed into a notebook's quiz is lost: answers are saved to a file as you give them.
- **Widgets** (sliders, buttons, choices) work with the mouse or the keyboard: **Tab** moves between controls, the **arrow keys** move a slider, **Enter** or **Space** presses a button.

Run the next cell: it checks your set-up and tells you in plain words if anything is missing.
"""),
    code("""
from widgets.core.selfcheck import show_self_check

show_self_check()
""", check=True),
    md("""
You should see *All set* and a green box. If you see a sentence about the widgets front end instead of the box, follow what it says before going on.

## The course map

Work through the notebooks in order; each one starts with its objectives and its time. Instructors: the lesson plans, answer keys and the class-results notebook are in the `lessons/` folder (start with `lessons/README.md`).
"""),
    code("""
from IPython.display import Markdown
from widgets.core.course import load_course

course = load_course()
Markdown(course.markdown_table())
""", check=True),
    md("""
## Check yourself

Which key runs the cell you are in and moves to the next one? Which menu item runs a whole notebook from a clean start?

<details><summary>Answer</summary>

**Shift + Enter** runs the current cell. *Kernel → Restart Kernel and Run All Cells* runs everything from a clean start.

</details>

## Key points

- Run a notebook top to bottom first (*Run → Run All Cells*), then play with its widgets.
- Widgets work from the keyboard: Tab, the arrow keys, Enter and Space.
- The leaflet's rules are the quiz's answer key; the evidence notes show where trials and guidelines differ.
- Every clinical number carries a numbered reference with the address where it was checked.

**Next:** [01 Vertebral compression fractures](01-compression-fractures.ipynb)
"""),
    code("""
from widgets.core.citations import Citations

Citations.for_notebook("00-start-here.ipynb").references()
""", check=True),
])
