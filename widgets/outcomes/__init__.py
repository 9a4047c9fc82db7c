"""Outcomes compared with their evidence: traced rows and the height-explorer model (pure); the outcome plots and
explorer views.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.  Import
from the module that holds a name (``from widgets.outcomes.model import load_outcomes``); the traced numbers
they use are :mod:`widgets.core.numbers`.
"""
