"""Tests of widgets.anatomy."""
