"""Writes notebooks/06-recovery.ipynb.  Run from the repository root:
.venv/bin/python -m tools.authoring.nb06_recovery, then tools/store_outputs.py."""
from tools.nbbuild import code, md, write

NB = "06-recovery.ipynb"

write(f"notebooks/{NB}", [
    md("""
# After the procedure

What the day of a vertebroplasty or kyphoplasty looks like, what the patient is told afterwards, and why treating the osteoporosis matters as much as the cement.

- **Objectives:** describe the procedure day for each procedure; list the after-care advice and the reason for each item; explain why the osteoporosis itself must be treated, using the natural rate of a new fracture.
- **Estimated time:** 15 minutes
- **Prerequisites:** [02 Vertebroplasty step by step](02-vertebroplasty.ipynb) and [03 Kyphoplasty step by step](03-kyphoplasty.ipynb). Run all cells first (*Run → Run All Cells*).
"""),
    code(f"""
from IPython.display import Markdown
from widgets.core.citations import Citations

cites = Citations.for_notebook("{NB}")
"""),
    md("""
## After-care

The leaflet's after-care advice, in four points [@kochan2015], with a clinical reference on bed rest [@pf_bed_rest_medscape] and on follow-up treatment of osteoporosis [@nf_medscape_osteoporosis_tx]:
"""),
    code("""
from widgets.recovery.model import aftercare_markdown, bed_rest_text

Markdown(aftercare_markdown(cites.cite) + "\\n\\n" + bed_rest_text(cites.cite))
""", check=True),
    md("""
## The procedure day

The procedure's length is the mean from a randomised trial [@pf_duration_kaviar]; the leaflet gives the hour lying flat and where the patient goes next. The cement's setting time (about 10 minutes in the leaflet) falls within the procedure.
"""),
    code("""
from widgets.recovery.model import timeline_markdown

Markdown(timeline_markdown(cites.cite))
""", check=True),
    code("""
from widgets.recovery.views import timeline_figure

timeline_figure()
"""),
    md("""
## Preventing the next fracture

The cement treats one fractured vertebra; the osteoporosis that caused it affects the whole skeleton. The leaflet asks the doctor and patient to plan how to halt and reverse the bone loss [@kochan2015]. How big is the risk if nothing is done? Data from the placebo arms of osteoporosis drug trials [@nf_lindsay2001_natural_history]:
"""),
    code("""
from widgets.recovery.model import natural_rate_text

Markdown(natural_rate_text(cites.cite))
""", check=True),
    code("""
from widgets.recovery.views import natural_rate_figure

natural_rate_figure()
"""),
    md("""
## Check yourself

Answer each question with the arrow keys and its **Check answer** button (Tab moves between them). Each answer explains itself.
"""),
    code("""
from widgets.recovery.views import aftercare_quiz

aftercare_quiz(cites)
"""),
    md("""
## Key points

- After either procedure the patient lies flat for a while (about an hour in the leaflet; centres vary), then goes home or, per the leaflet, often stays in hospital after kyphoplasty.
- Soreness where the needle went in is expected.
- Activity is limited at first because the other vertebrae are weakened by the same osteoporosis.
- Without treatment a new vertebral fracture within a year is common: treating the osteoporosis is part of the treatment.

This is the last notebook of the course. Back to the course map: [00 Start here](00-start-here.ipynb).
"""),
    code(f"""
from widgets.core.citations import Citations

Citations.for_notebook("{NB}").references()
""", check=True),
])
