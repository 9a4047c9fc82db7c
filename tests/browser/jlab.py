"""Driving a notebook in JupyterLab: open, run all, read errors and widgets."""

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

WIDGET_OUTPUTS = """() => [...document.querySelectorAll(
  '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')]
  .map(el => ({ text: el.innerText.slice(0, 200), rendered: el.querySelector('.jupyter-widgets, .lm-Widget') !== null }))"""


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
