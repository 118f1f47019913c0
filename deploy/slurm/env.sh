# Sourced by every job script here: what the jobs run, and on what. Set these in
# the environment before submit.sh (sbatch passes the environment on, --export=ALL).
#   ALEXBENCH           the alexbench binary (default: alexbench on PATH, else
#                       bin/alexbench in the folder the job was submitted from)
#   ALEXBENCH_RESULTS   the results tree (claim mode: on the shared filesystem)
#   ALEXBENCH_MATRICES  the matrices, space-separated (default: experiments/e*.toml)
#   ALEXBENCH_PROFILE   quick, full or auto (default: auto)
#   ALEXBENCH_RUN_ARGS  more flags for `alexbench run` (e.g. --retry-failed)
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
if [ -z "${ALEXBENCH:-}" ]; then
  ALEXBENCH=$(command -v alexbench || echo "$PWD/bin/alexbench")
fi
: "${ALEXBENCH_RESULTS:=results}"
: "${ALEXBENCH_MATRICES:=$(echo experiments/e*.toml)}"
: "${ALEXBENCH_PROFILE:=auto}"
: "${ALEXBENCH_RUN_ARGS:=}"
log() { echo "[$(date -u +%FT%TZ) ${SLURM_JOB_ID:-?}${SLURM_ARRAY_TASK_ID:+_$SLURM_ARRAY_TASK_ID} $(hostname)] $*"; }
