"""Tests of widgets.recovery."""
