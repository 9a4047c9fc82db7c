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

import anywidget
import traitlets

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
    _css = _CSS

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
    scope = traitlets.Unicode("").tag(sync=True)

    def __init__(self, scope: str):
        if not scope.startswith("."):
            raise ValueError(f"KeyboardShield needs a class selector such as '.vkp-quiz', not {scope!r}")
        super().__init__(scope=scope)

    def __repr__(self) -> str:
        return f"KeyboardShield({self.scope!r})"
