"""Tests of widgets.candidacy."""
