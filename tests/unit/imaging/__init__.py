"""Tests of widgets.imaging."""
