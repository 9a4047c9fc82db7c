"""Driving a notebook in JupyterLab: open, run all, read errors, widgets and accessibility."""

from __future__ import annotations

KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
            && w.sessionContext.session.kernel.status === 'idle'); }"""

ALL_RUN = """() => { const w = window.jupyterapp.shell.currentWidget;
  if (!w || !w.content) return false;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  return cells.length > 0 && cells.every(c => c.model.executionCount !== null); }"""

ERRORS = """() => { const w = window.jupyterapp.shell.currentWidget; const out = [];
  w.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const outs = cell.model.outputs;
    for (let j = 0; j < outs.length; j++) {
      const o = outs.get(j).toJSON();
      if (o.output_type === 'error') out.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
    }
  });
  return out; }"""

WIDGET_OUTPUTS = """() => { const w = window.jupyterapp.shell.currentWidget; const out = [];
  const MIME = 'application/vnd.jupyter.widget-view+json';
  w.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const outs = cell.model.outputs; let expected = 0;
    for (let j = 0; j < outs.length; j++) { if (outs.get(j).data && outs.get(j).data[MIME]) expected++; }
    if (!expected) return;
    const shown = [...cell.node.querySelectorAll('.jp-OutputArea-output')]
      .filter(el => el.querySelector('.jupyter-widgets') && !/Error displaying widget|Loading widget/.test(el.innerText));
    out.push({ cell: i, expected: expected, rendered: shown.length >= expected,
               text: cell.node.querySelector('.jp-OutputArea') ? cell.node.querySelector('.jp-OutputArea').innerText.slice(0, 200) : '' });
  });
  return out; }"""

#: What axe checks: everything the notebook itself puts on the page (not JupyterLab's own chrome).
AXE_CONTEXT = {"include": [[".jp-OutputArea-output"], [".jp-MarkdownOutput"]]}
BLOCKING = {"serious", "critical"}


def open_and_run(page, lab, path: str, timeout: int = 120_000) -> None:
    """Open ``path`` (relative to the server root), run all cells, wait until done."""
    page.goto(lab.url(path))
    page.wait_for_function("window.jupyterapp && window.jupyterapp.started", timeout=timeout)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_RUN, timeout=timeout)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout)


def errors(page) -> list[str]:
    return page.evaluate(ERRORS)


def widget_outputs(page) -> list[dict]:
    return page.evaluate(WIDGET_OUTPUTS)


def wait_widgets_rendered(page, timeout: int = 30_000) -> None:
    page.wait_for_function(f"() => ({WIDGET_OUTPUTS})().every(w => w.rendered)", timeout=timeout)


def axe_violations(page, impacts=BLOCKING, context=AXE_CONTEXT) -> list[str]:
    """axe-core findings of the given impacts on the notebook's outputs and rendered Markdown
    (``context=None``: on the whole page)."""
    from axe_playwright_python.sync_playwright import Axe
    result = Axe().run(page, context=context)
    found = []
    for v in result.response["violations"]:
        if v["impact"] in impacts:
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"]][:3]
            found.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return found


TRUNCATED = """() => [...document.querySelectorAll(
    '.jp-OutputArea-output button, .jp-OutputArea-output .widget-label, .jp-OutputArea-output label, '
    + '.jp-OutputArea-output legend, .jp-OutputArea-output select')]
  .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map(el => (el.innerText || el.value || '').trim().slice(0, 60))"""


def truncated_labels(page) -> list[str]:
    """Visible buttons, labels, legends and selects whose text does not fit (cut off or '...')."""
    return page.evaluate(TRUNCATED)


#: The reading-length measure of the course (issue 13): a notebook, run, at this window size ...
READING_VIEWPORT = {"width": 1280, "height": 1600}
#: ... is at most about six screenfuls long with every fold closed.
MAX_SCREENFULS = 6.5
SCROLLER = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"


def screenfuls(page) -> float:
    """How many window heights the open notebook's scrolling area holds (JupyterLab's own room to
    scroll past the last cell included, as in every notebook alike)."""
    return page.evaluate(f"(() => {{ const s = {SCROLLER}; return s.scrollHeight / s.clientHeight; }})()")


#: Anything in a notebook's text or outputs wider than the room it has: cut off, or scrolling sideways.
CLIPPED = """() => { const out = []; const panel = '.jp-NotebookPanel:not(.lm-mod-hidden) ';
  for (const el of document.querySelectorAll(panel + '.jp-OutputArea-output, ' + panel + '.jp-MarkdownOutput, '
                                            + panel + '.jp-OutputArea-output *')) {
    if (!el.checkVisibility() || el.closest('details:not([open])')) continue;
    const style = getComputedStyle(el);
    const cuts = ['hidden', 'clip', 'auto', 'scroll'].includes(style.overflowX);
    if (cuts && el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0)
      out.push(`${el.className || el.tagName}: ${el.scrollWidth} px in ${el.clientWidth} px: ${(el.innerText || '').trim().slice(0, 50)}`);
  }
  const s = document.querySelector(panel + '.jp-WindowedPanel-outer');
  if (s.scrollWidth > s.clientWidth + 2) out.push(`the notebook scrolls sideways: ${s.scrollWidth} px in ${s.clientWidth} px`);
  return out; }"""


def clipped(page) -> list[str]:
    """What the open notebook shows cut off or scrolling sideways (empty when everything fits its column)."""
    return page.evaluate(CLIPPED)
