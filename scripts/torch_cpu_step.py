#!/usr/bin/env python3
"""PyTorch's train step on the CPU, for `make bench-cpu` (scripts/bench_cpu.sh).

Times one SGD step (forward, mean cross-entropy, backward, update) of the same
four networks alexbench's CPU benchmark times, built layer for layer as in
models/*.go, on one repeated synthetic batch:

  lenet          d2l's LeNet-5 with ReLU and max pooling, batch 256 at 28×28
  lenet-d2l      d2l's LeNet-5 as d2l trains it: sigmoid, 2×2 average pooling, lr 0.9, batch 256
  cnn28          models/small.go's cnn28 (2×(conv-BN-ReLU ×2, pool), FC 256 + BN, dropout 0.3), batch 128 at 28×28
  alexnet-quick  d2l's AlexNet at ¼ conv width, 512-wide dense layers, 67×67, batch 64 (the quick profile's)

Prints one JSON line: {"model", "batch", "threads", "steps", "step_ms", "img_per_s"}
(step_ms is the median of --steps timed steps after --warmup).
Needs only torch (Debian's python3-torch 1.13 works).
With --info it prints instead what the CPU kernels of this torch build are:
{"torch", "mkldnn", "cpu_capability", "config"} (oneDNN's ISA among them where torch says).
Usage: torch_cpu_step.py MODEL [--threads 2] [--steps 20] [--warmup 3]
       torch_cpu_step.py --info
"""

import argparse
import json
import statistics
import time


def build(nn, model):
    if model == "lenet":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)), 256, 28
    if model == "lenet-d2l":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10)), 256, 28
    if model == "cnn28":
        def block(cin, cout):
            return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
        return nn.Sequential(
            *block(1, 32), *block(32, 32), nn.MaxPool2d(2, 2),
            *block(32, 64), *block(64, 64), nn.MaxPool2d(2, 2), nn.Flatten(),
            nn.Linear(64 * 7 * 7, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10)), 128, 28
    if model == "alexnet-quick":
        return nn.Sequential(
            nn.Conv2d(1, 24, 11, stride=4, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(24, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 96, 3, padding=1), nn.ReLU(),
            nn.Conv2d(96, 96, 3, padding=1), nn.ReLU(),
            nn.Conv2d(96, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten(),
            nn.Linear(64, 512), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10)), 64, 67
    raise SystemExit(f"unknown model {model!r}: lenet, lenet-d2l, cnn28 or alexnet-quick")


LR = {"lenet-d2l": 0.9}  # d2l's; the others' step time does not depend on it


def torch_info(torch):
    """What PyTorch's CPU kernels run on: its SIMD capability and oneDNN's."""
    info = {"torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available()}
    try:
        info["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    except AttributeError:  # before torch 2.0
        info["cpu_capability"] = None
    config = torch.__config__.show()
    info["config"] = [line.strip() for line in config.splitlines()
                      if any(k in line for k in ("CPU capability", "MKL-DNN", "oneDNN", "OpenMP"))]
    return info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?")
    ap.add_argument("--info", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()

    import torch
    from torch import nn

    if args.info:
        print(json.dumps(torch_info(torch)))
        return
    if not args.model:
        ap.error("MODEL is required")

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net, batch, side = build(nn, args.model)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=LR.get(args.model, 0.01))
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 1, side, side)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()  # synchronizes, as alexbench's step returns the loss

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    ms = statistics.median(times) * 1e3
    print(json.dumps({"model": args.model, "batch": batch, "threads": torch.get_num_threads(),
                      "steps": args.steps, "step_ms": round(ms, 3), "img_per_s": round(batch / ms * 1e3, 1)}))


if __name__ == "__main__":
    main()
