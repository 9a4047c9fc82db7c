"""Accessible controls the module's views share.

ipywidgets' own slider handle has no accessible name (axe: aria-input-field-name,
serious).  :class:`Slider` is a native ``<input type="range">`` with a real
``<label>``, ``aria-valuetext`` that includes the unit, and a live readout,
built with anywidget so no front-end build step is needed (its JavaScript and CSS are the files in
``widgets/core/static/``, shipped as package data).  It works from the
keyboard (Tab to focus; arrows, Page Up/Down, Home/End to move) and sends its
value to the kernel once per change (each key press, or on release after a
drag), so a figure renders once per change.

JupyterLab's notebook shortcuts (command mode) take the arrow keys, Enter and
Space from any focused control that is not a text field, and move between cells
instead.  Lumino skips its shortcuts for an element marked
``data-lm-suppress-shortcuts``: :class:`Slider` marks its input, and
:class:`KeyboardShield`, placed inside a view, marks every ipywidgets control of
that view (buttons, dropdowns, radio buttons), including those added later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anywidget
import traitlets

from widgets.core.settings import current_settings

if TYPE_CHECKING:   # a view's widget is an ipywidgets widget; this module itself needs only anywidget
    import ipywidgets

#: The JavaScript and CSS of the controls, loaded by anywidget from these files (shipped as package data).
STATIC = current_settings().static_dir
#: The one stylesheet of the course's controls: theirs, and the notebook's line spacing for text inside a view
#: (ipywidgets gives HTML widgets a control's line height; every view's container has a ``vkp-`` class).
STYLESHEET = STATIC / "controls.css"


class Slider(anywidget.AnyWidget):
    """A labelled, keyboard-usable range slider with its unit read aloud.

    Setting ``value`` outside ``[min, max]`` from code raises a
    :class:`traitlets.TraitError` that names the control and its range.
    """

    _esm = STATIC / "slider.js"
    _css = STYLESHEET

    value = traitlets.Float(0.0).tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)
    max = traitlets.Float(100.0).tag(sync=True)
    step = traitlets.Float(1.0).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    unit = traitlets.Unicode("").tag(sync=True)
    decimals = traitlets.Int(0).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, description: str, *, min: float, max: float, value: float,
                 step: float = 1.0, unit: str = "", decimals: int = 0, **kwargs):
        if not description:
            raise ValueError("a Slider needs a description: it is its accessible name")
        if min >= max:
            raise ValueError(f"Slider '{description}': min ({min}) must be below max ({max})")
        super().__init__(description=description, min=min, max=max, step=step, unit=unit,
                         decimals=decimals, **kwargs)
        self.value = value

    @traitlets.validate("value")
    def _check_value(self, proposal):
        value = float(proposal["value"])
        if not (self.min <= value <= self.max):
            unit = f" {self.unit}" if self.unit else ""
            raise traitlets.TraitError(
                f"'{self.description}' must be between {self.min:g} and {self.max:g}{unit}; "
                f"{value:g} is out of range")
        return value

    def __repr__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"Slider({self.description!r}: {self.value:.{self.decimals}f}{unit})"


# --------------------------------------------------------------------------- choices
# ipywidgets' Select and RadioButtons lose their arrow keys to JupyterLab's notebook shortcuts
# (ArrowUp/ArrowDown move between cells), and RadioButtons give each option its own Tab stop with
# no shared name.  These two render native controls instead: a labelled <select size=n>, and a
# <fieldset> of radio inputs sharing a name with a <legend> (one Tab stop, arrows to choose).

class _Choice(anywidget.AnyWidget):
    """Shared state: (label, value) options, the chosen value (or None), a visible description."""

    options = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Unicode())).tag(sync=True)
    value = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, description: str, options=(), value: str | None = None, **kwargs):
        if not description:
            raise ValueError(f"a {type(self).__name__} needs a description: it is its accessible name")
        super().__init__(description=description, options=[tuple(o) for o in options], **kwargs)
        self.value = value

    @traitlets.validate("value")
    def _known(self, proposal):
        value = proposal["value"]
        allowed = [v for _, v in self.options]
        if value is not None and value not in allowed:
            raise traitlets.TraitError(f"'{self.description}': {value!r} is not one of {allowed}")
        return value

    @traitlets.validate("options")
    def _unique(self, proposal):
        values = [v for _, v in proposal["value"]]
        if len(set(values)) != len(values):
            raise traitlets.TraitError(f"'{self.description}': option values must be unique")
        return [tuple(o) for o in proposal["value"]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r}: {self.value!r})"


class ListBox(_Choice):
    """A labelled native list box (``<select size=rows>``): arrow keys move the selection."""

    _esm = STATIC / "list_box.js"
    _css = STYLESHEET
    rows = traitlets.Int(0).tag(sync=True)


class RadioGroup(_Choice):
    """A labelled radio group (``<fieldset>`` + ``<legend>``): one Tab stop, arrow keys choose.

    ``vertical=True`` stacks the options (long answers); the default lays them in a row.
    """

    _esm = STATIC / "radio_group.js"
    _css = STYLESHEET
    vertical = traitlets.Bool(False).tag(sync=True)


class KeyboardShield(anywidget.AnyWidget):
    """An invisible helper that lets a view's ipywidgets controls keep their keys in JupyterLab.

    Put it inside the view's container and give the container a CSS class; ``scope`` is that
    class as a selector (e.g. ``".vkp-quiz"``).  It marks every input, select, button and
    textarea of the container with ``data-lm-suppress-shortcuts`` (and keeps doing so as
    controls are added), so arrows move a radio group or dropdown and Enter/Space press a
    button instead of moving between notebook cells.
    """

    _esm = STATIC / "keyboard_shield.js"
    _css = STYLESHEET
    scope = traitlets.Unicode("").tag(sync=True)

    def __init__(self, scope: str):
        if not scope.startswith("."):
            raise ValueError(f"KeyboardShield needs a class selector such as '.vkp-quiz', not {scope!r}")
        super().__init__(scope=scope)

    def __repr__(self) -> str:
        return f"KeyboardShield({self.scope!r})"


class ReferenceOpener(anywidget.AnyWidget):
    """An invisible helper: a click on a citation number opens the folded reference list.

    The reference list at the end of a notebook sits in a ``<details>`` disclosure, and a link
    into a closed disclosure scrolls nowhere.  This helper listens (capturing, before
    JupyterLab's own link handling) for clicks on ``#ref-N`` links in its notebook, opens the
    disclosure that holds the target and lets JupyterLab scroll to it.  Without a kernel or a
    widget front end the list still opens by hand.
    """

    _esm = STATIC / "reference_opener.js"
    _css = STYLESHEET

    def __repr__(self) -> str:
        return "ReferenceOpener()"


class Shows:
    """Display a view by its ``widget`` (so a notebook cell can end with the view itself)."""

    widget: "ipywidgets.Widget"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
