#!/usr/bin/env bash
# Evaluate one CPU training run on every real set and the held-out phantoms, the way the app runs the model
# (issue 21). About 30 min on an idle 2-core machine (OpenKBP val: 33 series, 4 224 slices, most of it).
#
#   bash training/cpu/evaluate.sh RUN_DIR [CHECKPOINT]
#
# 1. exports CHECKPOINT (default RUN_DIR/attention_hpa.pt) as a candidate package RUN_DIR/model (id aa-hpa-v2,
#    version 2.0.0-<run name>, so that no browser cache mixes candidates);
# 2. runs the app's batch command (wasm, network labels without clean-up) on the TotalSegmentator example (its
#    full-FOV silver labels as reference, training/analysis/totalseg_reference.py), hnscc-rtai (clinical RTSTRUCT)
#    and OpenKBP val (all 33), and scores them before/after the engine's clean-up (scripts/eval-real.ts ->
#    RUN_DIR/eval-real.json, RUN_DIR/real-sets.md);
# 3. scores the held-out whole-body phantoms (out/eval-cache, training/README.md) with evaluate --cleanup
#    (RUN_DIR/eval-phantom.json);
# 4. runs the bundled example (public/example, a phantom) for its organ volumes (implausible-volume flags).
# Then: /usr/bin/python3 training/cpu/curve.py add RUN_DIR --session ... (the gate and the learning-curve row).
# None of the evaluation data is trained on: OpenKBP val, the TotalSegmentator example and hnscc-rtai are not in
# the training cache (prepare puts OpenKBP val in split 'val'; the others are never packed).
set -euo pipefail
cd "$(dirname "$0")/../.."
run=${1:?usage: evaluate.sh RUN_DIR [CHECKPOINT]}
ckpt=${2:-$run/attention_hpa.pt}
DATA=${DATA:-../shared/data}
name=$(basename "$run")
export PYTHONPATH=training
/usr/bin/python3 -m attention_anatomy.export --checkpoint "$ckpt" --id aa-hpa-v2 --version "2.0.0-$name" \
  --out "$run/model"
ref="$run/real/ref/totalseg-full-channels.nii.gz"
/usr/bin/python3 training/analysis/totalseg_reference.py "$ref" "$DATA"
SEG=(npm run --silent segment -- --backend wasm --model "$run/model" --no-cleanup)
rm -rf "$run/real/totalseg" "$run/real/hnscc" "$run/real/openkbp"
"${SEG[@]}" --input "$DATA/real/totalseg-example/example_ct.nii.gz" --reference "$ref" --out "$run/real/totalseg" || true
"${SEG[@]}" --no-build --input "$DATA/real/hnscc-rtai/HNSCC" --reference auto --out "$run/real/hnscc" || true
"${SEG[@]}" --no-build --input "$DATA/openkbp/val" --reference auto --out "$run/real/openkbp" || true
# the bundled example (a phantom, not a real set): its organ volumes must stay plausible
npx tsx scripts/example.ts --if-missing >/dev/null
rm -rf "$run/real/example"
"${SEG[@]}" --no-build --input public/example/dicom --reference public/example/labels.nii.gz --out "$run/real/example" || true
npx tsx scripts/eval-real.ts --model "candidate $name" \
  --set "TotalSegmentator example (silver, full FOV)=$run/real/totalseg" \
  --set "hnscc-rtai (clinical RTSTRUCT)=$run/real/hnscc" \
  --set "OpenKBP validation=$run/real/openkbp" \
  --set "bundled example (phantom)=$run/real/example" \
  --json "$run/eval-real.json" --md "$run/real-sets.md" \
  --command "${SEG[*]} --input ... --out $run/real/{totalseg,hnscc,openkbp} (training/cpu/evaluate.sh)"
if [ -f out/eval-cache/index.json ]; then
  OMP_NUM_THREADS=2 /usr/bin/python3 -m attention_anatomy.evaluate "$ckpt" --cache out/eval-cache --splits test \
    --device cpu --cleanup --json "$run/eval-phantom.json"
else
  echo "evaluate.sh: no out/eval-cache (the held-out phantoms, training/README.md): phantom row left empty" >&2
fi
echo "evaluate.sh: done; next: /usr/bin/python3 training/cpu/curve.py add $run --session ... --change ..."
