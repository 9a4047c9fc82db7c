"""Writes notebooks/02-vertebroplasty.ipynb.  Run from the repository root:
.venv/bin/python -m tools.authoring.nb02_vertebroplasty, then tools/store_outputs.py."""
from tools.nbbuild import code, md, write

NB = "02-vertebroplasty.ipynb"

write(f"notebooks/{NB}", [
    md("""
# Vertebroplasty step by step

Learn vertebroplasty one step at a time (what happens, why, and what can go wrong), then test yourself: put the steps in order and answer the decision points.

- **Objectives:** say what happens at each step of a vertebroplasty and why; name what can go wrong at each step; put the steps in order from memory; explain why the procedure uses fluoroscopy and why the patient lies flat afterwards.
- **Estimated time:** 25 minutes
- **Prerequisites:** [01 Vertebral compression fractures](01-compression-fractures.ipynb). Run all cells first (*Run → Run All Cells*).
"""),
    code(f"""
from IPython.display import Markdown
from widgets.core.citations import Citations
from widgets.procedures.steps import load_procedure

cites = Citations.for_notebook("{NB}")
vp = load_procedure("vertebroplasty")
"""),
    md("""
## What vertebroplasty is

In a vertebroplasty, acrylic bone cement is injected through a large needle straight into a fractured vertebral body, where it hardens and holds the broken pieces still [@kochan2015]. There is no balloon: that is kyphoplasty, in the next notebook. The steps below follow the leaflet this course grows from; where trials or clinical references say more, the step cites them.

## Learn mode: the steps

The whole procedure at a glance:
"""),
    code("""
from widgets.procedures.steps import steps_markdown

Markdown(steps_markdown(vp, cites.cite))
""", check=True),
    md("""
Now walk through it. Press **Next step** and **Previous step** (Tab to a button, then Enter or Space). The line at the top says which step you are on; the drawing, a side view of the fractured vertebra to scale, shows the needle and the cement as they appear; the card beside it gives what happens, why, and what can go wrong.
"""),
    code("""
from widgets.procedures.views import StepperView

stepper = StepperView(vp, cites)
stepper
"""),
    md("""
### Where the leaflet simplifies

- **Guidance and access.** The needle usually goes through the pedicle, or beside it, under image guidance [@pf_approach_and_imaging].
- **Anaesthesia and setting.** Trials used local anaesthetic, sometimes with sedation, and treated patients as outpatients or inpatients depending on how frail they were [@pf_anaesthesia_and_setting_trials; @pf_outpatient_burton]. A large trial timed the procedure [@pf_duration_kaviar] (see the comparison in notebook 03).
- **Cement.** Leaks outside the vertebral body are common on careful imaging but mostly cause no symptoms [@cl_esj2023_symptomatic]; small amounts of cement reaching the lungs are found on routine CT [@cl_pce_ct_2021]. Notebook 04 gives the numbers.
- **"10 minutes" and "an hour".** The leaflet's setting time and time lying flat are plausible, but they depend on the cement product, the temperature and the centre [@pf_pmma_injectability; @pf_pmma_handling_time; @pf_bed_rest_medscape].

## Test mode 1: put the steps in order

The steps below are shuffled (with a fixed seed, so everyone starts from the same order). Use only the keyboard if you like:

1. **Tab** to the list and pick a step with the **arrow keys**.
2. **Tab** to **Move up** or **Move down** and press **Enter** or **Space** (press again to keep moving it).
3. **Shift + Tab** goes back to the list. When you think the order is right, Tab to **Check order**.

Steps out of place are marked ✗; fix them and check again. **Shuffle and try again** starts a new attempt, and the table keeps your progress over attempts. Type your name and press **Export my attempts** to save them as a file next to this notebook for your instructor (the file name is shown).
"""),
    code("""
from widgets.procedures.views import OrderingView

ordering = OrderingView(vp, seed=2)
ordering
"""),
    md("""
How the checking works: each step is compared with its position in the real order. For example, a student who numbs the skin before setting up fluoroscopy gets this verdict:
"""),
    code("""
from widgets.procedures.steps import grade_order

swapped = ["vp_skin_prep", "vp_fluoroscopy", *vp.step_ids[2:]]
print(grade_order(vp, swapped).summary(vp))
print(grade_order(vp, vp.step_ids).summary(vp))
""", check=True),
    md("""
## Test mode 2: decision points

Pick an answer with the arrow keys and press its **Check answer** button; each answer, right or wrong, explains itself. The score at the bottom counts your latest answers and all your attempts.
"""),
    code("""
from widgets.procedures.views import DecisionQuiz
from widgets.procedures.steps import questions_for

DecisionQuiz(questions_for("vertebroplasty"), cites)
"""),
    md("""
## Check yourself

Without scrolling up: what are the steps of a vertebroplasty, in order? What is the one thing that could go wrong at the cement step that fluoroscopy helps catch?

<details><summary>Answer</summary>

Fluoroscopy; skin cleaned and numbed; large needle into the vertebral body; acrylic cement injected; cement left to set; lying flat on the back; home. Fluoroscopy shows cement leaking outside the vertebral body early, so the injection can be stopped.

</details>

## Key points

- Vertebroplasty injects acrylic cement through a large needle straight into the fractured vertebral body, under live x-ray (fluoroscopy) from start to finish.
- Every step has a reason: clean and numb for safety and comfort, the needle as the cement's route, the cement to hold the fragments, time to set and lying flat before the spine carries weight.
- The main thing that can go wrong is cement going where it should not; most leaks cause no symptoms.
- The leaflet's times (about 10 minutes to set, about an hour flat) vary with the cement and the centre.

**Next:** [03 Kyphoplasty step by step](03-kyphoplasty.ipynb)
"""),
    code(f"""
from widgets.core.citations import Citations

Citations.for_notebook("{NB}").references()
""", check=True),
])
