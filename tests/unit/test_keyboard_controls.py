"""The list box and radio group: labelled, validated, and immune to JupyterLab's arrow-key shortcuts."""

from __future__ import annotations

import pytest
import traitlets

from widgets.keyboard_controls import ListBox, RadioGroup


@pytest.mark.parametrize("cls", [ListBox, RadioGroup])
def test_needs_a_name_and_known_values(cls):
    with pytest.raises(ValueError, match="accessible name"):
        cls("", options=[("A", "a")])
    w = cls("Pick one", options=[("A", "a"), ("B", "b")])
    assert w.value is None
    w.value = "b"
    assert w.value == "b" and repr(w) == f"{cls.__name__}('Pick one': 'b')"
    with pytest.raises(traitlets.TraitError, match="'z' is not one of the options"):
        w.value = "z"
    with pytest.raises(traitlets.TraitError, match="unique"):
        w.options = [("A", "a"), ("A again", "a")]


@pytest.mark.parametrize("cls", [ListBox, RadioGroup])
def test_focusable_elements_suppress_jupyterlab_shortcuts(cls):
    """JupyterLab's matcher starts at the focused element, so the attribute must be on the control."""
    esm = cls._esm
    control = "select" if cls is ListBox else "input"
    assert f'{control}.setAttribute("data-lm-suppress-shortcuts", "true")' in esm
    assert ("label.htmlFor" in esm) and (cls is ListBox or "legend" in esm)
