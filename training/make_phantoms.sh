#!/usr/bin/env bash
# Generate the phantom training and test datasets used for the shipped model (issue 3 datasets, issue 4 data).
# usage: training/make_phantoms.sh OUTDIR [CASES_PER_SOURCE] [TEST_CASES]
# Writes OUTDIR/{head-neck,thorax,abdomen}/c<seed>/ (training sources) and OUTDIR/whole/c<seed>/ (held-out,
# all 33 organs labelled), NIfTI only (ct.nii.gz + labels.nii.gz + case.json). Geometry varies by seed:
# pixel spacing 1.7-2.2 mm on a 256 matrix, slices 2-5 mm, one case in five feet-first.
# Seeds: training 1000 + 100*source + i, test 9000 + i (the app's example uses seed 20261126).
set -euo pipefail
out=${1:?usage: make_phantoms.sh OUTDIR [CASES_PER_SOURCE] [TEST_CASES]}
n=${2:-14}
nt=${3:-6}
gen() { # seed region dir
  local slices=(2 2.5 3 3.75 5) spacings=(1.7 1.8 1.9 2.0 2.1 2.2)
  local seed=$1 region=$2 dir=$3
  [ -f "$dir/c$seed/case.json" ] && return 0
  local sl=${slices[$((seed % 5))]} sp=${spacings[$((seed % 6))]} pos=HFS
  [ $((seed % 5)) = 3 ] && pos=FFS
  npx tsx scripts/phantom.ts --seed "$seed" --region "$region" --out "$dir/c$seed" --matrix 256 \
    --spacing "$sp" --slice "$sl" --position "$pos" --nifti --no-dicom --quiet
}
export -f gen
cases() { # one line per case: seed region dir
  local s=0 region i
  for region in head-neck thorax abdomen; do
    s=$((s + 1))
    for i in $(seq 0 $((n - 1))); do echo "$((1000 + 100 * s + i)) $region $out/$region"; done
  done
  for i in $(seq 0 $((nt - 1))); do echo "$((9000 + i)) whole $out/whole"; done
}
# one generator per usable core (JOBS=N to override): each case depends only on its seed; xargs fails (123) when
# any case fails
cases | xargs -P "${JOBS:-$(nproc)}" -L 1 bash -c 'gen "$@"' gen
du -sh "$out"/*
