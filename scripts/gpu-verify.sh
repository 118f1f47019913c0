#!/usr/bin/env bash
# One device call that checks the "done when" numbers of issues 4, 5 and 6 on a
# GPU machine, next to torch on the same card. Needs bin/alexbench (built here,
# carried) and .devdata/fashion-mnist (carried); writes logs and JSON to $OUT.
# Every step has its own timeout; a failure is recorded and the script goes on.
set -u
OUT=${OUT:-/tmp/gpu-verify-out}
W=/tmp/gpu-verify # everything lands here, then one tarball in $OUT (the tool returns ≤ 8 files)
mkdir -p "$OUT" "$W"
export ALEXBENCH_DATA=$PWD/.devdata/fashion-mnist
BIN=bin/alexbench
LOG=$W/verify.log
START=$SECONDS

step() { # step NAME TIMEOUT CMD...: run, keep stdout in $OUT/NAME.json, stderr in the log
	local name=$1 tmo=$2
	shift 2
	echo "[$((SECONDS - START))s] $name: $*" | tee -a "$LOG"
	timeout -k 5 "$tmo" "$@" >"$W/$name.json" 2>>"$LOG"
	echo "[$((SECONDS - START))s] $name: exit $?" | tee -a "$LOG"
	head -c 1500 "$W/$name.json"; echo
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$LOG"
# In order of importance, so a short lease still answers the first questions.
step d2l-10-epochs 100 $BIN train --model alexnet --backend auto --epochs 10 --json --artifacts "$W"
step bench-default 30 $BIN train --model alexnet --backend auto --bench-steps 100
step torch 60 python3 scripts/torch_ref.py --modes eager,compile
step e3-memory 60 $BIN run scripts/gpu-e3.toml --profile full --results /tmp/gpu-results
$BIN export --results /tmp/gpu-results --format jsonl >"$W/e3-export.jsonl" 2>>"$LOG"
for f in /tmp/gpu-results/gpu-e3-memory/*/summary.json; do cat "$f"; echo; done >"$W/e3-summaries.jsonl" 2>>"$LOG"
step bench-bf16 30 $BIN train --model alexnet --backend auto --bench-steps 100 --precision bf16
ALEXBENCH_XLA_FLAGS=--xla_gpu_autotune_level=1 step bench-autotune1 30 $BIN train --model alexnet --backend auto --bench-steps 100
if $BIN help 2>&1 | grep -q profile; then
	step e4-profile 60 $BIN profile alexnet --batch 128 --backend auto --json -o /tmp/gpu-profile
	cp -r /tmp/gpu-profile "$W/" 2>>"$LOG"
fi
cp -r /tmp/gpu-results "$W/" 2>>"$LOG"
echo "[$((SECONDS - START))s] done" | tee -a "$LOG"
tar czf "$OUT/gpu-verify.tgz" -C /tmp gpu-verify
cat "$W/e3-export.jsonl" 2>/dev/null | head -c 3000
