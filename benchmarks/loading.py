"""Loading a large case bank: the old double YAML parse beside the one parse the loader does now.

Issue 11.10: a 6,000-case bank took 16 s to load because the YAML was parsed twice (once to a node
tree for line numbers, once to data).  This prints, side by side in one run, the median of
--repeat runs for:

* the old way: ``yaml.compose`` then ``yaml.load`` with PyYAML's pure-Python SafeLoader;
* the new way: :func:`widgets.core.loading.read_yaml`, one parse (libyaml's parser when present)
  with the node tree kept for line numbers;
* the whole :func:`widgets.candidacy.bank.load_case_bank` (parse, validate every case, grade it).

    python benchmarks/loading.py [--cases 6000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.class_results import median_time  # noqa: E402
from widgets.candidacy.bank import load_case_bank  # noqa: E402
from widgets.core.loading import content_path, read_yaml  # noqa: E402


def big_bank(n: int) -> str:
    """``n`` cases: the shipped bank's cases again and again, each with its own id."""
    data = yaml.safe_load(content_path("cases.yaml").read_text(encoding="utf-8"))
    cases = data["cases"]
    out = []
    for i in range(n):
        case = dict(cases[i % len(cases)])
        case["id"] = f"{case['id']}-{i:05d}"
        out.append(case)
    return yaml.safe_dump({"title": "benchmark bank", "cases": out}, sort_keys=False, allow_unicode=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = big_bank(args.cases)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bank.yaml"
        path.write_text(text, encoding="utf-8")

        def old():
            yaml.compose(text, Loader=yaml.SafeLoader)
            yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - the benchmark's reference

        old_s = median_time(old, args.repeat)
        new_s = median_time(lambda: read_yaml(path), args.repeat)
        bank_s = median_time(lambda: load_case_bank(path), args.repeat)
    print(f"{args.cases} cases, {len(text) / 1e6:.1f} MB of YAML; median of {args.repeat} runs "
          f"(libyaml parser: {'yes' if hasattr(yaml, 'CSafeLoader') else 'no'})")
    print(f"  parse, old (compose + load, pure Python): {old_s:7.2f} s")
    print(f"  parse, new (read_yaml, one parse)       : {new_s:7.2f} s   ({old_s / new_s:.1f}x faster)")
    print(f"  load_case_bank (parse, validate, grade) : {bank_s:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
