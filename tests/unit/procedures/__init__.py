"""Tests of widgets.procedures."""
