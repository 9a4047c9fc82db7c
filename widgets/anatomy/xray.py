"""Simulated fluoroscopy: the segment's solids projected by a camera into a soft x-ray image.

Soft tissue (:data:`SOFT_TISSUE`, illustrative), when asked for, adds an even grey between the bones (the
fluoroscopy screen's look; the case images of the quiz leave it out).  Each solid is
filled with small cubes (voxels) carrying a density: its dense outer shell
(cortex) is heavier than its spongy inside.  A :class:`~widgets.anatomy.camera.Camera` projects
every voxel onto the image (spread over the four nearest pixels), which sums the bone each ray
crosses, as an x-ray does.  Where a ray runs along a cortex (the pedicle seen end-on, the
endplates seen edge-on) the sum is large, so those edges show bright: the pedicle appears as a
ring on the AP view with no drawing rule for it.  The sum becomes brightness through
``1 - exp(-mu * sum)``, then is softened (a small blur) and given a fixed, seeded grain: bone
light on dark, the usual look of a radiograph.

The treated body changes with the fracture and the balloon, the rest does not, and projection
adds up: the two parts are projected apart and cached, so a new height or a turned C-arm costs
only what changed.

Pure logic (numpy only): no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from widgets.anatomy import carm
from widgets.anatomy.camera import Camera
from widgets.anatomy.carm import Frame   # one Frame for every picture: the rectangle of the image plane and its pixel
from widgets.anatomy.segment import Segment, segment

#: Size of a voxel and of an image pixel (mm; the pixel is :class:`~widgets.anatomy.carm.Frame`'s default).
VOXEL_MM = 0.7
PIXEL_MM = 0.5
#: Attenuation per unit of density and mm (sets how bright bone shows).
MU = 0.05
BLUR_PIXELS = 1.5
GRAIN = 0.018
CORTEX_MM = 1.0
#: Voxel layers handled at once, and points projected at once (keeps temporary arrays small).
SLAB = 16
CHUNK = 131072
SEED = 20261125


def _voxels(solid) -> tuple[np.ndarray, np.ndarray]:
    """Centres and densities of the voxels inside one solid (cortex heavier than the inside), float32.

    Built slab by slab (a few layers of voxels at a time) so that no large temporary arrays are made."""
    (x0, x1), (y0, y1), (z0, z1) = solid.bbox()
    xs, ys, zs = (np.arange(lo + VOXEL_MM / 2, hi, VOXEL_MM, dtype=np.float32)
                  for lo, hi in ((x0, x1), (y0, y1), (z0, z1)))
    if not (len(xs) and len(ys) and len(zs)):
        return np.zeros((0, 3), np.float32), np.zeros(0, np.float32)
    rng = np.random.default_rng(SEED)
    points, densities = [], []
    for start in range(0, len(zs), SLAB):
        grid = np.stack(np.meshgrid(xs, ys, zs[start:start + SLAB], indexing="ij"), axis=-1).reshape(-1, 3)
        grid = grid[solid.inside(grid)]
        if not len(grid):
            continue
        inner = solid.inside(grid, shrink=CORTEX_MM)
        x, y, z = grid[:, 0], grid[:, 1], grid[:, 2]
        # a fixed, smooth mottle in the spongy bone, so it does not look like flat paint
        mottle = 1.0 + 0.35 * np.sin(0.9 * x + 1.3 * y) * np.sin(1.1 * y + 0.7 * z) * np.sin(0.8 * z + 1.7 * x)
        densities.append(np.where(inner, solid.density * mottle, solid.shell).astype(np.float32))
        # a fixed random offset within each voxel: voxels then fall on pixels unevenly at random rather
        # than in stripes (the grid and the pixels have different sizes); the blur smooths the rest
        points.append(grid + rng.uniform(-VOXEL_MM / 2, VOXEL_MM / 2, size=grid.shape).astype(np.float32))
    if not points:
        return np.zeros((0, 3), np.float32), np.zeros(0, np.float32)
    return np.concatenate(points), np.concatenate(densities)


# Voxels are needed only while a view is first projected: keep the last set (memory); the projections
# are kept.
@lru_cache(maxsize=1)
def _static_voxels(level_id: str, posterior: float) -> tuple[np.ndarray, np.ndarray]:
    seg = segment(level_id, _heights_with_posterior(level_id, posterior))
    parts = [_voxels(s) for s in seg.static_solids()]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


@lru_cache(maxsize=1)
def _body_voxels(level_id: str, heights: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    return _voxels(segment(level_id, heights).treated.body)


def _heights_with_posterior(level_id: str, posterior: float) -> tuple[float, float, float]:
    a, m, _ = segment(level_id).heights
    return (a, m, posterior)


def splat(points: np.ndarray, weights: np.ndarray, camera: Camera, frame: Frame) -> np.ndarray:
    """Sum of ``weights * VOXEL_MM`` (mm of bone, weighted by density) along each ray, per pixel."""
    rows, cols = frame.shape
    out = np.zeros(rows * cols)
    if len(points) == 0:
        return out.reshape(rows, cols)
    # each voxel lands in one pixel; the blur that follows spreads it (no aliasing left at this size)
    for start in range(0, len(points), CHUNK):
        uv = camera.project(points[start:start + CHUNK])
        iu = ((uv[:, 0] - frame.u_min) / frame.pixel_mm).astype(np.int32)
        iv = ((uv[:, 1] - frame.v_min) / frame.pixel_mm).astype(np.int32)
        ok = (iu >= 0) & (iu < cols) & (iv >= 0) & (iv < rows)
        out += np.bincount(iv[ok] * cols + iu[ok], weights=weights[start:start + CHUNK][ok] * VOXEL_MM,
                           minlength=rows * cols)
    return out.reshape(rows, cols)


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    radius = max(1, int(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    out = img
    for axis in (0, 1):
        padded = np.pad(out, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
        acc = np.zeros_like(out)
        n = out.shape[axis]
        for i, weight in enumerate(k):
            acc += weight * (padded[i:i + n, :] if axis == 0 else padded[:, i:i + n])
        out = acc
    return out


@lru_cache(maxsize=8)
def _grain(shape: tuple[int, int]) -> np.ndarray:
    return np.random.default_rng(SEED).normal(0.0, GRAIN, size=shape)


@lru_cache(maxsize=64)
def _static_sum(level_id: str, posterior: float, camera: Camera, frame: Frame) -> np.ndarray:
    return splat(*_static_voxels(level_id, posterior), camera, frame).astype(np.float32)


@lru_cache(maxsize=16)
def _body_sum(level_id: str, heights: tuple[float, float, float], camera: Camera, frame: Frame) -> np.ndarray:
    return splat(*_body_voxels(level_id, heights), camera, frame).astype(np.float32)


#: The soft tissue every ray crosses (muscle, organs, skin), in the voxels' units (density x mm):
#: a body's worth of water-like tissue, thicker toward the middle of the picture (illustrative).
SOFT_TISSUE = 5.0


@lru_cache(maxsize=4)
def _soft_tissue(kind: str, frame: Frame) -> np.ndarray:
    """The soft tissue's share of each ray: even, a little more near the spine's midline on the front view
    and toward the abdomen on the side view (illustrative; it gives the screen its grey between the bones)."""
    rows, cols = frame.shape
    u = frame.u_min + (np.arange(cols) + 0.5) * frame.pixel_mm
    centre = 0.0 if kind == "AP" else 10.0
    profile = SOFT_TISSUE * (1.0 + 0.3 * np.exp(-0.5 * ((u - centre) / 45.0) ** 2))
    return np.broadcast_to(profile.astype(np.float32)[None, :], (rows, cols))


def forget_voxels() -> None:
    """Free the voxels kept for the last projection (the radiographs already made stay cached), and
    give the freed memory back to the system where the C library allows it (a kernel per student)."""
    _static_voxels.cache_clear()
    _body_voxels.cache_clear()
    carm.give_back_memory()


@lru_cache(maxsize=128)
def radiograph(level_id: str, heights: tuple[float, float, float], camera: Camera, frame: Frame,
               soft_tissue: bool = False) -> np.ndarray:
    """The soft x-ray image (rows from the bottom up, values 0 = black to 1 = white) of the segment
    around ``level_id`` with the treated body at ``heights``, seen by ``camera`` over ``frame``;
    ``soft_tissue`` adds the body's soft tissue between the bones (the fluoroscopy screen's look)."""
    heights = tuple(float(h) for h in heights)
    total = _static_sum(level_id, heights[2], camera, frame) + _body_sum(level_id, heights, camera, frame)
    if soft_tissue:
        total = total + _soft_tissue(camera.kind, frame)
    img = 1.0 - np.exp(-MU * total)
    img = _blur(img, BLUR_PIXELS)
    rows, cols = img.shape
    yy, xx = np.mgrid[0:rows, 0:cols]
    vignette = 1.0 - 0.18 * (((xx - cols / 2) / (cols / 2)) ** 2 + ((yy - rows / 2) / (rows / 2)) ** 2)
    img = (0.07 + 0.93 * img ** 0.85) * vignette + _grain(img.shape)
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def segment_image(seg: Segment, camera: Camera, frame: Frame) -> np.ndarray:
    return radiograph(seg.level.id, tuple(seg.heights), camera, frame)
