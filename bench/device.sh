#!/usr/bin/env bash
# On the lent NVIDIA GPU (device `run`, carry [".gpu", "public/models/dev-random"]):
#   bash bench/device.sh $OUT
# Prepared here with: bash ../shared/tools/device-webgpu/prepare.sh bench/gpu-entry.mjs
# Runs the 600-slice benchmark with the WGSL-vs-reference checks, then the default 300-slice one.
set -e
out=${1:?usage: bench/device.sh OUTDIR}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$out/gpu.txt" 2>/dev/null || true
bash .gpu/run.sh --json "$out/bench600.json" --model ../public/models/dev-random --slices 600 --profile-slices 128 --baseline-slices 32 --check --sweep 8,16,64 | tee "$out/bench600.txt"
# run.sh has unpacked node and Dawn; call node directly for the second run
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_ICD_FILENAMES=$icd VK_DRIVER_FILES=$icd
(cd .gpu && /tmp/node entry.bundle.mjs --json "$out/bench300.json" --model ../public/models/dev-random --slices 300 --profile-slices 64 --baseline-slices 16) 2>&1 | grep -v XDG_RUNTIME_DIR | tee "$out/bench300.txt"
