/**
 * DICOM SEG export and import (src/seg): organ codes, round trips on tiny and real grids, dcmqi's own SEG,
 * dciodvfy / dcmdump on what the writer makes, and the stated rules for bad input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import organCodes from '../../../src/organCodes.json';
import { ORGANS, organByTg263 } from '../../../src/organs';
import { organCoding, organForCodes } from '../../../src/seg/codes';
import { importSeg, organLabelMap, SegImportError } from '../../../src/seg/import';
import { readSeg, SegReadError } from '../../../src/seg/reader';
import { buildSeg, SegWriteError } from '../../../src/seg/writer';
import { makeVolume } from '../contours/fixtures';
import { ctGeometry, dataRoot, hnsccCases } from '../rtstruct/ct';
import { DCIODVFY, dciodvfy } from '../rtstruct/tools';

dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

const ct3Dir = path.join(dataRoot, 'real/dcmqi-ct3slice/ct-3slice');
const liverSeg = path.join(dataRoot, 'real/dcmqi-ct3slice/liver.dcm');
const hasCt3 = existsSync(ct3Dir) && existsSync(liverSeg);
const DCMDUMP = '/usr/bin/dcmdump';

/** Set bits of a packed buffer, counted directly (independent of the reader). */
function popcount(bytes: Uint8Array, bits: number): number {
  let n = 0;
  for (let i = 0; i < bits; i++) if (bytes[i >> 3] & (1 << (i & 7))) n++;
  return n;
}

/** dcmqi's NRRD label maps (gzip, short, identity directions): the voxels, index i + j*nx + k*nx*ny. */
function readNrrdShort(file: string): { sizes: number[]; origin: number[]; data: Int16Array } {
  const buf = readFileSync(file);
  const end = buf.indexOf('\n\n');
  const header = buf.subarray(0, end).toString('latin1');
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(header)![1];
  expect(field('type')).toBe('short');
  expect(field('encoding')).toBe('gzip');
  expect(field('space directions').replace(/\s/g, '')).toMatch(/^\([0-9.]+,0,0\)\(0,[0-9.]+,0\)\(0,0,[0-9.]+\)$/);
  const raw = gunzipSync(buf.subarray(end + 2));
  return {
    sizes: field('sizes').split(' ').map(Number),
    origin: field('space origin').replace(/[()]/g, '').split(',').map(Number),
    data: new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2),
  };
}

/** Voxels where two maps differ (toEqual on large arrays is slow). */
function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] !== 0) !== (b[i] !== 0)) n++;
  return n;
}

/** Rewrites a SEG with dcmjs after `edit` changes its naturalized dataset. */
function editSeg(bytes: Uint8Array, edit: (ds: NaturalDataset) => void): Uint8Array {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  edit(ds);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}

/** A tiny odd-sized grid (frames not byte aligned) with three organs, one paired. */
function tiny() {
  const volume = makeVolume({ dims: [7, 5, 4], spacing: [0.8, 0.9] });
  const labels = new Uint8Array(7 * 5 * 4);
  const at = (i: number, j: number, k: number) => i + j * 7 + k * 35;
  for (let k = 0; k < 3; k++) for (let j = 1; j < 4; j++) for (let i = 1; i < 3; i++) labels[at(i, j, k)] = 30; // Liver
  for (let k = 1; k < 4; k++) labels[at(5, 2, k)] = 11; // Parotid_L
  labels[at(6, 4, 3)] = 15; // SpinalCord, one voxel in the last corner
  return { volume, labels };
}

describe('organ codes (src/organCodes.json)', () => {
  it('codes every organ with an SCT type; paired organs carry their side', () => {
    const entries = organCodes.organs as Record<
      string,
      { type: { CodeValue: string; CodingSchemeDesignator: string }; laterality?: string }
    >;
    expect(Object.keys(entries).sort()).toEqual(ORGANS.map((o) => o.tg263).sort());
    for (const o of ORGANS) {
      const e = entries[o.tg263];
      expect(e.type.CodingSchemeDesignator).toBe('SCT');
      expect(e.type.CodeValue).toMatch(/^[1-9][0-9]{5,17}$/);
      expect(e.laterality ?? '').toBe(/_[LR]$/.test(o.tg263) ? o.tg263.slice(-1) : '');
    }
  });
  it('maps the codes back to the same organ', () => {
    for (const o of ORGANS) {
      const c = organCoding(o);
      expect(organForCodes(c.type, c.modifier)?.tg263).toBe(o.tg263);
    }
    expect(organForCodes({ CodeValue: '45289007', CodingSchemeDesignator: 'SCT' })).toBeUndefined(); // parotid, no side
    expect(organForCodes({ CodeValue: '10200004', CodingSchemeDesignator: 'SCT' })?.tg263).toBe('Liver');
  });
});

describe('SEG writer and reader on a tiny grid', () => {
  it('writes one segment per organ with its voxels and reads every voxel back', () => {
    const { volume, labels } = tiny();
    const r = buildSeg(volume, labels, { algorithmType: (c) => (c === 11 ? 'SEMIAUTOMATIC' : 'AUTOMATIC') });
    expect(r.channels).toEqual([11, 15, 30]); // organ-table order
    expect(r.frameCount).toBe(3 + 1 + 3); // slices per organ, by construction
    const seg = readSeg(r.bytes);
    expect(seg.segmentationType).toBe('BINARY');
    expect(seg.segments.map((s) => s.label)).toEqual(['Parotid_L', 'SpinalCord', 'Liver']);
    expect(seg.segments.map((s) => s.algorithmType)).toEqual(['SEMIAUTOMATIC', 'AUTOMATIC', 'AUTOMATIC']);
    expect(seg.segments[0].modifier?.CodeValue).toBe('7771000');
    expect(seg.segments[2].type?.CodeValue).toBe('10200004');
    expect(seg.segments[2].category?.CodeValue).toBe('123037004');
    // the colour survives the CIELab round trip within one step
    const liver = organByTg263('Liver')!;
    seg.segments[2].color!.forEach((v, i) => expect(Math.abs(v - liver.color[i])).toBeLessThanOrEqual(1));
    // bits set = voxels labelled, counted straight from the pixel data
    expect(popcount(seg.pixelData, 7 * 35)).toBe(labels.filter((v) => v > 0).length);
    const set = importSeg(seg, volume);
    expect(set.warnings).toEqual([]);
    expect(organLabelMap(set, labels.length)).toEqual(labels);
  });

  it('SEG -> reader -> SEG keeps every voxel', () => {
    const { volume, labels } = tiny();
    const first = importSeg(readSeg(buildSeg(volume, labels).bytes), volume);
    const again = buildSeg(volume, organLabelMap(first, labels.length));
    const second = importSeg(readSeg(again.bytes), volume);
    expect(second.layers).toEqual(first.layers);
    expect(second.rois.map((r) => [r.name, r.voxels])).toEqual(first.rois.map((r) => [r.name, r.voxels]));
  });

  it('refuses an empty label map and a label map of the wrong size', () => {
    const { volume, labels } = tiny();
    expect(() => buildSeg(volume, new Uint8Array(labels.length))).toThrow(SegWriteError);
    expect(() => buildSeg(volume, labels.subarray(1))).toThrow(/voxels/);
  });

  it('fractional segments: a voxel is inside at >= half the maximum value', () => {
    const { volume, labels } = tiny();
    const bin = readSeg(buildSeg(volume, labels, { channels: [30] }).bytes);
    const px = 35;
    // frame f pixel n -> 100 where the binary frame has it, and 99 one pixel to the right (below the 200/2 rule)
    const frac = new Uint8Array(px * bin.frames.length);
    let inside = 0;
    for (let f = 0; f < bin.frames.length; f++)
      for (let n = 0; n < px; n++) {
        const b = f * px + n;
        if (bin.pixelData[b >> 3] & (1 << (b & 7))) {
          frac[b] = 100;
          inside++;
          if (n + 1 < px && frac[b + 1] === 0) frac[b + 1] = 99;
        }
      }
    const bytes = editSeg(buildSeg(volume, labels, { channels: [30] }).bytes, (ds) => {
      ds.SegmentationType = 'FRACTIONAL';
      ds.SegmentationFractionalType = 'PROBABILITY';
      ds.MaximumFractionalValue = 200;
      ds.BitsAllocated = 8;
      ds.BitsStored = 8;
      ds.HighBit = 7;
      ds.PixelData = [frac.buffer];
    });
    const seg = readSeg(bytes);
    expect(seg.segmentationType).toBe('FRACTIONAL');
    const set = importSeg(seg, volume);
    expect(set.rois[0].voxels).toBe(inside);
    expect(set.warnings.join(' ')).toMatch(/at least half of 200/);
  });

  it('overlapping segments are kept whole in separate layers; the label map lets the smaller win', () => {
    const { volume, labels } = tiny();
    const r = buildSeg(volume, labels, { channels: [11, 30] });
    const seg = readSeg(r.bytes);
    // Parotid_L frames come first: make its first frame also cover the liver's pixels on slice 1
    const liverFrame = seg.frames.findIndex(
      (f, i) =>
        seg.segments.find((s) => s.number === f.segment)!.label === 'Liver' &&
        i >= 0 &&
        f.sourceSOPInstanceUID === volume.slices[1].sopInstanceUID,
    );
    const parotidFrame = seg.frames.findIndex(
      (f) => f.segment === 1 && f.sourceSOPInstanceUID === volume.slices[1].sopInstanceUID,
    );
    const bits = new Uint8Array(seg.pixelData);
    for (let n = 0; n < 35; n++) {
      const from = liverFrame * 35 + n;
      const to = parotidFrame * 35 + n;
      if (bits[from >> 3] & (1 << (from & 7))) bits[to >> 3] |= 1 << (to & 7);
    }
    const set = importSeg({ ...seg, pixelData: bits }, volume);
    expect(set.layers.length).toBe(2);
    const parotid = set.rois.find((x) => x.name === 'Parotid_L')!;
    const liver = set.rois.find((x) => x.name === 'Liver')!;
    expect(parotid.voxels).toBe(3 + 6); // its own 3 voxels + the 6 liver voxels of slice 1
    expect(liver.voxels).toBe(18);
    expect(set.warnings.join(' ')).toMatch(/Overlapping segments \(Parotid_L \/ Liver\)/);
    const map = organLabelMap(set, labels.length);
    expect(map.filter((v) => v === 11).length).toBe(9); // the smaller (parotid) wins
  });

  it('refuses a SEG of another series or frame of reference, another grid, and non-SEG files', () => {
    const { volume, labels } = tiny();
    const seg = readSeg(buildSeg(volume, labels).bytes);
    const other = makeVolume({ dims: [7, 5, 4], spacing: [0.8, 0.9], uids: ['1.2.3.1', '1.2.3.2', '1.2.3.3', '1.2.3.4'] });
    other.meta = { ...other.meta, seriesInstanceUID: '1.2.3.9', frameOfReferenceUID: '1.2.3.10' };
    expect(() => importSeg(seg, other)).toThrow(/references series .* the open series is 1\.2\.3\.9/);
    const sameSeriesOtherFor = {
      ...seg,
      referencedSeriesUIDs: [],
      referencedSOPInstanceUIDs: [],
      frames: seg.frames.map((f) => ({ ...f, sourceSOPInstanceUID: undefined })),
    };
    expect(() => importSeg(sameSeriesOtherFor, other)).toThrow(/frame of reference .* open series is in 1\.2\.3\.10/);
    const bigger = makeVolume({ dims: [8, 5, 4], spacing: [0.8, 0.9] });
    expect(() => importSeg(seg, bigger)).toThrow(SegImportError);
    expect(() => importSeg(seg, bigger)).toThrow(/7 x 5, the CT slices 8 x 5/);
    const coarser = makeVolume({ dims: [7, 5, 4], spacing: [1, 1] });
    expect(() => importSeg(seg, coarser)).toThrow(/pixel spacing/);
    expect(() => readSeg(new Uint8Array([1, 2, 3]))).toThrow(SegReadError);
  });
});

describe.skipIf(!hasCt3)('dcmqi ct-3slice: import its SEG, write ours (skipped if ../shared/data is absent)', () => {
  it("imports dcmqi's liver.dcm with every voxel and round-trips it through our writer", () => {
    const { volume } = ctGeometry(ct3Dir);
    const bytes = new Uint8Array(readFileSync(liverSeg));
    const seg = readSeg(bytes);
    expect(seg.segments.map((s) => s.label)).toEqual(['Liver']);
    const set = importSeg(seg, volume);
    expect(set.rois[0].organ?.tg263).toBe('Liver');
    // every set bit of the file (counted directly) is a voxel on the CT
    const bits = popcount(seg.pixelData, seg.rows * seg.columns * seg.frames.length);
    expect(bits).toBeGreaterThan(10000);
    expect(set.rois[0].voxels).toBe(bits);
    // and lies where dcmqi's own label map (liver_seg.nrrd, label 1, same grid) has the liver
    const nrrd = readNrrdShort(path.join(dataRoot, 'real/dcmqi-ct3slice/liver_seg.nrrd'));
    expect(nrrd.sizes).toEqual(volume.dims);
    expect(volume.rowCosines).toEqual([1, 0, 0]);
    expect(volume.colCosines).toEqual([0, 1, 0]);
    nrrd.origin.forEach((o, d) => expect(volume.slices[0].position[d]).toBeCloseTo(o, 3));
    const fromNrrd = Uint8Array.from(nrrd.data, (v) => (v === 1 ? 1 : 0));
    expect(differing(set.layers[0], fromNrrd)).toBe(0);
    const n = volume.dims[0] * volume.dims[1] * volume.dims[2];
    const ours = buildSeg(volume, organLabelMap(set, n));
    const back = importSeg(readSeg(ours.bytes), volume);
    expect(differing(back.layers[0], set.layers[0])).toBe(0);
  });

  it.skipIf(!existsSync(DCIODVFY) || !existsSync(DCMDUMP))(
    'dciodvfy reports no error; dcmdump shows the referenced CT series',
    () => {
      const { volume } = ctGeometry(ct3Dir);
      const [c, r, n] = volume.dims;
      const labels = new Uint8Array(c * r * n);
      for (let k = 0; k < n; k++)
        for (let j = 200; j < 300; j++) for (let i = 150; i < 260; i++) labels[i + j * c + k * c * r] = 30;
      for (let j = 330; j < 360; j++) for (let i = 240; i < 270; i++) labels[i + j * c + c * r] = 15;
      const dir = mkdtempSync(path.join(os.tmpdir(), 'seg-'));
      const file = path.join(dir, 'seg.dcm');
      writeFileSync(file, buildSeg(volume, labels).bytes);
      const v = dciodvfy(file);
      expect(v.output).toMatch(/Segmentation/);
      expect(v.errors).toEqual([]);
      const dump = spawnSync(DCMDUMP, [file], { encoding: 'utf8' }).stdout;
      expect(dump).toContain(`(0020,000e) UI [${volume.meta.seriesInstanceUID}]`);
      expect(dump).toContain(`(0020,0052) UI [${volume.meta.frameOfReferenceUID}]`);
      for (const s of volume.slices)
        expect(dump).toMatch(new RegExp(`\\[${s.sopInstanceUID.replace(/\./g, '\\.')}\\] +# +\\d+, 1 ReferencedSOPInstanceUID`));
      expect(dump).toMatch(/\[SpinalCord\] +# +\d+, 1 SegmentLabel/);
    },
  );

  it.skipIf(!existsSync(DCIODVFY) || !existsSync(DCMDUMP))(
    'a Greek name is kept in UTF-8; a 300-character name is cut to the PN limit, still valid',
    () => {
      const { volume } = ctGeometry(ct3Dir);
      const [c, r, n] = volume.dims;
      const labels = new Uint8Array(c * r * n);
      for (let j = 200; j < 240; j++) for (let i = 150; i < 190; i++) labels[i + j * c] = 30;
      const dir = mkdtempSync(path.join(os.tmpdir(), 'seg-name-'));
      for (const [name, expected] of [
        ['Σμίθ^Άννα', 'Σμίθ^Άννα'],
        ['Ω'.repeat(300), 'Ω'.repeat(32)],
      ] as const) {
        const file = path.join(dir, 'seg.dcm');
        writeFileSync(file, buildSeg({ ...volume, meta: { ...volume.meta, patientName: name } }, labels).bytes);
        expect(dciodvfy(file).errors).toEqual([]);
        const dump = spawnSync(DCMDUMP, ['+U8', '+L', file], { encoding: 'utf8' }).stdout;
        // Ω is 2 bytes in UTF-8: 64 bytes hold 32 of them (dciodvfy counts bytes)
        expect(/\(0010,0010\) PN \[([^\]]*)\]/.exec(dump)![1]).toBe(expected);
      }
    },
  );
});

const hn = hnsccCases()[0];
describe.skipIf(!hn)('hnscc-rtai: SEG of a clinical grid (skipped if ../shared/data is absent)', () => {
  it('dciodvfy passes and a SEG of another series is refused with the reason', () => {
    const { volume } = ctGeometry(hn.ctDir);
    const [c, r, n] = volume.dims;
    const labels = new Uint8Array(c * r * n);
    for (let k = 2; k < n - 2; k++) for (let j = 20; j < 30; j++) for (let i = 20; i < 30; i++) labels[i + j * c + k * c * r] = 1;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'seg-'));
    const file = path.join(dir, 'seg.dcm');
    const out = buildSeg(volume, labels);
    writeFileSync(file, out.bytes);
    if (existsSync(DCIODVFY)) expect(dciodvfy(file).errors).toEqual([]);
    expect(differing(organLabelMap(importSeg(readSeg(out.bytes), volume), labels.length), labels)).toBe(0);
    if (hasCt3) {
      const { volume: ct3 } = ctGeometry(ct3Dir);
      expect(() => importSeg(readSeg(out.bytes), ct3)).toThrow(SegImportError);
    }
  });
});
