/**
 * Wrappers around the real tools the RTSTRUCT is checked with: dciodvfy (dicom3tools), plastimatch, and
 * dcmjs reading CT files directly (independent of src/dicom). Used by the Vitest real-tool tests and the e2e test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs from 'dcmjs';
import type { CtVolume } from '../../../src/volume/volume';

// dcmjs reports the pixel data element of implicit-VR CT files as an "Invalid vr type ox" per file: noise here
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

export const DCIODVFY = '/usr/bin/dciodvfy';
export const PLASTIMATCH = '/usr/bin/plastimatch';

/** dciodvfy's findings: lines starting with "Error" and "Warning". */
export function dciodvfy(file: string): { errors: string[]; warnings: string[]; output: string } {
  const r = spawnSync(DCIODVFY, [file], { encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const lines = output.split('\n');
  return {
    errors: lines.filter((l) => /^Error/.test(l)),
    warnings: lines.filter((l) => /^Warning/.test(l)),
    output,
  };
}

interface Mha {
  dims: [number, number, number];
  spacing: [number, number, number];
  offset: [number, number, number];
  /** Direction matrix, row-major as MetaIO writes it (columns = axis directions). */
  matrix: number[];
  data: Uint8Array;
}

/** Minimal MetaImage reader for plastimatch's uncompressed uchar output. */
export function readMha(file: string): Mha {
  const buf = readFileSync(file);
  const marker = buf.indexOf('ElementDataFile = LOCAL\n');
  if (marker < 0) throw new Error(`${file}: not an mha with local data`);
  const header = buf.subarray(0, marker).toString('latin1');
  const field = (name: string) => {
    const m = new RegExp(`^${name} = (.*)$`, 'm').exec(header);
    if (!m) throw new Error(`${file}: no ${name}`);
    return m[1].trim();
  };
  const nums = (name: string) => field(name).split(/\s+/).map(Number);
  if (field('ElementType') !== 'MET_UCHAR') throw new Error(`${file}: ElementType ${field('ElementType')}`);
  if (/True/i.test(header.match(/^CompressedData = (.*)$/m)?.[1] ?? 'False')) throw new Error(`${file}: compressed`);
  const dims = nums('DimSize') as [number, number, number];
  const start = marker + 'ElementDataFile = LOCAL\n'.length;
  return {
    dims,
    spacing: nums('ElementSpacing') as [number, number, number],
    offset: nums('Offset') as [number, number, number],
    matrix: nums('TransformMatrix'),
    data: new Uint8Array(buf.buffer, buf.byteOffset + start, dims[0] * dims[1] * dims[2]),
  };
}

/** Position of CT voxel (i, j, k) for a series with uniform slice spacing (checked). */
function ctAffine(volume: CtVolume): { o: number[]; ax: number[][] } {
  const s = volume.slices;
  const n = s.length;
  const step = n > 1 ? [0, 1, 2].map((d) => (s[n - 1].position[d] - s[0].position[d]) / (n - 1)) : [0, 0, volume.spacing[2]];
  for (let k = 0; k < n; k++) {
    for (let d = 0; d < 3; d++) {
      if (Math.abs(s[k].position[d] - (s[0].position[d] + k * step[d])) > 1e-3) {
        throw new Error('plastimatch round trip needs uniform slice spacing');
      }
    }
  }
  const [sx, sy] = volume.spacing;
  return {
    o: [...s[0].position],
    ax: [volume.rowCosines.map((c) => c * sx), volume.colCosines.map((c) => c * sy), step],
  };
}

/**
 * Resamples an mha onto the CT grid when the two grids coincide up to axis order and flips (what plastimatch
 * writes for --fixed); throws when they do not.
 */
export function mhaOnCtGrid(m: Mha, volume: CtVolume): Uint8Array {
  const { o, ax } = ctAffine(volume);
  // mha index of a point p: solve p = offset + D * diag(spacing) * idx, D columns = matrix columns
  const D = m.matrix;
  const col = (c: number) => [D[c], D[3 + c], D[6 + c]];
  const toIdx = (p: number[]) =>
    [0, 1, 2].map((c) => {
      const dcol = col(c);
      return ((p[0] - m.offset[0]) * dcol[0] + (p[1] - m.offset[1]) * dcol[1] + (p[2] - m.offset[2]) * dcol[2]) / m.spacing[c];
    });
  const base = toIdx(o);
  const steps = ax.map((a) => toIdx([o[0] + a[0], o[1] + a[1], o[2] + a[2]]).map((v, c) => v - base[c]));
  const near = (v: number) => Math.abs(v - Math.round(v)) < 1e-3;
  if (!base.every(near) || !steps.every((s) => s.every(near))) {
    throw new Error(`plastimatch grid does not coincide with the CT grid (base ${base}, steps ${JSON.stringify(steps)})`);
  }
  const b = base.map(Math.round);
  const st = steps.map((s) => s.map(Math.round));
  const [cols, rows, nk] = volume.dims;
  const out = new Uint8Array(cols * rows * nk);
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < rows; j++)
      for (let i = 0; i < cols; i++) {
        const a = b[0] + i * st[0][0] + j * st[1][0] + k * st[2][0];
        const bb = b[1] + i * st[0][1] + j * st[1][1] + k * st[2][1];
        const c = b[2] + i * st[0][2] + j * st[1][2] + k * st[2][2];
        if (a < 0 || bb < 0 || c < 0 || a >= m.dims[0] || bb >= m.dims[1] || c >= m.dims[2]) continue;
        out[i + j * cols + k * cols * rows] = m.data[a + bb * m.dims[0] + c * m.dims[0] * m.dims[1]] ? 1 : 0;
      }
  return out;
}

/**
 * `plastimatch convert --input RS --referenced-ct CTDIR --xor-contours --output-prefix DIR`, rasterised on the CT
 * grid: with `--fixed` on plastimatch's own reading of the CT when it can read the series, else (e.g. JPEG 2000)
 * with the grid given explicitly. Returns the masks by ROI name on the CT grid, and how the grid was set.
 */
export function plastimatchRasterize(
  rsFile: string,
  ctDir: string,
  volume: CtVolume,
): { masks: Map<string, Uint8Array>; grid: 'fixed' | 'explicit'; log: string } {
  const work = mkdtempSync(path.join(os.tmpdir(), 'pm-'));
  const ctImg = path.join(work, 'ct.mha');
  const ctRead = spawnSync(PLASTIMATCH, ['convert', '--input', ctDir, '--output-img', ctImg], { encoding: 'utf8' });
  let grid: 'fixed' | 'explicit';
  let geomArgs: string[];
  if (ctRead.status === 0 && existsSync(ctImg)) {
    grid = 'fixed';
    geomArgs = ['--fixed', ctImg];
  } else {
    grid = 'explicit';
    const { o, ax } = ctAffine(volume);
    const len = (v: number[]) => Math.hypot(v[0], v[1], v[2]);
    const dirs = ax.map((v) => v.map((x) => x / len(v)));
    geomArgs = [
      '--origin',
      o.join(' '),
      '--dim',
      volume.dims.join(' '),
      '--spacing',
      ax.map(len).join(' '),
      '--direction-cosines',
      dirs.flat().join(' '),
    ];
  }
  const out = path.join(work, 'masks');
  const r = spawnSync(
    PLASTIMATCH,
    [
      'convert',
      '--input',
      rsFile,
      '--referenced-ct',
      ctDir,
      ...geomArgs,
      '--xor-contours',
      '--output-prefix',
      out,
      '--prefix-format',
      'mha',
    ],
    { encoding: 'utf8' },
  );
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !existsSync(out)) throw new Error(`plastimatch failed (${r.status}):\n${log.slice(-2000)}`);
  const masks = new Map<string, Uint8Array>();
  for (const f of readdirSync(out)) {
    if (!f.endsWith('.mha')) continue;
    masks.set(f.replace(/\.mha$/, ''), mhaOnCtGrid(readMha(path.join(out, f)), volume));
  }
  return { masks, grid, log };
}

/** SOP Instance UID (or the file meta's, when empty) -> ImagePositionPatient z, read from the CT files with dcmjs. */
export function ctSliceZByUid(files: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const f of files) {
    const b = readFileSync(f);
    const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, {
      untilTag: '7FE00010',
      includeUntilTagValue: false,
    });
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
    const uid = String(ds.SOPInstanceUID ?? '').trim() || String(meta.MediaStorageSOPInstanceUID ?? '').trim();
    const ipp = ds.ImagePositionPatient as number[];
    map.set(uid, Number(ipp[2]));
  }
  return map;
}
