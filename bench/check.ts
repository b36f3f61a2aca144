/**
 * WGSL programs vs their CPU references on the active WebGPU backend, as a command (for the lent GPU,
 * where the Vitest suite does not travel): `bench/node.ts --check`. Same criteria as tests/gpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gridGeometry } from '../src/engine/grid';
import { postprocessWebGpu, unpackSlice } from '../src/engine/postprocess';
import { GpuPreprocessor } from '../src/engine/preprocess';
import { postprocessReference } from '../src/engine/programs/postprocess.ref';
import { preprocessReference } from '../src/engine/programs/preprocess.ref';
import { syntheticCt } from '../src/engine/synthetic';
import { NUM_CHANNELS, protocolMask } from '../src/organs';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export async function runChecks(): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const C = NUM_CHANNELS;
  for (const [name, cols, rows, S, B, protocol] of [
    ['post 512x512, S 192, B 4, whole', 512, 512, 192, 4, 'whole'],
    ['post 333x301, S 96, B 3, thorax', 333, 301, 96, 3, 'thorax'],
  ] as const) {
    const ct = syntheticCt({ cols, rows, slices: 2, spacing: [0.9, 0.9, 2.5] });
    const g = gridGeometry(ct, { size: S, pixelSpacingMm: 2, sliceSpacingMm: 2.5 });
    const p = { cols, rows, size: S, u: g.u, v: g.v, mask: protocolMask(protocol) };
    const seg = Float32Array.from({ length: B * S * S * C }, () => (rand() * 2 - 1) * 6);
    const att = Float32Array.from({ length: B * C }, (_, n) => (n % C === 0 ? 1 : rand()));
    const ref = postprocessReference(seg, att, B, p);
    const segT = tf.tensor4d(seg, [B, S, S, C]);
    const attT = tf.tensor2d(att, [B, C]);
    const r = postprocessWebGpu(segT, attT, p, { confidence: true, debugFloat: true });
    const words = (await r.packed.data()) as Int32Array;
    tf.dispose([segT, attT, r.packed]);
    let mismatch = 0;
    let tieMismatch = 0;
    let worst = 0;
    for (let b = 0; b < B; b++) {
      const s = unpackSlice(words, r.layout, b);
      for (let n = 0; n < cols * rows; n++) {
        const e = Math.abs(s.debugFloat![n] - ref.confidence[b * cols * rows + n]);
        worst = Math.max(worst, e);
        if (s.labels[n] !== ref.labels[b * cols * rows + n]) {
          if (e < 1e-5) tieMismatch++;
          else mismatch++;
        }
      }
    }
    out.push({
      name,
      ok: mismatch === 0 && worst <= 1e-5 && tieMismatch < 1e-3 * B * cols * rows,
      detail: `label mismatches ${mismatch} (+${tieMismatch} on numerical ties), max |confidence error| ${worst.toExponential(2)}`,
    });
  }
  {
    const ct = syntheticCt({ cols: 512, rows: 512, slices: 24, spacing: [0.98, 0.98, 1.25] });
    const spec = { huMin: -1000, huMax: 1500, huOffset: 0, huScale: 1000 };
    const g = gridGeometry(ct, { size: 192, pixelSpacingMm: 2, sliceSpacingMm: 2.5 });
    const pre = new GpuPreprocessor(ct, g, spec);
    let worst = 0;
    for (const [start, count] of [
      [0, 8],
      [16, 8],
    ]) {
      const want = preprocessReference(ct.hu, g, spec, start, count);
      const x = pre.run(start, count);
      const got = (await x.data()) as Float32Array;
      x.dispose();
      for (let n = 0; n < want.length; n++) worst = Math.max(worst, Math.abs(got[n] - want[n]));
    }
    pre.dispose();
    out.push({
      name: 'pre 512x512x24 -> S 192',
      ok: worst <= 1e-3,
      detail: `max |error| ${worst.toExponential(2)} (normalised HU; 1e-3 = 1 HU)`,
    });
  }
  return out;
}
