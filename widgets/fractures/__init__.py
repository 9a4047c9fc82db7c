"""Vertebral compression fractures: what notebook 01 says about them (pure) and the fracture explorer (view).

The geometry and Genant grade of a vertebral body, and its sagittal drawing, are shared by several topics and
live in :mod:`widgets.anatomy` (:mod:`~widgets.anatomy.geometry`, :mod:`~widgets.anatomy.drawing`).
Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.  Import
from the module that holds a name (``from widgets.fractures.texts import reference_text``).
"""
