"""A list box and a radio group that keep their arrow keys inside JupyterLab.

In JupyterLab's command mode, ArrowUp / ArrowDown on any focused element that
is not a text field move to the previous / next cell (``notebook:move-cursor-up``
/ ``-down``), so the arrow keys of ipywidgets' ``Select`` and ``RadioButtons``
jump out of the widget: a keyboard user cannot pick an item.  These two
anywidgets render native controls (``<select size=n>`` with a ``<label>``, and a
``<fieldset>`` of radio inputs with a ``<legend>``) whose focusable elements are
marked ``data-lm-suppress-shortcuts`` (the matcher stops at the first element that
carries it, starting from the focused one, so it must sit on the control itself), so
the arrow keys work as the browser intends.  Values sync to the kernel on each
change.
"""

from __future__ import annotations

import anywidget
import traitlets

_SHARED_JS = r"""
function uid(prefix) { return prefix + Math.random().toString(36).slice(2, 10); }
"""

_LISTBOX_ESM = _SHARED_JS + r"""
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
  };
  select.addEventListener("change", () => {
    model.set("value", select.value || null);
    model.save_changes();
  });
  model.on("change:options", sync);
  model.on("change:value", sync);
  model.on("change:description", sync);
  sync();
  el.append(label, select);
}
export default { render };
"""

_RADIO_ESM = _SHARED_JS + r"""
function render({ model, el }) {
  el.classList.add("vkp-radio");
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const name = uid("vkp-rg-");
  const fieldset = document.createElement("fieldset");
  const legend = document.createElement("legend");
  fieldset.append(legend);
  const list = document.createElement("div");
  fieldset.append(list);
  const sync = () => {
    legend.textContent = model.get("description");
    const v = model.get("value");
    list.replaceChildren(...model.get("options").map(([text, value], i) => {
      const row = document.createElement("div");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = name;
      input.id = name + "-" + i;
      input.value = value;
      input.setAttribute("data-lm-suppress-shortcuts", "true");
      input.checked = value === v;
      input.addEventListener("change", () => {
        if (input.checked) { model.set("value", value); model.save_changes(); }
      });
      const label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = text;
      row.append(input, label);
      return row;
    }));
  };
  model.on("change:options", sync);
  model.on("change:value", () => {
    const v = model.get("value");
    list.querySelectorAll("input").forEach(i => { i.checked = i.value === v; });
  });
  model.on("change:description", sync);
  sync();
  el.append(fieldset);
}
export default { render };
"""

_CSS = r"""
.vkp-listbox { display: flex; flex-direction: column; gap: 0.3em; margin: 0.3em 0; }
.vkp-listbox label, .vkp-radio legend { color: var(--jp-ui-font-color0, #111); font-weight: 600; }
.vkp-listbox select { min-width: 30em; max-width: 100%; font-size: var(--jp-ui-font-size1, 13px);
  color: var(--jp-ui-font-color0, #111); background: var(--jp-layout-color0, #fff); }
.vkp-listbox select:focus-visible, .vkp-radio input:focus-visible { outline: 3px solid #E69F00; outline-offset: 2px; }
.vkp-radio fieldset { border: none; margin: 0.2em 0; padding: 0; }
.vkp-radio div > div { display: flex; align-items: baseline; gap: 0.4em; margin: 0.15em 0; }
.vkp-radio label { color: var(--jp-ui-font-color0, #111); }
"""


class _Choice(anywidget.AnyWidget):
    """Shared state: (label, value) options, the chosen value (or None), a visible description."""

    _css = _CSS
    options = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Unicode())).tag(sync=True)
    value = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)

    def __init__(self, description: str, options=(), value: str | None = None, **kwargs):
        if not description:
            raise ValueError(f"a {type(self).__name__} needs a description: it is its accessible name")
        super().__init__(description=description, options=[tuple(o) for o in options], **kwargs)
        self.value = value

    @traitlets.validate("value")
    def _known(self, proposal):
        value = proposal["value"]
        if value is not None and value not in [v for _, v in self.options]:
            raise traitlets.TraitError(f"'{self.description}': {value!r} is not one of the options")
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
    rows = traitlets.Int(0).tag(sync=True)


class RadioGroup(_Choice):
    """A labelled group of radio buttons (``<fieldset>`` + ``<legend>``): arrow keys choose."""

    _esm = _RADIO_ESM
