"""Tests of widgets.record."""
