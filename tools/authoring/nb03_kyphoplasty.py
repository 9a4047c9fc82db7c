"""Writes notebooks/03-kyphoplasty.ipynb.  Run from the repository root:
.venv/bin/python -m tools.authoring.nb03_kyphoplasty, then tools/store_outputs.py."""
from tools.nbbuild import code, md, write

NB = "03-kyphoplasty.ipynb"

write(f"notebooks/{NB}", [
    md("""
# Kyphoplasty step by step

Kyphoplasty adds a balloon to vertebroplasty. Learn its steps, see how much height the balloon really gives back, compare it with vertebroplasty, then test yourself.

- **Objectives:** say what happens at each step of a kyphoplasty and why; name the steps that exist only in kyphoplasty; compare the leaflet's "restores the full height" with what trials measured; compare vertebroplasty and kyphoplasty in steps, setting and time; put the steps in order from memory.
- **Estimated time:** 30 minutes
- **Prerequisites:** [02 Vertebroplasty step by step](02-vertebroplasty.ipynb). Run all cells first (*Run → Run All Cells*).
"""),
    code(f"""
from IPython.display import Markdown
from widgets.core.citations import Citations
from widgets.procedures.steps import load_procedure

cites = Citations.for_notebook("{NB}")
kp = load_procedure("kyphoplasty")
vp = load_procedure("vertebroplasty")
"""),
    md("""
## What kyphoplasty adds

A kyphoplasty starts like a vertebroplasty. Then a special balloon is passed through the needle into the vertebral body and inflated, pushing the collapsed bone apart; it is deflated and removed, and the cement is injected into the cavity it leaves [@kochan2015]. The leaflet calls it slightly more complicated than vertebroplasty, and a large trial found it took a little longer [@pf_duration_kaviar].

## Learn mode: the steps
"""),
    code("""
from widgets.procedures.steps import steps_markdown

Markdown(steps_markdown(kp, cites.cite))
""", check=True),
    md("""
Walk through it with **Next step** and **Previous step** (Tab, then Enter or Space). Watch the drawing at the balloon step: the upper endplate rises, but only a little, and the dashed line shows how far it is from the height before the fracture.
"""),
    code("""
from widgets.procedures.views import StepperView

stepper = StepperView(kp, cites)
stepper
"""),
    md("""
The steps it shares with vertebroplasty carry the same caveats: access through or beside the pedicle [@pf_approach_and_imaging]; local anaesthetic with or without sedation [@pf_anaesthesia_and_setting_trials]; cement leaks that are mostly silent and somewhat fewer than with vertebroplasty [@cl_kaviar2014_ct; @cl_esj2023_symptomatic]; setting and bed-rest times that depend on the product and the centre [@pf_pmma_injectability; @pf_pmma_handling_time; @pf_bed_rest_medscape]. Balloon "tamps" are inflated then deflated to make the cavity [@pf_outpatient_burton].

## How much height does the balloon restore?

The leaflet says kyphoplasty reduces pain by **restoring the full height** of the vertebra, and that vertebroplasty restores none [@kochan2015]. Trials measured something more modest [@hr_marino2025_combined_mm; @hr_winkelmann2018_abc_heights; @hr_palmowski2020_percent_by_timing; @hr_beall2018_no_difference]:
"""),
    code("""
from widgets.procedures.balloon import full_height_table

Markdown(full_height_table(cites.cite))
""", check=True),
    md("""
So both procedures give back a little height, a few millimetres on average, kyphoplasty somewhat more in most meta-analyses but not in all, and none restores the full height. Part of the gain can be lost again in the following weeks.

### The balloon interactive

Inflate the balloon with the slider (Tab to it, then the arrow keys). The example is the wedge fracture from notebook 01 drawn to scale. The lift is proportional to the inflation, and at full inflation it equals the pooled average gain measured across trials, so no setting can show more height than the evidence reports.
"""),
    code("""
from widgets.procedures.balloon_view import BalloonView

balloon = BalloonView(cites)
balloon
"""),
    md("""
At full inflation, the example fracture gets back this much:
"""),
    code("""
from widgets.procedures.balloon import BalloonModel

print(BalloonModel().result(1.0).text())
""", check=True),
    md("""
## Vertebroplasty and kyphoplasty side by side

The same phases line up; only kyphoplasty has the balloon and the cavity. The leaflet's setting (clinic for VP, hospital for KP) differs from what reviews and trials describe, and the times are the means from one randomised trial [@pf_duration_kaviar]:
"""),
    code("""
from widgets.procedures.steps import comparison_markdown

Markdown(comparison_markdown(vp, kp, cites.cite))
""", check=True),
    md("""
## Test mode 1: put the steps in order

Same controls as in notebook 02: **Tab** to the list, **arrow keys** to pick a step, **Tab** to **Move up** / **Move down** and **Enter** or **Space**; then **Check order**. Steps out of place are marked ✗. Type your name and press **Export my attempts** to save your attempts next to this notebook.
"""),
    code("""
from widgets.procedures.views import OrderingView

ordering = OrderingView(kp, seed=3)
ordering
"""),
    md("""
For example, a student who injects the cement before emptying the balloon has two steps out of place:
"""),
    code("""
from widgets.procedures.steps import grade_order

ids = kp.step_ids
early_cement = ids[:4] + [ids[5], ids[4]] + ids[6:]
print(grade_order(kp, early_cement).summary(kp))
""", check=True),
    md("""
## Test mode 2: decision points
"""),
    code("""
from widgets.procedures.views import DecisionQuiz
from widgets.procedures.steps import questions_for

DecisionQuiz(questions_for("kyphoplasty"), cites)
"""),
    md("""
## Check yourself

Which two steps does kyphoplasty add to vertebroplasty, and where does the cement go? Does the balloon restore the full height of the vertebra?

<details><summary>Answer</summary>

The balloon is inflated in the vertebral body, then deflated to leave a cavity; the cement goes into that cavity. No: trials measured a partial gain of a few millimetres on average, not a full restoration, whatever the leaflet says.

</details>

## Key points

- Kyphoplasty = vertebroplasty + a balloon that is inflated, then deflated to leave a cavity the cement fills.
- The leaflet's "restores the full height" is not what trials found: both procedures give back a few millimetres on average, kyphoplasty somewhat more in most (not all) analyses.
- Both are done under fluoroscopy, with local anaesthetic and often sedation; kyphoplasty takes a little longer.
- Where a patient recovers (clinic or hospital) depends mostly on the patient, not on the technique.

**Next:** [04 Comparing outcomes and reading the evidence](04-comparing-outcomes.ipynb)
"""),
    code(f"""
from widgets.core.citations import Citations

Citations.for_notebook("{NB}").references()
""", check=True),
])
