#!/usr/bin/env bash
# CPU fine-tuning of the shipped model (issue 21): one session's training run, resumable.
#
#   bash training/cpu/run.sh OUT_DIR SECONDS [extra train.py options]
#
# Starts from training/checkpoints/attention_hpa.pt (the last kept CPU weights, float16 weights-only) or, when
# that does not exist yet, training/checkpoints/aa-hpa-v1.pt (recovered from the shipped package by recover.py).
# With OUT_DIR/attention_hpa.pt.opt present (a run in the same folder was interrupted or is being extended)
# it resumes that run instead: weights, Adam state and counters. A fresh Adam state (every new session: the
# .opt file lives in the ignored run folder) ramps the learning rate up over the first 500 steps (--warmup).
# Environment fix (measured, training/cpu/README.md): glibc malloc without mmap/trim (otherwise page faults of
# the large activation buffers dominate) and a single OpenBLAS thread (one spinning BLAS thread per torch
# thread otherwise competes for the two cores). Prints slices/s every --log-every steps.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: run.sh OUT_DIR SECONDS [train options]}
secs=${2:?usage: run.sh OUT_DIR SECONDS [train options]}
shift 2
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=${THREADS:-2}
export PYTHONPATH=training
cache=${CACHE:-.train-cache}
# bfloat16 autocast only where the CPU computes it natively (avx512_bf16 / amx_bf16): on others (AMD EPYC with
# AVX2, 2026-12-07) torch emulates it and a step takes minutes instead of half a second; float32 there.
prec=(--bf16)
grep -qE 'avx512_bf16|amx_bf16' /proc/cpuinfo 2>/dev/null || prec=()
[ -n "${BF16:-}" ] && { [ "$BF16" = 1 ] && prec=(--bf16) || prec=(); }
start=()
if [ -f "$out/attention_hpa.pt.opt" ]; then
  start=(--resume "$out/attention_hpa.pt")
elif [ -f training/checkpoints/attention_hpa.pt ]; then
  start=(--init training/checkpoints/attention_hpa.pt)
else
  start=(--init training/checkpoints/aa-hpa-v1.pt)
fi
mkdir -p "$out"
echo "run.sh: cache $cache, ${start[*]}, $secs s, threads ${THREADS:-2}, ${prec[*]:-float32}, extra: ${*:-none}, $(date -u +%FT%TZ)" | tee -a "$out/run.txt"
exec /usr/bin/python3 -m attention_anatomy.train --cache "$cache" --out "$out" --variant attention_hpa \
  --device cpu --threads "${THREADS:-2}" --seconds "$secs" --batch 8 --freeze-bn "${prec[@]}" --loss ce_dice \
  --stage-weights 0,0,1,0 --lr 1e-4,1e-4,1e-4,1e-4 --real-share 0.375 --phantom-share 0.125 --focus-slots 1 \
  --organ-weight 3 --warmup 500 --log-every 50 --weights-out "$out/attention_hpa.f16.pt" "${start[@]}" "$@"
