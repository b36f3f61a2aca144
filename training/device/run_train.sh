#!/usr/bin/env bash
# Train variants concurrently on one GPU within a wall-clock budget, evaluate them, export the product model,
# and leave the results in $OUT. Run from the repository root (the device tool does), with the cache carried:
#
#   device run  carry: [".train-cache"]
#               command: bash training/device/run_train.sh 540      (timeout_s 600)
#
# usage: run_train.sh TOTAL_SECONDS [--no-eval] [--no-export] [--batch N] [--variants "unet unet_hpa attention attention_hpa"]
#                     [any attention_anatomy.train option, e.g. --real-share 0.5 --phantom-share 0.15 --compile]
# Continuation (Model v2): a variant whose committed checkpoint training/checkpoints/<variant>.pt exists (float16
#   weights, CKPT_DIR overrides the folder; attention_hpa falls back to aa-hpa-v1.pt, the shipped weights recovered
#   by recover.py) starts from it with batch norm frozen and skips region pre-training (--stage-weights
#   0,30,20,20 unless given), so several GPU calls add up to one long run. Every variant's new float16
#   weights-only checkpoint goes to $OUT/checkpoints/<variant>.pt: commit it as training/checkpoints/<variant>.pt.
# Export (unless --no-export): $OUT/model/<MODEL_ID> (default aa-hpa-v2) from attention_hpa with the evaluation's
#   metrics (finish.sh installs it into public/models and index.json).
#   TOTAL_SECONDS  wall clock for everything (start-up, training, evaluation, packing); keep it ~60 s under
#                  the call's timeout_s. Training gets TOTAL - EVAL_RESERVE - 20 s, starting when the script
#                  starts (data loading comes out of the training time, so all variants stop together).
# With TEST_CACHE=DIR (e.g. out/eval-cache, carried too) the evaluation also scores that cache's test split.
# $OUT receives: <variant>.pt (~8 MB each, float32), checkpoints/<variant>.pt (float16, ~4 MB), <variant>.log.jsonl,
#   logs.tar.gz (stdout, nvidia-smi), eval.json + RESULTS.md (evaluation on the cache's val/test splits),
#   model/<MODEL_ID>/ (TF.js export of attention_hpa) and summary.txt.
# Here (no GPU) it runs the same way on the CPU: bash training/device/run_train.sh 60 --batch 2 (OUT=/tmp/x).
set -u
CMDLINE="$*"
TOTAL=${1:?usage: run_train.sh TOTAL_SECONDS [--no-eval] [--batch N] [--variants LIST]}
shift
EVAL=1
EXPORT=1
BATCH=64
VARIANTS="attention_hpa"
EXTRA=()
HAS_STAGES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-eval) EVAL=0 ;;
    --no-export) EXPORT=0 ;;
    --stage-weights) HAS_STAGES=1; EXTRA+=("$1") ;;
    --batch) BATCH=$2; shift ;;
    --variants) VARIANTS=$2; shift ;;
    *) EXTRA+=("$1") ;;
  esac
  shift
done
OUT=${OUT:-out/device-run}
CACHE=${CACHE:-.train-cache}
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/aa-train.XXXXXX)
T0=$(date +%s)

# The Python that has torch: the GPU image's python3; here Debian's /usr/bin/python3.
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for cand in python3 /usr/bin/python3; do
    if "$cand" -c 'import torch, numpy, scipy' 2>/dev/null; then PY=$cand; break; fi
  done
fi
[ -n "$PY" ] || { echo "no python with torch, numpy and scipy" >&2; exit 2; }
export PYTHONPATH="$PWD/training${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

# Unpack: the cache travels as lzma-compressed cases (+ an optional tarball of it).
if [ ! -f "$CACHE/index.json" ] && [ -f "$CACHE.tar" ]; then tar -xf "$CACHE.tar"; fi
[ -f "$CACHE/index.json" ] || { echo "no training cache at $CACHE (run attention_anatomy.prepare and carry it)" >&2; exit 2; }

NV=$(echo $VARIANTS | wc -w)
# seconds kept for the evaluation (env EVAL_RESERVE overrides the default TOTAL/8, at least 40)
RESERVE=${EVAL_RESERVE:-$(( TOTAL / 8 > 40 ? TOTAL / 8 : 40 ))}
EVAL_RESERVE=0
[ "$EVAL" = 1 ] && EVAL_RESERVE=$RESERVE
DEADLINE=$(( T0 + TOTAL - EVAL_RESERVE - 20 ))
{
  echo "start $(date -u +%FT%TZ) python $($PY -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available())')"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
  echo "variants: $VARIANTS; batch $BATCH; training until $(( DEADLINE - T0 )) s; eval reserve $EVAL_RESERVE s"
} | tee "$WORK/summary.txt"

CKPT_DIR=${CKPT_DIR:-training/checkpoints}
mkdir -p "$OUT/checkpoints"
pids=()
for v in $VARIANTS; do
  INIT=()
  START=""
  if [ -f "$CKPT_DIR/$v.pt" ]; then
    START="$CKPT_DIR/$v.pt"
  elif [ "$v" = attention_hpa ] && [ -f "$CKPT_DIR/aa-hpa-v1.pt" ]; then
    START="$CKPT_DIR/aa-hpa-v1.pt"  # the shipped weights, recovered from the package (recover.py)
  fi
  if [ -n "$START" ]; then
    # committed checkpoints carry identity batch-norm statistics (recover.py) or the CPU runs' frozen ones:
    # batch norm stays frozen (train-mode statistics would replace the folded ones)
    INIT=(--init "$START" --freeze-bn)
    [ "$HAS_STAGES" = 1 ] || INIT+=(--stage-weights 0,30,20,20)
    echo "$v: continuing from $START (batch norm frozen)" | tee -a "$WORK/summary.txt"
  else
    echo "$v: no $CKPT_DIR/$v.pt, training from scratch" | tee -a "$WORK/summary.txt"
  fi
  "$PY" -m attention_anatomy.train --cache "$CACHE" --out "$WORK" --variant "$v" --batch "$BATCH" \
    --deadline "$DEADLINE" --weights-out "$OUT/checkpoints/$v.pt" "${INIT[@]}" "${EXTRA[@]}" >"$WORK/$v.stdout" 2>&1 &
  pids+=($!)
done
# a GPU snapshot mid-run (memory, utilisation) for the logs
( sleep $(( (DEADLINE - T0) / 2 )); nvidia-smi >"$WORK/nvidia-smi.txt" 2>&1 ) &
snap=$!
fail=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { echo "training ${pids[$i]} failed" | tee -a "$WORK/summary.txt"; fail=1; }
done
kill "$snap" 2>/dev/null
for v in $VARIANTS; do
  grep -o 'slicesPerS=[0-9.]*' "$WORK/$v.stdout" | tail -n 1 | sed "s/^/$v last logged /" | tee -a "$WORK/summary.txt"
  tail -n 2 "$WORK/$v.stdout" | tee -a "$WORK/summary.txt"
  cp "$WORK/$v.log.jsonl" "$OUT/" 2>/dev/null
  [ -f "$WORK/$v.pt" ] && cp "$WORK/$v.pt" "$OUT/"
done
echo "training done at $(( $(date +%s) - T0 )) s" | tee -a "$WORK/summary.txt"

if [ "$EVAL" = 1 ] && ls "$WORK"/*.pt >/dev/null 2>&1; then
  GPU_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)
  MERGE=()
  # The held-out whole-body phantoms (split test) live in their own cache: TEST_CACHE, when carried.
  if [ -n "${TEST_CACHE:-}" ] && [ -f "$TEST_CACHE/index.json" ]; then
    timeout $(( (T0 + TOTAL - $(date +%s)) / 3 )) "$PY" -m attention_anatomy.evaluate "$WORK" --cache "$TEST_CACHE" \
      --splits test --json "$WORK/eval-test.json" \
      --command "TEST_CACHE=$TEST_CACHE bash training/device/run_train.sh $CMDLINE (evaluation on ${GPU_NAME:-cpu})" \
      >"$WORK/eval-test.stdout" 2>&1
    echo "test evaluation exit $? at $(( $(date +%s) - T0 )) s" | tee -a "$WORK/summary.txt"
    tail -n 4 "$WORK/eval-test.stdout" | tee -a "$WORK/summary.txt"
    [ -f "$WORK/eval-test.json" ] && MERGE=(--merge "$WORK/eval-test.json")
  fi
  timeout $(( T0 + TOTAL - $(date +%s) - 25 )) "$PY" -m attention_anatomy.evaluate "$WORK" --cache "$CACHE" \
    --json "$OUT/eval.json" --results "$OUT/RESULTS.md" "${MERGE[@]}" \
    --command "bash training/device/run_train.sh $CMDLINE (training and evaluation, ${GPU_NAME:-cpu})" \
    >"$WORK/eval.stdout" 2>&1
  echo "evaluation exit $? at $(( $(date +%s) - T0 )) s" | tee -a "$WORK/summary.txt"
  tail -n 8 "$WORK/eval.stdout" | tee -a "$WORK/summary.txt"
fi
MODEL_ID=${MODEL_ID:-aa-hpa-v2}
if [ "$EXPORT" = 1 ] && [ -f "$WORK/attention_hpa.pt" ]; then
  METRICS=()
  [ -f "$OUT/eval.json" ] && METRICS=(--metrics "$OUT/eval.json")
  "$PY" -m attention_anatomy.export --checkpoint "$WORK/attention_hpa.pt" "${METRICS[@]}" --id "$MODEL_ID" \
    --name "AttentionAnatomy + HPA v2 (synthesized anatomy)" --version 2.0.0 --out "$OUT/model/$MODEL_ID" \
    >"$WORK/export.stdout" 2>&1
  echo "export exit $? at $(( $(date +%s) - T0 )) s: $OUT/model/$MODEL_ID" | tee -a "$WORK/summary.txt"
fi
cp "$WORK/summary.txt" "$OUT/summary.txt"
tar -czf "$OUT/logs.tar.gz" -C "$WORK" $(cd "$WORK" && ls *.stdout *.jsonl eval-test.json nvidia-smi.txt 2>/dev/null)
ls -laR "$OUT"
rm -rf "$WORK"
exit $fail
