#!/usr/bin/env bash
# make bench-cpu: alexbench's CPU train step beside PyTorch's, on the same cores, in one run.
#
# For each of three networks (LeNet b256, cnn28 b128, the quick profile's AlexNet b64) it times
# ours (`alexbench train --bench-steps`, SimpleGo with internal/fastcpu), PyTorch's
# (scripts/torch_cpu_step.py, the same network layer for layer, 2 threads) and, once, SimpleGo's
# own kernels (ALEXBENCH_FASTCPU=0), interleaved round by round so a busy moment hits both sides.
# It prints a Markdown table of medians over the rounds, ready for docs/BENCHMARKS.md.
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
  [cnn28]="--model cnn28 --batch 128"
  [alexnet-quick]="--model alexnet --resize 67 --width 0.25 --fc-width 512 --batch 64"
)
models=(lenet cnn28 alexnet-quick)
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT

step_ms() { grep -o '"step_ms": *[0-9.]*' | tail -1 | sed 's/.*: *//'; }

ours() { # model steps [env...]
  local m=$1 steps=$2; shift 2
  env "$@" "$BIN" train ${args[$m]} --bench-steps "$steps" --backend go --json 2>/dev/null | step_ms
}

load_before=$(cut -d' ' -f1 /proc/loadavg)
kernels=$("$BIN" train --model lenet --bench-steps 1 --backend go 2>&1 | grep -o 'fastcpu[^;]*' | head -1 || true)
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
echo "$(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), median of $ROUNDS interleaved rounds of $STEPS steps"
echo "1-min load average $load_before before, $load_after after"
echo "ours: $BIN ($kernels); torch: $("$PYTHON" -c 'import torch; print("torch", torch.__version__)' 2>/dev/null || echo "not installed"), 2 threads"
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
