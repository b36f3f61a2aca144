/** The tfjs-ops post-processing (fallback backends, benchmark baseline) against the CPU reference on tfjs-cpu. */
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { TfOpsPostprocessor } from '../../../src/engine/postprocess.tfops';
import { postprocessReference } from '../../../src/engine/programs/postprocess.ref';
import { gridGeometry } from '../../../src/engine/grid';
import { syntheticCt } from '../../../src/engine/synthetic';
import { NUM_CHANNELS, protocolMask } from '../../../src/organs';
import type { Vec3 } from '../../../src/volume/volume';

const a = (20 * Math.PI) / 180;
const cases: { name: string; r: Vec3; c: Vec3; mode: 'resize' | 'gather' }[] = [
  { name: 'HFS', r: [1, 0, 0], c: [0, 1, 0], mode: 'resize' },
  { name: 'flipped columns', r: [-1, 0, 0], c: [0, 1, 0], mode: 'resize' },
  { name: 'rows and columns swapped', r: [0, -1, 0], c: [1, 0, 0], mode: 'resize' },
  { name: 'rotated 20 degrees in-plane', r: [Math.cos(a), Math.sin(a), 0], c: [-Math.sin(a), Math.cos(a), 0], mode: 'gather' },
];

describe('tfjs-ops post-processing', () => {
  for (const k of cases) {
    test(`${k.name}: ${k.mode}, matches the reference (labels except ties, confidence 1e-5)`, async () => {
      await tf.setBackend('cpu');
      const B = 2;
      const S = 12;
      const C = NUM_CHANNELS;
      const ct = syntheticCt({ cols: 30, rows: 22, slices: 2, spacing: [1, 1.2, 2], rowCosines: k.r, colCosines: k.c });
      const g = gridGeometry(ct, { size: S, pixelSpacingMm: 2.2, sliceSpacingMm: 2 });
      const p = { cols: 30, rows: 22, size: S, u: g.u, v: g.v, mask: protocolMask('thorax') };
      let s = 7;
      const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
      const seg = Float32Array.from({ length: B * S * S * C }, () => (rand() - 0.5) * 20);
      const att = Float32Array.from({ length: B * C }, (_, n) => (n % C === 0 ? 1 : rand()));
      const ref = postprocessReference(seg, att, B, p);
      const segT = tf.tensor4d(seg, [B, S, S, C]);
      const attT = tf.tensor2d(att, [B, C]);
      const before = tf.memory().numTensors;
      const pp = new TfOpsPostprocessor(p);
      expect(pp.mode).toBe(k.mode);
      for (const first of [0, 1]) {
        const out = pp.run(segT, attT, first);
        expect(out.labels.shape).toEqual([B - first, 30 * 22]);
        const labels = await out.labels.data();
        const conf = await out.confidence.data();
        tf.dispose([out.labels, out.confidence]);
        let mismatches = 0;
        const off = first * 30 * 22;
        for (let n = 0; n < labels.length; n++) {
          if (labels[n] !== ref.labels[off + n]) mismatches++;
          expect(Math.abs(conf[n] - ref.confidence[off + n])).toBeLessThan(1e-5);
        }
        expect(mismatches).toBeLessThanOrEqual(1);
      }
      pp.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([segT, attT]);
      expect(new Set(ref.labels).size).toBeGreaterThan(3);
      expect(ref.labels.some((l, n) => l === 0 && ref.confidence[n] === 0)).toBe(true); // some pixels outside the grid
    });
  }
});
