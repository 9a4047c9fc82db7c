"""Tests of widgets.classroom."""
