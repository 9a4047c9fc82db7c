"""Tests of the course as a whole: the notebooks as students read them, packaging, the build, the import contracts."""
