// A labelled native list box (widgets.core.controls.ListBox): arrow keys move the selection, and
// JupyterLab's notebook shortcuts leave them alone.

function uid(prefix) { return prefix + Math.random().toString(36).slice(2, 10); }

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
