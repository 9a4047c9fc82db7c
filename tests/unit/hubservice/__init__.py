"""Tests of widgets.hubservice."""
