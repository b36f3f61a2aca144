#!/usr/bin/env bash
# The shipped model on every real set, before/after the connected-component clean-up; regenerates the
# "Real sets, aa-hpa-v1, before/after clean-up" section of training/RESULTS.md (and a copy in
# training/analysis/real-sets.md). CPU, wasm: about 17 min on an idle 2-core machine for OpenKBP val
# (4224 slices), a few minutes for the rest. usage: bash training/analysis/real_sets.sh [OUT=out/real]
set -euo pipefail
OUT=${1:-out/real}
DATA=../shared/data
MODEL=${MODEL:-aa-hpa-v1}
mkdir -p "$OUT"
/usr/bin/python3 training/analysis/totalseg_reference.py "$OUT/ref/totalseg-full-channels.nii.gz" "$DATA"
SEG="npm run segment -- --backend wasm --model $MODEL --no-cleanup"
$SEG --input $DATA/real/totalseg-example/example_ct.nii.gz --reference "$OUT/ref/totalseg-full-channels.nii.gz" --out "$OUT/totalseg" || true
$SEG --no-build --input $DATA/real/hnscc-rtai/HNSCC --reference auto --out "$OUT/hnscc" || true
$SEG --no-build --input $DATA/openkbp/val --reference auto --out "$OUT/openkbp" || true
npx tsx scripts/eval-real.ts \
  --set "TotalSegmentator example (silver, full FOV)=$OUT/totalseg" \
  --set "hnscc-rtai (clinical RTSTRUCT)=$OUT/hnscc" \
  --set "OpenKBP validation=$OUT/openkbp" \
  --json "$OUT/eval-real.json" --md training/analysis/real-sets.md --results training/RESULTS.md \
  --command "$SEG --input ... --out $OUT/{totalseg,hnscc,openkbp} (training/analysis/real_sets.sh)"
