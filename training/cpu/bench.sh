#!/usr/bin/env bash
# Training throughput on this CPU, with and without the environment fix of run.sh (training/cpu/bench.py).
# usage: bash training/cpu/bench.sh [CACHE] [SECONDS_PER_CONFIG]
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${1:-.train-cache}
secs=${2:-40}
export PYTHONPATH=training:training/cpu
echo "== without the environment fix"
OMP_NUM_THREADS=2 /usr/bin/python3 training/cpu/bench.py --cache "$cache" --seconds "$secs"
echo "== with MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1e11 OPENBLAS_NUM_THREADS=1 (run.sh)"
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2 \
  /usr/bin/python3 training/cpu/bench.py --cache "$cache" --seconds "$secs"
