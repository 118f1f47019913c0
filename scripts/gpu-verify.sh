#!/usr/bin/env bash
# One device call that answers what issues 4 and 5 still ask, next to torch on
# the same card, and prints one table last (scripts/gpu_summary.py):
#   #4  ours vs torch.compile at XLA defaults and at --xla_gpu_autotune_level=1,
#       interleaved (A B A B) so drift shows; the d2l 10-epoch recipe at level 1
#       (is its accuracy unchanged?) and in bf16 (bf16's accuracy effect);
#   #5  the E3 sweep (batch 32/128/512) with the BFC and the platform allocator,
#       NVML peak and steady peak next to the analytic model, and XLA's own
#       buffer assignment per batch (--xla_dump_to) as a third opinion.
# Needs bin/alexbench (built here, carried) and .devdata/fashion-mnist (carried):
#   run(command="bash scripts/gpu-verify.sh", carry=["bin", ".devdata"], timeout_s=540)
# Every step has its own timeout; a failure is recorded and the script goes on.
# A step that could run past GPU_VERIFY_BUDGET_S (default 500 s, under the
# device tool's 600 s per call) is skipped, and the tarball and summary in
# $OUT are rewritten after every step, so a cut-off call still brings back
# everything done before it. Steps run in order of importance.
# GPU_VERIFY_DRY=1 walks the steps without running them (to test on a CPU).
set -u
OUT=${OUT:-/tmp/gpu-verify-out}
W=/tmp/gpu-verify # everything lands here, then one tarball in $OUT
rm -rf "$W" /tmp/gpu-results-bfc /tmp/gpu-results-platform /tmp/gpu-dump /tmp/gpu-profile
mkdir -p "$OUT" "$W"
export ALEXBENCH_DATA=${ALEXBENCH_DATA:-$PWD/.devdata/fashion-mnist}
BIN=${ALEXBENCH_BIN:-bin/alexbench}
LOG=$W/verify.log
START=$SECONDS
AUTOTUNE1=--xla_gpu_autotune_level=1
BUDGET=${GPU_VERIFY_BUDGET_S:-500}
N=0

pack() { # the outputs so far → $OUT (cheap: small files only)
	tar czf "$OUT/gpu-verify.tgz.tmp" -C /tmp gpu-verify $(cd /tmp && ls -d gpu-results-* gpu-profile 2>/dev/null) 2>>"$LOG" &&
		mv "$OUT/gpu-verify.tgz.tmp" "$OUT/gpu-verify.tgz"
	python3 scripts/gpu_summary.py "$W" >"$OUT/summary.md" 2>>"$LOG"
}

step() { # step NAME TIMEOUT CMD...: stdout → $W/NN-NAME.json (NN: run order), stderr → the log
	local name=$1 tmo=$2
	shift 2
	N=$((N + 1))
	name=$(printf '%02d-%s' "$N" "$name")
	if [ $((SECONDS - START + tmo)) -gt "$BUDGET" ]; then
		echo "[$((SECONDS - START))s] $name: skipped, could pass the ${BUDGET}s budget" | tee -a "$LOG"
		return
	fi
	echo "[$((SECONDS - START))s] $name: ${STEP_ENV:-}$*" | tee -a "$LOG"
	if [ -n "${GPU_VERIFY_DRY:-}" ]; then
		echo '{"dry_run": true}' >"$W/$name.json"
		return
	fi
	timeout -k 5 "$tmo" "$@" >"$W/$name.json" 2>>"$LOG"
	echo "[$((SECONDS - START))s] $name: exit $?" | tee -a "$LOG"
	head -c 400 "$W/$name.json"
	echo
	pack
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee "$W/card.txt" | tee -a "$LOG"
git log -1 --format="commit %h %cd" >>"$LOG" 2>&1

# 1. Speed at defaults vs autotune level 1, interleaved, then torch on the same card.
BENCH="$BIN train --model alexnet --backend auto --bench-steps 100"
step bench-default 30 $BENCH
STEP_ENV="ALEXBENCH_XLA_FLAGS=$AUTOTUNE1 " ALEXBENCH_XLA_FLAGS=$AUTOTUNE1 step bench-autotune1 30 $BENCH
step bench-default 30 $BENCH
STEP_ENV="ALEXBENCH_XLA_FLAGS=$AUTOTUNE1 " ALEXBENCH_XLA_FLAGS=$AUTOTUNE1 step bench-autotune1 30 $BENCH
step torch 80 python3 scripts/torch_ref.py --modes eager,compile

# 2. The d2l recipe (10 epochs, lr 0.01, b128, 224) at autotune level 1, and in bf16.
STEP_ENV="ALEXBENCH_XLA_FLAGS=$AUTOTUNE1 " ALEXBENCH_XLA_FLAGS=$AUTOTUNE1 step d2l-autotune1 75 $BIN train --model alexnet --backend auto --epochs 10 --json
step d2l-bf16 75 $BIN train --model alexnet --backend auto --epochs 10 --precision bf16 --json
step bench-bf16 30 $BENCH --precision bf16

# 3. E3 memory: the same sweep under both allocators (summaries carry the model).
step e3-bfc 60 $BIN run scripts/gpu-e3.toml --profile full --results /tmp/gpu-results-bfc
STEP_ENV="ALEXBENCH_XLA_ALLOCATOR=platform " ALEXBENCH_XLA_ALLOCATOR=platform step e3-platform 75 $BIN run scripts/gpu-e3.toml --profile full --results /tmp/gpu-results-platform
for a in bfc platform; do
	"$BIN" export --results /tmp/gpu-results-$a --format jsonl >"$W/e3-$a.jsonl" 2>>"$LOG"
done
pack

# 4. XLA's buffer assignment of the train step per batch (its own memory plan).
for b in 32 128 512; do
	d=/tmp/gpu-dump/b$b
	mkdir -p "$d"
	STEP_ENV="ALEXBENCH_XLA_FLAGS=--xla_dump_to=$d " ALEXBENCH_XLA_FLAGS="--xla_dump_to=$d --xla_dump_hlo_as_text" \
		step dump-b$b 30 $BIN train --model alexnet --backend auto --bench-steps 2 --batch $b
	# The largest module is the train step. XLA's memory-usage report starts with
	# "Total bytes used: N (…)": every allocation of the step, parameters (the
	# variables and the uploaded dataset), outputs and temporaries.
	m=$(ls -S "$d"/*memory-usage-report.txt 2>/dev/null | head -1)
	if [ -n "$m" ]; then
		grep -m1 "Total bytes used" "$m" >"$W/dump-b$b-total.txt"
		head -80 "$m" >"$W/dump-b$b-memory-report.txt"
	fi
	f=$(ls -S "$d"/*buffer-assignment.txt 2>/dev/null | head -1)
	[ -n "$f" ] && head -c 2000000 "$f" >"$W/dump-b$b-buffer-assignment.txt"
done
pack

# 5. If time is left: the d2l recipe at XLA defaults again (the level-1 run's
# control, same call), then E4 at every batch (its GPU table is at batch 128 only).
step d2l-default 75 $BIN train --model alexnet --backend auto --epochs 10 --json
step e4-profile 90 $BIN profile alexnet --batches 1,32,128,512 --backend auto --json -o /tmp/gpu-profile

echo "[$((SECONDS - START))s] done" | tee -a "$LOG"
pack
cat "$OUT/summary.md"
