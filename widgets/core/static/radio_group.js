// A labelled radio group (widgets.core.controls.RadioGroup): a fieldset with a legend, one Tab stop,
// arrow keys choose.

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
