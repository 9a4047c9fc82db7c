"""The instructor's side of the class loop: a class's hand-ins read back for the debrief.

:mod:`~widgets.classroom.reading` (reading a class's folder, grading again with
:mod:`~widgets.classroom.grading`, old exports through :mod:`~widgets.classroom.export`),
:mod:`~widgets.classroom.results` (the debrief's summaries) and their views, lesson plans and answer keys.  What students use to save and hand in their answers is :mod:`widgets.record`.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
"""
