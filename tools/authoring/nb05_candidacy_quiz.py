"""Writes notebooks/05-candidacy-quiz.ipynb.  Run from the repository root:

    .venv/bin/python -m tools.authoring.nb05_candidacy_quiz
    .venv/bin/python tools/store_outputs.py notebooks/05-candidacy-quiz.ipynb
"""
from tools.nbbuild import code, md, write

NAME = "05-candidacy-quiz.ipynb"

write(f"notebooks/{NAME}", [
    md("""
# Who is a candidate? A case quiz

Practise deciding whether a patient is a candidate for vertebroplasty, kyphoplasty, both or neither, and say which rule decides it.

- **Objectives:** state the leaflet's candidacy rules for vertebroplasty (VP) and kyphoplasty (KP); apply them to a case history and name the deciding rule; say where trials and guidelines differ from the leaflet.
- **Estimated time:** 30 minutes
- **Prerequisites:** [02 Vertebroplasty step by step](02-vertebroplasty.ipynb) and [03 Kyphoplasty step by step](03-kyphoplasty.ipynb). No programming: every cell is already written.
"""),
    md("""
## The rules the quiz grades against

The quiz grades your answers against the candidacy rules of the patient leaflet this course grows from [@kochan2015]. In short: severe back pain from a vertebral compression fracture that pain medication and bed rest have not eased makes a patient a candidate for both procedures. A posterior cortical defect or an infection in the vertebra rules out both. Kyphoplasty is not recommended when a vascular problem, a tumour or an infection caused the fracture. Pain from a herniated or ruptured disc, rather than from a fracture, is not treated by either procedure.

Each rule has one id, used in the quiz, the case bank, your exported results and the instructors' answer keys. Run the next cell to see them all.
"""),
    code("""
from IPython.display import Markdown
from widgets.candidacy.rules import Patient, assess, rules_markdown
from widgets.core.citations import Citations

cites = Citations.for_notebook("05-candidacy-quiz.ipynb")
Markdown(rules_markdown(cites))
""", check=True),
    md("""
## Where the evidence differs

The leaflet simplifies. After each answer the quiz adds an **evidence note** where trials or guidelines say something different. The notes never change the grade: the leaflet's rules stay the answer key, and weighing the two is part of the lesson.

- **Who counts as a candidate.** NICE asks for a recent, unhealed fracture with severe ongoing pain despite optimal pain management, confirmed at that level by examination and imaging [@cand_nice_ta279]. "Failed medical therapy" usually means pain that still severely limits daily life, or analgesics the patient cannot tolerate [@cand_failure_of_medical_therapy]. Sham-controlled trials found little benefit over placebo [@pain_vertos4_sham; @pain_cochrane2018], except in very recent fractures with severe pain [@pain_vapour_acute]. VERTOS II, for example, required bone oedema on MRI and left out nerve-root (radicular) pain and spinal infection [@cand_vertos2_exclusions].
- **Tumours and vascular lesions.** Multisociety position statements endorse both procedures for fractures caused by tumours [@cand_jensen2009_neoplastic; @cand_barr2014_neoplastic]; a randomised trial in patients with cancer found kyphoplasty reduced back-related disability [@cand_cafe2011_cancer]; vertebroplasty was first used for vertebral haemangiomas, which are vascular lesions [@cand_vascular_lesions_history]. Trials of osteoporotic fractures left tumours out to keep their samples osteoporotic [@cand_invest_evans_exclusions]. Infection stays an exclusion.
- **A posterior wall defect** is usually a relative contraindication: a caution needing specialist judgement rather than an automatic no [@cand_posterior_wall_perez2021].

## A worked example

A 61-year-old woman treated for breast cancer has severe back pain from a compression fracture of L2 through a metastatic deposit. Pain medication and bed rest have not helped. The back wall of the vertebral body is intact; there is no infection and no disc problem. The next cell writes her findings down and asks the rules engine for its verdict.
"""),
    code("""
patient = Patient(
    compression_fracture=True, fracture_cause="tumor", severe_back_pain=True,
    pain_relieved_by_medication_and_bed_rest=False, posterior_cortical_defect=False,
    vertebral_infection=False, pain_from_herniated_disc=False,
)
print(assess(patient))
""", check=True),
    md("""
Under the leaflet's rules she is a candidate for vertebroplasty, but kyphoplasty is not recommended (`kp_cause_excluded`): the deciding rule is the tumour cause. The evidence note would add that position statements and a randomised trial support kyphoplasty for fractures caused by cancer.

## The quiz

How it works:

1. Read the case. Choose **Candidate** or **Not a candidate** for vertebroplasty and for kyphoplasty.
2. Choose the **deciding reason**: the rule that decides the case. When a patient is a candidate for both, that is the indication; otherwise pick a rule that rules out a procedure (any rule that applies counts).
3. Press **Submit answer**. The feedback names the rule with its citation, and adds an evidence note where trials or guidelines differ.
4. Press **Next case**. After the bank's cases, new generated cases keep coming for as long as you want to practise. **Review missed cases** lists what you got wrong; **Retry** gives you ten cases weighted toward the rules you missed.

Keyboard: **Tab** moves between the controls, the **arrow keys** choose within a group or the list of rules, **Space** or **Enter** presses a button.

Your answers are saved to a file as you give them (its path is shown under the quiz), so closing the notebook or restarting the kernel loses nothing. To hand in your results, type your name or student id and press **Export CSV** or **Export JSON**.

*Instructors:* to use your own cases, copy `widgets/content/cases.yaml`, edit it, and change the call below to `QuizView.for_notebook(cites, bank="my-cases.yaml")`. The bank is checked when it loads: a mistake is reported with the file, the case id or line, and the field to fix, and a stated answer that disagrees with the rules is refused.
"""),
    code("""
from widgets.candidacy.quiz_view import QuizView

QuizView.for_notebook(cites)
"""),
    md("""
### Practice cases from the generator

The generator writes new cases from templates, drawing the findings so that every rule comes up. The same seed always gives the same cases; here is the first one for seed 5.
"""),
    code("""
from widgets.candidacy.vignettes import generate

example = generate(seed=5, n=1)[0]
print(example.history)
print(assess(example.patient))
""", check=True),
    md("""
## Check yourself

A 74-year-old man has severe back pain from an osteoporotic compression fracture of T12 that has not eased with pain medication and bed rest. Imaging also shows an infection in the same vertebra. Is he a candidate for vertebroplasty, kyphoplasty, both or neither, and which rule decides it? What would a trial's eligibility list say?

<details><summary>Answer</summary>

Neither. The deciding rule is `vertebral_infection`: an infection in the vertebra rules out both procedures. Here the evidence agrees with the leaflet: trial eligibility lists exclude spinal infection.

</details>

## Key points

- The quiz's answer key is the leaflet's rules: severe fracture pain not eased by medication and bed rest is the indication; a posterior cortical defect, an infection in the vertebra, disc pain, pain that settled, pain that is not severe, or no fracture rule out both; a vascular, tumour or infection cause rules out kyphoplasty.
- Name the deciding rule, not just the verdict: it is what you would tell the patient and the team.
- Trials and guidelines differ from the leaflet on tumours, vascular lesions and posterior wall defects, and NICE asks for a recent, unhealed fracture confirmed on imaging.
- Your answers are saved as you go; export them for your instructor as CSV or JSON.

**Next:** [06 After the procedure](06-recovery.ipynb)
"""),
    code(f"""
Citations.for_notebook("{NAME}").references()
""", check=True),
])
