"""Accessible controls the module's views share.

ipywidgets' own slider handle has no accessible name (axe: aria-input-field-name,
serious).  :class:`Slider` is a native ``<input type="range">`` with a real
``<label>``, ``aria-valuetext`` that includes the unit, and a live readout,
built with anywidget so no front-end build step is needed.  It works from the
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

if TYPE_CHECKING:   # a view's widget is an ipywidgets widget; this module itself needs only anywidget
    import ipywidgets

_ESM = r"""
function fmt(model, v) {
  const d = model.get("decimals");
  return Number(v).toFixed(d);
}
function render({ model, el }) {
  const uid = "vkp-s-" + Math.random().toString(36).slice(2, 10);
  el.classList.add("vkp-slider");
  const label = document.createElement("label");
  label.htmlFor = uid;
  const input = document.createElement("input");
  input.type = "range";
  input.id = uid;
  // JupyterLab's command-mode shortcuts would take the arrow keys from a focused control.
  input.setAttribute("data-lm-suppress-shortcuts", "true");
  const out = document.createElement("output");
  out.htmlFor = uid;
  out.setAttribute("aria-hidden", "true");
  const sync = () => {
    label.textContent = model.get("description");
    input.min = model.get("min");
    input.max = model.get("max");
    input.step = model.get("step");
    input.value = model.get("value");
    input.disabled = model.get("disabled");
    const text = fmt(model, model.get("value")) + (model.get("unit") ? " " + model.get("unit") : "");
    out.textContent = text;
    input.setAttribute("aria-valuetext", text);
  };
  input.addEventListener("input", () => {
    const text = fmt(model, input.value) + (model.get("unit") ? " " + model.get("unit") : "");
    out.textContent = text;
    input.setAttribute("aria-valuetext", text);
  });
  input.addEventListener("change", () => {
    model.set("value", parseFloat(input.value));
    model.save_changes();
  });
  for (const name of ["value", "min", "max", "step", "description", "unit", "decimals", "disabled"]) {
    model.on("change:" + name, sync);
  }
  sync();
  el.append(label, input, out);
}
export default { render };
"""

#: ipywidgets gives HTML widgets the line height of a one-line control (28 px), which spreads a card's
#: paragraphs and lists far apart; inside the course's views (every container has a ``vkp-`` class) they
#: read as the notebook's Markdown does.  Loaded by the helpers every view and every notebook carries.
PROSE_CSS = r"""
[class*="vkp-"] .widget-html-content :is(p, li, dd, dt, td, th, caption, summary) { line-height: 1.5; }
"""

_CSS = r"""
.vkp-slider { display: flex; align-items: center; gap: 0.6em; margin: 0.2em 0; flex-wrap: wrap; }
.vkp-slider label { min-width: 14em; color: var(--jp-ui-font-color0, #111); }
.vkp-slider input[type=range] { width: 16em; accent-color: #0072B2; }
.vkp-slider input[type=range]:focus-visible { outline: 3px solid #E69F00; outline-offset: 2px; }
.vkp-slider output { min-width: 5em; font-variant-numeric: tabular-nums; color: var(--jp-ui-font-color0, #111); }
"""


class Slider(anywidget.AnyWidget):
    """A labelled, keyboard-usable range slider with its unit read aloud.

    Setting ``value`` outside ``[min, max]`` from code raises a
    :class:`traitlets.TraitError` that names the control and its range.
    """

    _esm = _ESM
    _css = _CSS + PROSE_CSS

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

_UID_JS = r"""
function uid(prefix) { return prefix + Math.random().toString(36).slice(2, 10); }
"""

_LISTBOX_ESM = _UID_JS + r"""
function render({ model, el }) {
  el.classList.add("vkp-listbox");
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const id = uid("vkp-lb-");
  const label = document.createElement("label");
  label.htmlFor = id;
  const select = document.createElement("select");
  select.id = id;
  select.setAttribute("data-lm-suppress-shortcuts", "true");
  const sync = () => {
    label.textContent = model.get("description");
    const opts = model.get("options");
    select.size = Math.max(2, model.get("rows") || opts.length);
    select.replaceChildren(...opts.map(([text, value]) => {
      const o = document.createElement("option");
      o.value = value;
      o.textContent = text;
      return o;
    }));
    const v = model.get("value");
    select.value = v === null ? "" : v;
    if (v === null) select.selectedIndex = -1;
    select.disabled = model.get("disabled");
  };
  select.addEventListener("change", () => {
    model.set("value", select.value || null);
    model.save_changes();
  });
  for (const name of ["options", "value", "description", "disabled", "rows"]) model.on("change:" + name, sync);
  sync();
  el.append(label, select);
}
export default { render };
"""

_RADIO_ESM = r"""
const KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", " ", "Enter", "Home", "End"]);
function render({ model, el }) {
  const name = "vkp-choice-" + Math.random().toString(36).slice(2, 10);
  const fs = document.createElement("fieldset");
  fs.className = "vkp-choice";
  const legend = document.createElement("legend");
  const body = document.createElement("div");
  body.className = "vkp-choice-options";
  fs.append(legend, body);
  el.append(fs);
  // Arrow keys and Space belong to the radio group, not to JupyterLab's notebook shortcuts.
  fs.addEventListener("keydown", (e) => { if (KEYS.has(e.key)) e.stopPropagation(); });
  const syncValue = () => {
    for (const input of body.querySelectorAll("input")) {
      input.checked = input.value === model.get("value");
      input.disabled = model.get("disabled");
    }
  };
  const build = () => {
    legend.textContent = model.get("description");
    body.classList.toggle("vkp-vertical", model.get("vertical"));
    body.replaceChildren();
    for (const [label, value] of model.get("options")) {
      const row = document.createElement("label");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = name;
      input.value = value;
      // JupyterLab's command-mode shortcuts would take the arrow keys from a focused radio button.
      input.setAttribute("data-lm-suppress-shortcuts", "true");
      input.addEventListener("change", () => {
        if (input.checked) { model.set("value", value); model.save_changes(); }
      });
      row.append(input, document.createTextNode(" " + label));
      body.append(row);
    }
    syncValue();
  };
  model.on("change:options", build);
  model.on("change:description", build);
  model.on("change:value", syncValue);
  model.on("change:disabled", syncValue);
  build();
}
export default { render };
"""

_LISTBOX_CSS = r"""
.vkp-listbox { display: flex; flex-direction: column; gap: 0.3em; margin: 0.3em 0; }
.vkp-listbox label { color: var(--jp-ui-font-color0, #111); font-weight: 600; }
.vkp-listbox select { min-width: 30em; max-width: 100%; font-size: var(--jp-ui-font-size1, 13px);
  color: var(--jp-ui-font-color0, #111); background: var(--jp-layout-color0, #fff); }
.vkp-listbox select:focus-visible { outline: 3px solid #E69F00; outline-offset: 2px; }
"""

_RADIO_CSS = r"""
.vkp-choice { border: 1px solid var(--jp-border-color1, #999); border-radius: 4px; margin: 0.3em 0;
  padding: 0.2em 0.8em 0.4em; }
.vkp-choice legend { font-weight: bold; padding: 0 0.3em; color: var(--jp-ui-font-color0, #111); }
.vkp-choice-options { display: flex; flex-wrap: wrap; gap: 0.2em 1.4em; }
.vkp-choice-options.vkp-vertical { flex-direction: column; }
.vkp-choice-options label { display: inline-flex; align-items: center; gap: 0.3em; cursor: pointer;
  color: var(--jp-ui-font-color0, #111); }
.vkp-choice input[type=radio]:focus-visible { outline: 3px solid #E69F00; outline-offset: 2px; }
"""


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

    _esm = _LISTBOX_ESM
    _css = _LISTBOX_CSS + PROSE_CSS
    rows = traitlets.Int(0).tag(sync=True)


class RadioGroup(_Choice):
    """A labelled radio group (``<fieldset>`` + ``<legend>``): one Tab stop, arrow keys choose.

    ``vertical=True`` stacks the options (long answers); the default lays them in a row.
    """

    _esm = _RADIO_ESM
    _css = _RADIO_CSS + PROSE_CSS
    vertical = traitlets.Bool(False).tag(sync=True)


class KeyboardShield(anywidget.AnyWidget):
    """An invisible helper that lets a view's ipywidgets controls keep their keys in JupyterLab.

    Put it inside the view's container and give the container a CSS class; ``scope`` is that
    class as a selector (e.g. ``".vkp-quiz"``).  It marks every input, select, button and
    textarea of the container with ``data-lm-suppress-shortcuts`` (and keeps doing so as
    controls are added), so arrows move a radio group or dropdown and Enter/Space press a
    button instead of moving between notebook cells.
    """

    _esm = r"""
function render({ model, el }) {
  el.setAttribute("aria-hidden", "true");
  el.style.display = "none";
  const scope = model.get("scope");
  const mark = (root) => root.querySelectorAll("input, select, button, textarea")
      .forEach(n => n.setAttribute("data-lm-suppress-shortcuts", "true"));
  let tries = 0;
  const attach = () => {
    const root = el.closest(scope);
    if (!root) { if (tries++ < 200) requestAnimationFrame(attach); return; }
    mark(root);
    new MutationObserver(() => mark(root)).observe(root, { childList: true, subtree: true });
  };
  attach();
}
export default { render };
"""
    _css = PROSE_CSS
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

    _esm = r"""
function render({ model, el }) {
  el.setAttribute("aria-hidden", "true");
  el.style.display = "none";
  let tries = 0;
  const attach = () => {
    const root = el.closest(".jp-Notebook") || el.closest(".jp-NotebookPanel") || document.body;
    if (!root || (root === document.body && tries++ < 100)) { requestAnimationFrame(attach); return; }
    if (root.dataset.vkpRefOpener) return;
    root.dataset.vkpRefOpener = "1";
    root.addEventListener("click", (event) => {
      const link = event.target.closest && event.target.closest('a[href^="#ref-"]');
      if (!link) return;
      const target = root.querySelector('[id="' + link.getAttribute("href").slice(1) + '"]');
      const fold = target && target.closest("details");
      if (fold && !fold.open) fold.open = true;
      if (target) setTimeout(() => target.scrollIntoView({ block: "center" }), 0);
    }, true);
  };
  attach();
}
export default { render };
"""
    _css = PROSE_CSS

    def __repr__(self) -> str:
        return "ReferenceOpener()"


class Shows:
    """Display a view by its ``widget`` (so a notebook cell can end with the view itself)."""

    widget: "ipywidgets.Widget"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
