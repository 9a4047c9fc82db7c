"""Make the committed crop of the real CT: ``widgets/data/ct-verse012/verse012-t11-l2.npz``.

Reads the VerSe'19 scan ``sub-verse012`` (CT and vertebra mask, NIfTI) from the project's shared
data folder (``../shared/data/ct-verse012/``, or ``--source``), checks the files' sha256 sums
against the ones its README lists, and writes a small crop around T11 to L2 that the course reads
with numpy alone (no NIfTI reader at run time):

1. **Orientation.** The scan is stored L-P-S (index i toward the patient's left in 3 mm steps, j
   toward the back in 1 mm steps, k up in 1 mm steps); the tool refuses anything else.
2. **Upright.** The thoracolumbar column of this scan leans forward going down (its vertebral
   bodies' centres, from the dataset's centroid file, lie on a line about 13 degrees from the
   vertical).  The tool turns every sagittal plane (the 1 mm x 1 mm plane) about the left-right axis
   by that angle, so the spine stands vertical and a view along the front-back axis is a true front
   (AP) view of the column.  The CT is resampled by bilinear interpolation in that plane, the mask
   by taking, per output voxel, the label whose interpolated indicator is largest (above one half).
   Left-right is not resampled: it stays at the scan's 3 mm.
3. **Crop.** From 20 mm above T11 to 20 mm below L2 (so parts of T10 and L3 and both discs show),
   and from 25 mm in front of the bodies to just behind the skin of the back; all 35 left-right
   columns.  Every output voxel lies inside the scanned field (the tool checks it).
4. **Types.** HU rounded to the nearest 4 (int16: far below the scan's noise, and it halves the
   file), labels as uint8 (17 = T10 ... 22 = L3, 0 = none).

The output is an ``.npz`` written with fixed zip timestamps, so the same input gives the same
arrays and, with the same zlib, the same bytes; ``hu_sha256`` and ``labels_sha256`` inside it are
the sums of the arrays' raw bytes.

    python tools/make_ct_crop.py [--source DIR] [--out widgets/data/ct-verse012/verse012-t11-l2.npz]

Needs nibabel (a test/tool dependency; the course itself does not import it).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "widgets" / "data" / "ct-verse012" / "verse012-t11-l2.npz"

#: The source files and their sha256 sums, as the shared folder's README lists them.
SOURCES = {
    "sub-verse012_ct.nii.gz": "1405f4ba66aa4831ee08f4da1c201ca6b01174252cf0110dfd36ebbbbc6dcde7",
    "sub-verse012_seg-vert_msk.nii.gz": "188d296060bfe38071b8b17ae6171359f4fedcf03d2d12674f39c8995cab750f",
    "sub-verse012_seg-subreg_ctd.json": "461bd1474c65526350afd92a653b86c2a11afe7e0f001d399a720c78e146191f",
}
#: VerSe labels: 17 = T10 ... 22 = L3.
LABEL_NAMES = {17: "T10", 18: "T11", 19: "T12", 20: "L1", 21: "L2", 22: "L3"}
#: The levels the crop is made for (whole, with margins).
KEEP = (18, 19, 20, 21)
MARGIN_Z_MM = 20.0
MARGIN_FRONT_MM = 25.0
MARGIN_BACK_MM = 4.0
HU_STEP = 4
PAD_HU = -1024          # the scanner's value outside its reconstructed field


def default_source() -> Path:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "data" / "ct-verse012"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "data" / "ct-verse012"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sources(source: Path) -> None:
    for name, expected in SOURCES.items():
        path = source / name
        if not path.exists():
            raise SystemExit(f"{path}: missing. The crop is made from the VerSe scan in shared/data/ct-verse012/ "
                             "(pass --source DIR if it is elsewhere).")
        got = sha256(path)
        if got != expected:
            raise SystemExit(f"{path}: sha256 {got} is not the {expected} its README lists; use the original file.")


def load(source: Path):
    import nibabel as nib
    ct = nib.load(str(source / "sub-verse012_ct.nii.gz"))
    msk = nib.load(str(source / "sub-verse012_seg-vert_msk.nii.gz"))
    for img, name in ((ct, "CT"), (msk, "mask")):
        codes = nib.aff2axcodes(img.affine)
        if codes != ("L", "P", "S"):
            raise SystemExit(f"{name}: orientation {''.join(codes)}, expected LPS (the README's geometry)")
        zooms = tuple(round(float(z), 3) for z in img.header.get_zooms()[:3])
        if zooms != (3.0, 1.0, 1.0):
            raise SystemExit(f"{name}: voxel size {zooms} mm, expected (3, 1, 1)")
    hu = np.asarray(ct.dataobj, dtype=np.int16)     # stored as int16 HU without scaling (scl_slope unset)
    labels = np.asarray(msk.dataobj).astype(np.uint8)
    centroids = json.loads((source / "sub-verse012_seg-subreg_ctd.json").read_text())
    centres = {int(c["label"]): (float(c["X"]), float(c["Y"]), float(c["Z"])) for c in centroids if "label" in c}
    return hu, labels, centres


def bilinear(plane: np.ndarray, y: np.ndarray, z: np.ndarray, fill: float) -> np.ndarray:
    """Bilinear samples of a 2-D array (axis 0: y, axis 1: z) at fractional indices; ``fill`` outside."""
    ny, nz = plane.shape
    y0 = np.floor(y).astype(int)
    z0 = np.floor(z).astype(int)
    fy, fz = y - y0, z - z0
    out = np.zeros(y.shape, dtype=float)
    weight_in = np.zeros(y.shape, dtype=float)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dz, wz in ((0, 1 - fz), (1, fz)):
            yy, zz = y0 + dy, z0 + dz
            ok = (yy >= 0) & (yy < ny) & (zz >= 0) & (zz < nz)
            w = wy * wz * ok
            out += w * plane[np.clip(yy, 0, ny - 1), np.clip(zz, 0, nz - 1)]
            weight_in += w
    return np.where(weight_in > 0.999, out, fill)


def outside_field(hu: np.ndarray) -> np.ndarray:
    """Voxels outside the reconstructed field: the runs of ``PAD_HU`` at the two ends of every
    up-down line (the scan's slabs are slightly tilted, so the field's top and bottom are too).
    Air inside the field can also read -1024; it is not at the ends of a line."""
    valid = hu != PAD_HU
    nz = hu.shape[2]
    first = np.argmax(valid, axis=2)
    last = nz - 1 - np.argmax(valid[:, :, ::-1], axis=2)
    k = np.arange(nz)
    out = (k < first[..., None]) | (k > last[..., None])
    return out | ~valid.any(axis=2, keepdims=True)


def make_crop(source: Path) -> dict[str, np.ndarray]:
    hu, labels, centres = load(source)
    nx = hu.shape[0]
    # the column's axis: a line through the kept levels' body centres (voxel units; y and z are 1 mm)
    pts = np.array([centres[k] for k in KEEP])
    slope = np.polyfit(pts[:, 2], pts[:, 1], 1)[0]        # dy/dz
    theta = math.atan(slope)
    pivot = pts[:, 1:].mean(axis=0)                       # (y, z) of the mean centre
    c, s = math.cos(theta), math.sin(theta)

    def to_source(yr, zr):
        """Upright (y', z') relative to the pivot -> source (y, z) indices."""
        return pivot[0] + yr * c + zr * s, pivot[1] - yr * s + zr * c

    def to_upright(y, z):
        dy, dz = y - pivot[0], z - pivot[1]
        return dy * c - dz * s, dy * s + dz * c

    # the extent of the kept levels, upright
    keep = np.isin(labels, KEEP)
    _, yy, zz = np.nonzero(keep)
    yr, zr = to_upright(yy.astype(float), zz.astype(float))
    z_lo, z_hi = math.floor(zr.min() - MARGIN_Z_MM), math.ceil(zr.max() + MARGIN_Z_MM)
    y_lo = math.floor(yr.min() - MARGIN_FRONT_MM)
    # the back: the skin (the last voxel above -500 HU behind the spine), in the upright frame
    body = hu > -500
    _, by, bz = np.nonzero(body[:, :, int(pivot[1]) - 60:int(pivot[1]) + 60])
    byr, _ = to_upright(by.astype(float), bz.astype(float) + int(pivot[1]) - 60)
    y_hi = math.ceil(np.percentile(byr, 99.9) + MARGIN_BACK_MM)
    # but no further back than the scanned field allows at the crop's top (the turn moves the top back)
    ny = hu.shape[1]
    y_hi = min(y_hi, math.floor((ny - 2 - pivot[0] - max(z_hi * s, z_lo * s)) / c))
    pad = outside_field(hu)
    # the back edge: drop rows at the back that reach outside the scanned field in any column
    while True:
        ys = np.arange(y_lo, y_hi + 1, dtype=float)
        zs = np.arange(z_lo, z_hi + 1, dtype=float)
        YR, ZR = np.meshgrid(ys, zs, indexing="ij")
        sy, sz = to_source(YR, ZR)
        touched = np.zeros(sy.shape, dtype=bool)
        for i in range(nx):
            touched |= bilinear(pad[i].astype(float), sy, sz, fill=1.0) > 0
        if not touched.any():
            break
        rows = np.nonzero(touched.any(axis=1))[0]
        if rows.min() < len(ys) - 12:
            raise SystemExit(f"the crop reaches outside the scanned field {len(ys) - rows.min()} mm from its back; "
                             "reduce the margins")
        y_hi -= 1
    print(f"upright crop (mm from the pivot): y {y_lo} to {y_hi}, z {z_lo} to {z_hi}")
    out_hu = np.empty((nx, len(ys), len(zs)), dtype=np.int16)
    out_lab = np.zeros((nx, len(ys), len(zs)), dtype=np.uint8)
    present = [int(v) for v in np.unique(labels) if v]
    for i in range(nx):
        plane = hu[i].astype(float)
        values = bilinear(plane, sy, sz, fill=np.nan)
        padded = bilinear(pad[i].astype(float), sy, sz, fill=1.0)
        if np.isnan(values).any() or (padded > 0).any():
            bad = np.argwhere(np.isnan(values) | (padded > 0))
            raise SystemExit(f"column {i}: the crop reaches outside the scanned field at {len(bad)} voxels "
                             f"(first at source y, z = {sy[tuple(bad[0])]:.1f}, {sz[tuple(bad[0])]:.1f}); "
                             "reduce the margins")
        out_hu[i] = (np.round(values / HU_STEP) * HU_STEP).astype(np.int16)
        best = np.zeros(sy.shape)
        for lab in present:
            w = bilinear((labels[i] == lab).astype(float), sy, sz, fill=0.0)
            take = (w > 0.5) & (w > best)
            out_lab[i][take] = lab
            best = np.maximum(best, w)
    # the midline: the mean left-right position of the kept levels' voxels, after the turn
    mid = float(np.nonzero(np.isin(out_lab, KEEP))[0].mean())
    spacing = np.array([3.0, 1.0, 1.0])
    # voxel (i, j, k) centre in the course's frame (mm): x = 3 (i - mid) toward the patient's left,
    # y = j toward the back from the crop's front face, z = k up from the crop's lowest slice
    origin = np.array([-spacing[0] * mid, 0.0, 0.0])
    return {
        "hu": out_hu,
        "labels": out_lab,
        "spacing_mm": spacing,
        "origin_mm": origin,
        "tilt_deg": np.array(math.degrees(theta)),
        "label_values": np.array(sorted(LABEL_NAMES), dtype=np.uint8),
        "label_names": np.array([LABEL_NAMES[k] for k in sorted(LABEL_NAMES)]),
        "hu_sha256": np.array(hashlib.sha256(out_hu.tobytes()).hexdigest()),
        "labels_sha256": np.array(hashlib.sha256(out_lab.tobytes()).hexdigest()),
        "source_sha256": np.array([f"{k} {v}" for k, v in SOURCES.items()]),
    }


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz (numpy's zip of .npy files) with fixed timestamps: the same arrays give the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compresslevel=9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=default_source())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    check_sources(args.source)
    arrays = make_crop(args.source)
    write_npz(args.out, arrays)
    hu = arrays["hu"]
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {hu.shape} voxels of "
          f"{' x '.join(f'{v:g}' for v in arrays['spacing_mm'])} mm, turned {float(arrays['tilt_deg']):.1f} degrees "
          f"upright; sha256 {sha256(args.out)}")
    print(f"  hu_sha256 {arrays['hu_sha256']}\n  labels_sha256 {arrays['labels_sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
