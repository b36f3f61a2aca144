#!/usr/bin/env bash
# After the GPU run: ship its results. Run here, in the repository root, on the folder the device tool
# returned (files_at), e.g.  bash training/device/finish.sh /work/.device/<...>
#   - training/RESULTS.md      <- the run's Table 1 (OpenKBP val, evaluated on the GPU) merged with the held-out
#                                 whole-body phantoms evaluated here on the CPU from out/eval-cache (about 12 min;
#                                 skipped when that cache is absent or with NO_PHANTOM_EVAL=1)
#   - training/runs/<date>/    <- checkpoints, eval.json, logs (gitignored)
#   - public/models/aa-hpa-v1/ <- AttentionAnatomy + HPA exported (float16) with the measured metrics,
#                                 made the default in public/models/index.json
#   - a parity check of the exported graph against PyTorch (Node, tfjs cpu backend) on one real slice
set -euo pipefail
RUN=${1:?usage: finish.sh RUN_FOLDER [MODEL_ID]}
ID=${2:-aa-hpa-v1}
PY=/usr/bin/python3
export PYTHONPATH=training
[ -f "$RUN/attention_hpa.pt" ] || { echo "$RUN/attention_hpa.pt missing" >&2; exit 2; }
DEST=training/runs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$DEST"
cp -r "$RUN"/* "$DEST"/
if [ -f "$RUN/RESULTS.md" ]; then cp "$RUN/RESULTS.md" training/RESULTS.md; fi
METRICS=()
[ -f "$RUN/eval.json" ] && METRICS=(--metrics "$RUN/eval.json")
EVAL_CACHE=${EVAL_CACHE:-out/eval-cache}
if [ -f "$EVAL_CACHE/index.json" ] && [ "${NO_PHANTOM_EVAL:-0}" != 1 ]; then
  MERGE=()
  [ -f "$RUN/eval.json" ] && MERGE=(--merge "$RUN/eval.json")
  $PY -m attention_anatomy.evaluate "$DEST" --cache "$EVAL_CACHE" --splits test --device cpu \
    --json "$DEST/eval-merged.json" --results training/RESULTS.md "${MERGE[@]}"
  METRICS=(--metrics "$DEST/eval-merged.json")
fi
$PY -m attention_anatomy.export --checkpoint "$RUN/attention_hpa.pt" "${METRICS[@]}" --id "$ID" \
  --out "public/models/$ID" --index public/models/index.json --default
du -sh "public/models/$ID"
$PY - "$RUN/attention_hpa.pt" "public/models/$ID" <<'EOF'
import sys, tempfile
from pathlib import Path
import numpy as np
sys.path.insert(0, 'training/tests')
from attention_anatomy.export import load_checkpoint
from test_export import run_tfjs, run_torch
model, _ = load_checkpoint(sys.argv[1])
S = model.cfg.size
rng = np.random.RandomState(0)
x = np.clip(rng.randn(2, S, S, 5) * 0.4, -1, 1.5).astype(np.float32)
with tempfile.TemporaryDirectory() as d:
    js, pt = run_tfjs(Path(sys.argv[2]), x, Path(d)), run_torch(model, x)
err = {k: float(np.abs(js[k] - pt[k]).max()) for k in js}
agree = float((js['seg'].argmax(-1) == pt['seg'].argmax(-1)).mean())
print(f'float16 export vs PyTorch: max abs error {err} (seg logits up to {np.abs(pt["seg"]).max():.1f}), argmax agreement {agree:.4f}')
EOF
echo "done: training/RESULTS.md, public/models/$ID, $DEST"
