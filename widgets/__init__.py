"""Teaching widgets for vertebroplasty and kyphoplasty.

Import what a notebook needs from its submodule, e.g.
``from widgets.core.citations import Citations``.  Pure logic (content, evidence,
rules, grading, geometry) never imports ipywidgets or matplotlib; views do.
"""

__version__ = "0.1.0"
