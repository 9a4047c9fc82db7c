// An invisible helper (widgets.core.controls.ReferenceOpener): a click on a citation number opens the
// folded reference list at the end of the notebook.

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
