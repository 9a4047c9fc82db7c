"""A fluoroscopy shot from the real CT beside one from the synthetic spine: time per shot and memory.

A *shot* is what one press of the pedal gives in the needle exercise: both views (AP and lateral) and
the grade of the needle as it is.  For the real CT (:mod:`widgets.anatomy.ct_images`) that is
``ct_images.shot(level, needle)``: both C-arm screen images with the needle drawn into the simulated
x-rays, and ``ct.grade``.  For the synthetic spine (``widgets.anatomy.xray``, today's renderer) it is
``xray.radiograph`` for both cameras (the needle is drawn over it as a line by the view, so the
image itself is cached per level) and ``widgets.imaging.grading.grade``.

Each runs in a fresh Python process.  The CT's first builds notebook 04's two needle exercises
(Learn and Test mode, the synthetic views), so the memory the CT adds is what the kernel would add;
the synthetic's imports the views and measures its own first images.  Printed, side by side with
the ratio CT / synthetic:

* the first shot of a level (the CT: loading the crop, the level's landmarks, the needle-free
  views; the synthetic: projecting the segment's voxels);
* p50 and p95 of a shot over ``--shots`` needles (seeded: random entries, angles and depths around
  the textbook path), the images already made for the level;
* the resident memory (VmRSS) the renderer added to the process, and the arrays it keeps (MB).

Run: .venv/bin/python benchmarks/ct_fluoro.py [--shots 200] [--level L1]
Targets on the 2-core machine: a CT shot p95 <= 50 ms; notebook 04's kernel <= 150 MB with the CT
loaded (145 MB without it today), so the CT may add at most about 5 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 50.0
KERNEL_TODAY_MB, KERNEL_LIMIT_MB = 145.0, 150.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def needles(n: int, seed: int = 20261207):
    """(entry offset x, z in mm, medial and caudal angle offsets in degrees, depth fraction), seeded."""
    import random
    rng = random.Random(seed)
    return [(rng.uniform(-4, 4), rng.uniform(-4, 4), rng.uniform(-12, 12), rng.uniform(-8, 8), rng.uniform(0.2, 1.15))
            for _ in range(n)]


def notebook_04():
    """What notebook 04's kernel holds before the CT: its two needle exercises (Learn and Test mode)."""
    import os
    import tempfile
    os.environ.setdefault("VKP_PROGRESS_DIR", tempfile.mkdtemp(prefix="vkp-bench-"))
    from widgets.core.citations import Citations
    from widgets.imaging.views import NeedleExercise
    cites = Citations.for_notebook("04-needle-placement")
    return [NeedleExercise(cites, level="L1", mode="learn"), NeedleExercise(cites, level="L1")]


def child_ct(level: str, shots: int) -> dict:
    import numpy as np
    kept = notebook_04()  # noqa: F841  (held, as the kernel holds them)
    base = rss_mb()
    from widgets.anatomy import ct, ct_images
    t0 = time.perf_counter()
    ref = ct.textbook_needle(level, 1)
    ct_images.shot(level, ref)
    first = time.perf_counter() - t0
    medial0, caudal0 = ct.angles_of(ref)
    times = []
    for dx, dz, dm, dc, frac in needles(shots):
        entry = (ref.entry[0] + dx, ref.entry[1], ref.entry[2] + dz)
        n = ct.needle_from_angles(entry, medial0 + dm, caudal0 + dc, ref.depth * frac, 1)
        t = time.perf_counter()
        ct_images.shot(level, n)
        times.append(time.perf_counter() - t)
    after_shots = rss_mb() - base
    ct_images.axial(ref)
    for region in ct_images.REGIONS:
        for view in ct.VIEWS:
            ct_images.region_projection(level, region, view)
    s = ct.scan()
    cached = (sum(ct_images._normalised_base(v, ct_images.frame_for(level, v)).nbytes for v in ct.VIEWS)
              + 3 * 200 * 200 * 4)
    return {"first_s": first, "times": times, "rss_shots_mb": after_shots, "rss_added_mb": rss_mb() - base,
            "arrays_mb": (s.nbytes + cached) / 1e6, "rss_mb": rss_mb(), "shape": list(s.shape),
            "image": list(np.shape(ct_images.shot(level).images["AP"]))}


def child_synthetic(level: str, shots: int) -> dict:
    import widgets.imaging.views  # noqa: F401  (what notebook 04's kernel imports)
    import numpy as np
    from widgets.anatomy import fluoro as views
    from widgets.anatomy import camera as cameras
    from widgets.anatomy import xray
    from widgets.imaging.grading import grade
    from widgets.anatomy.needle_path import planned_needle
    from widgets.anatomy.segment import segment
    base = rss_mb()
    seg = segment(level)
    ped = seg.pedicle
    cams = {"AP": cameras.ap(0.0, (float(ped.centre_x(ped.y_mid)), ped.y_mid), seg.side), "lateral": cameras.lateral()}

    def shot(needle):
        for kind in ("AP", "lateral"):
            xray.radiograph(seg.level.id, tuple(seg.heights), cams[kind], views.FRAMES[kind])
        return grade(seg, needle)

    t0 = time.perf_counter()
    ref = planned_needle(seg)
    shot(ref)
    first = time.perf_counter() - t0
    times = []
    for dx, dz, dm, dc, frac in needles(shots):
        entry = (ref.entry[0] + dx, ref.entry[1], ref.entry[2] + dz)
        n = cameras.Needle(entry, ref.medial_deg + dm, ref.caudal_deg + dc, ref.depth * frac, seg.side)
        t = time.perf_counter()
        shot(n)
        times.append(time.perf_counter() - t)
    images = [xray.radiograph(seg.level.id, tuple(seg.heights), cams[k], views.FRAMES[k]) for k in cams]
    return {"first_s": first, "times": times, "rss_added_mb": rss_mb() - base,
            "arrays_mb": sum(np.asarray(a).nbytes for a in images) / 1e6, "rss_mb": rss_mb()}


def run_child(kind: str, level: str, shots: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--level", level, "--shots", str(shots)],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=200)
    parser.add_argument("--level", default="L1")
    parser.add_argument("--child", choices=("ct", "synthetic"))
    args = parser.parse_args()
    if args.child:
        result = (child_ct if args.child == "ct" else child_synthetic)(args.level, args.shots)
        print(json.dumps(result))
        return 0
    ct_r = run_child("ct", args.level, args.shots)
    sy_r = run_child("synthetic", args.level, args.shots)
    rows = []
    for name, key in (("p50 per shot", "p50"), ("p95 per shot", "p95")):
        vals = []
        for r in (ct_r, sy_r):
            ms = [t * 1000 for t in r["times"]]
            vals.append(statistics.median(ms) if key == "p50" else p95(ms))
        rows.append((name + " (ms)", *vals))
    rows.insert(0, ("first shot of the level (ms)", ct_r["first_s"] * 1000, sy_r["first_s"] * 1000))
    rows.append(("memory added to the process (MB, RSS)", ct_r["rss_shots_mb"], sy_r["rss_added_mb"]))
    rows.append(("arrays kept (MB)", ct_r["arrays_mb"], sy_r["arrays_mb"]))
    print(f"A shot = both views + the grade; level {args.level}; {args.shots} seeded needles; fresh process each, "
          f"after importing notebook 04's views")
    print(f"{'':40} {'real CT':>10} {'synthetic':>10} {'CT / synth':>11}")
    for name, a, b in rows:
        ratio = a / b if b else float("nan")
        print(f"{name:40} {a:10.1f} {b:10.1f} {ratio:10.2f}x")
    ms = [t * 1000 for t in ct_r["times"]]
    verdict = "meets" if p95(ms) <= TARGET_P95_MS else "MISSES"
    print(f"\nreal CT: p95 {p95(ms):.1f} ms per shot, {verdict} the {TARGET_P95_MS:.0f} ms target; crop "
          f"{' x '.join(map(str, ct_r['shape']))} voxels, screen images {' x '.join(map(str, ct_r['image']))} px")
    print(f"memory: after notebook 04's two exercises, the CT adds {ct_r['rss_shots_mb']:.1f} MB with its shots, "
          f"{ct_r['rss_added_mb']:.1f} MB with an axial slice and the overlays too (arrays kept "
          f"{ct_r['arrays_mb']:.1f} MB; the synthetic column: its first images in a process that has only imported "
          f"the views); notebook 04's kernel {KERNEL_TODAY_MB:.0f} MB today + {ct_r['rss_added_mb']:.1f} MB = "
          f"{KERNEL_TODAY_MB + ct_r['rss_added_mb']:.1f} MB against the {KERNEL_LIMIT_MB:.0f} MB limit "
          "(the kernel's own figure: benchmarks/classroom.py once the exercise uses the CT)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
