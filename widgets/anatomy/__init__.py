"""The spine every topic draws on: shared geometry and pictures, below the topics and above the record.

Pure: the lumbar levels and their traced dimensions (:mod:`~widgets.anatomy.levels`, from
``content/anatomy.yaml``), the 3-D segment (:mod:`~widgets.anatomy.segment`), the one camera model of the
two fluoroscopic views (:mod:`~widgets.anatomy.camera`), what a picture shows at a moment
(:mod:`~widgets.anatomy.scene`), the textbook needle path (:mod:`~widgets.anatomy.needle_path`), the
vertebral body's heights, Genant grade and sagittal outline (:mod:`~widgets.anatomy.geometry`) and the
synthetic radiograph (:mod:`~widgets.anatomy.xray`), the real CT's scan, mask look-ups and grading
(:mod:`~widgets.anatomy.ct`) and the pictures made from it (:mod:`~widgets.anatomy.ct_images`), and the C-arm
screen's look (:mod:`~widgets.anatomy.carm`).  Views: the sagittal drawing (:mod:`~widgets.anatomy.drawing`),
the two-view fluoroscopy drawing (:mod:`~widgets.anatomy.fluoro`) and the real CT's (:mod:`~widgets.anatomy.ct_view`).

This layer imports only :mod:`widgets.core`; every topic may import it.
"""
