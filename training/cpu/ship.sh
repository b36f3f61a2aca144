#!/usr/bin/env bash
# Ship a kept CPU run as the app's default model (issue 21), from the same evaluation as its learning-curve row.
#
#   bash training/cpu/ship.sh RUN_DIR [MODEL_ID] [VERSION]
#
# Needs RUN_DIR/eval-real.json (+ eval-phantom.json) from training/cpu/evaluate.sh and a row of curve.py that
# kept the run. Writes RUN_DIR/metrics.json, exports RUN_DIR/attention_hpa.pt (float16 package, the manifest's
# metrics = the real sets and phantoms after clean-up, sources = the training sources with their licences) to
# public/models/MODEL_ID (default aa-hpa-v2), makes it the default in public/models/index.json (earlier models stay
# installed and selectable), and copies the float16 weights to training/checkpoints/attention_hpa.pt (the start of
# the next session's run).
set -euo pipefail
cd "$(dirname "$0")/../.."
run=${1:?usage: ship.sh RUN_DIR [MODEL_ID] [VERSION]}
id=${2:-aa-hpa-v2}
version=${3:-2.0.0}
kept=$(/usr/bin/python3 -c "
import json,sys; rows=json.load(open('training/cpu/curve.json'))['rows']
print(any(r['run']=='$run' and r['kept'] for r in rows))")
[ "$kept" = True ] || { echo "ship.sh: $run has no kept row in training/cpu/curve.json (run curve.py add first)" >&2; exit 2; }
/usr/bin/python3 training/cpu/curve.py metrics "$run"
PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.export --checkpoint "$run/attention_hpa.pt" \
  --metrics "$run/metrics.json" --id "$id" --version "$version" \
  --name "AttentionAnatomy + HPA v2 (fine-tuned on real and synthesized anatomy)" \
  --out "public/models/$id" --index public/models/index.json --default
cp "$run/attention_hpa.f16.pt" training/checkpoints/attention_hpa.pt
echo "ship.sh: public/models/$id is the default; training/checkpoints/attention_hpa.pt updated"
