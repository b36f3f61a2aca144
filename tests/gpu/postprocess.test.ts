/**
 * The fused WGSL post-processing against its CPU reference, on a real WebGPU implementation (Dawn).
 * Labels must be identical except where the reference itself has a (numerical) tie between the top two
 * classes; the float confidence within 1e-5; the uint8 confidence equal to round(255 q).
 */
import { describe, expect, test } from 'vitest';
import { gpuEnv, rng, tf } from './setup';
import { gridGeometry } from '../../src/engine/grid';
import { postprocessReference, quantiseConfidence, type PostprocessParams } from '../../src/engine/programs/postprocess.ref';
import { postprocessWebGpu, unpackSlice } from '../../src/engine/postprocess';
import { syntheticCt } from '../../src/engine/synthetic';
import { protocolMask, NUM_CHANNELS, type ProtocolId } from '../../src/organs';
import type { Vec3 } from '../../src/volume/volume';

const env = await gpuEnv();
const skip = 'skip' in env ? env.skip : '';
if (skip) console.warn(`GPU tests skipped: ${skip}`);

interface Case {
  name: string;
  cols: number;
  rows: number;
  spacing: Vec3;
  rowCosines?: Vec3;
  colCosines?: Vec3;
  S: number;
  s: number;
  batch: number;
  protocol: ProtocolId;
  scale: number;
}

function makeInputs(c: Case, seed: number) {
  const rand = rng(seed);
  const C = NUM_CHANNELS;
  const seg = new Float32Array(c.batch * c.S * c.S * C);
  for (let n = 0; n < seg.length; n++) seg[n] = (rand() * 2 - 1) * c.scale;
  const att = new Float32Array(c.batch * C);
  for (let b = 0; b < c.batch; b++) {
    for (let k = 0; k < C; k++) {
      const r = rand();
      // a mix of ordinary weights, near-zero ones (organ absent in this region) and exact 0
      att[b * C + k] = k === 0 ? 1 : r < 0.1 ? 0 : r < 0.3 ? 1e-12 * r : r;
    }
  }
  return { seg, att };
}

function params(c: Case): PostprocessParams {
  const ct = syntheticCt({
    cols: c.cols,
    rows: c.rows,
    slices: 3,
    spacing: c.spacing,
    rowCosines: c.rowCosines,
    colCosines: c.colCosines,
  });
  const g = gridGeometry(ct, { size: c.S, pixelSpacingMm: c.s, sliceSpacingMm: 2.5 });
  return { cols: c.cols, rows: c.rows, size: c.S, u: g.u, v: g.v, mask: protocolMask(c.protocol) };
}

const cases: Case[] = [
  // CT field of view larger than the model grid in x, smaller in y: pixels outside get label 0
  {
    name: 'HFS, whole body, grid partly outside',
    cols: 64,
    rows: 48,
    spacing: [1.3, 1.1, 2.5],
    S: 24,
    s: 2.5,
    batch: 3,
    protocol: 'whole',
    scale: 4,
  },
  // odd pixel count (last word partly used), thorax protocol, feet-first style flipped axes
  {
    name: 'flipped axes, thorax, odd size',
    cols: 37,
    rows: 29,
    spacing: [0.8, 0.9, 3],
    rowCosines: [-1, 0, 0],
    colCosines: [0, -1, 0],
    S: 16,
    s: 2,
    batch: 2,
    protocol: 'thorax',
    scale: 6,
  },
  // in-plane rotation by 90 degrees (u depends on j), abdomen
  {
    name: 'rotated 90 degrees, abdomen',
    cols: 40,
    rows: 40,
    spacing: [1, 1, 2],
    rowCosines: [0, 1, 0],
    colCosines: [-1, 0, 0],
    S: 20,
    s: 2.2,
    batch: 2,
    protocol: 'abdomen',
    scale: 10,
  },
  // the real sizes: a 512 x 512 slice from the 192 x 192 grid (float32 positions near 200 matter here)
  {
    name: 'full size: 512 x 512 from S = 192',
    cols: 512,
    rows: 512,
    spacing: [0.9765625, 0.9765625, 2.5],
    S: 192,
    s: 2,
    batch: 1,
    protocol: 'whole',
    scale: 6,
  },
  // larger logits: softmax saturates, exercises the max-subtraction
  {
    name: 'large logits, head & neck',
    cols: 32,
    rows: 32,
    spacing: [1.5, 1.5, 2],
    S: 16,
    s: 3,
    batch: 1,
    protocol: 'head_neck',
    scale: 60,
  },
];

describe.skipIf(!!skip)('fused post-processing WGSL vs CPU reference (Dawn)', () => {
  for (const [ci, c] of cases.entries()) {
    test(c.name, async () => {
      const { seg, att } = makeInputs(c, 1000 + ci);
      const p = params(c);
      const ref = postprocessReference(seg, att, c.batch, p);
      const before = tf.memory().numTensors;
      const segT = tf.tensor4d(seg, [c.batch, c.S, c.S, NUM_CHANNELS]);
      const attT = tf.tensor2d(att, [c.batch, NUM_CHANNELS]);
      const out = postprocessWebGpu(segT, attT, p, { confidence: true, debugFloat: true });
      const words = (await out.packed.data()) as Int32Array;
      tf.dispose([segT, attT, out.packed]);
      expect(tf.memory().numTensors).toBe(before);

      const npx = c.cols * c.rows;
      let mismatches = 0;
      let outside = 0;
      let quantMismatches = 0;
      for (let b = 0; b < c.batch; b++) {
        const got = unpackSlice(words, out.layout, b);
        for (let n = 0; n < npx; n++) {
          const r = b * npx + n;
          if (ref.confidence[r] === 0) outside++;
          if (got.labels[n] !== ref.labels[r]) {
            mismatches++;
            // allowed only on a tie: the GPU's label must have (numerically) the same q as the reference's
            expect(Math.abs(got.debugFloat![n] - ref.confidence[r])).toBeLessThan(1e-5);
          }
          expect(Math.abs(got.debugFloat![n] - ref.confidence[r])).toBeLessThanOrEqual(1e-5);
          const dq = Math.abs(got.confidence![n] - quantiseConfidence(ref.confidence[r]));
          expect(dq).toBeLessThanOrEqual(1); // 1 only when 255 q lies within float error of .5
          if (dq) quantMismatches++;
        }
      }
      expect(mismatches / (npx * c.batch)).toBeLessThan(1e-3);
      expect(quantMismatches / (npx * c.batch)).toBeLessThan(1e-3);
      // the cases are built so that the label map is not trivial
      const distinct = new Set(ref.labels).size;
      expect(distinct).toBeGreaterThan(3);
      if (ci === 0) expect(outside).toBeGreaterThan(0);
    });
  }

  test('exact ties go to the lowest channel', async () => {
    const c = cases[3];
    for (const [protocol, bgLogit, expected, conf] of [
      ['whole', 0, 0, 1 / 34], // all 34 q equal: background wins
      ['whole', -5, 1, 1 / (33 + Math.exp(-5))], // 33 organs tie: Brainstem (1) wins
      // background collects the organs outside the protocol (counted from the organ table's protocol column)
      [
        'head_neck',
        0,
        0,
        (1 +
          protocolMask('head_neck')
            .slice(1)
            .filter((m) => !m).length) /
          34,
      ],
    ] as const) {
      const p = { ...params(c), mask: protocolMask(protocol) };
      const seg = new Float32Array(c.S * c.S * NUM_CHANNELS);
      for (let n = 0; n < seg.length; n += NUM_CHANNELS) seg[n] = bgLogit;
      const att = new Float32Array(NUM_CHANNELS).fill(1);
      const ref = postprocessReference(seg, att, 1, p);
      const out = postprocessWebGpu(tf.tensor4d(seg, [1, c.S, c.S, NUM_CHANNELS]), tf.tensor2d(att, [1, NUM_CHANNELS]), p, {
        confidence: false,
        debugFloat: true,
      });
      const got = unpackSlice((await out.packed.data()) as Int32Array, out.layout, 0);
      tf.dispose(out.packed);
      const centre = Math.floor(c.rows / 2) * c.cols + Math.floor(c.cols / 2);
      expect(ref.labels[centre]).toBe(expected);
      expect(ref.confidence[centre]).toBeCloseTo(conf, 6);
      expect(got.labels[centre]).toBe(expected);
      expect(got.debugFloat![centre]).toBeCloseTo(conf, 5);
      expect(Array.from(got.labels)).toEqual(Array.from(ref.labels));
    }
  });
});
