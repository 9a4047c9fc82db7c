"""Tests of widgets.core."""
