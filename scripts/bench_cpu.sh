#!/usr/bin/env bash
# make bench-cpu: alexbench's CPU train step beside PyTorch's, on the same cores, in one run.
#
# For each of four networks (LeNet ReLU/max b256, d2l's own LeNet — sigmoid, average pooling,
# lr 0.9 — b256, cnn28 b128, the quick profile's AlexNet b64) it times
# ours (`alexbench train --bench-steps`, SimpleGo with internal/fastcpu), PyTorch's
# (scripts/torch_cpu_step.py, the same network layer for layer, 2 threads) and, once, SimpleGo's
# own kernels (ALEXBENCH_FASTCPU=0), interleaved round by round so a busy moment hits both sides.
# It prints a Markdown table of medians over the rounds, ready for docs/BENCHMARKS.md, under a
# header that tells machines apart: the CPU, its SIMD flags, the BLAS core type OpenBLAS picked
# for it, the oneDNN ISA in use on our side (where fastcpu has oneDNN) and PyTorch's.
#
# Environment: BIN (default bin/alexbench), ROUNDS (3), STEPS (20), SLOW_STEPS (5, for the
# SimpleGo-only column; 0 skips it), PYTHON (/usr/bin/python3: Debian's python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/alexbench}
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-20}
SLOW_STEPS=${SLOW_STEPS:-5}
PYTHON=${PYTHON:-/usr/bin/python3}

[ -x "$BIN" ] || { echo "bench-cpu: $BIN not built (make build)" >&2; exit 1; }

torch=yes
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch) >/dev/null 2>&1 || true
  fi
  if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    torch=no
    echo "bench-cpu: PyTorch not importable by $PYTHON (apt-get install python3-torch): its column is skipped" >&2
  fi
fi

declare -A args=(
  [lenet]="--model lenet --activation relu --pool max --batch 256"
  [lenet-d2l]="--model lenet --batch 256" # the recipe's own: sigmoid, average pooling, lr 0.9
  [cnn28]="--model cnn28 --batch 128"
  [alexnet-quick]="--model alexnet --resize 67 --width 0.25 --fc-width 512 --batch 64"
)
models=(lenet lenet-d2l cnn28 alexnet-quick)
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT

step_ms() { grep -o '"step_ms": *[0-9.]*' | tail -1 | sed 's/.*: *//'; }

ours() { # model steps [env...]
  local m=$1 steps=$2; shift 2
  env "$@" "$BIN" train ${args[$m]} --bench-steps "$steps" --backend go --json 2>/dev/null | step_ms
}

load_before=$(cut -d' ' -f1 /proc/loadavg)
# fastcpu's whole status line: its DotGeneral, ConvGeneral (oneDNN or not) and fusions.
kernels=$("$BIN" train --model lenet --bench-steps 1 --backend go 2>&1 | grep -o 'fastcpu: .*' | head -1 || true)
for round in $(seq "$ROUNDS"); do
  for m in "${models[@]}"; do
    echo "$m ours $(ours "$m" "$STEPS")" >>"$samples"
    if [ "$torch" = yes ]; then
      echo "$m torch $("$PYTHON" scripts/torch_cpu_step.py "$m" --steps "$STEPS" | step_ms)" >>"$samples"
    fi
    if [ "$round" = 1 ] && [ "$SLOW_STEPS" -gt 0 ]; then
      echo "$m simplego $(ours "$m" "$SLOW_STEPS" ALEXBENCH_FASTCPU=0)" >>"$samples"
    fi
  done
  echo "bench-cpu: round $round of $ROUNDS done" >&2
done

median() { # model side
  awk -v m="$1" -v s="$2" '$1==m && $2==s && $3!="" {print $3}' "$samples" | sort -g |
    awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
batch() { grep -o -- '--batch [0-9]*' <<<"${args[$1]}" | awk '{print $2}'; }

load_after=$(cut -d' ' -f1 /proc/loadavg)
echo
if awk -v a="$load_before" -v b="$load_after" -v n="$(nproc)" 'BEGIN { exit !(a > 0.5 || b > n + 0.5) }'; then
  echo "bench-cpu: the machine was busy (1-min load $load_before before, $load_after after; this run's own load is ~$(nproc)):" \
    "PyTorch's OpenMP threads slow down far more than ours under load — rerun on a quiet machine for numbers to record" >&2
fi
# What the kernels run on, so two machines' tables can be told apart.
simd=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512bw|avx512vl|avx512_vnni|avx512_bf16|amx_tile|amx_bf16)$' | tr '\n' ' ' || true)
blas_core=$(grep -o '(core [^)]*)' <<<"$kernels" | head -1 || true)
# fastcpu names oneDNN's version and ISA in its status line when it runs convolutions on it.
our_dnnl=$(grep -o 'oneDNN [0-9.]* [a-z0-9_]*' <<<"$kernels" | head -1 || true)
torch_desc="not installed"
torch_dnnl="n/a"
if [ "$torch" = yes ]; then
  torch_desc=$("$PYTHON" scripts/torch_cpu_step.py --info 2>/dev/null |
    "$PYTHON" -c 'import json, sys; i = json.load(sys.stdin); print("torch", i["torch"] + ";", "; ".join(l.lstrip("- ") for l in i["config"]))' 2>/dev/null || echo "torch")
  # oneDNN says which ISA it dispatched to when a convolution it runs is verbose.
  torch_dnnl=$(DNNL_VERBOSE=1 "$PYTHON" -c 'import torch; torch.set_num_threads(1); torch.nn.functional.conv2d(torch.rand(8, 16, 32, 32), torch.rand(32, 16, 3, 3), padding=1)' 2>/dev/null |
    grep -m1 -o 'isa:.*' | sed 's/^isa://' || true)
fi
echo "$(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), median of $ROUNDS interleaved rounds of $STEPS steps"
echo "SIMD: ${simd:-unknown}"
echo "1-min load average $load_before before, $load_after after"
echo "ours: $BIN ($kernels)"
echo "ours' OpenBLAS core: ${blas_core:-n/a (not OpenBLAS, or fastcpu off)}; ours' oneDNN ISA: ${our_dnnl:-n/a (this build has no oneDNN)}"
echo "torch: $torch_desc; 2 threads; its oneDNN ISA: ${torch_dnnl:-n/a}"
echo
echo "| train step | PyTorch ms | ours ms | SimpleGo alone ms | ours img/s | ours ÷ PyTorch throughput |"
echo "|---|---:|---:|---:|---:|---:|"
for m in "${models[@]}"; do
  o=$(median "$m" ours) t=$(median "$m" torch) s=$(median "$m" simplego) b=$(batch "$m")
  awk -v m="$m" -v b="$b" -v o="$o" -v t="$t" -v s="$s" 'BEGIN {
    ips = (o+0 > 0) ? sprintf("%.0f", b*1000/o) : "-"
    ratio = (o+0 > 0 && t+0 > 0) ? sprintf("%.2f×", t/o) : "-"
    f = "%.1f"
    printf "| %s b%s | %s | %s | %s | %s | %s |\n", m, b, (t+0 > 0 ? sprintf(f, t) : "-"), (o+0 > 0 ? sprintf(f, o) : "-"), (s+0 > 0 ? sprintf(f, s) : "-"), ips, ratio }'
done
