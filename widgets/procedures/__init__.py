"""Vertebroplasty and kyphoplasty as ordered steps: the step model, ordering and decision grading, the balloon
model (pure); the stepper, tests and balloon views.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.  Import
from the module that holds a name (``from widgets.procedures.steps import load_procedure``).
"""
