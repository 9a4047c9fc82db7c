// An invisible helper (widgets.core.controls.KeyboardShield): marks every control of its view so that
// JupyterLab's command-mode shortcuts leave their keys alone.

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
