#!/usr/bin/env bash
# gpu-check.sh — ONE device call: d2l AlexNet b128@224 train step on this GPU,
# PyTorch (eager, torch.compile) and ours (bin/alexbench on GoMLX/XLA CUDA) side
# by side, a 1-epoch real-data run, and the XLA variants that bisect a slow or
# hanging first step. Prints one table last.
#
# Run from the repo root on the GPU machine (no network needed) with $OUT set:
#   bash scripts/gpu-check.sh
# It needs bin/alexbench (built on the dev machine and carried) and Fashion-MNIST
# in .devdata/fashion-mnist (carried). Every step has a timeout and its failure
# is recorded, never fatal; the whole script keeps within GPU_CHECK_BUDGET_S.
#
# Environment:
#   OUT                   where results go (default /tmp/gpu-check); at most 5 files:
#                         summary.md  the table; results.jsonl  one JSON line per variant;
#                         gpu-check.log  every step's command and trimmed output;
#                         env.txt  card, driver, plugin, versions, XLA flags the plugin knows;
#                         logs.tgz  untrimmed logs, HLO dumps, XLA autotune results.
#   GPU_CHECK_BUDGET_S    seconds for the whole script (default 460)
#   GPU_CHECK_DRY=1       no GPU, torch or binary needed: walk every step, print the table with n/a
#   ALEXBENCH_BIN         the binary (default bin/alexbench)
#   ALEXBENCH_DATA        Fashion-MNIST dir (default .devdata/fashion-mnist)
#   GPU_CHECK_BENCH_ARGS  extra args for every `train` call (e.g. "--batch 128 --resize 224")
set -u
cd "$(dirname "$0")/.." || exit 1

OUT=${OUT:-/tmp/gpu-check}
BUDGET=${GPU_CHECK_BUDGET_S:-460}
DRY=${GPU_CHECK_DRY:-0}
BIN=${ALEXBENCH_BIN:-bin/alexbench}
export ALEXBENCH_DATA=${ALEXBENCH_DATA:-$PWD/.devdata/fashion-mnist}
read -r -a EXTRA_ARGS <<<"${GPU_CHECK_BENCH_ARGS:-}"
START=$SECONDS
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/gpu-check-work.XXXXXX)
mkdir -p "$WORK/logs" "$WORK/dump"
RESULTS=$OUT/results.jsonl
LOG=$OUT/gpu-check.log
ENVF=$OUT/env.txt
: >"$RESULTS"
: >"$LOG"
: >"$ENVF"

say() { echo "[gpu-check $((SECONDS - START))s] $*" | tee -a "$LOG" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
left() { echo $((BUDGET - (SECONDS - START))); }

# json_row VARIANT STATUS RC WALL NOTE [KEY=VALUE...]: append one results line.
json_row() {
	python3 - "$@" >>"$RESULTS" <<'PY' || echo "{\"variant\": \"$1\", \"status\": \"$2\"}" >>"$RESULTS"
import json, sys
v, status, rc, wall, note, *kv = sys.argv[1:]
row = {"variant": v, "status": status, "rc": int(rc) if rc.lstrip("-").isdigit() else None,
       "wall_s": float(wall) if wall else None, "note": note}
for item in kv:
    k, _, val = item.partition("=")
    try:
        row[k] = json.loads(val)
    except ValueError:
        row[k] = val
print(json.dumps(row))
PY
}

# parse_ours STDOUT STDERR: the binary's JSON output → one JSON object of the
# fields the table wants (keys as the trainer may spell them).
parse_ours() {
	python3 - "$1" "$2" <<'PY'
import json, re, sys
out, err = sys.argv[1], sys.argv[2]
merged = {}
def walk(o):
    if isinstance(o, dict):
        if isinstance(o.get("backend"), dict):  # an Info object: its name
            merged["backend"] = o["backend"].get("name")
        merged.update({k: v for k, v in o.items() if not isinstance(v, (dict, list))})
        for k, v in o.items():
            if k == "epochs" and isinstance(v, list) and v:
                last = v[-1]
                if isinstance(last, dict):
                    for kk, vv in last.items():
                        merged.setdefault("last_" + kk, vv)
            elif isinstance(v, dict):
                walk(v)
# Objects may be one per line (--bench-steps) or indented (train --json).
text = open(out, errors="replace").read()
dec, i = json.JSONDecoder(), 0
while True:
    i = text.find("{", i)
    if i < 0:
        break
    try:
        obj, end = dec.raw_decode(text, i)
        walk(obj)
        i = end
    except ValueError:
        i += 1
def pick(*names):
    for n in names:
        if merged.get(n) is not None:
            return merged[n]
    return None
row = {
    "first_step_s": pick("first_step_s", "first_step_seconds"),
    "step_ms": pick("step_ms", "median_step_ms", "step_millis"),
    "img_s": pick("img_s", "img_per_s", "images_per_sec", "examples_per_sec", "last_examples_per_sec"),
    "peak_mib": pick("peak_mib", "peak_mem_mib", "peak_memory_mib"),
    "test_acc": pick("test_acc", "last_test_acc"),
    "epoch_s": pick("last_epoch_seconds", "epoch_seconds"),
    "backend": pick("backend", "backend_name"),
    "device": pick("device"),
    "outcome": pick("outcome"),
    "error": pick("error"),
}
if row["peak_mib"] is None:
    b = pick("peak_bytes", "peak_mem_bytes", "peak_device_bytes")
    if isinstance(b, (int, float)):
        row["peak_mib"] = round(b / 2**20, 1)
if row["img_s"] is None and isinstance(row["step_ms"], (int, float)) and row["step_ms"] > 0:
    row["img_s"] = round(128 * 1000 / row["step_ms"], 1)
# The last error-looking line of stderr (else its last line), for the note.
last = tail = ""
for line in open(err, errors="replace"):
    if line.strip():
        tail = line.strip()
    if re.search(r"(error|fatal|panic|abort|unknown|not defined|killed|out of memory|taking a while|slow)", line, re.I):
        last = line.strip()
row["stderr_hint"] = (last or tail)[-300:]
for line in open(err, errors="replace"):
    if line.startswith("backend "):  # harness/backend's Info line
        row["backend_line"] = line.strip()[:300]
        break
print(json.dumps({k: v for k, v in row.items() if v is not None and v != ""}))
PY
}

# mem sampler: max memory.used (MiB) on GPU 0 while a step runs.
mem_start() {
	MEM_FILE=$WORK/mem.$1
	MEM_BASE=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 2>/dev/null | head -1 | tr -dc 0-9)
	nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 -lms 200 >"$MEM_FILE" 2>/dev/null &
	MEM_PID=$!
}
mem_stop() { # prints the peak minus the baseline, or nothing
	kill "$MEM_PID" 2>/dev/null
	wait "$MEM_PID" 2>/dev/null
	local peak
	peak=$(tr -dc '0-9\n' <"$MEM_FILE" | sort -n | tail -1)
	[ -n "$peak" ] && [ -n "${MEM_BASE:-}" ] && echo $((peak - MEM_BASE))
}

# trimmed copy of a log into gpu-check.log (head + tail), full copy kept for logs.tgz.
append_log() {
	local f=$1 n
	n=$(wc -l <"$f")
	if [ "$n" -le 400 ]; then cat "$f" >>"$LOG"; else
		{
			head -n 80 "$f"
			echo "… [$((n - 380)) lines cut; full log in logs.tgz] …"
			tail -n 300 "$f"
		} >>"$LOG"
	fi
}

# run_step NAME TIMEOUT KIND -- CMD...: runs CMD with the timeout (cut to the
# budget left), samples GPU memory, logs, and records one results row.
# KIND is "ours" (parse the binary's JSON) or "torch" (rows come from its stdout).
# Sets STEP_OK=1 when the step succeeded with a step time.
run_step() {
	local name=$1 tmo=$2 kind=$3
	shift 4
	STEP_OK=0
	local slug rem t0 rc wall smi so se
	slug=$(echo "$name" | tr -c 'a-zA-Z0-9=._-' '_')
	rem=$(($(left) - 20))
	if [ "$rem" -lt 15 ]; then
		say "SKIP $name: budget spent"
		json_row "$name" skipped "" "" "budget spent (GPU_CHECK_BUDGET_S=$BUDGET)"
		return
	fi
	[ "$tmo" -gt "$rem" ] && tmo=$rem
	so=$WORK/logs/$slug.out
	se=$WORK/logs/$slug.err
	say "RUN  $name (timeout ${tmo}s): ${STEP_ENV:-} $*"
	{
		echo
		echo "===== $name — timeout ${tmo}s — $(date -u +%FT%TZ)"
		echo "env: ${STEP_ENV:-}"
		echo "cmd: $*"
	} >>"$LOG"
	if [ "$DRY" = 1 ]; then
		echo "(dry run: not executed)" >"$so"
		: >"$se"
		rc=0
		wall=0
	else
		mem_start "$slug"
		t0=$(date +%s.%N)
		timeout -k 10 "$tmo" "$@" >"$so" 2>"$se"
		rc=$?
		wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
		smi=$(mem_stop)
	fi
	{
		echo "--- stdout"
		append_log "$so"
		echo "--- stderr"
		append_log "$se"
		echo "--- rc=$rc wall=${wall}s"
	} >>"$LOG" 2>/dev/null
	local status=ok note=""
	if [ "$DRY" = 1 ]; then
		if [ "$kind" = torch ]; then
			IFS=, read -r -a tv <<<"$TORCH_VARIANTS"
			for v in "${tv[@]}"; do json_row "$v" dry "" "" "GPU_CHECK_DRY=1: not run"; done
		else
			json_row "$name" dry "" "" "GPU_CHECK_DRY=1: not run" "env=${STEP_ENV:-}"
		fi
		return
	fi
	case $rc in
	0) ;;
	124 | 137) status=timeout note="no result within ${tmo}s" ;;
	*) status=failed note="exit $rc" ;;
	esac
	if [ "$kind" = torch ]; then
		# torch_ref.py prints one row per mode; add wall/smi and keep them.
		python3 - "$so" "$status" "$rc" "${smi:-}" "$TORCH_VARIANTS" >>"$RESULTS" <<'PY' || true
import json, sys
path, status, rc, smi, expected = sys.argv[1:]
rows = []
for line in open(path, errors="replace"):
    line = line.strip()
    if line.startswith("{"):
        try:
            rows.append(json.loads(line))
        except ValueError:
            pass
for r in rows:
    if smi:
        r["smi_mib"] = int(smi)  # for the whole python process, all modes
    print(json.dumps(r))
# A mode cut off by the timeout (or a crash) printed nothing: say so.
seen = {r.get("variant") for r in rows}
for v in expected.split(","):
    if v not in seen:
        print(json.dumps({"variant": v, "status": status if status != "ok" else "failed", "rc": int(rc),
                          "note": "no JSON from torch_ref.py (cut off?); see gpu-check.log"}))
PY
		grep -q '"status": "ok"' "$so" 2>/dev/null && STEP_OK=1
		return
	fi
	local parsed
	parsed=$(parse_ours "$so" "$se" 2>/dev/null || echo '{}')
	[ -z "$parsed" ] && parsed='{}'
	if [ "$status" = ok ] && ! echo "$parsed" | grep -q '"step_ms"\|"test_acc"'; then
		status=failed note="exit 0 but no step_ms/test_acc in its JSON"
	fi
	[ "$status" = ok ] && STEP_OK=1
	json_row "$name" "$status" "$rc" "$wall" "$note" "parsed=$parsed" "smi_mib=${smi:-null}" "env=${STEP_ENV:-}"
}

# ---------------------------------------------------------------- environment
say "budget ${BUDGET}s, OUT=$OUT, dry=$DRY"
{
	echo "date: $(date -u +%FT%TZ)"
	echo "host: $(hostname)"
	echo "repo: $(git rev-parse --short HEAD 2>/dev/null) $(git status --porcelain 2>/dev/null | wc -l) uncommitted"
	echo "--- nvidia-smi"
	nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv 2>&1
	nvidia-smi 2>&1 | head -20
	echo "--- binary"
	ls -la "$BIN" 2>&1
	echo "--- data ($ALEXBENCH_DATA)"
	ls -la "$ALEXBENCH_DATA" 2>&1
	echo "--- python packages"
	python3 - <<'PY'
import importlib.metadata as md
for d in sorted(md.distributions(), key=lambda d: d.metadata["Name"].lower()):
    n = d.metadata["Name"].lower()
    if n.startswith(("torch", "jax", "triton", "nvidia-cudnn", "nvidia-cublas", "nvidia-cuda-runtime", "nvidia-cuda-nvcc")):
        print(n, d.version)
PY
} >>"$ENVF" 2>&1
if have nvidia-smi; then nvidia-smi -L 2>&1 | tee -a "$LOG" >&2; else say "nvidia-smi not found"; fi

# jax's CUDA PJRT plugin, the way pip laid it out (no jax import: milliseconds).
PLUGIN=$(python3 - 2>/dev/null <<'PY'
import glob, site, sys
dirs = list(site.getsitepackages()) + [site.getusersitepackages()] + [p for p in sys.path if p.endswith("-packages")]
hits = []
for d in dirs:
    hits += glob.glob(d + "/jax_plugins/xla_cuda*/xla_cuda_plugin.so")
hits = sorted(set(hits), key=lambda p: p.split("xla_cuda")[-2][-3:], reverse=True)
print(hits[0] if hits else "")
PY
)
say "jax CUDA plugin (python's view): ${PLUGIN:-none}"
echo "--- jax CUDA plugin: ${PLUGIN:-none}" >>"$ENVF"
KNOWN_FLAGS=$WORK/xla-flags.txt
: >"$KNOWN_FLAGS"
if [ -n "$PLUGIN" ]; then
	# XLA aborts on unknown flags: list the ones this plugin has, use only those.
	grep -aoE 'xla_[a-z0-9_]{4,}' "$PLUGIN" 2>/dev/null | sort -u >"$KNOWN_FLAGS"
	echo "--- XLA flag-like names in the plugin: $(wc -l <"$KNOWN_FLAGS") (full list in logs.tgz)" >>"$ENVF"
	grep -E 'autotune|triton_gemm|cublaslt|cudnn|dump_to|per_fusion|dump_autotune' "$KNOWN_FLAGS" >>"$ENVF"
fi
flag_known() { [ "$DRY" = 1 ] || grep -qx "$1" "$KNOWN_FLAGS"; }
# flags NAME=VALUE...: sets FLAGS to "--name=value ..." for each flag the plugin
# knows, and DROPPED to the names it does not (they are left out).
flags() {
	local f
	FLAGS="" DROPPED=""
	for f in "$@"; do
		if flag_known "${f%%=*}"; then FLAGS="$FLAGS --$f"; else DROPPED="$DROPPED ${f%%=*}"; fi
	done
	FLAGS=${FLAGS# } DROPPED=${DROPPED# }
	if [ -n "$DROPPED" ]; then echo "flags unknown to the plugin, left out: $DROPPED" >>"$LOG"; fi
}

# Which --backend: auto if our discovery picks the GPU by itself (checked with
# a LeNet bench, which also proves the binary runs), else the plugin python
# found, by path, so a discovery bug costs one row, not the run.
BACKEND=auto
if [ "$DRY" != 1 ]; then
	say "probe: $BIN train --model lenet --backend auto --bench-steps 20"
	timeout -k 5 60 "$BIN" train --model lenet --backend auto --bench-steps 20 --json \
		>"$WORK/logs/probe.out" 2>"$WORK/logs/probe.err"
	rc=$?
	line=$(grep -m1 '^backend ' "$WORK/logs/probe.err")
	echo "--- auto probe (rc=$rc): ${line:-no backend line; stderr: $(tail -c 300 "$WORK/logs/probe.err")}" >>"$ENVF"
	json_row "ours lenet probe (auto)" "$([ "$rc" = 0 ] && echo ok || echo failed)" "$rc" "" "${line:0:200}" \
		"parsed=$(parse_ours "$WORK/logs/probe.out" "$WORK/logs/probe.err" 2>/dev/null || echo '{}')"
	if ! echo "$line" | grep -q '^backend xla:cuda'; then
		[ -n "$PLUGIN" ] && BACKEND="xla:$PLUGIN"
		say "auto did not choose xla:cuda (${line:-see env.txt}); using --backend $BACKEND"
	fi
fi
say "ours: --backend $BACKEND"

# ---------------------------------------------------------------- PyTorch
STEP_ENV=""
TORCH_VARIANTS="torch eager,torch eager bf16-autocast,torch.compile"
run_step "torch" 130 torch -- python3 scripts/torch_ref.py --modes eager,eager-bf16,compile

# ---------------------------------------------------------------- ours
TRAIN=("$BIN" train --model alexnet --backend "$BACKEND" "${EXTRA_ARGS[@]}")
BENCH=("${TRAIN[@]}" --bench-steps 50 --json)

BEST_FLAGS=""
# ours_env FLAGS...: the XLA flags (and XLA's own timestamped log lines, which
# say which pass or autotuner the time goes to) for the next ours step.
ours_env() {
	export TF_CPP_MIN_LOG_LEVEL=0
	export TF_CPP_VMODULE=gpu_compiler=1,conv_algorithm_picker=1,gemm_algorithm_picker=1,gemm_fusion_autotuner=1
	local v="$*"
	v=${v#"${v%%[! ]*}"}
	export ALEXBENCH_XLA_FLAGS="${v%"${v##*[! ]}"}"
	STEP_ENV="ALEXBENCH_XLA_FLAGS='$ALEXBENCH_XLA_FLAGS' TF_CPP_VMODULE=$TF_CPP_VMODULE"
}

# try_variant NAME TIMEOUT [--diag] FLAG=VALUE...: a bench run with those XLA
# flags (skipped if the plugin lacks one); the first variant that works gives
# the epoch run its flags. --diag flags (dumps) are dropped quietly and not kept.
try_variant() {
	local name=$1 tmo=$2 diag=""
	shift 2
	local keep=() f
	for f in "$@"; do
		case $f in --diag=*) diag="$diag ${f#--diag=}" ;; *) keep+=("$f") ;; esac
	done
	flags "${keep[@]}"
	if [ -n "$DROPPED" ]; then
		json_row "$name" skipped "" "" "plugin lacks XLA flag(s): $DROPPED"
		return
	fi
	local recipe=$FLAGS
	# shellcheck disable=SC2086 # diag is a list of words
	flags $diag
	ours_env "$recipe $FLAGS"
	run_step "$name" "$tmo" ours -- "${BENCH[@]}"
	if [ "$STEP_OK" = 1 ] && [ -z "$BEST_NAME" ]; then
		BEST_FLAGS=$recipe BEST_NAME=${name#ours }
	fi
}
BEST_NAME=""

# 1. defaults (autotuning on), with HLO + autotune dumps.
try_variant "ours default" 110 "--diag=xla_dump_to=$WORK/dump/default" --diag=xla_dump_hlo_as_text \
	"--diag=xla_gpu_dump_autotune_results_to=$WORK/dump/default-autotune.txt" \
	"--diag=xla_gpu_dump_autotune_logs_to=$WORK/dump/default-autotune-logs.txt"

# 2. autotune level 0: known to compile fast but run slowly (no cuDNN algorithm
#    picking at all); its optimized HLO shows what XLA made of our graph.
flags xla_gpu_autotune_level=0 "xla_dump_to=$WORK/dump/autotune0" xla_dump_hlo_as_text
ours_env "$FLAGS"
run_step "ours autotune=0" 40 ours -- "${TRAIN[@]}" --bench-steps 3 --json

epoch_run() {
	ours_env "$BEST_FLAGS"
	run_step "ours 1 epoch (${BEST_NAME:-defaults})" 120 ours -- "${TRAIN[@]}" --epochs 1 --json
	EPOCH_DONE=1
}
EPOCH_DONE=0
[ -n "$BEST_NAME" ] && epoch_run

# 3. Hopper makes every f32 conv NHWC (conv1 has 1 input channel): NCHW instead.
try_variant "ours conv_nchw" 100 xla_gpu_force_conv_nchw=true
# 4. autotuning without buffer init and correctness checks (each cuDNN engine run once).
try_variant "ours autotune=1" 100 xla_gpu_autotune_level=1 "--diag=xla_gpu_dump_autotune_results_to=$WORK/dump/autotune1-autotune.txt"

# 5. one real-data epoch with the first flags that worked (none worked: defaults).
[ "$EPOCH_DONE" = 0 ] && epoch_run

# 6. bisecting variants while the budget lasts: Triton GEMMs off, dropout off (RNG), bf16.
try_variant "ours triton_gemm=false" 90 xla_gpu_enable_triton_gemm=false
ours_env "$BEST_FLAGS"
run_step "ours dropout=0" 90 ours -- "${BENCH[@]}" --dropout 0
run_step "ours bf16" 90 ours -- "${BENCH[@]}" --precision bf16

# ---------------------------------------------------------------- pack and print
cp "$KNOWN_FLAGS" "$WORK/logs/" 2>/dev/null
(cd "$WORK" && find dump -type f \( -name '*optimizations.txt' -o -name '*autotune*' \) 2>/dev/null |
	tar czf "$OUT/logs.tgz" logs -T - 2>/dev/null) || say "packing logs.tgz failed"

python3 - "$RESULTS" >"$OUT/summary.md" 2>>"$LOG" <<'PY' || { echo "(python3 missing: raw results)"; cat "$RESULTS"; } >"$OUT/summary.md"
import json, sys
rows = []
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    p = r.get("parsed") if isinstance(r.get("parsed"), dict) else {}
    for k, v in p.items():
        r.setdefault(k, v)
    rows.append(r)
ref = next((r.get("step_ms") for r in rows if r.get("variant") == "torch.compile" and r.get("step_ms")), None)
def f(v, nd=1):
    if v is None or v == "":
        return "n/a"
    if isinstance(v, (int, float)):
        return f"{v:,.{nd}f}"
    return str(v)
hdr = ["variant", "status", "first step s", "step ms", "img/s", "vs torch.compile", "peak MiB", "smi Δ MiB", "test acc", "note"]
out = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
for r in rows:
    step = r.get("step_ms")
    ratio = f"{step / ref:.2f}×" if ref and isinstance(step, (int, float)) else "n/a"
    note = "; ".join(str(x) for x in (r.get("note"), r.get("error"), r.get("stderr_hint") if r.get("status") != "ok" else None) if x)
    if r.get("backend") and r.get("variant", "").startswith("ours"):
        note = (str(r["backend"]) + "; " + note).strip("; ")
    if r.get("variant", "").startswith("torch") and r.get("device"):
        note = (f"{r['device']}, torch {r.get('torch')}, matmul tf32={r.get('matmul_tf32')}; " + note).strip("; ")
    out.append("| " + " | ".join([
        str(r.get("variant")), str(r.get("status")), f(r.get("first_step_s"), 2), f(step, 2), f(r.get("img_s"), 0),
        ratio, f(r.get("peak_mib"), 0), f(r.get("smi_mib"), 0), f(r.get("test_acc"), 4), note.replace("|", "/")[:160],
    ]) + " |")
print("\n".join(out))
PY
say "done in $((SECONDS - START))s; files in $OUT: $(find "$OUT" -maxdepth 1 -type f -printf '%f ')"
rm -rf "$WORK"
echo
cat "$OUT/summary.md"
