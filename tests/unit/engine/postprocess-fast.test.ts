/**
 * The typed-array post-processing kernel (programs/postprocess.fast.ts) against the CPU reference:
 * labels identical pixel for pixel (no tolerance) on the shipped model's real output for a phantom
 * slab, on smooth and random logits, and on adversarial inputs built to break a grid-level shortcut:
 * exact ties between organs and between background and an organ (the reference's rule: first maximum
 * wins, background wins ties), near-ties below and above the certificate threshold, huge logits,
 * attention 0, NaN and infinite logits, organs outside the protocol that outweigh background.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../src/engine/backend';
import { defaultModel, validateModelIndex } from '../../../src/engine/manifest';
import { loadModel } from '../../../src/engine/model';
import { dirUrl, fileFetch } from '../../../src/engine/node/files';
import { gridGeometry } from '../../../src/engine/grid';
import { segmentVolume } from '../../../src/engine/engine';
import { preprocessReference } from '../../../src/engine/programs/preprocess.ref';
import { postprocessReference, type PostprocessParams } from '../../../src/engine/programs/postprocess.ref';
import { FastPostprocessor } from '../../../src/engine/programs/postprocess.fast';
import { syntheticCt } from '../../../src/engine/synthetic';
import { buildCtVolume, scanDicomFiles } from '../../../src/dicom';
import { generateCase } from '../../../src/phantom/generate';
import { dicomFiles } from '../../../src/phantom/series';
import { NUM_CHANNELS, protocolMask, type ProtocolId } from '../../../src/organs';
import type { Vec3 } from '../../../src/volume/volume';

const C = NUM_CHANNELS;
const rot = (deg: number): { r: Vec3; c: Vec3 } => {
  const a = (deg * Math.PI) / 180;
  return { r: [Math.cos(a), Math.sin(a), 0], c: [-Math.sin(a), Math.cos(a), 0] };
};

/** Post-processing params of a synthetic cols x rows CT on an S grid (several pixels per cell). */
function params(S: number, cols: number, rows: number, protocol: ProtocolId, deg = 0, flip = false): PostprocessParams {
  const { r, c } = rot(deg);
  if (flip) r[0] = -r[0];
  const ct = syntheticCt({ cols, rows, slices: 1, spacing: [0.7, 0.8, 2], rowCosines: r, colCosines: c });
  const g = gridGeometry(ct, { size: S, pixelSpacingMm: (Math.max(cols, rows) * 0.8) / (S - 2), sliceSpacingMm: 2 });
  return { cols, rows, size: S, u: g.u, v: g.v, mask: protocolMask(protocol) };
}

/** Runs the kernel on every slice and compares with the reference; returns the share computed exactly. */
function compare(seg: Float32Array, att: Float32Array, B: number, p: PostprocessParams, withConfidence = false): number {
  const ref = postprocessReference(seg, att, B, p);
  const fast = new FastPostprocessor(p);
  const npx = p.cols * p.rows;
  const labels = new Uint8Array(npx);
  const conf = new Float32Array(npx);
  for (let b = 0; b < B; b++) {
    fast.run(seg, att, b, labels, withConfidence ? conf : undefined);
    let diff = 0;
    let first = -1;
    for (let n = 0; n < npx; n++) {
      if (labels[n] !== ref.labels[b * npx + n]) {
        diff++;
        if (first < 0) first = n;
      }
    }
    expect(
      diff,
      `slice ${b}: ${diff} labels differ, first at pixel ${first} (${labels[first]} vs ${ref.labels[b * npx + first]})`,
    ).toBe(0);
    if (withConfidence) expect(Array.from(conf)).toEqual(Array.from(ref.confidence.subarray(b * npx, (b + 1) * npx)));
  }
  return fast.stats.exact / Math.max(1, fast.stats.pixels);
}

let seed = 11;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

/** Smooth organ-like blobs: channel c peaks at a few centres (a realistic, mostly certified field). */
function smoothLogits(B: number, S: number): Float32Array {
  const seg = new Float32Array(B * S * S * C);
  const centres = Array.from({ length: C }, () => [rand() * S, rand() * S, 2 + rand() * S * 0.2]);
  for (let b = 0; b < B; b++) {
    for (let v = 0; v < S; v++) {
      for (let u = 0; u < S; u++) {
        for (let c = 0; c < C; c++) {
          const [cu, cv, r] = centres[c];
          const d = Math.hypot(u - cu - b, v - cv) / r;
          seg[((b * S + v) * S + u) * C + c] = c === 0 ? 2 : 6 - 4 * d;
        }
      }
    }
  }
  return seg;
}

describe('fast CPU post-processing: labels identical to the reference', () => {
  const S = 24;

  test('smooth logits, all protocols, axial / flipped / rotated grids; confidence identical too', () => {
    const B = 2;
    const seg = smoothLogits(B, S);
    const att = Float32Array.from({ length: B * C }, (_, n) => (n % C === 0 ? 1 : 0.2 + rand()));
    for (const protocol of ['whole', 'head_neck', 'thorax', 'abdomen'] as ProtocolId[]) {
      for (const [deg, flip] of [
        [0, false],
        [0, true],
        [90, false],
        [17, false],
      ] as [number, boolean][]) {
        const exact = compare(seg, att, B, params(S, 70, 61, protocol, deg, flip));
        // the shortcut is really taken: most pixels come from certified cells
        expect(exact, `${protocol} ${deg} deg`).toBeLessThan(0.7);
      }
    }
    compare(seg, att, B, params(S, 70, 61, 'thorax', 17), true);
  });

  test('random logits (every cell a boundary) and a grid larger than the image', () => {
    const B = 2;
    const seg = Float32Array.from({ length: B * S * S * C }, () => (rand() - 0.5) * 20);
    const att = Float32Array.from({ length: B * C }, (_, n) => (n % C === 0 ? 1 : rand()));
    for (const protocol of ['whole', 'thorax'] as ProtocolId[]) {
      compare(seg, att, B, params(S, 50, 40, protocol, 0));
      compare(seg, att, B, params(S, 50, 40, protocol, 33));
      compare(seg, att, B, params(S, 12, 9, protocol, 0)); // fewer CT pixels than grid points
    }
  });

  test('exact ties: organ vs organ, background vs organ, background channels vs organ', () => {
    const B = 3;
    const seg = new Float32Array(B * S * S * C);
    const att = new Float32Array(B * C).fill(1);
    const thoraxOut = [...protocolMask('thorax')].findIndex((m, c) => c > 0 && !m); // an organ outside the thorax protocol
    const [o1, o2] = [...protocolMask('thorax')].map((m, c) => (c > 0 && m ? c : -1)).filter((c) => c > 0);
    for (let b = 0; b < B; b++) {
      for (let g = 0; g < S * S; g++) {
        const o = (b * S * S + g) * C;
        seg.fill(-5, o, o + C);
        const u = g % S;
        const v = (g / S) | 0;
        if (b === 0) {
          // two organs tie everywhere in a band, and each wins on one side of it
          seg[o + o1] = u < S / 2 ? 3 : 2;
          seg[o + o2] = u > S / 3 ? 3 : 2;
        } else if (b === 1) {
          // background ties an organ on a checkerboard of whole cells
          seg[o] = 1;
          seg[o + o1] = (u >> 2) % 2 === (v >> 2) % 2 ? 1 : 0.5;
        } else {
          // background channel 0 and an organ outside the protocol share background's mass: their
          // LSE equals a protocol organ exactly where 2 e^0 = e^{log 2}; elsewhere one of them dominates
          seg[o] = 0;
          seg[o + thoraxOut] = u < S / 2 ? 0 : -30;
          seg[o + o1] = v < S / 2 ? Math.fround(Math.log(2)) : 0.5;
        }
      }
    }
    for (const protocol of ['thorax', 'whole'] as ProtocolId[]) {
      for (const deg of [0, 0.5, 45]) compare(seg, att, B, params(S, 64, 64, protocol, deg));
    }
    // the cases are really ties: the reference picks the lower index / background in them
    const ref = postprocessReference(seg, att, B, params(S, 64, 64, 'thorax'));
    expect(ref.labels.subarray(0, 64 * 64)).toContain(o1);
    expect(ref.labels.subarray(64 * 64, 2 * 64 * 64)).toContain(0);
  });

  test('near-ties around the certificate threshold, huge logits, attention 0', () => {
    const B = 4;
    const seg = new Float32Array(B * S * S * C);
    const att = Float32Array.from({ length: B * C }, (_, n) => (n % C === 5 ? 0 : 1));
    const steps = [0, 1e-7, 1e-6, 1e-5, 1e-3];
    for (let b = 0; b < B; b++) {
      const scale = [1, 1e4, 1e6, 1][b];
      for (let g = 0; g < S * S; g++) {
        const o = (b * S * S + g) * C;
        for (let c = 0; c < C; c++) seg[o + c] = Math.fround(-scale + c * 1e-7);
        const u = g % S;
        const base = Math.fround(scale * 0.5);
        seg[o + 0] = base;
        // organ 3 is background + a tiny step that changes across the grid; organ 5 has attention 0
        seg[o + 3] = base + steps[u % steps.length] * scale * (b === 3 ? -1 : 1);
        seg[o + 5] = base * 4;
      }
    }
    for (const protocol of ['whole', 'head_neck', 'abdomen'] as ProtocolId[])
      compare(seg, att, B, params(S, 45, 45, protocol, 3));
  });

  test('NaN and infinite logits follow the reference', () => {
    const B = 1;
    const seg = smoothLogits(B, S);
    seg[(5 * S + 5) * C + 7] = NaN;
    seg[(10 * S + 12) * C + 0] = Infinity;
    seg[(15 * S + 3) * C + 9] = -Infinity;
    seg[(20 * S + 20) * C + 4] = Infinity;
    const att = new Float32Array(B * C).fill(0.5);
    for (const protocol of ['whole', 'abdomen'] as ProtocolId[]) compare(seg, att, B, params(S, 60, 60, protocol, 7), true);
  });
});

describe('fast CPU post-processing on the shipped model (wasm)', () => {
  test('labels identical to the reference on a phantom thorax slab, every protocol, two CT grids', async () => {
    expect((await selectBackend({ gpu: null })).backend).toBe('wasm');
    const index = validateModelIndex(JSON.parse(readFileSync('public/models/index.json', 'utf8')));
    const model = await loadModel(dirUrl(join('public', defaultModel(index)!.path)), { fetchFunc: fileFetch });
    const c = generateCase({ seed: 777, region: 'thorax', matrix: 160, spacing: 2.5, slice: 5 });
    const files = [...dicomFiles(c)].map(([name, bytes]) => ({ name, bytes }));
    const ct = buildCtVolume(scanDicomFiles(files).series[0], files);
    const g = gridGeometry(ct, model.manifest.input);
    const Sm = model.manifest.input.size;
    const B = 2;
    const start = Math.floor(ct.dims[2] / 2);
    const out = model.execute(tf.tensor4d(preprocessReference(ct.hu, g, model.manifest.input, start, B), [B, Sm, Sm, 5]));
    const seg = (await out.seg.data()) as Float32Array;
    const att = (await out.attention.data()) as Float32Array;
    tf.dispose([out.seg, out.attention, out.region]);
    model.dispose();
    for (const protocol of ['whole', 'head_neck', 'thorax', 'abdomen'] as ProtocolId[]) {
      const p = { cols: ct.dims[0], rows: ct.dims[1], size: Sm, u: g.u, v: g.v, mask: protocolMask(protocol) };
      const exact = compare(seg, att, B, p);
      console.log(`shipped model, ${protocol}: ${(exact * 100).toFixed(1)}% of the pixels computed per pixel`);
      expect(exact, protocol).toBeLessThan(0.25);
      // a finer, rotated CT grid over the same logits (more pixels per cell)
      compare(seg, att, B, params(Sm, 300, 280, protocol, 12));
    }
    const ref = postprocessReference(seg, att, B, {
      cols: ct.dims[0],
      rows: ct.dims[1],
      size: Sm,
      u: g.u,
      v: g.v,
      mask: protocolMask('thorax'),
    });
    expect(new Set(ref.labels).size).toBeGreaterThan(4); // the slab shows several organs
  }, 240_000);
});

describe('engine on wasm with the typed-array kernel', () => {
  test('labels equal the reference pipeline exactly; the tfjs-ops baseline stays callable', async () => {
    expect((await selectBackend({ gpu: null })).backend).toBe('wasm');
    const model = await loadModel(dirUrl('tests/fixtures/models/tiny-random'), { fetchFunc: fileFetch });
    const ct = syntheticCt({ cols: 64, rows: 52, slices: 4, spacing: [2.2, 2.4, 3] });
    const before = tf.memory().numTensors;
    const r = await segmentVolume(model, ct, { protocol: 'whole', batchSize: 3, cleanup: false });
    expect(r.report.postprocess).toBe('cpu-kernel');
    expect(tf.memory().numTensors).toBe(before);
    const base = await segmentVolume(model, ct, { protocol: 'whole', postprocess: 'tfops', cleanup: false });
    expect(base.report.postprocess).toBe('tfjs-ops');
    const g = gridGeometry(ct, model.manifest.input);
    const S = model.manifest.input.size;
    const out = model.execute(tf.tensor4d(preprocessReference(ct.hu, g, model.manifest.input, 0, 4), [4, S, S, 5]));
    const ref = postprocessReference((await out.seg.data()) as Float32Array, (await out.attention.data()) as Float32Array, 4, {
      cols: 64,
      rows: 52,
      size: S,
      u: g.u,
      v: g.v,
      mask: protocolMask('whole'),
    });
    tf.dispose([out.seg, out.attention, out.region]);
    model.dispose();
    expect(Array.from(r.labels)).toEqual(Array.from(ref.labels));
    expect(new Set(ref.labels).size).toBeGreaterThan(1);
  });
});
