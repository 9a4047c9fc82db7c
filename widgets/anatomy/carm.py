"""The look of a C-arm screen, as pure image processing that any radiograph can go through.

A mobile C-arm's image intensifier is round: its screen shows a circle of image, dark outside, a
little darker toward the rim (the intensifier's brightness falls off from the centre, "vignetting"),
with a soft edge.  This module turns an x-ray image into that picture, so the views of the real CT
(:mod:`widgets.anatomy.ct_images`) and of the synthetic spine (``widgets.anatomy.xray``) can share one look.

**Grey scale.**  Fluoroscopic images are digital and can be shown either way: dense structures
white, as on a radiograph, or inverted, dense structures black [Dartmouth, "Introduction to
radiology: fluoroscopy", http://www.dartmouth.edu/~anatomy/Intro-to-radiology/FLOUROANGIO/
factors%20affect%20appear/main%20page.htm].  The image intensifier itself glows where more x-rays
arrive, so its native picture shows dense things dark: bone grey, cement, contrast and metal
(the needle) near black, soft tissue and air light.  That is the default here
(``dense="dark"``); ``dense="light"`` gives the radiograph's convention (bone light on dark) for a
view that wants it.  Either way cement and the needle are grey to black, never coloured: an x-ray
has no colours.

:data:`DISPLAY_NOTE` says the convention in one sentence for the notebook.

What each function takes and returns (all numpy, float32 images with row 0 at the **bottom**, to be
shown with ``origin="lower"`` over the frame's ``extent``):

* :class:`Frame` - the square of the image plane a view shows (mm), its pixel size and shape;
* :func:`window` - a fixed grey window (low, high) from a needle-free line-integral image, in the
  spirit of the C-arm's automatic brightness control, held while the needle moves;
* :func:`grey` - line integrals of attenuation -> grey 0 (black) ... 1 (white) in the chosen
  convention, with the mild edge enhancement C-arms apply (:func:`normalised` then :func:`finish`,
  so the part that does not change with the needle can be computed once);
* :func:`to_screen` - a 0..1 radiograph drawn bone-light (as ``widgets.anatomy.xray`` makes them)
  -> the chosen convention;
* :func:`round_field` - the intensifier's round field: vignetting inside, a soft edge, black outside;
* :func:`cylinder_path` and :func:`ellipsoid_path` - the length (mm) each ray travels through a
  needle (a capped cylinder) or an ellipsoid (cement, a balloon), for a parallel projection, so a
  view can add them to a CT's line integrals and both views agree;
* :func:`field_mask` - which pixels lie inside the round field (for tests and for placing labels).

Pure logic (numpy only): no ipywidgets, no matplotlib.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: The default grey-scale convention: dense structures dark, as the intensifier shows them.
DENSE = "dark"
#: The convention in words a student can read under the pictures (one sentence per choice).
DISPLAY_NOTE = {
    "dark": ("As on the image intensifier's own screen, dense things show dark: bone grey, the needle and cement "
             "near black, soft tissue and air light. A C-arm can also invert the picture."),
    "light": ("As on a radiograph, dense things show light: bone and the needle white, soft tissue grey, air dark. "
              "A C-arm's own picture is the other way round unless it is inverted."),
}
#: The darkest and lightest grey a screen shows inside the field (a monitor is never pure black or white).
BLACK_LEVEL = 0.04
WHITE_LEVEL = 0.93
#: Brightness lost at the rim of the field relative to its centre (illustrative).
VIGNETTE = 0.28
#: Width of the field's soft edge (mm; illustrative).
EDGE_MM = 2.5
#: Edge enhancement: an unsharp mask of this radius (mm) and amount (illustrative).
SHARPEN_MM = 2.0
SHARPEN = 0.55
#: Fixed quantum mottle (standard deviation in grey levels; seeded, so a picture is reproducible).
GRAIN = 0.012
SEED = 20261207


@dataclass(frozen=True)
class Frame:
    """A rectangle of the image plane (mm) sampled at ``pixel_mm``: ``u`` to the right, ``v`` up."""

    u_min: float
    u_max: float
    v_min: float
    v_max: float
    pixel_mm: float = 0.5

    @staticmethod
    def around(u: float, v: float, size_mm: float, pixel_mm: float = 0.5) -> Frame:
        """A square of side ``size_mm`` centred on ``(u, v)``, its edges on whole pixels."""
        half = round(size_mm / 2 / pixel_mm) * pixel_mm
        u0 = round((u - half) / pixel_mm) * pixel_mm
        v0 = round((v - half) / pixel_mm) * pixel_mm
        return Frame(u0, u0 + 2 * half, v0, v0 + 2 * half, pixel_mm)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return (int(round((self.v_max - self.v_min) / self.pixel_mm)),
                int(round((self.u_max - self.u_min) / self.pixel_mm)))

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """For ``imshow(..., origin="lower", extent=frame.extent)``."""
        return (self.u_min, self.u_max, self.v_min, self.v_max)

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.u_min + self.u_max) / 2, (self.v_min + self.v_max) / 2)

    def u(self) -> np.ndarray:
        """The u of each column's centre."""
        return self.u_min + (np.arange(self.shape[1]) + 0.5) * self.pixel_mm

    def v(self) -> np.ndarray:
        """The v of each row's centre (row 0 at the bottom)."""
        return self.v_min + (np.arange(self.shape[0]) + 0.5) * self.pixel_mm


# --------------------------------------------------------------------------- grey scale

def give_back_memory() -> None:
    """Give freed memory back to the system where the C library allows it: a picture's temporaries are large
    and a school hub runs a kernel per student (not glibc: the memory is reused by the next picture instead)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def window(line_integral: np.ndarray, inside: np.ndarray | None = None, low_pct: float = 1.0,
           high_pct: float = 99.8, headroom: float = 0.08) -> tuple[float, float]:
    """A grey window (low, high) for line integrals: the ``low_pct`` and ``high_pct`` percentiles
    of the pixels ``inside`` (default all), the top raised by ``headroom`` of the range so the
    densest bone is not clipped.  Compute it once from the needle-free image and keep it: the
    needle and cement then saturate toward black as metal and cement do on a real screen."""
    values = line_integral[inside] if inside is not None else line_integral.ravel()
    lo, hi = (float(v) for v in np.percentile(values, [low_pct, high_pct]))
    hi += headroom * (hi - lo)
    return lo, max(hi, lo + 1e-6)


def _gauss_kernel(sigma_px: float) -> np.ndarray:
    radius = max(1, int(math.ceil(2.5 * sigma_px)))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma_px) ** 2)
    return (k / k.sum()).astype(np.float32)


def blur_axis(image: np.ndarray, sigma_px: float, axis: int) -> np.ndarray:
    """A Gaussian blur along one axis of a 2-D image (edges extended), float32."""
    k = _gauss_kernel(sigma_px)
    r = len(k) // 2
    out = image.astype(np.float32, copy=False)
    pad = [(r, r) if a == axis else (0, 0) for a in (0, 1)]
    padded = np.pad(out, pad, mode="edge")
    n = out.shape[axis]
    acc = np.zeros_like(out)
    for i, w in enumerate(k):
        acc += w * (padded[i:i + n, :] if axis == 0 else padded[:, i:i + n])
    return acc


def blur(image: np.ndarray, sigma_px: float) -> np.ndarray:
    """A separable Gaussian blur (edges extended), float32."""
    return blur_axis(blur_axis(image, sigma_px, 0), sigma_px, 1)


@lru_cache(maxsize=8)
def _grain(shape: tuple[int, int]) -> np.ndarray:
    return np.random.default_rng(SEED).normal(0.0, GRAIN, size=shape).astype(np.float32)


def normalised(line_integral: np.ndarray, win: tuple[float, float], *, pixel_mm: float = 0.5,
               sharpen: float = SHARPEN) -> np.ndarray:
    """Line integrals -> 0 (least attenuation in the window) ... 1 (most), with mild edge
    enhancement (an unsharp mask): the part of :func:`grey` worth computing once for an image
    that does not change (the needle-free radiograph); :func:`finish` does the rest."""
    lo, hi = win
    # a little past the window's ends is enough for the edges (metal would ring far past it)
    g = np.clip((line_integral.astype(np.float32) - lo) / (hi - lo), -0.15, 1.15)
    if sharpen:
        g = g + sharpen * (g - blur(g, SHARPEN_MM / pixel_mm))
    return g.astype(np.float32)


def finish(g: np.ndarray, *, dense: str = DENSE, grain: bool = True) -> np.ndarray:
    """Normalised attenuation (0 least ... 1 most, as :func:`normalised` gives, plus anything added
    to it) -> grey 0 (black) ... 1 (white) in the chosen convention, with a fixed grain."""
    if dense not in ("dark", "light"):
        raise ValueError(f"dense must be 'dark' or 'light', not {dense!r}")
    out = np.clip(g, 0.0, 1.0).astype(np.float32, copy=False)     # one new image, then worked in place
    if dense == "dark":
        np.subtract(1.0, out, out=out)
    out *= WHITE_LEVEL - BLACK_LEVEL
    out += BLACK_LEVEL
    if grain:
        out += _grain(out.shape)
    return np.clip(out, 0.0, 1.0, out=out)


def grey(line_integral: np.ndarray, win: tuple[float, float], *, dense: str = DENSE, pixel_mm: float = 0.5,
         sharpen: float = SHARPEN, grain: bool = True) -> np.ndarray:
    """Line integrals of attenuation (dimensionless, ``sum mu * length``) -> grey 0..1.

    Linear in the line integral (the logarithm of the transmitted x-rays, as a detector's log
    look-up makes it) between ``win`` = (low, high), with mild edge enhancement (an unsharp mask)
    and a fixed grain.  ``dense="dark"``: the more attenuation, the darker (the intensifier's own
    picture; the default); ``dense="light"``: the radiograph's way round."""
    return finish(normalised(line_integral, win, pixel_mm=pixel_mm, sharpen=sharpen), dense=dense, grain=grain)


def to_screen(radiograph: np.ndarray, *, dense: str = DENSE) -> np.ndarray:
    """A 0..1 image drawn bone-light (``widgets.anatomy.xray.radiograph``) -> the screen's
    convention: inverted for ``dense="dark"``, unchanged for ``"light"``."""
    if dense not in ("dark", "light"):
        raise ValueError(f"dense must be 'dark' or 'light', not {dense!r}")
    img = np.asarray(radiograph, dtype=np.float32)
    return (1.0 - img).astype(np.float32) if dense == "dark" else img.copy()


# --------------------------------------------------------------------------- the round field

def field_mask(frame: Frame, centre: tuple[float, float] | None = None, radius_mm: float | None = None) -> np.ndarray:
    """Pixels whose centres lie inside the round field (default: the largest circle in the frame)."""
    cu, cv = centre if centre is not None else frame.centre
    r = radius_mm if radius_mm is not None else min(frame.u_max - frame.u_min, frame.v_max - frame.v_min) / 2
    uu = frame.u()[None, :] - cu
    vv = frame.v()[:, None] - cv
    return (uu * uu + vv * vv) <= r * r


@lru_cache(maxsize=8)
def _field_factors(shape: tuple[int, int], pixel_mm: float, offset: tuple[float, float], radius_mm: float,
                   vignette: float, edge_mm: float) -> np.ndarray:
    """Per pixel: the brightness kept (vignetting times the soft edge) of a field whose centre lies
    ``offset`` mm from the frame's centre.  Cached by size, not by place: every view shares one."""
    rows, cols = shape
    uu = (np.arange(cols) + 0.5 - cols / 2) * pixel_mm - offset[0]
    vv = (np.arange(rows) + 0.5 - rows / 2) * pixel_mm - offset[1]
    rho = np.sqrt(uu[None, :] ** 2 + vv[:, None] ** 2) / radius_mm
    shade = 1.0 - vignette * np.clip(rho, 0.0, 1.0) ** 2
    edge = np.clip((1.0 - rho) * radius_mm / max(edge_mm, 1e-6), 0.0, 1.0)   # 1 inside, 0 at and beyond the rim
    edge = edge * edge * (3 - 2 * edge)                                       # smooth step
    keep = (shade * edge).astype(np.float32)
    keep.setflags(write=False)
    return keep


def round_field(image: np.ndarray, frame: Frame, centre: tuple[float, float] | None = None,
                radius_mm: float | None = None, *, vignette: float = VIGNETTE, edge_mm: float = EDGE_MM) -> np.ndarray:
    """The image intensifier's round field over a 0..1 screen image: brightness falling off toward
    the rim (``vignette``: the fraction lost at the rim), a soft edge ``edge_mm`` wide, and black
    beyond it.  The circle defaults to the largest one the frame holds, centred in it."""
    r = radius_mm if radius_mm is not None else min(frame.u_max - frame.u_min, frame.v_max - frame.v_min) / 2
    cu, cv = centre if centre is not None else frame.centre
    fu, fv = frame.centre
    offset = (round(cu - fu, 6), round(cv - fv, 6))
    keep = _field_factors(frame.shape, frame.pixel_mm, offset, float(r), vignette, edge_mm)
    out = np.asarray(image, dtype=np.float32) * keep
    return np.clip(out, 0.0, 1.0, out=out)


# --------------------------------------------------------------------------- objects added to a projection

def _rays(frame: Frame, u_axis, v_axis):
    u_axis, v_axis = np.asarray(u_axis, float), np.asarray(v_axis, float)
    uu, vv = np.meshgrid(frame.u(), frame.v())
    origins = uu[..., None] * u_axis + vv[..., None] * v_axis
    return origins


def cylinder_path(frame: Frame, u_axis, v_axis, beam, p0, p1, radius: float) -> np.ndarray:
    """Length (mm) of each pixel's ray through a solid capped cylinder from ``p0`` to ``p1``.

    ``u_axis``, ``v_axis`` and ``beam`` are orthonormal 3-D directions: image right, image up,
    and the rays' direction (parallel projection).  Exact, so a needle seen end-on gives its full
    length in a disc and one seen side-on a band of its width."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    b = np.asarray(beam, float)
    axis = p1 - p0
    length = math.sqrt(float((axis * axis).sum()))
    out = np.zeros(frame.shape, dtype=np.float32)
    if length < 1e-9 or radius <= 0:
        return out
    a = axis / length
    # only the pixels near the projected cylinder (its ends' projections, widened by the radius)
    ua, va = np.asarray(u_axis, float), np.asarray(v_axis, float)
    us = [float(p @ ua) for p in (p0, p1)]
    vs = [float(p @ va) for p in (p0, p1)]
    pm = frame.pixel_mm
    rows, cols = frame.shape
    c0 = max(0, int(math.floor((min(us) - radius - frame.u_min) / pm)) - 1)
    c1 = min(cols, int(math.ceil((max(us) + radius - frame.u_min) / pm)) + 1)
    r0 = max(0, int(math.floor((min(vs) - radius - frame.v_min) / pm)) - 1)
    r1 = min(rows, int(math.ceil((max(vs) + radius - frame.v_min) / pm)) + 1)
    if c0 >= c1 or r0 >= r1:
        return out
    # the candidate pixels: a band along the projected axis (or the whole box when it is short)
    du, dv = us[1] - us[0], vs[1] - vs[0]
    if math.hypot(du, dv) <= 4 * radius + 2 * pm:
        R, C = np.mgrid[r0:r1, c0:c1]
    elif abs(du) >= abs(dv):
        C = np.arange(c0, c1)
        slope = dv / du
        centre = (vs[0] + (frame.u_min + (C + 0.5) * pm - us[0]) * slope - frame.v_min) / pm
        k = int(math.ceil(radius * math.sqrt(1 + slope * slope) / pm)) + 2
        R = np.floor(centre).astype(int)[:, None] + np.arange(-k, k + 1)[None, :]
        C = np.broadcast_to(C[:, None], R.shape)
    else:
        R = np.arange(r0, r1)
        slope = du / dv
        centre = (us[0] + (frame.v_min + (R + 0.5) * pm - vs[0]) * slope - frame.u_min) / pm
        k = int(math.ceil(radius * math.sqrt(1 + slope * slope) / pm)) + 2
        C = np.floor(centre).astype(int)[:, None] + np.arange(-k, k + 1)[None, :]
        R = np.broadcast_to(R[:, None], C.shape)
    R, C = R.ravel(), C.ravel()
    keep = (R >= r0) & (R < r1) & (C >= c0) & (C < c1)
    R, C = R[keep], C[keep]
    # a ray starts at o = u * ua + v * va (ua, va orthonormal); w = o - p0, split along the axis a
    U = frame.u_min + (C + 0.5) * pm
    V = frame.v_min + (R + 0.5) * pm
    wa = U * float(ua @ a) + V * float(va @ a) - float(p0 @ a)
    ba = float(b @ a)
    b_perp = b - ba * a
    A = float(b_perp @ b_perp)
    B = U * float(ua @ b_perp) + V * float(va @ b_perp) - float(p0 @ b_perp)
    w2 = U * U + V * V - 2 * U * float(ua @ p0) - 2 * V * float(va @ p0) + float(p0 @ p0)
    Q = w2 - wa * wa - radius * radius          # |w_perp|^2 - r^2
    big = 1e6
    if A < 1e-12:                       # rays along the axis: inside the tube or not
        lo = np.where(Q <= 0, -big, big)
        hi = np.where(Q <= 0, big, -big)
    else:
        disc = B * B - A * Q
        root = np.sqrt(np.clip(disc, 0.0, None))
        lo = np.where(disc >= 0, (-B - root) / A, big)
        hi = np.where(disc >= 0, (-B + root) / A, -big)
    if abs(ba) < 1e-12:                 # rays across the axis: between the caps or not
        inside = (wa >= 0) & (wa <= length)
        lo = np.where(inside, lo, big)
    else:
        t0, t1 = -wa / ba, (length - wa) / ba
        lo = np.maximum(lo, np.minimum(t0, t1))
        hi = np.minimum(hi, np.maximum(t0, t1))
    out[R, C] = np.clip(hi - lo, 0.0, None)
    return out


def ellipsoid_path(frame: Frame, u_axis, v_axis, beam, centre, radii) -> np.ndarray:
    """Length (mm) of each pixel's ray through an ellipsoid with axes along x, y, z (``radii`` in mm)."""
    c = np.asarray(centre, float)
    r = np.asarray(radii, float)
    b = np.asarray(beam, float) / r
    o = (_rays(frame, u_axis, v_axis) - c) / r
    A = float(b @ b)
    B = o @ b
    C = np.einsum("...i,...i->...", o, o) - 1.0
    disc = B * B - A * C
    chord = np.where(disc > 0, 2.0 * np.sqrt(np.clip(disc, 0.0, None)) / A, 0.0)
    return chord.astype(np.float32)                     # beam is a unit vector: lambda is in mm
