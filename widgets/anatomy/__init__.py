"""Shared geometry and pictures of the spine (levels, segment, camera, radiographs, the real CT)."""
