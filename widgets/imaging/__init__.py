"""The needle-placement exercise: its grading (four checks and the simulator's metrics, on the model spine or the
real CT), its placements on either spine, attempt history and facts (pure); the exercise view.

The anatomy it draws on (the lumbar segment, the one camera model of the two fluoroscopic views, the
scene, the synthetic radiograph, the fluoroscopy drawing, the textbook needle path) is shared with other
topics and lives in :mod:`widgets.anatomy`.
Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views
(:mod:`widgets.imaging.views`) sit beside it.  Import from the module that holds a name
(``from widgets.imaging.grading import grade``; notebook 04: ``from widgets.imaging import facts``).
"""
