/** The per-organ connected-component clean-up (src/engine/cleanup.ts) on tiny hand-made volumes. */
import { describe, expect, test } from 'vitest';
import {
  boxGapSquaredMm,
  CLEANUP_RULES,
  cleanupLabels,
  cleanupLabelsAsync,
  decide,
  type CleanupRule,
} from '../../../src/engine/cleanup';
import { CHANNEL_NAMES } from '../../../src/organs';

const ch = (name: string) => CHANNEL_NAMES.indexOf(name);

/** A volume [cols, rows, slices] (x fastest) from slices written as strings: '.' = 0, a letter = its value. */
function vol(slices: string[][], legend: Record<string, number>): { labels: Uint8Array; dims: [number, number, number] } {
  const rows = slices[0].length;
  const cols = slices[0][0].length;
  const labels = new Uint8Array(cols * rows * slices.length);
  slices.forEach((s, z) =>
    s.forEach((line, y) => [...line].forEach((c, x) => (labels[(z * rows + y) * cols + x] = c === '.' ? 0 : legend[c]))),
  );
  return { labels, dims: [cols, rows, slices.length] };
}

describe('the rule table', () => {
  test('every organ has a rule; tiny organs keep one component, the bowel bag keeps loops', () => {
    expect(CLEANUP_RULES.size).toBe(33);
    expect(CLEANUP_RULES.get(ch('Pituitary'))!.maxComponents).toBe(1);
    expect(CLEANUP_RULES.get(ch('Ear_Internal_L'))!.maxComponents).toBe(1);
    expect(CLEANUP_RULES.get(ch('Glnd_Sublingual'))!.maxComponents).toBe(2);
    expect(CLEANUP_RULES.get(ch('Bag_Bowel'))!.maxComponents).toBeNull();
    expect(CLEANUP_RULES.get(ch('Liver'))).toEqual({
      maxComponents: null,
      minFraction: 0.1,
      minMl: 0,
      maxGapMm: 20,
      maxComponentMl: null,
      chain: false,
    });
    expect(CLEANUP_RULES.get(ch('Pituitary'))!.maxComponentMl).toBe(1.5);
  });
});

describe('boxGapSquaredMm / decide', () => {
  test('touching or overlapping boxes: 0; one empty voxel between: one spacing; per axis spacing', () => {
    expect(boxGapSquaredMm([0, 2, 0, 0, 0, 0], [3, 4, 0, 0, 0, 0], [2, 3, 5])).toBe(0);
    expect(boxGapSquaredMm([0, 2, 0, 0, 0, 0], [1, 4, 0, 0, 0, 0], [2, 3, 5])).toBe(0);
    expect(boxGapSquaredMm([0, 2, 0, 0, 0, 0], [4, 4, 0, 0, 0, 0], [2, 3, 5])).toBe(4);
    // 1 empty voxel in x (2 mm), 2 in z (10 mm): 4 + 100
    expect(boxGapSquaredMm([0, 2, 0, 0, 0, 0], [4, 4, 0, 0, 3, 3], [2, 3, 5])).toBe(104);
    expect(boxGapSquaredMm([4, 4, 0, 0, 3, 3], [0, 2, 0, 0, 0, 0], [2, 3, 5])).toBe(104);
  });

  test('largest kept; ties go to the first; fraction, ml, gap and count limits', () => {
    const rule: CleanupRule = { maxComponents: 3, minFraction: 0.5, minMl: 2, maxGapMm: 10, maxComponentMl: null, chain: false };
    const at = (x: number) => [x, x, 0, 0, 0, 0];
    // spacing 1 mm, voxelMl 1: counts 4 (first), 10 (largest), 5 (ok), 5 far (gap 19), 1 (too small)
    const comps = [
      { count: 4, box: at(0) },
      { count: 10, box: at(5) },
      { count: 5, box: at(8) },
      { count: 5, box: at(25) },
      { count: 1, box: at(6) },
    ];
    expect(decide(comps, rule, [1, 1, 1], 1)).toEqual([false, true, true, false, false]);
    expect(decide(comps, { ...rule, minFraction: 0.4 }, [1, 1, 1], 1)).toEqual([true, true, true, false, false]);
    expect(decide(comps, { ...rule, minFraction: 0.4, maxComponents: 2 }, [1, 1, 1], 1)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    // no fraction or count limit: the 1-voxel component stays at 3 ml per voxel, goes at 1 ml (< minMl 2)
    expect(decide(comps, { ...rule, minFraction: 0, maxComponents: null }, [1, 1, 1], 3)).toEqual([
      true,
      true,
      true,
      false,
      true,
    ]);
    expect(decide(comps, { ...rule, minFraction: 0, maxComponents: null }, [1, 1, 1], 1)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(
      decide(
        [
          { count: 3, box: at(9) },
          { count: 3, box: at(0) },
        ],
        { ...rule, maxComponents: 1 },
        [1, 1, 1],
        1,
      ),
    ).toEqual([true, false]);
    expect(decide([], rule, [1, 1, 1], 1)).toEqual([]);
    // maxComponentMl: the 10-voxel component is too big to be the organ; the largest of the rest leads
    // (comp 2 leads; comp 0 is 4 >= 2.5 voxels, 7 mm away: kept too)
    expect(decide(comps, { ...rule, maxComponentMl: 9 }, [1, 1, 1], 1)).toEqual([true, false, true, false, false]);
    expect(decide(comps, { ...rule, maxComponentMl: 0.5 }, [1, 1, 1], 1)).toEqual([false, false, false, false, false]);
  });
});

describe('cleanupLabels', () => {
  test('a liver island far away is dropped, a large fragment close by is kept, other labels untouched', () => {
    const L = ch('Liver');
    const S = ch('Spleen');
    const { labels, dims } = vol(
      [
        ['LLL....L.', 'LLL......', '.........', 'L.L...SS.'],
        ['LLL......', 'LLL......', '.........', '......S..'],
      ],
      { L, S },
    );
    // spacing 10 mm: the single liver voxel at x=7 is 4 empty voxels (40 mm) from the blob: dropped.
    // The two bottom-left voxels (x=0, x=2, row 3) are separate 1-voxel components 1 empty row away (10 mm)
    // but 1/12 < 10 % of the blob: dropped. The spleen is one component (26-connected): kept.
    const { labels: out, report } = cleanupLabels(labels, dims, [10, 10, 10]);
    const expected = vol(
      [
        ['LLL......', 'LLL......', '.........', '......SS.'],
        ['LLL......', 'LLL......', '.........', '......S..'],
      ],
      { L, S },
    ).labels;
    expect(Array.from(out)).toEqual(Array.from(expected));
    expect(Array.from(labels)).not.toEqual(Array.from(expected)); // the pure version leaves its input alone
    expect(report.voxelsRemoved).toBe(3);
    expect(report.changedSlices).toEqual([0]);
    expect(report.organs).toEqual([
      { channel: L, components: 4, kept: 1, voxelsRemoved: 3 },
      { channel: S, components: 1, kept: 1, voxelsRemoved: 0 },
    ]);
  });

  test('a fragment >= 10 % within 20 mm stays; 26-connectivity joins corner neighbours across slices', () => {
    const K = ch('Kidney_L');
    const { labels, dims } = vol(
      [
        ['KK...', 'KK...', '.....', '.....'],
        ['.....', '.....', '..K..', '.....'], // corner-touches the blob of slice 0: same component
        ['.....', '.....', '.....', '...KK'], // corner-touches slice 1: same component
        ['.....', '.....', '.....', '.....'],
        ['K....', '.....', '.....', '.....'], // 1 voxel: 1/7 of the blob, 1 empty slice between (1 mm): kept
      ],
      { K },
    );
    const { labels: out, report } = cleanupLabels(labels, dims, [1, 1, 1]);
    expect(Array.from(out)).toEqual(Array.from(labels));
    expect(report.organs).toEqual([{ channel: K, components: 2, kept: 2, voxelsRemoved: 0 }]);
    expect(report.changedSlices).toEqual([]);
    // at 25 mm slices the empty slice is 25 mm > 20 mm: dropped
    expect(cleanupLabels(labels, dims, [1, 1, 20]).report.voxelsRemoved).toBe(0);
    const far = cleanupLabels(labels, dims, [1, 1, 25]);
    expect(labels[4 * 20]).toBe(K);
    expect(far.labels[4 * 20]).toBe(0);
    expect(far.report.voxelsRemoved).toBe(1);
  });

  test('pituitary and inner ear keep exactly one component (ties: first in raster order)', () => {
    const P = ch('Pituitary');
    const E = ch('Ear_Internal_R');
    const { labels, dims } = vol([['P..P', '....', 'EE.E']], { P, E });
    const { labels: out } = cleanupLabels(labels, dims, [0.5, 0.5, 0.5]);
    expect(Array.from(out)).toEqual(Array.from(vol([['P...', '....', 'EE..']], { P, E }).labels));
  });

  test('a pituitary blob bigger than 1.5 ml is dropped whole (the 598 ml pituitary on the example CT)', () => {
    const P = ch('Pituitary');
    const { labels, dims } = vol([['PP..P', '.....', 'PPP..']], { P });
    // 10 mm voxels = 1 ml: the 3- and 2-voxel blobs exceed 1.5 ml, the single voxel is the one kept
    expect(Array.from(cleanupLabels(labels, dims, [10, 10, 10]).labels)).toEqual(
      Array.from(vol([['....P', '.....', '.....']], { P }).labels),
    );
    // at 20 mm even that voxel (8 ml) cannot be a pituitary: none left
    const none = cleanupLabels(labels, dims, [20, 20, 20]);
    expect(none.labels.every((v) => v === 0)).toBe(true);
    expect(none.report.organs).toEqual([{ channel: P, components: 3, kept: 0, voxelsRemoved: 6 }]);
  });

  test('sublingual glands: the two largest components; bowel bag: every loop of at least 2 ml', () => {
    const G = ch('Glnd_Sublingual');
    const B = ch('Bag_Bowel');
    const { labels, dims } = vol([['GGG.GG.G', '........', 'BB.B.BBB']], { G, B });
    // 10 mm voxels = 1 ml: the lone B voxel (1 ml) goes, the 2- and 3-voxel loops stay
    const { labels: out } = cleanupLabels(labels, dims, [10, 10, 10]);
    expect(Array.from(out)).toEqual(Array.from(vol([['GGG.GG..', '........', 'BB...BBB']], { G, B }).labels));
  });

  test('spinal cord broken along its length: a chain of pieces each within 40 mm of a kept one', () => {
    const C = ch('SpinalCord');
    // one voxel column, 10 mm voxels: pieces at z 0-1 | 7-8 | 12-16 (largest) | 20-21 | 25-26
    const column = 'CC.....CC...CCCCC...CC...CC...';
    const { labels, dims } = vol(
      [...column].map((c) => [c]),
      { C },
    );
    const { labels: out, report } = cleanupLabels(labels, dims, [10, 10, 10]);
    // 25-26 is 80 mm from the largest but 30 mm from 20-21 (kept): kept; 0-1 is 50 mm from 7-8: dropped
    expect([...out].map((v) => (v ? 'C' : '.')).join('')).toBe('.......CC...CCCCC...CC...CC...');
    expect(report.organs).toEqual([{ channel: C, components: 5, kept: 4, voxelsRemoved: 2 }]);
    // the same column as a compact organ (distance to the largest only, 20 mm): only the largest stays
    const compact = new Map([[C, { ...CLEANUP_RULES.get(ch('Liver'))! }]]);
    expect([...cleanupLabels(labels, dims, [10, 10, 10], compact).labels].map((v) => (v ? 'C' : '.')).join('')).toBe(
      '............CCCCC.............',
    );
  });

  test('an empty volume and a volume without rules for its labels are unchanged', () => {
    const empty = new Uint8Array(27);
    expect(cleanupLabels(empty, [3, 3, 3], [1, 1, 1]).report).toMatchObject({ organs: [], voxelsRemoved: 0, changedSlices: [] });
    const { labels, dims } = vol([['A.A']], { A: 30 });
    expect(Array.from(cleanupLabels(labels, dims, [50, 50, 50], new Map()).labels)).toEqual([30, 0, 30]);
    expect(() => cleanupLabels(new Uint8Array(5), [3, 3, 3], [1, 1, 1])).toThrow(RangeError);
  });

  test('the async version (yields between slices) gives the same labels and report', async () => {
    const { labels, dims } = vol(
      [
        ['LLL....L.', 'LLL......', '.........', 'L.L...SS.'],
        ['LLL......', 'LLL..P...', '.........', '......S.P'],
      ],
      { L: ch('Liver'), S: ch('Spleen'), P: ch('Pituitary') },
    );
    const sync = cleanupLabels(labels, dims, [10, 10, 10]);
    const copy = labels.slice();
    const r = await cleanupLabelsAsync(copy, dims, [10, 10, 10], { sliceMs: 0 });
    expect(Array.from(copy)).toEqual(Array.from(sync.labels));
    expect({ ...r, ms: 0 }).toEqual({ ...sync.report, ms: 0 });
  });
});
