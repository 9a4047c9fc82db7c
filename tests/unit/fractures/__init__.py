"""Tests of widgets.fractures."""
