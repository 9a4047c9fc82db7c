"""Tests of widgets.outcomes."""
