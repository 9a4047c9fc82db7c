"""A real CT: the committed crop of VerSe ``sub-verse012`` (T11 to L2), its vertebra mask, each level's
landmarks, and a needle graded against the mask (the pictures made from it: :mod:`widgets.anatomy.ct_images`).

**The scan.**  One anonymised CT of a lower thoracic and upper lumbar spine from the public VerSe
dataset (CC BY-SA 4.0), cropped around T11-L2 by ``tools/make_ct_crop.py`` and turned 13 degrees
in the sagittal plane so the column stands upright (see ``widgets/data/ct-verse012/README.md``).
Say only what any reader can see on it; no diagnosis, grade or history of this scan is verified.
Every picture made from it shows :data:`CREDIT` (the licence requires the credit).

**Coordinates** (millimetres), shared by every function here and matching the synthetic spine of
``widgets.anatomy.segment`` up to where the origin sits:

* ``x``: left-right, 0 on the spine's midline, positive toward the patient's **left**;
* ``y``: front to back, positive toward the **back**, 0 at the crop's front face;
* ``z``: up (cranial), 0 at the crop's lowest slice.

Voxel ``(i, j, k)`` of the crop has its centre at ``(ORIGIN_X + 3 i, j, k)``: 3 mm left-right, 1 mm
front-back and up-down (the scan was taken in sagittal slices).  :func:`level` gives each level's
landmarks in these coordinates (front of the body, posterior wall, endplates, pedicles, canal).

**Pictures.**  :func:`scan` also computes, once, the needle-free line integrals of the front and side
views (the digitally reconstructed radiographs, DRRs); the pictures made from the scan (the C-arm's
views with a needle drawn in, the axial slice, labels and overlays) are
:mod:`widgets.anatomy.ct_images`'s, which also says how the line integrals are made.

**The mask and its resolution.**  VerSe's mask labels every voxel of each vertebra; it has the
scan's resolution: **3 mm left-right**, 1 mm front-back and up-down.  The parts the grading needs
are derived from it (:func:`level`): the **body** (the level's voxels in front of its posterior
wall, found on the midline), the two **pedicles** (on each side, the bridge behind the posterior
wall up to where its cross-section widens again into the articular and transverse processes; its
narrowest section is the isthmus), the **canal** (the space enclosed by body, pedicles and
laminae, at the level of the body), and the **target** (the front third of the body, as the
lateral view shows it: within the middle third of the body's width for a one-pedicle approach,
"the midline of the front third"; on the needle's side of the midline for a two-pedicle approach).
Elsewhere a wall lies half-way between a voxel inside and one outside (the mask is interpolated
linearly).  In the pedicle the left-right walls of each 1 mm row are placed inside their boundary
voxel by the CT's partial volume (how much of that 3 mm voxel is bone, read from its Hounsfield
units against its neighbours', averaged over 5 rows up-down and 3 front-back).  Even so a
left-right wall (the medial wall!) is known to about +-1.5 mm, a front-back or up-down one to
about +-0.5 mm: a needle graded as just inside or just outside the medial wall may in truth be a
millimetre the other side of it.  :data:`RESOLUTION_NOTE` says so in words for the notebook.

**Grading** (:func:`grade`), along the needle sampled every 0.25 mm, from the entry to the tip:

* *stayed in the pedicle*: from the back of the pedicle to the posterior wall the needle's surface
  (its axis +- ``NEEDLE_RADIUS_MM`` left-right and up-down) stays in the vertebra's bone, and no
  part of it enters the canal; a breach is named by the wall (medial, lateral, superior,
  inferior) from where the needle lies in the pedicle's section, and where the canal is entered
  it is medial;
* *medial-wall rule*: on the AP view the axis must not cross the pedicle's medial wall line (its
  most medial edge as the AP view shows it) before, on the lateral view, the tip has reached the
  posterior wall of the body;
* *tip in the target*, and *front cortex breached* (the axis in front of the body's front
  surface: the aorta and vena cava lie ahead, ``ps_bmc2020_aorta_ivc_distance_t9_l3``);
* metrics: tip error (mm from the tip to the target's centre), tip-to-target distance (mm to the
  nearest point of the target, 0 inside), closest approach of the needle's side to the medial
  wall in the pedicle (mm, negative beyond it), depths (mm from the entry) of each event.

A needle is anything with ``entry`` (x, y, z), ``direction`` (a unit vector, forward is toward
-y) and ``depth`` (mm from the entry to the tip): a :class:`NeedlePath`, or
``widgets.anatomy.camera.Needle`` (same axes and angles; :func:`needle_from_angles` converts).
The grade holds numbers only; the texts that name each danger with its source belong to the
needle exercise's grading (``widgets.imaging.grading``), which can read these results.

API (all pure, numpy only; the scan loads lazily, once, on first use):

* :data:`LEVELS`, :data:`CREDIT`, :data:`CREDIT_LONG`, :data:`RESOLUTION_NOTE`;
* :func:`scan` - the loaded crop (shape, spacing, origin, bounds; each level's mask, unpacked by
  ``scan().mask(label)``; the needle-free DRRs; ``nbytes``);
* :func:`level` (``"T11"`` ... ``"L2"``) -> :class:`Level`: landmarks, :class:`Pedicle` per side
  (``.axis_point``, ``.axis_direction``, ``.entry``, ``.medial_wall_x``), the canal and target;
  :func:`occupancy` (how much of a point is in a level's mask) and :func:`target_voxels`;
* :func:`pedicle_axis` and :func:`textbook_needle` - the mask's pedicle axis as a needle, and a
  path through the pedicle's isthmus to the target (one pedicle: the midline of the front third);
* :func:`needle_from_angles` - a :class:`NeedlePath` from an entry and two angles, as
  ``widgets.anatomy.camera.Needle`` defines them;
* :func:`grade` -> :class:`CtGrade`; :func:`region` - where a point lies, as a region id the grading
  compares (``widgets.anatomy.segment.REGIONS``, shared with the model spine), and :func:`where`
  the same in words (alt text, feedback);
* :func:`interp_axis` and :func:`lattice` - the resampling onto 0.5 mm pixels that the DRRs and the
  axial slice share.

Costs on the course's 2-core machine (``benchmarks/ct_fluoro.py``): loading about 0.15 s and
2.2 MB of arrays kept, a level's landmarks about 0.1 s the first time, a shot (both views and the
grade) 5 to 20 ms; about 4.5 MB added to notebook 04's kernel in all.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from widgets.anatomy import carm
from widgets.anatomy.camera import Breach
from widgets.core.settings import current_settings
from widgets.anatomy.carm import Frame
from widgets.anatomy.segment import MIDLINE_FRACTION, REGION_WORDS

DATA_DIR = current_settings().data_dir / "ct-verse012"
DATA_FILE = DATA_DIR / "verse012-t11-l2.npz"
#: sha256 of the committed crop (tools/make_ct_crop.py writes the same bytes from the same source).
DATA_SHA256 = "fa263af5bcc8fd49b2aacc4a1122249fdb91323441ff68d78cac9fc9f3fc7808"

#: The levels whole in the crop (T10 and L3 show in part at its top and bottom).
LEVELS = ("T11", "T12", "L1", "L2")
LABELS = {"T10": 17, "T11": 18, "T12": 19, "L1": 20, "L2": 21, "L3": 22}

#: Shown under every image made from the scan (CC BY-SA 4.0 requires the credit).
CREDIT = ("CT: VerSe dataset, subject verse012 (Löffler et al. 2020; Sekuboyina et al. 2021), CC BY-SA 4.0; "
          "cropped, turned upright and rendered as simulated x-rays")
CREDIT_LONG = (
    "The real CT is one anonymised scan (sub-verse012) from the public VerSe dataset, shared under the Creative "
    "Commons Attribution-ShareAlike 4.0 licence (CC BY-SA 4.0, https://creativecommons.org/licenses/by-sa/4.0/). "
    "Löffler MT, Sekuboyina A, Jacob A, et al. A Vertebral Segmentation Dataset with Fracture Grading. Radiology: "
    "Artificial Intelligence 2020;2(4):e190138. Sekuboyina A, Husseini ME, Bayat A, et al. VerSe: A Vertebrae "
    "labelling and segmentation benchmark for multi-detector CT images. Medical Image Analysis 2021;73:102166. "
    "A computed tomography vertebral segmentation dataset with anatomical variations and multi-vendor scanner "
    "data. Scientific Data 2021 (doi:10.1038/s41597-021-01060-0). Changes: cropped to T11-L2, turned 13 degrees "
    "so the spine stands upright, Hounsfield units rounded to 4; the x-ray pictures are simulated from it.")
#: What the mask's resolution means for the grade, in words a student can read.
RESOLUTION_NOTE = (
    "The real CT was taken in slices 3 mm apart from left to right and 1 mm apart in the other two directions, "
    "and its outline of each vertebra has the same steps. So the grading knows where a wall is to within about "
    "1.5 mm from side to side (the medial wall of the pedicle included) and to about 0.5 mm up-down and "
    "front-back. A needle graded as just touching the medial wall may in truth be a millimetre inside or "
    "outside it: aim for the middle of the pedicle, not its edge.")

#: Linear attenuation of water at one effective energy near 60 keV (per mm; illustrative).
MU_WATER = 0.02
#: Linear attenuation of the steel needle (per mm, about that of iron near 60 keV; illustrative).
MU_NEEDLE = 0.9
#: Linear attenuation of bone cement made radiopaque, for :func:`blob`: that of 3000 HU on this
#: scale (illustrative: denser than cortical bone, far lighter than steel).
MU_CEMENT = MU_WATER * (1 + 3000 / 1000)
#: The needle is drawn 3 mm across (radius 1.5 mm), about an 11-gauge needle (illustrative).
NEEDLE_RADIUS_MM = 1.5
#: Pixel size of the rendered views (mm).
PIXEL_MM = 0.5
#: The front view's 3 mm columns, interpolated to 0.5 mm, are softened left-right by a Gaussian of
#: this width (mm) so their steps do not show as vertical bands.
AP_SOFTEN_MM = 1.0
#: Side of the square a view shows, and the diameter of the round field in it (mm; illustrative).
FIELD_MM = 100.0
#: The axial slice: a slab this thick (mm) shows the part of the needle near the plane.
SLAB_MM = 2.0
#: Grading samples the needle's axis every STEP_MM.
STEP_MM = 0.25
#: Sides: +1 the patient's left (x > 0), -1 the right.
SIDES = (-1, 1)
#: The one-pedicle target: the front third of the body, within MIDLINE_FRACTION (imported from
#: widgets.anatomy.segment, which the model spine's grading shares) of the body's width around the
#: midline (its middle third; our reading of "the midline of the front third").
VIEWS = ("AP", "lateral")


# --------------------------------------------------------------------------- the scan

@dataclass(frozen=True)
class Scan:
    """The loaded crop: each whole level's mask (packed bits), HU for slices (uint8 code), needle-free DRRs."""

    masks: dict                   # label -> (packed bits of labels == label over slices k0:k1, k0, k1)
    hu_code: np.ndarray           # (nx, ny, nz) uint8: (HU + 1000) / 10, clipped to 0..255
    origin: np.ndarray            # centre of voxel (0, 0, 0), mm
    spacing: np.ndarray           # (3, 1, 1) mm
    drr_full: dict                # view -> (line integrals float16, Frame) over the whole crop
    tilt_deg: float
    z_ranges: dict = field(default_factory=dict)    # label -> (first, last) slice index it occupies

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(n) for n in self.hu_code.shape)

    @property
    def bounds(self) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """(low, high) in x, y, z of the crop's outer faces (mm)."""
        lo = self.origin - self.spacing / 2
        hi = self.origin + (np.array(self.shape) - 0.5) * self.spacing
        return tuple((float(a), float(b)) for a, b in zip(lo, hi))

    def index(self, points) -> np.ndarray:
        """Fractional voxel indices of points (n, 3)."""
        return (np.asarray(points, dtype=float) - self.origin) / self.spacing

    @property
    def nbytes(self) -> int:
        """Memory held by the loaded arrays (bytes)."""
        return int(sum(m.nbytes for m, _, _ in self.masks.values()) + self.hu_code.nbytes
                   + sum(a.nbytes for a, _ in self.drr_full.values()))

    def mask(self, label: int) -> np.ndarray:
        """``labels == label`` over the level's slices ``k0:k1`` (bool, unpacked on demand)."""
        packed, k0, k1 = self.masks[label]
        nx, ny, _ = self.shape
        n = nx * ny * (k1 - k0)
        return np.unpackbits(packed, count=n).reshape(nx, ny, k1 - k0).astype(bool)


def _mu(hu: np.ndarray) -> np.ndarray:
    """Linear attenuation (per mm) from Hounsfield units: ``MU_WATER * (1 + HU / 1000)``, 0 for air."""
    return np.clip(MU_WATER * (1.0 + hu / 1000.0), 0.0, None).astype(np.float32)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def interp_axis(a: np.ndarray, src: np.ndarray, dst: np.ndarray, axis: int) -> np.ndarray:
    """Linear interpolation of ``a`` along ``axis`` from sample positions ``src`` to ``dst`` (ends extended)."""
    pos = np.interp(dst, src, np.arange(len(src), dtype=float))
    i0 = np.clip(np.floor(pos).astype(int), 0, len(src) - 1)
    i1 = np.clip(i0 + 1, 0, len(src) - 1)
    f = (pos - i0).astype(np.float32)
    shape = [1] * a.ndim
    shape[axis] = -1
    f = f.reshape(shape)
    return np.take(a, i0, axis=axis) * (1 - f) + np.take(a, i1, axis=axis) * f


def lattice(lo: float, hi: float, pixel: float = PIXEL_MM) -> tuple[float, float]:
    """Pixel edges on multiples of ``pixel`` covering [lo, hi]."""
    return math.floor(lo / pixel) * pixel, math.ceil(hi / pixel) * pixel


@lru_cache(maxsize=1)
def scan() -> Scan:
    """Load the crop once (about 0.15 s): the levels' masks, the slice volume and the needle-free DRRs."""
    if not DATA_FILE.exists():
        raise FileNotFoundError(f"{DATA_FILE}: the CT crop is missing; reinstall the course or run "
                                "tools/make_ct_crop.py")
    with np.load(DATA_FILE, allow_pickle=False) as data:
        hu = data["hu"]
        labels = np.ascontiguousarray(data["labels"])
        origin = data["origin_mm"].astype(float)
        spacing = data["spacing_mm"].astype(float)
        tilt = float(data["tilt_deg"])
    nx, ny, nz = hu.shape
    # line integrals, slab by slab (keeps temporaries small): lateral sums along x, AP along y
    lat = np.zeros((ny, nz), np.float32)
    ap = np.zeros((nx, nz), np.float32)
    hu_code = np.empty(hu.shape, np.uint8)
    for k0 in range(0, nz, 16):
        block = hu[:, :, k0:k0 + 16].astype(np.float32)
        mu = _mu(block)
        lat[:, k0:k0 + 16] = mu.sum(axis=0) * spacing[0]
        ap[:, k0:k0 + 16] = mu.sum(axis=1) * spacing[1]
        hu_code[:, :, k0:k0 + 16] = np.clip(np.round((block + 1000.0) / 10.0), 0, 255).astype(np.uint8)
    del hu
    xs = origin[0] + spacing[0] * np.arange(nx)
    ys = origin[1] + spacing[1] * np.arange(ny)
    zs = origin[2] + spacing[2] * np.arange(nz)
    drr_full = {}
    for view, img, us in (("lateral", lat, ys), ("AP", ap, xs)):
        step = spacing[0] if view == "AP" else spacing[1]
        u0, u1 = lattice(us[0] - step / 2, us[-1] + step / 2)
        v0, v1 = lattice(zs[0] - 0.5, zs[-1] + 0.5)
        fr = Frame(u0, u1, v0, v1, PIXEL_MM)
        out = interp_axis(img, us, fr.u(), axis=0)          # (columns, z)
        out = interp_axis(out, zs, fr.v(), axis=1)          # (columns, rows)
        if view == "AP":                                      # soften the 3 mm columns' steps
            out = carm.blur_axis(out, AP_SOFTEN_MM / PIXEL_MM, axis=0)
        # rows = v (bottom up); float16 keeps 3 significant digits, far finer than a screen's greys
        drr_full[view] = (np.ascontiguousarray(out.T.astype(np.float16)), fr)
    # each whole level's mask, over its slices and a margin of 6, packed 8 voxels a byte (the label
    # volume itself is not kept)
    z_ranges, masks = {}, {}
    for name in LEVELS:
        lab = LABELS[name]
        present = np.concatenate([(labels[:, :, k0:k0 + 16] == lab).any(axis=(0, 1)) for k0 in range(0, nz, 16)])
        ks = np.nonzero(present)[0]
        z_ranges[lab] = (int(ks[0]), int(ks[-1]))
        k0, k1 = max(0, int(ks[0]) - 6), min(nz, int(ks[-1]) + 7)
        masks[lab] = (np.packbits(labels[:, :, k0:k1] == lab, axis=None), k0, k1)
    del labels
    s = Scan(masks, hu_code, origin, spacing, drr_full, tilt, z_ranges)
    carm.give_back_memory()
    return s


# --------------------------------------------------------------------------- needles

@dataclass(frozen=True)
class NeedlePath:
    """A straight needle: its entry point (mm), unit direction of advance and depth (mm from the entry to the tip)."""

    entry: tuple[float, float, float]
    direction: tuple[float, float, float]
    depth: float

    def __post_init__(self):
        d = np.asarray(self.direction, dtype=float)
        n = float(_norm(d))
        if not np.all(np.isfinite(d)) or n < 1e-9:
            raise ValueError(f"needle direction must be a non-zero vector, not {self.direction!r}")
        if not np.all(np.isfinite(self.entry)):
            raise ValueError(f"needle entry must be three numbers (mm), not {self.entry!r}")
        if not math.isfinite(self.depth) or self.depth < 0:
            raise ValueError(f"needle depth must be 0 mm or more, not {self.depth!r}")
        object.__setattr__(self, "direction", tuple(float(v) / n for v in d))
        object.__setattr__(self, "entry", tuple(float(v) for v in self.entry))
        object.__setattr__(self, "depth", float(self.depth))

    def point(self, t) -> np.ndarray:
        return np.asarray(self.entry) + np.multiply.outer(np.asarray(t, dtype=float), np.asarray(self.direction))

    @property
    def tip(self) -> np.ndarray:
        return self.point(self.depth)

    def advanced(self, depth: float) -> NeedlePath:
        return NeedlePath(self.entry, self.direction, float(depth))

    def moved(self, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0) -> NeedlePath:
        e = self.entry
        return NeedlePath((e[0] + dx, e[1] + dy, e[2] + dz), self.direction, self.depth)


def as_path(needle) -> NeedlePath:
    """Any needle with ``entry``, ``direction`` and ``depth`` (e.g. ``widgets.anatomy.camera.Needle``)."""
    if isinstance(needle, NeedlePath):
        return needle
    return NeedlePath(tuple(needle.entry), tuple(float(v) for v in needle.direction), float(needle.depth))


def needle_from_angles(entry, medial_deg: float, caudal_deg: float, depth: float, side: int) -> NeedlePath:
    """A needle entering at ``entry`` (mm), turned ``medial_deg`` toward the midline and ``caudal_deg``
    toward the feet from straight ahead (toward -y), on ``side`` (+1 the patient's left): the
    angles of ``widgets.anatomy.camera.Needle``."""
    a, b = math.radians(medial_deg), math.radians(caudal_deg)
    d = (-side * math.sin(a) * math.cos(b), -math.cos(a) * math.cos(b), -math.sin(b))
    return NeedlePath(tuple(entry), d, depth)


def angles_of(needle) -> tuple[float, float]:
    """(medial_deg, caudal_deg) of a needle, on the side its entry lies (x > 0: left)."""
    p = as_path(needle)
    dx, dy, dz = p.direction
    side = 1 if p.entry[0] >= 0 else -1
    caudal = math.degrees(math.asin(max(-1.0, min(1.0, -dz))))
    medial = math.degrees(math.atan2(-side * dx, -dy))
    return medial, caudal


# --------------------------------------------------------------------------- the mask

_CORNERS = np.array([[(c >> 2) & 1, (c >> 1) & 1, c & 1] for c in range(8)])


def occupancy(label: int, points: np.ndarray) -> np.ndarray:
    """The level's mask interpolated linearly at points (n, 3): 1 inside, 0 outside, 0.5 on a wall."""
    s = scan()
    packed, k0, k1 = s.masks[label]
    idx = s.index(np.atleast_2d(points))
    idx[:, 2] -= k0
    i0 = np.floor(idx).astype(int)
    f = idx - i0
    corners = i0[:, None, :] + _CORNERS[None, :, :]                       # (n, 8, 3)
    w = np.prod(np.where(_CORNERS[None, :, :] == 1, f[:, None, :], 1.0 - f[:, None, :]), axis=2)
    nx, ny, _ = s.shape
    shape = np.array([nx, ny, k1 - k0])
    ok = np.all((corners >= 0) & (corners < shape), axis=2)
    corners = np.minimum(np.maximum(corners, 0), shape - 1)
    flat = (corners[..., 0] * ny + corners[..., 1]) * shape[2] + corners[..., 2]
    hit = (packed[flat >> 3] >> (7 - (flat & 7))) & 1
    return (w * (ok & (hit == 1))).sum(axis=1)


@dataclass(frozen=True)
class Pedicle:
    """One pedicle from the mask (mm, the scan's coordinates)."""

    side: int                     # +1 the patient's left, -1 the right
    y_front: float                # the posterior wall of the body, where the pedicle joins it
    y_back: float                 # where its cross-section widens into the articular/transverse processes
    isthmus_y: float              # its narrowest cross-section
    centre: tuple[float, float, float]      # centre of the narrowest cross-section
    width: float                  # left-right, at the narrowest section (+-1.5 mm: the mask's columns)
    height: float                 # up-down, at the narrowest section
    medial_wall_x: float          # signed x of its medial wall as the AP view shows it (its most medial edge)
    axis_point: tuple[float, float, float]
    axis_direction: tuple[float, float, float]    # unit, forward (toward -y)
    entry: tuple[float, float, float]             # where the axis leaves the bone at the back (the textbook entry)
    rows: dict = field(repr=False, compare=False, default_factory=dict)   # (y, z) -> (medial, lateral) |x| walls
    sections: dict = field(repr=False, compare=False, default_factory=dict)  # y -> (x_c, z_c, half_w, half_h)

    @property
    def angle_deg(self) -> float:
        """The axis' angle toward the midline, from straight ahead (degrees)."""
        dx, dy, _ = self.axis_direction
        return math.degrees(math.atan2(-self.side * dx, -dy))

    @property
    def caudal_deg(self) -> float:
        return math.degrees(math.asin(-self.axis_direction[2]))

    def walls_at(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The medial and lateral wall (|x|, mm) of the pedicle's row nearest each point's (y, z);
        NaN where the pedicle has no row there (above, below, in front of or behind it)."""
        grid, y0, z0 = _wall_grid(self)
        p = np.atleast_2d(np.asarray(points, dtype=float))
        j = np.rint(p[:, 1]).astype(int) - y0
        k = np.rint(p[:, 2]).astype(int) - z0
        ok = (j >= 0) & (j < grid.shape[0]) & (k >= 0) & (k < grid.shape[1])
        jc, kc = np.clip(j, 0, grid.shape[0] - 1), np.clip(k, 0, grid.shape[1] - 1)
        med = np.where(ok, grid[jc, kc, 0], np.nan)
        lat = np.where(ok, grid[jc, kc, 1], np.nan)
        return med, lat

    def section(self, y: float) -> tuple[float, float, float, float]:
        """(x_c, z_c, half-width, half-height) of the cross-section nearest to ``y``."""
        keys = np.array(sorted(self.sections))
        key = int(keys[np.argmin(np.abs(keys - y))])
        return self.sections[key]


_GRIDS: dict[int, tuple[np.ndarray, int, int]] = {}


def _wall_grid(ped: Pedicle) -> tuple[np.ndarray, int, int]:
    """The pedicle's rows as an array (y, z, [medial, lateral]) for vectorised look-ups (made once)."""
    key = id(ped.rows)
    if key not in _GRIDS:
        ys = [k[0] for k in ped.rows]
        zs = [k[1] for k in ped.rows]
        y0, z0 = min(ys), min(zs)
        grid = np.full((max(ys) - y0 + 1, max(zs) - z0 + 1, 2), np.nan)
        for (y, z), walls in ped.rows.items():
            grid[y - y0, z - z0] = walls
        _GRIDS[key] = (grid, y0, z0)
    return _GRIDS[key]


@dataclass(frozen=True)
class Level:
    """One vertebra's landmarks from the mask (mm, the scan's coordinates)."""

    name: str
    label: int
    body_front_y: float           # the front (anterior) surface on the midline
    posterior_wall_y: float       # the back of the body (posterior wall) on the midline
    lower_endplate_z: float       # at the middle of the body, on the midline
    upper_endplate_z: float
    body_width: float             # left-right at mid-height (+-1.5 mm)
    pedicles: tuple[Pedicle, Pedicle]      # right (-1), left (+1)
    canal_footprint: np.ndarray = field(repr=False, compare=False)   # (nx, ny) bool: the canal's section
    canal_z: tuple[float, float] = (0.0, 0.0)
    front_surface: np.ndarray = field(repr=False, compare=False, default=None)  # (nx, k): y of the front, or NaN
    spinous_tip: tuple[float, float, float] = (0.0, 0.0, 0.0)
    k_range: tuple[int, int] = (0, 0)     # the crop's slices this level's arrays cover (first, past the last)

    def mask(self) -> np.ndarray:
        """The level's voxels (bool) within its slices ``k_range``."""
        return scan().mask(self.label)

    def pedicle(self, side: int) -> Pedicle:
        return self.pedicles[0 if side < 0 else 1]

    @property
    def depth(self) -> float:
        """Front-back depth of the body on the midline (mm)."""
        return self.posterior_wall_y - self.body_front_y

    @property
    def middle_z(self) -> float:
        return (self.lower_endplate_z + self.upper_endplate_z) / 2

    @property
    def front_third_y(self) -> float:
        """The front third of the body ends here (the target lies at y <= front_third_y)."""
        return self.body_front_y + self.depth / 3

    def target_point(self, approach: str = "unilateral", side: int = 1) -> np.ndarray:
        """The target's centre: the middle of the front third, on the midline (one pedicle) or in
        the middle of the needle's side of it (two pedicles); half-way up the body."""
        x = 0.0 if approach == "unilateral" else side * self.body_width / 4
        return np.array([x, self.body_front_y + self.depth / 6, self.middle_z])


def _smoothed_hu(hu_code: np.ndarray, kz_lo: int, kz_hi: int, j_lo: int, j_hi: int) -> dict:
    """HU of a block of the crop, each voxel averaged with its neighbours 2 mm up and down and 1 mm
    front and back (not left-right: that is the direction being measured); keyed by the block."""
    block = hu_code[:, j_lo:j_hi, kz_lo:kz_hi].astype(np.float32) * 10.0 - 1000.0
    padded = np.pad(block, ((0, 0), (1, 1), (2, 2)), mode="edge")
    acc = np.zeros_like(block)
    for dj in range(3):
        for dk in range(5):
            acc += padded[:, dj:dj + block.shape[1], dk:dk + block.shape[2]]
    return {"hu": acc / 15.0, "j0": j_lo, "k0": kz_lo}


#: A voxel at least this many HU above its outer neighbour is bone through and through (its
#: partial volume is read against it).
_FULL_BONE_HU = 400.0


def _row_walls(hu_mean: dict, xs: np.ndarray, side: int, cols: np.ndarray, j: int, k: int) -> tuple[float, float]:
    """The medial and lateral wall (|x|, mm) of one row of a pedicle (the mask's voxels ``cols`` at
    front-back ``j``, height ``k``), placed within the boundary voxels by their partial volume.

    The mask says only which 3 mm voxels are bone.  A boundary voxel that is partly bone reads
    between its outer neighbour (canal or soft tissue) and bone; the fraction ``f`` of it that is
    bone puts the wall ``3 f`` mm from its inner edge.  The HU are averaged over neighbouring rows
    (5 mm up-down, 3 mm front-back) against the CT's noise.  Without the CT (``f = 1``) the wall
    lies half-way between the last voxel inside and the first outside, as the mask alone says."""
    order = cols[np.argsort(np.abs(xs[cols]))]
    inner_m, inner_l = int(order[0]), int(order[-1])
    hu, j0, k0 = hu_mean["hu"], hu_mean["j0"], hu_mean["k0"]
    jj, kk = j - j0, k - k0
    nx = hu.shape[0]

    def frac(b: int, outward: int) -> float:
        out = b + outward
        inward = b - outward
        if not (0 <= jj < hu.shape[1] and 0 <= kk < hu.shape[2]) or not (0 <= out < nx):
            return 1.0
        h_b, h_out = hu[b, jj, kk], hu[out, jj, kk]
        h_in = hu[inward, jj, kk] if 0 <= inward < nx and inward in cols else h_b
        full = max(h_in, h_b, h_out + _FULL_BONE_HU)
        return float(np.clip((h_b - h_out) / max(full - h_out, 1e-6), 0.0, 1.0))

    half = (xs[1] - xs[0]) / 2
    # toward the midline is -side in index order (x = origin + 3 i grows toward the left)
    f_m = frac(inner_m, -side)
    f_l = frac(inner_l, side)
    medial = abs(float(xs[inner_m])) + half - 2 * half * f_m
    lateral = abs(float(xs[inner_l])) - half + 2 * half * f_l
    if lateral - medial < half:                 # a row one voxel wide: keep the mask's width
        medial, lateral = abs(float(xs[inner_m])) - half, abs(float(xs[inner_l])) + half
    return medial, lateral


def _norm(v) -> float:
    v = np.asarray(v, dtype=float)
    return float(np.sqrt((v * v).sum()))


def _slope(x, y) -> float:
    """The least-squares slope of y on x (written out: numpy's polyfit would start the BLAS library,
    which keeps a few MB per kernel)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dx = x - x.mean()
    return float((dx * (y - y.mean())).sum() / max((dx * dx).sum(), 1e-12))


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    d = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0] - 1))


@lru_cache(maxsize=8)
def level(name: str) -> Level:
    """The landmarks of ``name`` (``"T11"``, ``"T12"``, ``"L1"`` or ``"L2"``), derived from the mask once."""
    if name not in LEVELS:
        raise ValueError(f"level {name!r} is not whole in the CT crop; choose one of {', '.join(LEVELS)}")
    s = scan()
    lab = LABELS[name]
    _, k0, k1 = s.masks[lab]
    k_range = (k0, k1)                                              # the level's slices and a margin
    m = s.mask(lab)
    nx, ny, nz = m.shape
    xs = s.origin[0] + s.spacing[0] * np.arange(nx)
    ys = s.origin[1] + np.arange(ny)
    zs = s.origin[2] + np.arange(k_range[0], k_range[1])
    # --- the body, on the midline: the front run of the mask along y, at each height
    mid = np.abs(xs) < s.spacing[0] * 0.75
    col = m[mid].any(axis=0)                                    # (ny, nz)
    fronts, backs, body_z = [], [], []
    for k in range(nz):
        runs = _runs(col[:, k])
        if runs and runs[0][1] - runs[0][0] >= 12:
            fronts.append(runs[0][0])
            backs.append(runs[0][1])
            body_z.append(k)
    front_y = float(ys[0] + np.median(fronts) - 0.5)
    wall_y = float(ys[0] + np.median(backs) + 0.5)
    j_mid = int(round((front_y + wall_y) / 2 - ys[0]))
    runs = _runs(col[j_mid])
    k_centre = int(np.median(body_z))
    run = next((r for r in runs if r[0] <= k_centre <= r[1]), max(runs, key=lambda r: r[1] - r[0]))
    z_low, z_high = float(zs[run[0]] - 0.5), float(zs[run[1]] + 0.5)
    k_mid = int(round((z_low + z_high) / 2 - zs[0]))
    row = m[:, j_mid, k_mid]
    body_width = float(xs[row].max() - xs[row].min() + s.spacing[0]) if row.any() else float("nan")
    j_wall = int(round(wall_y - ys[0]))
    # --- the canal: background enclosed left and right, in front and behind, at the pedicles' height
    footprint = np.zeros((nx, ny), bool)
    near = (np.abs(xs) < 30)[:, None] & ((ys > wall_y - 1) & (ys < wall_y + 35))[None, :]
    for k in range(max(0, int(z_low - zs[0])), min(nz, int(z_high - zs[0]) + 1)):
        sl = m[:, :, k]
        left = np.maximum.accumulate(sl, axis=0)
        right = np.maximum.accumulate(sl[::-1], axis=0)[::-1]
        front = np.maximum.accumulate(sl, axis=1)
        back = np.maximum.accumulate(sl[:, ::-1], axis=1)[:, ::-1]
        enclosed = ~sl & left & right & front & back & near
        footprint |= enclosed if enclosed.sum() >= 6 else False
    # --- the endplates' slope on the midline (the pedicle axes are taken parallel to them)
    slopes = []
    ys_mid = np.arange(int(front_y + 0.2 * (wall_y - front_y)), int(wall_y - 0.2 * (wall_y - front_y)))
    k_c = int(round((z_low + z_high) / 2 - zs[0]))
    tops, bots, yy_ok = [], [], []
    for jy in ys_mid:
        r = [r for r in _runs(col[jy - int(ys[0])]) if r[0] <= k_c <= r[1]]
        if r:
            bots.append(r[0][0])
            tops.append(r[0][1])
            yy_ok.append(jy)
    if len(yy_ok) > 3:
        slopes = [_slope(yy_ok, tops), _slope(yy_ok, bots)]
    endplate_slope = float(np.mean(slopes)) if slopes else 0.0       # dz/dy
    # the CT, averaged over 5 rows up-down and 3 front-back, for the walls' partial volume
    hu_mean = _smoothed_hu(s.hu_code[:, :, k_range[0]:k_range[1]],
                           kz_lo=max(0, int(z_low - zs[0]) - 8), kz_hi=min(nz, int(z_high - zs[0]) + 9),
                           j_lo=max(0, j_wall - 2), j_hi=min(ny, j_wall + 20))
    # --- the pedicles: on each side, the bridge from the posterior wall back to where its
    # cross-section widens again (articular and transverse processes); narrowest at the isthmus
    kz_lo, kz_hi = max(0, int(z_low - zs[0]) - 4), min(nz, int(z_high - zs[0]) + 5)
    found = []
    for side in SIDES:
        sel = (side * xs > s.spacing[0])[:, None, None] & m
        sel[:, :, :kz_lo] = False
        sel[:, :, kz_hi:] = False
        area = sel.sum(axis=(0, 2)).astype(float)                 # per y
        window_j = np.arange(j_wall + 1, min(ny, j_wall + 13))
        j_isth = int(window_j[np.argmin(area[window_j])])
        a_min = area[j_isth]
        later = [j for j in range(j_isth + 1, min(ny, j_isth + 15)) if area[j] >= 1.5 * a_min]
        j_back = later[0] if later else j_isth + 5
        sections, rows = {}, {}
        for j in range(j_wall, j_back + 1):
            ii, kk = np.nonzero(sel[:, j, :])
            if not len(ii):
                continue
            for k in np.unique(kk):
                cols = ii[kk == k]
                rows[(int(round(ys[j])), int(round(zs[k])))] = _row_walls(hu_mean, xs, side, cols, j, k)
        # the section at the isthmus: its rows' centre and extent; the "core" rows: its middle half
        y_isth = int(round(ys[j_isth]))
        zr = sorted(z for (yy, z) in rows if yy == y_isth)
        z_c = (zr[0] + zr[-1]) / 2
        height = zr[-1] - zr[0] + 1.0

        def core(yy, rows=rows, z_c=z_c, height=height):
            return [rows[(yy, z)] for z in range(int(z_c - height / 4), int(z_c + height / 4) + 1) if (yy, z) in rows]

        walls = {yy: (float(np.mean([w[0] for w in core(yy)])), float(np.mean([w[1] for w in core(yy)])))
                 for yy in range(int(round(wall_y)) + 2, int(round(ys[j_back])))
                 if core(yy)}
        med_i, lat_i = walls.get(y_isth, (np.mean([w[0] for w in core(y_isth)]), np.mean([w[1] for w in core(y_isth)])))
        for yy in {k[0] for k in rows}:
            zz = [z for (y2, z) in rows if y2 == yy]
            cw = core(yy)
            if cw:
                mw, lw = float(np.mean([w[0] for w in cw])), float(np.mean([w[1] for w in cw]))
            else:
                mw, lw = min(rows[(yy, z)][0] for z in zz), max(rows[(yy, z)][1] for z in zz)
            sections[yy] = (side * (mw + lw) / 2, (min(zz) + max(zz)) / 2, (lw - mw) / 2, (max(zz) - min(zz) + 1) / 2)
        wy = np.array(sorted(walls))
        med_slope = _slope(wy, [walls[y][0] for y in wy]) if len(wy) > 2 else 0.0
        medial = min(w[0] for w in walls.values()) if walls else float(med_i)
        found.append({"side": side, "j_isth": j_isth, "j_back": j_back, "rows": rows, "sections": sections,
                      "centre": np.array([side * (med_i + lat_i) / 2, float(ys[j_isth]), z_c]),
                      "width": float(lat_i - med_i), "height": height, "medial": medial, "med_slope": med_slope})
    # the axis: through the isthmus' centre, parallel to the endplates up-down and, left-right, to
    # the medial walls (the two sides' slopes averaged: one step of the mask is 3 mm)
    slope_x = float(np.mean([f["med_slope"] for f in found]))
    pedicles = []
    for f in found:
        side = f["side"]
        d = np.array([-side * slope_x, -1.0, -endplate_slope])
        d /= _norm(d)
        centre = f["centre"]
        ts = np.arange(0.0, 45.0, 0.5)
        back_pts = centre[None, :] - ts[:, None] * d[None, :]
        inside = occupancy(lab, back_pts) >= 0.5
        gone = np.nonzero(~inside)[0]
        t_exit = ts[gone[0] - 1] if len(gone) and gone[0] > 0 else ts[-1]
        entry = centre - t_exit * d
        pedicles.append(Pedicle(side, wall_y, float(ys[f["j_back"]]), float(ys[f["j_isth"]]),
                                tuple(float(v) for v in centre), f["width"], f["height"], side * f["medial"],
                                tuple(float(v) for v in centre), tuple(float(v) for v in d),
                                tuple(float(v) for v in entry), f["rows"], f["sections"]))
    # --- the front surface of the body: per (x, z) column, its first voxel from the front
    body = m.copy()
    body[:, j_wall + 1:, :] = False
    has = body.any(axis=1)
    first = np.argmax(body, axis=1).astype(float)
    front_surface = np.where(has, ys[0] + first - 0.5, np.nan).astype(np.float32)
    # --- the spinous process: the level's furthest-back voxel near the midline
    near_mid = m[mid]
    jj, kk = np.nonzero(near_mid.any(axis=0))
    jmax = jj.max()
    ktip = float(np.median(kk[jj == jmax]))
    spinous = (0.0, float(ys[0] + jmax + 0.5), float(zs[0] + ktip))
    carm.give_back_memory()
    return Level(name, lab, front_y, wall_y, z_low, z_high, body_width, tuple(pedicles), footprint,
                 (z_low, z_high), front_surface, spinous, k_range)


def _in_canal(lev: Level, points: np.ndarray) -> np.ndarray:
    s = scan()
    idx = np.rint(s.index(points)).astype(int)
    nx, ny, _ = s.shape
    ok = (idx[:, 0] >= 0) & (idx[:, 0] < nx) & (idx[:, 1] >= 0) & (idx[:, 1] < ny)
    idx = np.clip(idx, 0, np.array(s.shape) - 1)
    z = points[:, 2]
    return ok & lev.canal_footprint[idx[:, 0], idx[:, 1]] & (z >= lev.canal_z[0]) & (z <= lev.canal_z[1])


def _front_y_at(lev: Level, points: np.ndarray) -> np.ndarray:
    """The body's front surface (y) in front of each point, NaN where the point is off the body's silhouette."""
    s = scan()
    idx = np.rint(s.index(points)).astype(int)
    nx, nz = lev.front_surface.shape
    k = idx[:, 2] - lev.k_range[0]
    ok = (idx[:, 0] >= 0) & (idx[:, 0] < nx) & (k >= 0) & (k < nz)
    return np.where(ok, lev.front_surface[np.clip(idx[:, 0], 0, nx - 1), np.clip(k, 0, nz - 1)], np.nan)


def in_target(lev: Level, points, approach: str = "unilateral", side: int = 1) -> np.ndarray:
    """Whether points lie in the target: inside the body's bone, in its front third, and within the
    midline third of its width (one pedicle) or on the needle's side of the midline (two)."""
    p = np.atleast_2d(np.asarray(points, dtype=float))
    ok = (occupancy(lev.label, p) >= 0.5) & (p[:, 1] <= lev.front_third_y) & (p[:, 1] <= lev.posterior_wall_y)
    if approach == "unilateral":
        ok &= np.abs(p[:, 0]) <= lev.body_width * MIDLINE_FRACTION / 2
    elif approach == "bilateral":
        ok &= side * p[:, 0] >= 0
    else:
        raise ValueError(f"approach is 'unilateral' (one pedicle) or 'bilateral' (two), not {approach!r}")
    return ok


@lru_cache(maxsize=32)
def target_voxels(name: str, approach: str, side: int) -> np.ndarray:
    lev = level(name)
    s = scan()
    ii, jj, kk = np.nonzero(lev.mask())
    pts = s.origin + np.stack([ii, jj, kk + lev.k_range[0]], axis=1) * s.spacing
    pts = pts[pts[:, 1] <= lev.front_third_y]
    out = pts[in_target(lev, pts, approach, side)]
    carm.give_back_memory()
    return out


# --------------------------------------------------------------------------- the textbook paths

def pedicle_axis(name: str, side: int, depth: float | None = None) -> NeedlePath:
    """The mask's pedicle axis as a needle: entering where the axis leaves the bone at the back,
    along the axis (the line through the pedicle's sections' centres), advanced ``depth`` mm
    (default: until the tip reaches the middle of the front third)."""
    lev = level(name)
    ped = lev.pedicle(side)
    n = NeedlePath(ped.entry, ped.axis_direction, 0.0)
    if depth is None:
        depth = _depth_to_front_third(lev, n)
    return n.advanced(depth)


#: A path's tip stops this far (mm) behind the point where it would leave the body at the front.
FRONT_MARGIN_MM = 3.0


def _depth_to_front_third(lev: Level, n: NeedlePath) -> float:
    """How far to advance ``n`` for its tip to reach the middle of the front third, or to stop
    ``FRONT_MARGIN_MM`` behind the body's front cortex if the axis would leave the bone before."""
    y_goal = lev.body_front_y + lev.depth / 6
    goal = (y_goal - n.entry[1]) / n.direction[1]
    t_wall = (lev.posterior_wall_y - n.entry[1]) / n.direction[1]
    ts = np.arange(max(t_wall, 0.0), goal + STEP_MM, STEP_MM)
    out = np.nonzero(occupancy(lev.label, n.point(ts)) < 0.5)[0]
    return float(min(goal, ts[out[0]] - FRONT_MARGIN_MM)) if len(out) else float(goal)


def textbook_needle(name: str, side: int, approach: str = "unilateral") -> NeedlePath:
    """A path through the centre of the pedicle's narrowest section to the target's centre (one
    pedicle: the midline of the front third; two: the middle of that side's front third), entering
    where that line leaves the bone at the back; advanced to the target."""
    lev = level(name)
    ped = lev.pedicle(side)
    target = lev.target_point(approach, side)
    centre = np.array(ped.centre)
    d = target - centre
    d /= _norm(d)
    ts = np.arange(0.0, 45.0, 0.5)
    inside = occupancy(lev.label, centre[None, :] - ts[:, None] * d[None, :]) >= 0.5
    gone = np.nonzero(~inside)[0]
    t_exit = ts[gone[0] - 1] if len(gone) and gone[0] > 0 else ts[-1]
    entry = centre - t_exit * d
    return NeedlePath(tuple(entry), tuple(d), float(_norm(target - entry)))


# --------------------------------------------------------------------------- grading

@dataclass(frozen=True)
class CtGrade:
    """A needle graded against the real CT's mask (all distances in mm)."""

    level: str
    side: int
    approach: str
    tip: tuple[float, float, float]
    pedicle_ok: bool                       # stayed in the pedicle (and out of the canal)
    breach: Breach | None
    medial_rule_ok: bool                   # did not cross the AP medial-wall line before the posterior wall
    medial_crossing: float | None          # depth where the tip crosses the AP medial-wall line
    posterior_wall: float | None           # depth where the tip reaches the posterior wall
    target_ok: bool
    front_breach: bool                     # through the front (anterior) cortex of the body
    front_breach_depth: float | None
    tip_error: float                       # tip to the target's centre
    tip_to_target: float                   # tip to the nearest point of the target (0 inside)
    closest_medial: float | None           # least gap, needle side to medial wall, in the pedicle (< 0: beyond)
    tip_where: str
    note: str = RESOLUTION_NOTE

    @property
    def passed(self) -> bool:
        return self.pedicle_ok and self.medial_rule_ok and self.target_ok and not self.front_breach

    @property
    def results(self) -> dict[str, bool]:
        return {"pedicle": self.pedicle_ok, "medial_wall_rule": self.medial_rule_ok, "target": self.target_ok,
                "front_cortex": not self.front_breach}


def _wall(ped: Pedicle, p: np.ndarray) -> str:
    xc, zc, hw, hh = ped.section(float(p[1]))
    lat = ped.side * (p[0] - xc) / max(hw, 1e-6)
    up = (p[2] - zc) / max(hh, 1e-6)
    if abs(lat) >= abs(up):
        return "medial" if lat < 0 else "lateral"
    return "superior" if up > 0 else "inferior"


def _bone(lev: Level, ped: Pedicle, points: np.ndarray) -> np.ndarray:
    """1.0 where points lie in the vertebra's bone, else 0.0: in the pedicle (between its front and
    back, on its side) by its rows' walls (placed within the mask's voxels by the CT's partial
    volume), elsewhere by the mask interpolated linearly."""
    out = (occupancy(lev.label, points) >= 0.5).astype(float)
    y = points[:, 1]
    here = (y >= ped.y_front) & (y <= ped.y_back) & (ped.side * points[:, 0] > 0)
    if here.any():
        med, lat = ped.walls_at(points[here])
        sx = ped.side * points[here, 0]
        out[here] = ((sx >= med) & (sx <= lat)).astype(float)      # NaN (no row) compares False
    return out


def region(name: str, point) -> str:
    """Where a point lies relative to level ``name``, as a region id of
    :data:`widgets.anatomy.segment.REGIONS` (grading compares these; :func:`where` words them)."""
    lev = level(name)
    p = np.asarray(point, dtype=float).reshape(1, 3)
    x, y, z = (float(v) for v in p[0])
    inside = occupancy(lev.label, p)[0] >= 0.5
    if _in_canal(lev, p)[0] and not inside:
        return "canal"
    if inside and y <= lev.posterior_wall_y:
        return ("body_front_third" if y <= lev.front_third_y else
                "body_middle_third" if y <= lev.body_front_y + 2 * lev.depth / 3 else "body_back_third")
    if inside:
        for ped in lev.pedicles:
            if ped.y_front <= y <= ped.y_back and ped.side * x > 0:
                return "pedicle"
        return "bone_behind"
    front = _front_y_at(lev, p)[0]
    if not np.isnan(front) and y < front:
        return "in_front"
    if y <= lev.posterior_wall_y and abs(x) <= lev.body_width / 2 + 2:
        if z > lev.upper_endplate_z - 2:
            return "disc_above"
        if z < lev.lower_endplate_z + 2:
            return "disc_below"
        return "beside"
    if y <= lev.posterior_wall_y:
        return "beside"
    return "behind"


def where(name: str, point) -> str:
    """Plain words for where a point lies relative to level ``name`` (for feedback and alt text)."""
    return REGION_WORDS[region(name, point)]


def grade(name: str, needle, approach: str = "unilateral", side: int | None = None,
          radius: float = NEEDLE_RADIUS_MM) -> CtGrade:
    """Grade ``needle`` at level ``name`` against the mask (pure: same input, same grade).

    ``approach``: ``"unilateral"`` (one pedicle: the target is the midline of the front third) or
    ``"bilateral"`` (two: each side's front third).  ``side`` defaults to the side of the entry.
    The pedicle check and the closest approach use the needle's surface (``radius`` mm around its
    axis, left-right and up-down): a needle breaches a wall when its side, not only its axis,
    leaves the bone.  The medial-wall rule and the target use the axis and the tip, as the
    operator reads them on the screen."""
    lev = level(name)
    n = as_path(needle)
    side = side if side is not None else (1 if n.entry[0] >= 0 else -1)
    ped = lev.pedicle(side)
    ts = np.arange(0.0, n.depth + STEP_MM / 2, STEP_MM)
    if ts[-1] < n.depth:
        ts = np.append(ts, n.depth)
    pts = n.point(ts)
    inside = occupancy(lev.label, pts) >= 0.5
    # the needle's four sides: toward the midline, away from it, up, down
    offsets = {"medial": (-side * radius, 0.0, 0.0), "lateral": (side * radius, 0.0, 0.0),
               "superior": (0.0, 0.0, radius), "inferior": (0.0, 0.0, -radius)}
    in_ped = (pts[:, 1] <= ped.y_back) & (pts[:, 1] >= ped.y_front)
    out_side = np.zeros(len(pts), bool)
    if in_ped.any():
        sub = pts[in_ped]
        out_side[in_ped] = np.min(np.stack([_bone(lev, ped, sub + np.array(o)) for o in offsets.values()]),
                                  axis=0) < 0.5
    medial_pts = pts + np.array(offsets["medial"])
    canal = _in_canal(lev, medial_pts)
    if canal.any():
        canal[canal] = occupancy(lev.label, medial_pts[canal]) < 0.5
    # 1. the pedicle: from its back to the posterior wall, the needle inside the bone; never into the canal
    bad = np.nonzero((in_ped & out_side) | canal)[0]
    breach = None
    if len(bad):
        i = int(bad[0])
        # named by where the needle lies in the pedicle's section (as the synthetic grading does)
        wall = "medial" if canal[i] else _wall(ped, pts[i])
        p = pts[i] + np.array(offsets[wall])
        breach = Breach(wall, float(ts[i]), tuple(float(v) for v in p), bool(canal[i]))
    # 2. the medial-wall rule: the AP medial-wall line (x) against the lateral view's posterior wall (y)
    t_medial = _first(side * pts[:, 0] <= side * ped.medial_wall_x, ts)
    t_wall = _first(pts[:, 1] <= lev.posterior_wall_y, ts)
    crossed = t_medial is not None
    rule_ok = (not crossed) or (t_wall is not None and t_wall <= t_medial + 1e-9)
    # 3. the target
    tip = n.tip
    target_ok = bool(in_target(lev, tip, approach, side)[0])
    centre = lev.target_point(approach, side)
    tip_error = float(_norm(tip - centre))
    voxels = target_voxels(name, approach, side)
    if target_ok:
        tip_to_target = 0.0
    else:
        tip_to_target = float(np.sqrt(((voxels - tip) ** 2).sum(axis=1).min())) if len(voxels) else float("nan")
    # 4. the front cortex: any point of the needle's axis in front of the body's front surface,
    # once it has come through the body's front third
    fronts = _front_y_at(lev, pts)
    past = (pts[:, 1] < np.where(np.isnan(fronts), lev.body_front_y, fronts)) & (pts[:, 1] < lev.front_third_y)
    t_front = _first(past & ~inside, ts)
    # closest approach of the needle's medial side to the medial wall, in the pedicle
    med, _ = ped.walls_at(pts[in_ped]) if in_ped.any() else (np.array([]), None)
    gaps = side * pts[in_ped, 0] - radius - med
    gaps = gaps[~np.isnan(gaps)]
    closest = float(gaps.min()) if len(gaps) else None
    return CtGrade(name, side, approach, tuple(float(v) for v in tip), breach is None, breach, bool(rule_ok),
                   t_medial, t_wall, target_ok, t_front is not None, t_front, tip_error, tip_to_target, closest,
                   where(name, tip))


def _first(flags: np.ndarray, ts: np.ndarray) -> float | None:
    hit = np.nonzero(flags)[0]
    return float(ts[hit[0]]) if len(hit) else None
