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
#   ALEXBENCH_SLURM_ARGS   sbatch flags for every job (--partition, --account, --time, …)
#   ALEXBENCH_SLURM_LOGS   where job logs go (default slurm-logs/)
# It prints ARRAY_JOB=<id> and REPORT_JOB=<id>.
set -euo pipefail
n=4
mode=claim
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
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
read -r -a common <<<"${ALEXBENCH_SLURM_ARGS:-}"
common+=(--export=ALL --parsable "$@")
gpu=()
[ -n "$gres" ] && gpu=(--gres="$gres")
if [ "$mode" = claim ]; then
  work=array.sbatch after=report.sbatch dep=afterany
else
  work=shard.sbatch after=merge.sbatch dep=afterok
fi
array=$(sbatch "${common[@]}" "${gpu[@]}" --array=1-"$n" --output="$logs/%x-%A_%a.out" "$ALEXBENCH_DEPLOY/$work")
array=${array%%;*} # --parsable prints id[;cluster]
report=$(sbatch "${common[@]}" --dependency="$dep:$array" --output="$logs/%x-%j.out" "$ALEXBENCH_DEPLOY/$after")
report=${report%%;*}
echo "ARRAY_JOB=$array"
echo "REPORT_JOB=$report"
echo "submitted $mode mode: $n tasks of $work (job $array${gres:+, $gres each}), then $after (job $report, $dep); logs in $logs/" >&2
