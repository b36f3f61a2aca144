#!/usr/bin/env bash
# Session setup for CPU fine-tuning (issue 21): the phantoms and the training cache, each built only when missing.
#
#   bash training/cpu/setup.sh
#
# make_phantoms.sh skips the cases already there; prepare --reuse keeps .train-cache when a complete build with the
# same options and the same code made it (its prepare.json). On a fresh machine: about 18 min on two cores
# (2026-12-07: phantoms a few minutes, cache 1074 s); on a machine that kept both: seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
bash training/make_phantoms.sh out/PH 12 3
PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.prepare --out .train-cache --openkbp ../shared/data/openkbp \
  --phantom out/PH/head-neck --phantom out/PH/thorax --phantom out/PH/abdomen --phantom-test out/PH/whole \
  --test-out out/eval-cache --anatomy ../shared/data/anatomy --anatomy-more ../shared/data/anatomy-more \
  --totalseg-ct ../shared/data/anatomy-more/totalseg-more --reuse
echo "setup.sh: phantoms and cache ready in $(($(date +%s) - t0)) s"
