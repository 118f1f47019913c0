#!/usr/bin/env python3
"""PyTorch reference for the LeNet accuracy bar the Go trainer must reach, on the CPU.

Trains d2l.ai's LeNet-5 (chapter 7.6, PyTorch tab) on the first --train-limit
Fashion-MNIST training images and reports test accuracy on the first
--test-limit test images, with d2l's train_ch6 semantics: Xavier-uniform conv
and linear weights (biases left at PyTorch's default), plain SGD, mean
cross-entropy, a shuffled DataLoader per epoch. It is the yardstick for
`alexbench train --model lenet ... --backend go`: same data subset, same model,
same recipe, a different implementation. One JSON line per seed:

  {"seed": 1, "lr": 0.2, "test_acc": 0.69, "train_loss": 0.86, "train_acc": 0.66, "steps": 69}

--drop-last drops each epoch's last partial batch, as alexbench does (one
compiled shape); without it the last batch is smaller, as in d2l.

Needs only torch (Debian's python3-torch works: no numpy, no torchvision).
Usage: torch_lenet.py --data DIR [--lr 0.2] [--seeds 1,2,3] [--epochs 3]
       [--batch 256] [--train-limit 6000] [--test-limit 1000]
       [--activation relu|sigmoid] [--pool max|avg] [--drop-last]
"""

import argparse
import gzip
import json
import os
import struct


def read_idx(torch, path, magic):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    got, n = struct.unpack(">II", raw[:8])
    if got != magic:
        raise SystemExit(f"{path}: magic {got}, want {magic}")
    header = 16 if magic == 2051 else 8
    t = torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8)
    return t.reshape(n, 1, 28, 28) if magic == 2051 else t.long()


def load(torch, data_dir, split, limit):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(torch, os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"), 2051)
    y = read_idx(torch, os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"), 2049)
    return x[:limit].float() / 255.0, y[:limit]


def lenet(nn, activation, pool):
    act = nn.ReLU if activation == "relu" else nn.Sigmoid
    pool_cls = nn.MaxPool2d if pool == "max" else nn.AvgPool2d
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), act(), pool_cls(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), act(), pool_cls(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), act(),
        nn.Linear(120, 84), act(),
        nn.Linear(84, 10),
    )


def train_one(torch, args, seed, train, test):
    nn = torch.nn
    torch.manual_seed(seed)
    net = lenet(nn, args.activation, args.pool)

    def init(m):
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)

    net.apply(init)
    opt = torch.optim.SGD(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    (xs, ys), (xt, yt) = train, test
    n, steps = len(ys), 0
    for _ in range(args.epochs):
        net.train()
        perm = torch.randperm(n)
        loss_sum = correct = count = 0.0
        last = n - n % args.batch if args.drop_last else n
        for i in range(0, last, args.batch):
            idx = perm[i:i + args.batch]
            x, y = xs[idx], ys[idx]
            opt.zero_grad()
            out = net(x)
            loss = loss_fn(out, y)
            loss.backward()
            opt.step()
            steps += 1
            loss_sum += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            count += len(y)
    net.eval()
    with torch.no_grad():
        test_acc = (net(xt).argmax(1) == yt).float().mean().item()
    return {"seed": seed, "lr": args.lr, "test_acc": round(test_acc, 4),
            "train_loss": round(loss_sum / count, 4), "train_acc": round(correct / count, 4),
            "steps": steps, "drop_last": args.drop_last}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--lr", type=float, default=0.2)
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--train-limit", type=int, default=6000)
    p.add_argument("--test-limit", type=int, default=1000)
    p.add_argument("--activation", choices=["relu", "sigmoid"], default="relu")
    p.add_argument("--pool", choices=["max", "avg"], default="max")
    p.add_argument("--drop-last", action="store_true")
    args = p.parse_args()
    import torch
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    train = load(torch, args.data, "train", args.train_limit)
    test = load(torch, args.data, "test", args.test_limit)
    for s in args.seeds.split(","):
        print(json.dumps(train_one(torch, args, int(s), train, test)), flush=True)


if __name__ == "__main__":
    main()
