/**
 * Helpers for the overlay end-to-end spec: fetch the served example to disk (plastimatch needs the CT files),
 * build its CtVolume in Node, get its label map (the example's ground truth, or labels drawn from the HU of the
 * synthetic fallback example), write NIfTI, count organ-coloured pixels in a screenshot.
 */
import type { APIRequestContext } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'fflate';
import { buildCtVolume, planCtVolume, scanDicomFiles, type CtVolume } from '../../src/dicom';
import { readNiftiLabels } from '../../src/nifti/labels';
import { resampleLabelsToCt } from '../../src/labels/resample';
import type { Shot } from './helpers/pixels';

/**
 * The organ table, read as data: Playwright's ESM loader refuses src/organs.ts's JSON import (it wants an import
 * attribute that Vite and TypeScript's bundler mode do not need).
 */
export interface OrganRow {
  channel: number;
  tg263: string;
  plain: string;
  color: [number, number, number];
}
export const ORGANS: OrganRow[] = (
  JSON.parse(readFileSync(new URL('../../src/organs.json', import.meta.url), 'utf8')) as { organs: OrganRow[] }
).organs;
const organByTg263 = (tg: string) => ORGANS.find((o) => o.tg263 === tg);

export interface ServedExample {
  dir: string;
  volume: CtVolume;
  /** Label map on the CT grid, and the NIfTI bytes given to the app. */
  labels: Uint8Array;
  nifti: Buffer;
  /** 'ground truth' when the example ships labels.nii.gz, else 'synthetic'. */
  source: 'ground truth' | 'synthetic';
}

export async function fetchExample(request: APIRequestContext): Promise<ServedExample> {
  const index = (await (await request.get('/example/index.json')).json()) as { files: string[] };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aa-overlay-e2e-'));
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const f of index.files) {
    const r = await request.get(`/example/${f}`);
    if (!r.ok()) throw new Error(`example file ${f}: HTTP ${r.status()}`);
    const bytes = new Uint8Array(await r.body());
    const out = path.join(dir, f);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, bytes);
    files.push({ name: f, bytes });
  }
  const scan = scanDicomFiles(files);
  const series = scan.series.sort((a, b) => b.sliceCount - a.sliceCount)[0];
  let volume: CtVolume;
  try {
    volume = buildCtVolume(series, files);
  } catch {
    volume = planCtVolume(series).volume; // compressed: geometry is enough when ground truth exists
  }
  const gt = await request.get('/example/labels.nii.gz');
  const isNifti = gt.ok() && !(gt.headers()['content-type'] ?? '').includes('html');
  if (isNifti) {
    const nifti = Buffer.from(await gt.body());
    const organValues = new Map(ORGANS.map((o) => [o.channel, o.channel]));
    return {
      dir,
      volume,
      nifti,
      labels: resampleLabelsToCt(readNiftiLabels(nifti), volume, organValues),
      source: 'ground truth',
    };
  }
  const labels = labelsFromHu(volume);
  return { dir, volume, labels, nifti: Buffer.from(writeNifti(labels, volume)), source: 'synthetic' };
}

/**
 * Organs for a synthetic series (tests/e2e/helpers/synthetic.ts): the lungs from their HU split by side, the heart
 * as a disc between them, the spinal cord as a small disc behind, on every slice.
 */
export function labelsFromHu(v: CtVolume): Uint8Array {
  const [cols, rows, nk] = v.dims;
  const out = new Uint8Array(cols * rows * nk);
  const ch = (tg: string) => organByTg263(tg)!.channel;
  for (let k = 0; k < nk; k++) {
    const p = v.slices[k].position;
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        const n = i + j * cols + k * cols * rows;
        const x = p[0] + i * v.spacing[0] * v.rowCosines[0] + j * v.spacing[1] * v.colCosines[0];
        const y = p[1] + i * v.spacing[0] * v.rowCosines[1] + j * v.spacing[1] * v.colCosines[1];
        const hu = v.hu[n];
        if (hu < -500 && hu > -900) out[n] = x > 0 ? ch('Lung_L') : ch('Lung_R');
        else if (x * x + (y + 35) * (y + 35) < 20 * 20) out[n] = ch('Heart');
        else if (x * x + (y - 55) * (y - 55) < 6 * 6) out[n] = ch('SpinalCord');
      }
    }
  }
  return out;
}

/** NIfTI-1 (gzip) of a label volume on the CT grid: voxel (i, j, k) -> RAS = flip(LPS of the CT voxel). */
export function writeNifti(labels: Uint8Array, v: CtVolume): Uint8Array {
  const [cols, rows, nk] = v.dims;
  const head = new ArrayBuffer(352);
  const dv = new DataView(head);
  dv.setInt32(0, 348, true);
  [3, cols, rows, nk, 1, 1, 1, 1].forEach((d, i) => dv.setInt16(40 + 2 * i, d, true));
  dv.setInt16(70, 2, true); // uint8
  dv.setInt16(72, 8, true);
  const s0 = v.slices[0].position;
  const s1 = nk > 1 ? v.slices[nk - 1].position : s0;
  const step = nk > 1 ? [0, 1, 2].map((a) => (s1[a] - s0[a]) / (nk - 1)) : [0, 0, v.spacing[2]];
  [1, v.spacing[0], v.spacing[1], Math.hypot(step[0], step[1], step[2]) || 1].forEach((d, i) =>
    dv.setFloat32(76 + 4 * i, d, true),
  );
  dv.setFloat32(108, 352, true);
  dv.setFloat32(112, 1, true);
  dv.setInt16(254, 1, true); // sform_code
  const dx = v.rowCosines.map((c) => c * v.spacing[0]);
  const dy = v.colCosines.map((c) => c * v.spacing[1]);
  const flip = [-1, -1, 1];
  for (let r = 0; r < 3; r++) {
    const row = [dx[r] * flip[r], dy[r] * flip[r], step[r] * flip[r], s0[r] * flip[r]];
    row.forEach((x, c) => dv.setFloat32(280 + 16 * r + 4 * c, x, true));
  }
  new Uint8Array(head).set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  const out = new Uint8Array(352 + labels.length);
  out.set(new Uint8Array(head), 0);
  out.set(labels, 352);
  return gzipSync(out);
}

/** Pixels whose RGB lies within `tol` (Euclidean) of `rgb`. */
export function countColour(s: Shot, rgb: readonly number[], tol = 24): number {
  let n = 0;
  for (let p = 0; p < s.width * s.height; p++) {
    const d = Math.hypot(s.data[4 * p] - rgb[0], s.data[4 * p + 1] - rgb[1], s.data[4 * p + 2] - rgb[2]);
    if (d <= tol) n++;
  }
  return n;
}
