"""Tests of widgets.assessment."""
