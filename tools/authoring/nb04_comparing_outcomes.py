"""Writes notebooks/04-comparing-outcomes.ipynb.  Run from the repository root:

    .venv/bin/python -m tools.authoring.nb04_comparing_outcomes
    .venv/bin/python tools/store_outputs.py notebooks/04-comparing-outcomes.ipynb
"""
from tools.nbbuild import code, md, write

NB = "04-comparing-outcomes.ipynb"

write(f"notebooks/{NB}", [
    md("""
# Comparing outcomes and reading the evidence

What do vertebroplasty (VP) and kyphoplasty (KP) actually achieve, measured against each other, against a sham procedure and against non-surgical care, and how sure can we be?

- **Objectives:** compare VP and KP on height restoration, kyphotic angle, pain, cement leakage, new fractures and procedure time; read a spread (95% confidence interval, standard deviation, range) and a kind of evidence (sham-controlled trial, open-label trial, meta-analysis, cohort); explain where the patient leaflet and the trials disagree; answer a patient's question honestly.
- **Estimated time:** 40 minutes
- **Prerequisites:** [01 Vertebral compression fractures](01-compression-fractures.ipynb) (Genant grades) and [03 Kyphoplasty step by step](03-kyphoplasty.ipynb). Run all cells first (*Run → Run All Cells*).
"""),
    md("""
## How to read the evidence here

Every number in this notebook comes from a checked source, and each one carries a numbered citation; the full list, with the address where each was checked, is at the end.

- **Kind of evidence.** A *sham-controlled* randomised trial (RCT) blinds patients to whether cement went in, so it separates the effect of the cement from expectation and natural healing. An *open-label* RCT compares the procedure with usual care, and both patients and doctors know which they had. A *meta-analysis* pools several studies; a *cohort* follows treated patients with no comparison group.
- **Spread.** A 95% confidence interval (CI) shows how precisely a mean or difference is known; a standard deviation (SD) shows how much patients varied; a *range* shows the lowest and highest of several reported values. A row with no bar is one where the source reported no spread.
- **Disagreement.** Where sources disagree they are shown side by side, never averaged into one figure. Values that could not be verified are listed as *not plotted* instead of being shown.

The leaflet this course grows from says that kyphoplasty restores the full height of the vertebra and vertebroplasty restores none [@kochan2015]. Keep that claim in mind as you read.
"""),
    code("""
from widgets.core.citations import Citations
from widgets.outcomes.views import HeightExplorerView, LeafletView, OutcomeComparison, evidence_table, explorer_summary

cites = Citations.for_notebook("04-comparing-outcomes.ipynb")
"""),
    md("""
## 1. Height restoration: the headline

Pooled over randomised trials, the two procedures together gave back a few millimetres of anterior height [@hr_marino2025_combined_mm]. In a CT-measured kyphoplasty cohort the gains at each wall were smaller still, varied widely between patients, and were not kept at one year [@hr_winkelmann2018_abc_heights]. Whether kyphoplasty gains more than vertebroplasty is disputed: one meta-analysis says yes [@hr_josr2018_smd], another found no significant difference [@hr_beall2018_no_difference]. After kyphoplasty the relative gain was modest whatever the fracture's age [@hr_palmowski2020_percent_by_timing]. The table lists every value with its spread, kind of evidence and source. Four further results are *not plotted*: one has no verified unit or interval [@hr_xing2013_anterior_height], one is a flagged outlier with an incomplete citation [@hr_meta7rct_cm], and two showed no verified size [@hr_patel2022_scope; @hr_yang2013_timepoints].
"""),
    code("""
evidence_table("height_restoration", cites)
""", check=True),
    md("""
### The height-restoration explorer

Pick a vertebra, a fracture shape and a severity (by percentage height loss with the slider, or by Genant grade), then a procedure. The picture shows the vertebral body from the side: the dashed outline is the expected (unfractured) shape, the grey body the fracture, the orange band the height after kyphoplasty spanning the mean ± SD gain of the CT cohort, and the dashed black line the pooled gain of both procedures. The text under it says the same in words and lists every assumption, with the evidence entry and value it comes from.

Keyboard: **Tab** to the slider, then the **arrow keys** (one percent per press); **Tab** to a list and use the arrows; **Space** or **Enter** on a procedure button.
"""),
    code("""
HeightExplorerView(cites)
"""),
    md("""
The same explorer for one fixed case (an L5 wedge fracture with 30 % height loss, treated with kyphoplasty), written out so you can check it against the picture:
"""),
    code("""
explorer_summary(cites, level="L5", loss=30, procedure="kyphoplasty", shape="wedge")
""", check=True),
    md("""
Notice three things. The band is wide and reaches below the fractured height: in the cohort the SD was larger than the mean gain, so some patients gained nothing. For vertebroplasty there is no verified VP-only gain in millimetres, so the explorer draws no VP band rather than inventing one. And the thoracic levels show heights only, because no verified thoracic depth exists to compute a wedge angle.

## 2. Every outcome, side by side

Choose an outcome from the list. Each plot shows every value with its spread and its kind of evidence, with numbered sources underneath.
"""),
    code("""
OutcomeComparison(cites)
"""),
    md("""
### Kyphotic angle

Kyphoplasty straightens the wedge by a few degrees more than vertebroplasty in meta-analyses [@ka_papanastassiou2012; @ka_xing2013_longterm], and more than non-surgical care in the FREE trial [@ka_free_24mo]; a standardised comparison agrees [@ka_josr2018_wedge]. Pooled over both procedures the correction was a few degrees [@ka_marino2025_pooled], and it was larger when the fracture was treated early [@ka_palmowski2020_timing].
"""),
    code("""
evidence_table("kyphotic_angle", cites)
""", check=True),
    md("""
### Pain over time, and against sham

Head to head, pain fell substantially within days after both procedures, with no difference at any time up to a year [@pain_evans2016_kp_vs_vp_timecourse]; pooled studies agree [@pain_josr2018_no_difference]. The harder question is whether the cement causes the relief. Sham-controlled trials (Buchbinder, INVEST, VERTOS IV) found little or no difference from a sham procedure [@pain_buchbinder2009_sham; @pain_kallmes2009_invest_1mo; @pain_vertos4_sham], with at most a small difference at one year [@pain_invest_1yr] and none in recent or severe pain when the patients were pooled [@pain_staples2011_ipd]; the Cochrane review judged the benefit over sham small [@pain_cochrane2018]; open-label trials against usual care (VERTOS II, FREE) favour the procedure [@pain_vertos2_open_label; @pain_free2009_qol]; and VAPOUR, in very acute and severe pain, found a benefit over placebo [@pain_vapour_acute].
"""),
    code("""
evidence_table("pain_timecourse", cites)
""", check=True),
    code("""
evidence_table("pain_trials", cites)
""", check=True),
    md("""
### Cement leakage and pulmonary cement embolism

Leakage is less frequent after kyphoplasty [@cl_josr2018_rr], but the rate depends above all on how carefully it is looked for: on CT most treated levels show some leakage [@cl_kaviar2014_ct], far more than pooled rates from studies that mostly used plain films [@cl_world_neurosurg_2017] or than a kyphoplasty registry that recorded leaks during the procedure [@cl_kp_registry_40pct]. One RCT-only meta-analysis is not plotted because its rates and its verdict do not fit together and its citation is incomplete [@cl_meta7rct_rates]. Most leaks cause no symptoms [@cl_esj2023_symptomatic]; cement reaching the lungs was uncommon on routine CT [@cl_pce_ct_2021], while reviews report wide ranges [@cl_pce_orthop_surg_2012; @cl_pce_krueger2009].
"""),
    code("""
evidence_table("cement_leakage", cites)
""", check=True),
    code("""
evidence_table("cement_embolism", cites)
""", check=True),
    md("""
### New fractures, beside the natural rate

After a first vertebral fracture, a large share of women have another within a year with no procedure at all (first row of the table) [@nf_lindsay2001_natural_history]. Set the rates after VP and KP beside that figure before blaming the cement: pooled studies found fewer new fractures after either procedure than with non-surgical care [@nf_papanastassiou2012], VERTOS II found no excess after VP [@nf_vertos2], and KAVIAR found no significant KP-VP difference [@nf_kaviar2014]. One meta-analysis is not plotted because its interval was cut off [@nf_beall2018_bkp].
"""),
    code("""
evidence_table("new_fractures", cites)
""", check=True),
    md("""
### Procedure time and setting

Kyphoplasty takes a few minutes longer, in a large trial [@pf_duration_kaviar] and in very severe fractures [@pf_duration_wang2018]. Both are usually outpatient or short-stay procedures [@pf_outpatient_burton]; admission depends on how frail the patient is, not on the technique [@pf_anaesthesia_and_setting_trials].
"""),
    code("""
evidence_table("procedure_time", cites)
""", check=True),
    md("""
## 3. The leaflet beside the evidence

The table sets each claim of the patient leaflet (in our own words) beside what trials and guidelines report: on height, setting and pain (above), on fractures caused by tumours [@cand_barr2014_neoplastic; @cand_jensen2009_neoplastic; @cand_cafe2011_cancer], on a defect of the back wall of the vertebral body [@cand_posterior_wall_perez2021], and on how long the cement takes to set and the bed rest afterwards [@pf_pmma_injectability; @pf_pmma_handling_time; @pf_bed_rest_medscape]. Then try the two patients' questions: choose an answer with the arrow keys and press **Check my answer**.
"""),
    code("""
LeafletView(cites)
"""),
    md("""
## Check yourself

A colleague says: "Kyphoplasty is better because it restores height; the plots show it gives back several millimetres." What is wrong with that sentence?

<details><summary>Answer</summary>

The largest millimetre figures are pooled over kyphoplasty *and* vertebroplasty, not kyphoplasty alone. In a CT cohort the kyphoplasty gain was smaller, varied widely between patients and was not kept at one year. Meta-analyses disagree on whether KP gains more height than VP, and height gain did not go with better pain relief. Neither procedure restores the full height.

</details>

## Key points

- Both procedures give back a few millimetres of height at most; kyphoplasty corrects the angle a little more; neither restores the full height, whatever the leaflet says.
- Pain falls after both, by similar amounts; blinded sham-controlled trials show little benefit over sham except in very acute, severe pain.
- Cement leakage is common and mostly silent; its rate depends on whether CT was used to find it.
- New fractures are common after any osteoporotic fracture; compare with the natural rate before blaming the cement.
- Read every number with its spread and its kind of evidence, and keep disagreeing sources side by side.

**Next:** [05 Who is a candidate? A case quiz](05-candidacy-quiz.ipynb)
"""),
    code("""
Citations.for_notebook("04-comparing-outcomes.ipynb").references()
""", check=True),
])
