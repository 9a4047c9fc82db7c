"""Who is a candidate: the leaflet's rules and current practice's, the case bank, the vignette generator and the
quiz (pure); the quiz view.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.  Import
from the module that holds a name (``from widgets.candidacy.rules import assess``); this package exports
nothing of its own.
"""
