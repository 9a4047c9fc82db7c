"""Who is a candidate: the patient's findings, the leaflet's rules, the case bank, the vignette generator and the
quiz (pure); the quiz's views beside them.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it
(``*_view.py``).  ``patient`` holds the findings, ``rules`` the leaflet's rules and the engine both standards
share, ``practice`` current practice, ``red_flags`` what comes above both, ``bank`` the case bank, ``quiz`` the
quiz's state, ``daily`` the five-a-day set and its streak, ``reasons`` the families a deciding reason is chosen
from.  Notebooks import what they show from the views (``quiz_view``, ``cards_view``, ``red_flags_view``).  Import
from the module that holds a name (``from widgets.candidacy.rules import assess``); this package exports
nothing of its own.
"""
