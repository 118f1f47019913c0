#!/usr/bin/env python3
"""Copy a fresh `make ablation` results tree into reports/testdata/real-quick.

The committed tree is what the report's tests render (the golden numbers, the
browser screenshots), so it is every cell's files and the E4 profile as the
run wrote them, minus what would only bloat the repository:
  - report.html (the tests render their own), the runners' .claims and lock,
    temp and .replaced leftovers;
  - the pictures (filters.png, activations.png) of every cell but the
    best-trained one of each model — the report shows exactly those
    (the highest final test accuracy among the cells of that model that
    saved any).
Prints the tree's size. Stdlib only.

Usage: scripts/regen_real_quick.py RESULTS [DEST]   (DEST: reports/testdata/real-quick)
"""

import json
import os
import re
import shutil
import sys

SKIP_NAMES = {"report.html", ".claims", ".alexbench.lock", ".replaced"}


def ignore(_dir, names):
    return [n for n in names if n in SKIP_NAMES or ".tmp" in n or n.startswith(".tmp")]


def model_of(cell):
    with open(os.path.join(cell, "config.toml")) as f:
        m = re.search(r'^model\s*=\s*"([^"]+)"', f.read(), re.M)
    return m.group(1) if m else "?"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    src = sys.argv[1]
    dest = sys.argv[2] if len(sys.argv) == 3 else os.path.join("reports", "testdata", "real-quick")
    if not os.path.isdir(src):
        sys.exit(f"regen_real_quick: {src} is not a results folder")
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=ignore)

    # Best cell per model among those with pictures.
    best = {}
    cells = []
    for root, dirs, files in os.walk(dest):
        if "summary.json" not in files or "config.toml" not in files:
            continue
        pngs = [f for f in files if f.endswith(".png")]
        if not pngs:
            continue
        with open(os.path.join(root, "summary.json")) as f:
            s = json.load(f)
        acc = (s.get("final") or {}).get("test_acc")
        acc = acc if isinstance(acc, (int, float)) else -1.0
        model = model_of(root)
        cells.append((root, pngs))
        if model not in best or acc > best[model][0]:
            best[model] = (acc, root)
    keep = {root for _, root in best.values()}
    removed = 0
    for root, pngs in cells:
        if root in keep:
            continue
        for p in pngs:
            os.remove(os.path.join(root, p))
            removed += 1
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(dest) for f in fs)
    print(f"regen_real_quick: {dest}: {size / 1024:.0f} KiB; pictures kept for "
          + ", ".join(f"{m} ({a:.3f}, {os.path.relpath(r, dest)})" for m, (a, r) in sorted(best.items()))
          + f"; {removed} other pictures removed")


if __name__ == "__main__":
    main()
