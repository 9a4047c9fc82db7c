// The course's accessible slider (widgets.core.controls.Slider): a native range input with a real label,
// aria-valuetext with the unit, and a live readout.

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
