"""Writes notebooks/01-compression-fractures.ipynb.  Run from the repository root:
.venv/bin/python -m tools.authoring.nb01_compression_fractures, then tools/store_outputs.py."""
from tools.nbbuild import code, md, write

NB = "01-compression-fractures.ipynb"

write(f"notebooks/{NB}", [
    md("""
# Vertebral compression fractures

What a vertebral body is, how osteoporosis makes it collapse, how a collapse is graded, and which back pain vertebroplasty and kyphoplasty are meant for.

- **Objectives:** describe the vertebral body and how osteoporosis leads to a compression fracture; explain why pain that persists despite pain medication and bed rest matters; tell fracture pain apart from disc pain, which these procedures do not treat; grade a fracture by its height loss (Genant) and name its shape.
- **Estimated time:** 25 minutes
- **Prerequisites:** [00 Start here](00-start-here.ipynb). Run all cells first (*Run → Run All Cells*).
"""),
    code(f"""
from IPython.display import Markdown
from widgets.core.citations import Citations

cites = Citations.for_notebook("{NB}")
"""),
    md("""
## The vertebral body

Each vertebra has a block of bone at the front, the **vertebral body**, which carries most of the weight of the trunk, and a ring of bone behind it that surrounds the spinal cord. The body is a shell of hard (cortical) bone filled with spongy (cancellous) bone, capped above and below by the **endplates** that face the discs.

Seen from the side (a *sagittal* view), a healthy lumbar body is close to a rectangle. The drawings in this course are to scale, using a vertebra measured on CT [@fg_lumbar_L5_cook2021]:
"""),
    code("""
from widgets.fractures.geometry import reference_text

Markdown(reference_text(cites.cite))
""", check=True),
    md("""
## How osteoporosis leads to a compression fracture

Osteoporosis thins the spongy bone and the shell around it. A weakened vertebral body can then give way under loads it once carried easily, such as lifting, bending or even a cough, and its front, middle or whole height sinks: a **compression fracture**. The leaflet this course grows from names osteoporosis as the usual cause [@kochan2015]. Many of these fractures go unnoticed [@epi_us_750k_one_third]:
"""),
    code("""
from widgets.fractures.geometry import epidemiology_text

Markdown(epidemiology_text(cites.cite))
""", check=True),
    md("""
## When the pain matters

Most compression fractures heal, and their pain settles with time, pain medication and rest. The leaflet's rule is that vertebroplasty or kyphoplasty is considered for **severe back pain from a compression fracture that does not improve with pain medication and bed rest** [@kochan2015]. Guidance from NICE adds that the fracture must be recent and unhealed, and the pain confirmed at that level by examination and imaging [@cand_nice_ta279]. Notebook 05 works through who is a candidate.

## Not every back pain is a fracture

Back pain from a **herniated or ruptured intervertebral disc** is a different problem: the soft disc between two vertebrae bulges or tears and can press on a nerve. Injecting cement into a vertebral body does nothing for it, and the leaflet says plainly that these procedures do not treat disc pain [@kochan2015]. Before anyone talks about cement, the pain has to be traced to the fractured vertebra.

## Grading a fracture: Genant's grades

Genant's semi-quantitative method grades a fracture by how much height the vertebral body has lost compared with what it should have [@fg_genant_sq_grades]. The height loss is the largest of the losses at the front (anterior), middle and back (posterior):
"""),
    code("""
from widgets.fractures.geometry import genant_table_markdown

Markdown(genant_table_markdown(cites.cite))
""", check=True),
    md("""
The part of the body that lost most names the **shape**: the front (**wedge**, the commonest), the middle (**biconcave**, the endplates sink in the centre) or the back or the whole body (**crush**). The **wedge angle** is the angle between the top and bottom of the body, from the difference between the front and back heights over the depth. L5 is naturally a little taller at the front, so a healthy L5 has a small negative angle; a wedge fracture turns it positive.

Worked examples on the same L5 body (illustrative heights, not patients):
"""),
    code("""
from widgets.fractures.geometry import examples_markdown

Markdown(examples_markdown())
""", check=True),
    md("""
## The fracture explorer

Move the three sliders to lower the front, middle and back heights (Tab to a slider, then the arrow keys; Page Up/Down move faster). The outline is redrawn to scale, the dashed line shows the height before the fracture, and the line above the drawing reads out the height loss, the Genant grade, the shape and the wedge angle.

Try: make a wedge of grade 1, then grade 2; find the height loss where grade 2 turns into grade 3; make a biconcave fracture.
"""),
    code("""
from widgets.fractures.explorer import FractureExplorer

explorer = FractureExplorer(cites)
explorer
"""),
    md("""
## Check yourself

1. A vertebral body's front has lost exactly the height loss where the table above moves from grade 2 to grade 3; the middle and back are intact. What is its Genant grade and shape?
2. A patient has back pain and leg pain from a herniated disc, and an old healed wedge fracture. Would vertebroplasty help?

<details><summary>Answers</summary>

1. Grade 2 (moderate): grade 3 starts only *over* that boundary. The front lost most, so it is a wedge.
2. No. Disc pain is not treated by these procedures, and a healed fracture whose pain has settled is not what they are for.

</details>

## Key points

- The vertebral body is the weight-bearing front block of a vertebra: a shell of cortical bone around spongy bone.
- Osteoporosis weakens it until ordinary loads can collapse it: a compression fracture.
- Genant grades the height loss: grade 1 mild, 2 moderate, 3 severe; the region that lost most names the shape (wedge, biconcave, crush).
- The procedures are for fracture pain that persists despite pain medication and bed rest, not for disc pain.

**Next:** [02 Vertebroplasty step by step](02-vertebroplasty.ipynb)
"""),
    code(f"""
from widgets.core.citations import Citations

Citations.for_notebook("{NB}").references()
""", check=True),
])
