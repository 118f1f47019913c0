#!/usr/bin/env bash
# Submit a sweep to Slurm: an array of N workers and the job that renders the
# report after it. Run from the repository (or set ALEXBENCH_DEPLOY).
#
#   deploy/slurm/submit.sh [-n N] [--shard-mode] [-- extra sbatch flags]
#
#   claim mode (default): N tasks on one shared tree (ALEXBENCH_RESULTS), then
#                         report.sbatch with --dependency=afterany
#   --shard-mode:         N tasks, task i runs --shard i/N into its own tree,
#                         then merge.sbatch (merge + report) with --dependency=afterok
#
# Environment: see env.sh (ALEXBENCH, ALEXBENCH_RESULTS, ALEXBENCH_MATRICES,
# ALEXBENCH_PROFILE, ALEXBENCH_RUN_ARGS), and
#   ALEXBENCH_SLURM_GRES   GPUs per array task (default gpu:1; empty: none,
#                          for CPU-only clusters)
#   ALEXBENCH_SLURM_ARGS   sbatch flags for every job (--partition, --account, --time, …),
#                          split as a shell would: quote a value with spaces
#                          (--comment="nightly sweep")
#   ALEXBENCH_SLURM_LOGS   where job logs go (default slurm-logs/)
# It prints ARRAY_JOB=<id> as soon as the array is submitted (so it is never
# orphaned, even if the report job's submission then fails), then REPORT_JOB=<id>.
# A shard-mode task reads the shard count from ALEXBENCH_SHARD_COUNT, which
# this sets: to rerun shard 3 of 4 alone,
#   ALEXBENCH_SHARD_COUNT=4 sbatch --array=3 deploy/slurm/shard.sbatch
set -euo pipefail
n=4
mode=claim
while [ $# -gt 0 ]; do
  case "$1" in
    -n) [ $# -ge 2 ] || { echo "submit.sh: -n needs a number of tasks, like -n 4" >&2; exit 2; }
        n=$2; shift 2 ;;
    -n*) n=${1#-n}; shift ;;
    --shard-mode) mode=shard; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "submit.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$n" in ''|*[!0-9]*|0) echo "submit.sh: -n $n: want a number ≥ 1" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
export ALEXBENCH_DEPLOY=${ALEXBENCH_DEPLOY:-$here}
gres=${ALEXBENCH_SLURM_GRES-gpu:1}
logs=${ALEXBENCH_SLURM_LOGS:-slurm-logs}
mkdir -p "$logs"
# xargs splits as a shell does (quotes and backslashes kept together) without
# running anything in the value, unlike eval.
common=()
if [ -n "${ALEXBENCH_SLURM_ARGS:-}" ]; then
  split=$(xargs -n1 printf '%s\n' <<<"$ALEXBENCH_SLURM_ARGS") ||
    { echo "submit.sh: ALEXBENCH_SLURM_ARGS: unbalanced quotes in: $ALEXBENCH_SLURM_ARGS" >&2; exit 2; }
  mapfile -t common <<<"$split"
fi
common+=(--export=ALL --parsable "$@")
export ALEXBENCH_SHARD_COUNT=$n
gpu=()
[ -n "$gres" ] && gpu=(--gres="$gres")
if [ "$mode" = claim ]; then
  work=array.sbatch after=report.sbatch dep=afterany
else
  work=shard.sbatch after=merge.sbatch dep=afterok
fi
array=$(sbatch "${common[@]}" "${gpu[@]}" --array=1-"$n" --output="$logs/%x-%A_%a.out" "$ALEXBENCH_DEPLOY/$work")
array=${array%%;*} # --parsable prints id[;cluster]
echo "ARRAY_JOB=$array"
if ! report=$(sbatch "${common[@]}" --dependency="$dep:$array" --output="$logs/%x-%j.out" "$ALEXBENCH_DEPLOY/$after"); then
  echo "submit.sh: the array is job $array, but submitting $after failed; submit it by hand:" >&2
  echo "  sbatch --dependency=$dep:$array $ALEXBENCH_DEPLOY/$after   (or: scancel $array)" >&2
  exit 1
fi
report=${report%%;*}
echo "REPORT_JOB=$report"
echo "submitted $mode mode: $n tasks of $work (job $array${gres:+, $gres each}), then $after (job $report, $dep); logs in $logs/" >&2
