"""Outcomes compared with their evidence: traced rows and the height-explorer model, and both in words (pure);
the outcome pictures and the explorer's side view (``plots``), and the views that show them (``views``).

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the drawing and the views sit beside
it.  Import from the module that holds a name (``from widgets.outcomes.model import load_outcomes``); the traced
numbers they use are :mod:`widgets.core.numbers`.
"""
