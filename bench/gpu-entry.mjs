// Entry for the lent NVIDIA GPU (Node + Dawn over Vulkan), bundled by ../shared/tools/device-webgpu/prepare.sh:
//   bash ../shared/tools/device-webgpu/prepare.sh bench/gpu-entry.mjs
// then on the device (carry .gpu and the model): bash .gpu/run.sh --json $OUT/bench.json --model ../public/models/dev-random
// run.sh starts this from .gpu/, so paths are relative to .gpu/. Flags as in bench/node.ts.
import { main } from '../bench/node.ts';

await main(process.argv.slice(2));
process.exit(process.exitCode ?? 0);
