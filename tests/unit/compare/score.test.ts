import { describe, expect, it } from 'vitest';
import type { Reference } from '../../../src/batch/reference';
import { scoreLabels, seriesMeanDsc, summariseScores, type OrganScore } from '../../../src/compare/score';
import { renderSummary } from '../../../src/batch/summary';
import type { SeriesOutcome } from '../../../src/batch/outputs';

/** A reference from a channel map, annotating `annotated`. */
function refOf(map: number[], annotated: number[]): Reference {
  return {
    description: 'test',
    annotated,
    mask: (c) => (map.includes(c) ? Uint8Array.from(map, (v) => (v === c ? 1 : 0)) : null),
    notes: [],
  };
}

describe('scoring one label map', () => {
  // a 4 x 1 x 2 volume, spacing 1 x 2 x 5 mm (voxel = 0.01 ml)
  const dims = [4, 1, 2] as const;
  const spacing = [1, 2, 5] as const;

  it('organs the protocol excludes are not scored (not DSC 0); head & neck includes the cervical oesophagus', async () => {
    const { PROTOCOLS, organByTg263 } = await import('../../../src/organs');
    const eso = organByTg263('Esophagus')!.channel;
    const liver = organByTg263('Liver')!.channel;
    const hn = PROTOCOLS.find((p) => p.id === 'head_neck')!.channels;
    expect(hn).toContain(eso);
    expect(hn).not.toContain(liver);
    const ref = [eso, eso, liver, liver, 0, 0, 0, 0];
    const pred = [eso, eso, 0, 0, 0, 0, 0, 0]; // the head & neck run predicts no liver
    const all = scoreLabels(Uint8Array.from(pred), refOf(ref, [eso, liver]), dims, spacing);
    expect(all.map((s) => s.organ)).toEqual(['Esophagus', 'Liver']);
    const scored = scoreLabels(Uint8Array.from(pred), refOf(ref, [eso, liver]), dims, spacing, hn);
    expect(scored.map((s) => s.organ)).toEqual(['Esophagus']);
  });

  it('DSC by hand, HD95 in mm along the slice axis, volumes', () => {
    //           k=0          k=1
    const ref = [1, 1, 0, 0, 1, 0, 0, 0];
    const pred = [1, 0, 0, 0, 1, 0, 0, 0];
    const [s] = scoreLabels(Uint8Array.from(pred), refOf(ref, [1]), dims, spacing);
    expect(s.organ).toBe('Brainstem');
    expect(s.dsc).toBeCloseTo((2 * 2) / (3 + 2), 12);
    // every voxel is a surface voxel; pred -> ref distances 0, ref -> pred: 0, 1, 0 -> P95 of [0,1,0] = 0.9
    expect(s.hd95Mm).toBeCloseTo(0.9, 12);
    expect(s.referenceMl).toBeCloseTo(0.03, 12);
    expect(s.predictedMl).toBeCloseTo(0.02, 12);
  });

  it('an empty prediction gives DSC 0 and no HD95; organs absent from the reference or not annotated are not scored', () => {
    const ref = [2, 2, 0, 0, 3, 0, 0, 0];
    const pred = [0, 0, 0, 3, 3, 0, 0, 0];
    const scores = scoreLabels(Uint8Array.from(pred), refOf(ref, [1, 2]), dims, spacing);
    // 1: annotated but absent from the reference; 3: present but not annotated
    expect(scores.map((s) => [s.channel, s.dsc, s.hd95Mm])).toEqual([[2, 0, null]]);
  });
});

const score = (channel: number, organ: string, dsc: number, hd95Mm: number | null): OrganScore => ({
  channel,
  organ,
  dsc,
  hd95Mm,
  referenceMl: 1,
  predictedMl: 1,
});

describe('summary across series', () => {
  const a = [score(1, 'Brainstem', 0.9, 2), score(11, 'Parotid_L', 0.5, 10)];
  const b = [score(1, 'Brainstem', 0.7, 4), score(11, 'Parotid_L', 0, null)];
  const c = [score(1, 'Brainstem', 0.8, 9)];

  it('mean, median and worst per organ; averages over organs as the training evaluation', () => {
    const s = summariseScores([a, b, c]);
    const brainstem = s.organs.find((o) => o.organ === 'Brainstem')!;
    expect(brainstem.n).toBe(3);
    expect(brainstem.dsc.mean).toBeCloseTo(0.8, 12);
    expect(brainstem.dsc.median).toBeCloseTo(0.8, 12);
    expect(brainstem.dsc.worst).toBe(0.7);
    expect(brainstem.hd95Mm).toEqual({ mean: 5, median: 4, worst: 9 });
    const parotid = s.organs.find((o) => o.organ === 'Parotid_L')!;
    expect(parotid.dsc).toEqual({ mean: 0.25, median: 0.25, worst: 0 });
    expect(parotid.hd95Mm).toEqual({ mean: 10, median: 10, worst: 10 });
    expect(parotid.emptyPredictions).toBe(1);
    expect(s.meanDsc).toBeCloseTo((0.8 + 0.25) / 2, 12);
    expect(s.meanHd95Mm).toBeCloseTo((5 + 10) / 2, 12);
    expect(s.emptyPredictions).toBe(1);
    expect(seriesMeanDsc(a)).toBeCloseTo(0.7, 12);
    expect(seriesMeanDsc([])).toBeNull();
  });

  it('summary.md: series table, failures, organ rows, comparison with the manifest metrics', () => {
    const outcomes: SeriesOutcome[] = [
      {
        name: 's1',
        input: 'in',
        label: 'CT',
        status: 'done',
        slices: 10,
        seconds: 2,
        slicesPerS: 5,
        backend: 'wasm',
        adapter: 'x',
        scores: a,
        meanDsc: 0.7,
      },
      {
        name: 's2',
        input: 'in',
        label: 'CT',
        status: 'done',
        slices: 10,
        seconds: 2,
        slicesPerS: 5,
        backend: 'wasm',
        adapter: 'x',
        scores: b,
        meanDsc: 0.35,
      },
      { name: 'bad', input: 'in2', label: 'CT', status: 'failed', failure: { stage: 'load', message: 'Only 3 slices' } },
    ];
    const md = renderSummary(outcomes, {
      command: 'npm run segment -- x',
      date: new Date(0),
      protocol: 'whole',
      backend: { name: 'wasm', adapter: 'x' },
      notes: ['n1'],
      problems: [{ input: 'in2', message: '2 DICOM file(s) could not be read' }],
      model: {
        id: 'm',
        name: 'M',
        version: '1',
        variant: 'attention_hpa',
        inputSize: 64,
        pixelSpacingMm: 2,
        metrics: [
          { dataset: 'OpenKBP val (n=33)', meanDsc: 0.5, meanHd95Mm: 5, perOrgan: { Brainstem: { dsc: 0.75, hd95Mm: 3 } } },
        ],
      },
    });
    expect(md).toContain('2 of 3 series contoured, 1 failed; 1 input problem(s).');
    expect(md).toContain('| 3 | bad | in2 | – | – | – | – | FAILED (load): Only 3 slices |');
    expect(md).toContain('| Brainstem | 2 | 0.800 | 0.800 | 0.700 | 3.0 | 3.0 | 4.0 | 0 |');
    expect(md).toContain('| Parotid_L | 2 | 0.250 | 0.250 | 0.000 | 10.0 | 10.0 | 10.0 | 1 |');
    expect(md).toContain('| **average** | | **0.525** | | | **6.5** | | | 1 |');
    expect(md).toContain('| Brainstem | 0.800 | 0.750 | +0.050 |');
    expect(md).toContain('| Parotid_L | 0.250 | – | – |');
    expect(md).toContain('- in2: 2 DICOM file(s) could not be read');
  });
});
