#!/usr/bin/env python3
"""PyTorch reference for alexbench's GPU check: d2l's AlexNet, one train step timed.

The model is d2l.ai's AlexNet exactly (chapter "Deep CNNs (AlexNet)", 1-channel
224x224 input, 10 classes), trained with plain SGD lr 0.01 on one random batch
repeated, like `alexbench train --bench-steps`. Each mode prints ONE JSON line:

  {"variant": "torch eager", "status": "ok", "first_step_s": 1.9, "step_ms": 8.5,
   "img_s": 15058, "peak_mib": 2817, "reserved_mib": 3100, ...}

first_step_s is the wall time of the first step (cuDNN set-up, and for
torch.compile the whole compilation); step_ms is the median of --steps
cuda-synchronized steps after --warmup more. A mode that fails prints
status "failed" with the error and the next mode still runs.

Usage: torch_ref.py [--batch 128] [--size 224] [--steps 50] [--warmup 10]
                    [--modes eager,eager-bf16,compile]
"""

import argparse
import json
import statistics
import sys
import time
import traceback


def alexnet(nn):
    # d2l.ai 7.1 (PyTorch tab), layer for layer.
    return nn.Sequential(
        nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 10),
    )


def xavier(nn, m):
    # d2l's train_ch6 initialisation.
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)


def run_mode(torch, mode, args):
    nn = torch.nn
    F = torch.nn.functional
    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = alexnet(nn)
    model.apply(lambda m: xavier(nn, m))
    model.to(dev).train()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(args.batch, 1, args.size, args.size, device=dev)
    y = torch.randint(0, 10, (args.batch,), device=dev)
    net = torch.compile(model) if mode.startswith("compile") else model
    bf16 = mode.endswith("bf16")

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    loss = step()
    torch.cuda.synchronize()
    first = time.perf_counter() - t0
    for _ in range(args.warmup):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = step()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    step_ms = statistics.median(times) * 1e3
    out = {
        "first_step_s": round(first, 3),
        "step_ms": round(step_ms, 3),
        "step_ms_min": round(min(times) * 1e3, 3),
        "img_s": round(args.batch / (step_ms / 1e3), 1),
        "peak_mib": round(torch.cuda.max_memory_allocated() / 2**20, 1),
        "reserved_mib": round(torch.cuda.max_memory_reserved() / 2**20, 1),
        "loss": round(float(loss), 4),
        "params": params,
    }
    del net, model, opt, x, y
    torch.cuda.empty_cache()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--modes", default="eager,eager-bf16,compile")
    args = ap.parse_args()

    names = {"eager": "torch eager", "eager-bf16": "torch eager bf16-autocast",
             "compile": "torch.compile", "compile-bf16": "torch.compile bf16-autocast"}
    try:
        import torch
    except Exception as e:  # no torch: one line per mode saying so
        for m in args.modes.split(","):
            print(json.dumps({"variant": names.get(m, m), "status": "failed", "error": f"import torch: {e}"}), flush=True)
        return 0
    common = {
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        # torch's defaults: fp32 matmuls are full fp32, cuDNN convs may use TF32.
        "matmul_tf32": torch.backends.cuda.matmul.allow_tf32,
        "cudnn_tf32": torch.backends.cudnn.allow_tf32,
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
        "batch": args.batch, "size": args.size,
    }
    if not torch.cuda.is_available():
        for m in args.modes.split(","):
            print(json.dumps({"variant": names.get(m, m), "status": "failed", "error": "torch.cuda.is_available() is False", **common}), flush=True)
        return 0
    common["device"] = torch.cuda.get_device_name(0)
    for m in args.modes.split(","):
        if m not in names:
            print(json.dumps({"variant": m, "status": "failed", "error": f"unknown mode {m!r}; want one of {sorted(names)}"}), flush=True)
            continue
        row = {"variant": names[m], **common}
        try:
            row.update(run_mode(torch, m, args))
            row["status"] = "ok"
        except Exception as e:
            row["status"] = "failed"
            row["error"] = f"{type(e).__name__}: {e}"[:500]
            traceback.print_exc(file=sys.stderr)
            torch.cuda.empty_cache()
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
