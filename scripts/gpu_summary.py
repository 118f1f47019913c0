#!/usr/bin/env python3
"""Prints the table of scripts/gpu-verify.sh from the files it left in one folder.

Usage: gpu_summary.py DIR. Missing or failed steps show as "n/a"; nothing here
needs a GPU (it only reads JSON), so it is tested on a CPU with fabricated files.
"""

import glob
import json
import os
import re
import sys


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def load_lines(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    except OSError:
        pass
    return rows


def fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def ratio(x, ref):
    return f"{x / ref:.2f}×" if x and ref else "n/a"


def step_files(d, kind):
    """Step outputs NN-kind-*.json (or NN-kind.json) in run order, with their names."""
    out = []
    for path in sorted(glob.glob(os.path.join(d, f"[0-9][0-9]-{kind}*.json"))):
        base = os.path.basename(path)[:-len(".json")]
        out.append((base[3:], path))
    return out


def flags(r):
    """XLA_FLAGS without the CUDA data dir alexbench adds for go-xla's layout."""
    kept = [f for f in (r.get("xla_flags") or "").split() if not f.startswith("--xla_gpu_cuda_data_dir=")]
    return " ".join(kept) or "defaults"


def speed(d):
    torch = {}
    for _, path in step_files(d, "torch"):
        torch.update({r.get("variant"): r for r in load_lines(path) if r.get("status") == "ok"})
    compiled = (torch.get("torch.compile") or {}).get("step_ms")
    rows = []
    for name, r in sorted(torch.items()):
        rows.append([name, fmt(r.get("first_step_s"), ".1f"), fmt(r.get("step_ms"), ".2f"), fmt(r.get("img_s"), ",.0f"),
                     ratio(r.get("step_ms"), compiled), ""])
    for name, path in step_files(d, "bench-"):
        r = load_json(path) or {}
        ms = r.get("step_ms")
        rows.append(["ours " + name[len("bench-"):], fmt(r.get("first_step_s"), ".1f"), fmt(ms, ".2f"),
                     fmt(r.get("img_per_s"), ",.0f"), ratio(ms, compiled), flags(r) if r.get("step_ms") else ""])
    return table(["variant (b128@224), in run order", "first step s", "step ms", "img/s", "vs torch.compile", "XLA flags"], rows)


def recipes(d):
    rows = []
    for name, path in step_files(d, "d2l-"):
        r = load_json(path) or {}
        last = (r.get("epochs") or [{}])[-1]
        precision = (r.get("config") or {}).get("precision", "n/a")
        rows.append([name, r.get("outcome", "n/a"), precision, fmt(last.get("train_loss"), ".3f"),
                     fmt(last.get("train_acc"), ".3f"), fmt(last.get("test_acc"), ".3f"),
                     fmt(r.get("wall_seconds"), ".1f"), fmt(r.get("examples_per_sec"), ",.0f"), flags(r)])
    return table(["run (10 epochs)", "outcome", "precision", "loss", "train acc", "test acc", "wall s", "examples/s", "XLA flags"], rows)


def plan_mib(d, batch):
    try:
        with open(os.path.join(d, f"dump-b{batch}-total.txt")) as f:
            m = re.search(r"Total bytes used:\s*(\d+)", f.read())
            return int(m.group(1)) / 2**20 if m else None
    except OSError:
        return None


def memory(d):
    rows = []
    for alloc in ("bfc", "platform"):
        for r in sorted(load_lines(os.path.join(d, f"e3-{alloc}.jsonl")), key=lambda r: r.get("batch_size", 0)):
            peak, steady, model = r.get("peak_mib"), r.get("steady_peak_mib"), r.get("model_mib")
            b = r.get("batch_size")
            rows.append([alloc, b, r.get("outcome"), fmt(peak, ",.0f"), fmt(steady, ",.0f"), fmt(model, ",.0f"),
                         fmt(plan_mib(d, b), ",.0f"), ratio(peak, model), ratio(steady, model),
                         r.get("memory_method", "")])
    return table(["allocator", "batch", "outcome", "NVML peak MiB", "after 1st step MiB", "model MiB",
                  "XLA plan MiB", "peak/model", "steady/model", "method"], rows)


def main():
    d = sys.argv[1]
    card = open(os.path.join(d, "card.txt")).read().strip() if os.path.exists(os.path.join(d, "card.txt")) else "n/a"
    print(f"## gpu-verify on {card}\n")
    print(speed(d) + "\n")
    print(recipes(d) + "\n")
    print(memory(d))


if __name__ == "__main__":
    main()
