#!/usr/bin/env bash
# The full profile on one GPU (the d2l-scale report), packed and resumable, inside one
# device call, with torch.compile's AlexNet b128 step and E3's peak memory
# under the platform allocator in the same call.
#
#   run(command="bash scripts/gpu-ablation.sh", carry=["bin", ".devdata"], timeout_s=560)
#
# Builds nothing: bin/alexbench, .devdata/fashion-mnist and the state so far
# (.devdata/ablation/: results tree, autotune cache, torch.json, the E3
# platform tree) are carried. Steps already done in the carried state are
# skipped. `alexbench run` gets what is left of ABLATION_BUDGET_S (default
# 540 s) less ABLATION_RESERVE_S (default 40 s, for its SIGTERM grace and
# the copy out); at that point `timeout` sends it SIGTERM, which records the
# cells in flight as interrupted and exits 143, and the next call redoes
# them. Last, $OUT/ablation.tgz is the whole state: unpack it into
# .devdata/ablation/ before the next call (docs/GPU.md §6, the d2l-scale report).
# $OUT/status.txt is `alexbench status`, $OUT/ablation.log this call's log,
# $OUT/state.txt one line: complete or partial.
#
# Knobs: ALEXBENCH_BIN, ALEXBENCH_DATA, ABLATION_STATE, ABLATION_JOBS
# (default 4), ABLATION_MATRICES (default experiments/*.toml),
# ABLATION_TORCH (the torch command; tests pass a stub), ABLATION_TORCH_MIN_S
# ABLATION_BENCH_MIN_S, ABLATION_E3_MIN_S and ABLATION_RUN_MIN_S (the seconds that must be left to start those steps).
# Tested on a CPU with a stand-in alexbench: scripts/ablation_test.go.
set -u
OUT=${OUT:-/tmp/gpu-ablation-out}
BIN=${ALEXBENCH_BIN:-bin/alexbench}
STATE=${ABLATION_STATE:-.devdata/ablation}
BUDGET=${ABLATION_BUDGET_S:-540}
RESERVE=${ABLATION_RESERVE_S:-40}
JOBS=${ABLATION_JOBS:-4}
TORCH=${ABLATION_TORCH:-python3 scripts/torch_ref.py --batch 128 --size 224 --modes compile}
export ALEXBENCH_DATA=${ALEXBENCH_DATA:-$PWD/.devdata/fashion-mnist}
START=$SECONDS
mkdir -p "$OUT" "$STATE"
LOG=$OUT/ablation.log
: >"$LOG"

say() { echo "[$((SECONDS - START))s] $*" | tee -a "$LOG"; }
left() { echo $((BUDGET - RESERVE - (SECONDS - START))); }

if [ ! -x "$BIN" ]; then
	say "no $BIN: build it before the call (make build) and carry bin; nothing is built on the device"
	exit 2
fi
# Unquoted on purpose: the default is a glob.
# shellcheck disable=SC2086
MATRICES=$(ls ${ABLATION_MATRICES:-experiments/*.toml})
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >>"$LOG" 2>&1 || say "nvidia-smi: not available"
git log -1 --format="commit %h %cd" >>"$LOG" 2>&1

# 1. torch.compile's AlexNet b128 step on this card (once per state).
if [ -s "$STATE/torch.json" ]; then
	say "torch: done in an earlier call ($STATE/torch.json)"
elif [ "$(left)" -gt "${ABLATION_TORCH_MIN_S:-120}" ]; then
	say "torch: $TORCH"
	timeout -k 5 90 bash -c "$TORCH" >"$STATE/torch.json.tmp" 2>>"$LOG" && mv "$STATE/torch.json.tmp" "$STATE/torch.json"
	say "torch: exit $?"
else
	say "torch: skipped, $(left) s left"
fi

# 1b. Our step beside it, once per state, 100 steps each: XLA defaults, autotune
# level 1, conv1 as space-to-depth (--conv1 space_to_depth), and both.
if [ -e "$STATE/bench.done" ]; then
	say "bench: done in an earlier call"
elif [ "$(left)" -gt "${ABLATION_BENCH_MIN_S:-150}" ]; then
	B="$BIN train --model alexnet --backend auto --bench-steps 100"
	for v in default::strided autotune1:--xla_gpu_autotune_level=1:strided s2d::space_to_depth s2d-autotune1:--xla_gpu_autotune_level=1:space_to_depth; do
		IFS=: read -r name flags conv1 <<<"$v"
		say "bench-$name: ALEXBENCH_XLA_FLAGS=$flags $B --conv1 $conv1"
		ALEXBENCH_XLA_FLAGS=$flags timeout -k 5 30 $B --conv1 "$conv1" --json >"$STATE/bench-$name.json" 2>>"$LOG"
		say "bench-$name: exit $?"
	done
	touch "$STATE/bench.done" # one attempt per state: a failure is in the log, not retried each call
else
	say "bench: skipped, $(left) s left"
fi

# 2. E3's peak memory under the platform allocator (cudaMalloc per buffer, so
# NVML follows the live buffers): one job, nothing beside it.
if [ -e "$STATE/e3-platform.done" ]; then
	say "e3-platform: done in an earlier call"
elif [ "$(left)" -gt "${ABLATION_E3_MIN_S:-60}" ]; then
	say "e3-platform: ALEXBENCH_XLA_ALLOCATOR=platform $BIN run scripts/gpu-e3.toml --jobs 1"
	ALEXBENCH_XLA_ALLOCATOR=platform timeout -k 10 --signal=TERM $(($(left) / 3)) \
		"$BIN" run scripts/gpu-e3.toml --profile full --jobs 1 --no-wait --results "$STATE/e3-platform" >>"$LOG" 2>&1
	rc=$?
	[ $rc -eq 0 ] && touch "$STATE/e3-platform.done"
	say "e3-platform: exit $rc"
fi

# 3. The full profile, packed, until done or the budget's end.
rc=none
if [ "$(left)" -gt "${ABLATION_RUN_MIN_S:-20}" ]; then
	say "run: $BIN run <$(echo "$MATRICES" | wc -w) matrices> --profile full --jobs $JOBS, SIGTERM in $(left) s"
	# shellcheck disable=SC2086
	timeout -k 20 --signal=TERM "$(left)" "$BIN" run $MATRICES --profile full --jobs "$JOBS" --no-wait \
		--results "$STATE/results" >>"$LOG" 2>&1
	rc=$?
	say "run: exit $rc (0: every cell finished; 124: stopped at the budget, the cells in flight marked interrupted)"
else
	say "run: skipped, $(left) s left"
fi

# 4. The state out, whatever happened above.
"$BIN" status --results "$STATE/results" >"$OUT/status.txt" 2>&1
if [ "$rc" = 0 ] && [ -e "$STATE/e3-platform.done" ] && [ -s "$STATE/torch.json" ] && [ -e "$STATE/bench.done" ]; then
	echo complete >"$OUT/state.txt"
else
	echo partial >"$OUT/state.txt"
fi
tar czf "$OUT/ablation.tgz.tmp" -C "$STATE" . 2>>"$LOG" && mv "$OUT/ablation.tgz.tmp" "$OUT/ablation.tgz"
say "state $(cat "$OUT/state.txt"): $OUT/ablation.tgz ($(du -h "$OUT/ablation.tgz" | cut -f1))"
