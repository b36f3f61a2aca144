/**
 * The three partially annotated source datasets (DESIGN 4, CONTRACTS 1): each covers more body than it
 * annotates and labels exactly its protocol's organs; determinism of the whole pipeline.
 */
import { describe, expect, test } from 'vitest';
import { CHANNEL_NAMES, PROTOCOLS } from '../../../src/organs';
import { caseDescription, generateCase } from '../../../src/phantom/generate';
import { REGION_PROTOCOL, type Region } from '../../../src/phantom/scan';
import { dicomFiles, labelsNifti } from '../../../src/phantom/series';

const small = { matrix: 72, spacing: 6.5, slice: 6 } as const;

/** organs visible in the scan but outside the source's set (they must stay unlabelled) */
const VISIBLE_UNANNOTATED: Record<Exclude<Region, 'whole'>, number[]> = {
  'head-neck': [23, 24], // lung apices in the upper chest
  thorax: [30, 32, 33], // liver, spleen, stomach in the upper abdomen
  abdomen: [22, 23, 24], // heart and lung bases in the lower chest
};

describe('partially annotated source datasets', () => {
  for (const region of ['head-neck', 'thorax', 'abdomen'] as const) {
    test(`${region}: labels exactly the ${REGION_PROTOCOL[region]} protocol, sees more`, () => {
      const c = generateCase({ seed: 5, region, ...small });
      const proto = PROTOCOLS.find((p) => p.id === REGION_PROTOCOL[region])!;
      expect(c.annotated).toEqual(proto.channels);
      const inLabels = new Set(c.labels);
      inLabels.delete(0);
      expect([...inLabels].sort((a, b) => a - b)).toEqual(proto.channels.filter((ch) => c.counts[ch] > 0));
      for (let i = 0; i < c.labels.length; i++) {
        const want = proto.channels.includes(c.labelsAll[i]) ? c.labelsAll[i] : 0;
        if (c.labels[i] !== want) throw new Error(`voxel ${i}: label ${c.labels[i]}, expected ${want}`);
      }
      for (const ch of VISIBLE_UNANNOTATED[region])
        expect(c.counts[ch], `${CHANNEL_NAMES[ch]} visible in ${region}`).toBeGreaterThan(0);
      const desc = caseDescription(c, { labels: 'labels.nii.gz' });
      expect(desc.annotated).toEqual(proto.channels.map((ch) => CHANNEL_NAMES[ch]));
      expect(desc.source).toBe(`phantom-${region}`);
      expect(Object.keys(desc.organVolumesMl as object)).toHaveLength(33);
      expect((desc.sliceRegions as number[]).length).toBe(c.plan.geometry.positions.length);
    }, 60_000);
  }
});

describe('determinism', () => {
  test('same seed and options: identical voxels, DICOM bytes and NIfTI bytes; other seed differs', () => {
    const o = { seed: 42, region: 'whole' as const, matrix: 48, spacing: 9.5, slice: 10 };
    const a = generateCase(o),
      b = generateCase(o),
      c = generateCase({ ...o, seed: 43 });
    expect(Buffer.from(a.hu.buffer).equals(Buffer.from(b.hu.buffer))).toBe(true);
    expect(Buffer.from(a.labels).equals(Buffer.from(b.labels))).toBe(true);
    expect(Buffer.from(labelsNifti(a)).equals(Buffer.from(labelsNifti(b)))).toBe(true);
    const fa = [...dicomFiles(a)],
      fb = [...dicomFiles(b)];
    expect(fa.map((f) => f[0])).toEqual(fb.map((f) => f[0]));
    fa.forEach(([, bytes], i) => expect(Buffer.from(bytes).equals(Buffer.from(fb[i][1]))).toBe(true));
    expect(JSON.stringify(caseDescription(a, { labels: 'l' }))).toBe(JSON.stringify(caseDescription(b, { labels: 'l' })));
    expect(Buffer.from(a.hu.buffer).equals(Buffer.from(c.hu.buffer))).toBe(false);
  }, 60_000);
});
