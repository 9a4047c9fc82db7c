"""The list box and radio group: labelled, validated, and immune to JupyterLab's arrow-key shortcuts."""

from __future__ import annotations

import pytest
import traitlets

from widgets.core.controls import ListBox, RadioGroup


@pytest.mark.parametrize("cls", [ListBox, RadioGroup])
def test_needs_a_name_and_known_values(cls):
    with pytest.raises(ValueError, match="accessible name"):
        cls("", options=[("A", "a")])
    w = cls("Pick one", options=[("A", "a"), ("B", "b")])
    assert w.value is None
    w.value = "b"
    assert w.value == "b" and repr(w) == f"{cls.__name__}('Pick one': 'b')"
    with pytest.raises(traitlets.TraitError, match="'z' is not one of"):
        w.value = "z"
    with pytest.raises(traitlets.TraitError, match="unique"):
        w.options = [("A", "a"), ("A again", "a")]


@pytest.mark.parametrize("cls", [ListBox, RadioGroup])
def test_focusable_elements_suppress_jupyterlab_shortcuts(cls):
    """JupyterLab's matcher starts at the focused element, so the attribute must be on the control."""
    esm = str(cls._esm)
    control = "select" if cls is ListBox else "input"
    assert f'{control}.setAttribute("data-lm-suppress-shortcuts", "true")' in esm
    if cls is ListBox:
        assert "label.htmlFor" in esm, "the list box is named by its <label>"
    else:
        assert "legend" in esm and "row.append(input" in esm, "the group has a legend; each radio sits in its label"
        assert "input.name = name" in esm, "the radios share a name: one Tab stop, arrows choose"
