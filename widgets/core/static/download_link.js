// A link that saves a file the kernel prepared (widgets.record.handin_view.DownloadLink): the text
// travels with the widget and the browser makes the file from it (a blob: URL).

function render({ model, el }) {
  el.classList.add("vkp-download");
  const a = document.createElement("a");
  a.className = "vkp-download-link";
  let url = null;
  const sync = () => {
    if (url) { URL.revokeObjectURL(url); url = null; }
    const text = model.get("content");
    a.textContent = model.get("label");
    a.title = model.get("hint");
    if (model.get("disabled") || !text) {
      a.removeAttribute("href");
      a.removeAttribute("download");
      a.setAttribute("aria-disabled", "true");
      a.tabIndex = -1;
    } else {
      url = URL.createObjectURL(new Blob([text], { type: model.get("mime") }));
      a.href = url;
      a.download = model.get("filename");
      a.removeAttribute("aria-disabled");
      a.tabIndex = 0;
    }
  };
  for (const name of ["content", "filename", "label", "mime", "disabled", "hint"]) {
    model.on("change:" + name, sync);
  }
  sync();
  el.append(a);
  return () => { if (url) URL.revokeObjectURL(url); };
}
export default { render };
