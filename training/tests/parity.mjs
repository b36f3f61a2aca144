// Runs an exported TF.js graph model in Node on a given input, for the PyTorch <-> TF.js parity test.
// usage: node training/tests/parity.mjs MODEL_DIR INPUT.bin B S OUT_DIR [cpu|wasm]
//   INPUT.bin: float32 little-endian NHWC [B, S, S, 5]; writes OUT_DIR/{seg,attention,region}.bin (float32)
//   and OUT_DIR/shapes.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

const [modelDir, inputPath, b, s, outDir, backend = 'cpu'] = process.argv.slice(2);
if (backend === 'wasm') {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url);
  wasm.setWasmPaths(dir.pathname);
}
await tf.setBackend(backend);
await tf.ready();

// A file IOHandler: what tf.io.http does, with the filesystem instead of fetch.
const handler = {
  async load() {
    const modelJson = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
      const specs = manifest.flatMap((g) => g.weights);
      const bufs = manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p))));
      const all = Buffer.concat(bufs);
      return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
    });
  },
};
const model = await loadGraphModel(handler);
const raw = readFileSync(inputPath);
const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
const x = tf.tensor4d(data, [Number(b), Number(s), Number(s), 5]);
const names = ['seg', 'attention', 'region'];
const outs = model.execute({ ct: x }, names);
const shapes = {};
for (let i = 0; i < names.length; i++) {
  const t = outs[i];
  shapes[names[i]] = t.shape;
  writeFileSync(join(outDir, `${names[i]}.bin`), Buffer.from((await t.data()).buffer));
}
writeFileSync(join(outDir, 'shapes.json'), JSON.stringify({ backend: tf.getBackend(), shapes }));
