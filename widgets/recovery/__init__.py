"""After the procedure: after-care items, the procedure-day timeline, the natural rate of new fractures (pure);
their views.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.  Import
from the module that holds a name (``from widgets.recovery.model import timeline``).
"""
