import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { organByTg263 } from '../../../src/organs';
import { LegendError, labelValues, legendFromFiles, parseColourTable, parseJsonLegend } from '../../../src/labels/labelLegend';

const ch = (tg: string) => organByTg263(tg)!.channel;
const TOTALSEG_MAP = path.resolve(import.meta.dirname, '../../../../shared/data/real/totalseg-example/labels_total_v2.json');

describe('label map legends', () => {
  it('TotalSegmentator class map: values -> organs, lobes merged into lungs, unknown classes listed', () => {
    const l = parseJsonLegend(
      { 1: 'spleen', 2: 'kidney_right', 10: 'lung_upper_lobe_left', 13: 'lung_middle_lobe_right', 25: 'sacrum' },
      'legend x.json',
    );
    expect(l.values).toEqual(
      new Map([
        [1, ch('Spleen')],
        [2, ch('Kidney_R')],
        [10, ch('Lung_L')],
        [13, ch('Lung_R')],
      ]),
    );
    expect(l.unknown).toEqual(['sacrum']);
    // value 1 is the spleen, not channel 1 (which is another organ)
    expect(ch('Spleen')).not.toBe(1);
  });
  it.skipIf(!existsSync(TOTALSEG_MAP))('the real TotalSegmentator v2 class map maps liver and spleen', () => {
    const l = legendFromFiles([{ name: 'labels_total_v2.json', text: readFileSync(TOTALSEG_MAP, 'utf8') }])!;
    expect(l.values.get(5)).toBe(ch('Liver'));
    expect(l.values.get(1)).toBe(ch('Spleen'));
  });
  it('ITK-SNAP label description and Slicer colour table', () => {
    const snap = parseColourTable(
      '# ITK-SnAP Label Description File\n    0     0    0    0        0  0  0    "Clear Label"\n    1   255    0    0        1  1  1    "Parotid_L"\n    2     0  255    0        1  1  1    "Brainstem"\n',
      'legend s.txt',
    );
    expect(snap.values).toEqual(
      new Map([
        [1, ch('Parotid_L')],
        [2, ch('Brainstem')],
      ]),
    );
    const slicer = parseColourTable(
      '# Color table file\n0 Background 0 0 0 0\n4 Liver 221 130 101 255\n7 Spinal_Cord 244 214 49 255\n',
      'legend t.ctbl',
    );
    expect(slicer.values).toEqual(
      new Map([
        [4, ch('Liver')],
        [7, ch('SpinalCord')],
      ]),
    );
  });
  it('a legend with no organ of ours, or no legend file at all', () => {
    expect(() => parseJsonLegend({ 1: 'sacrum', 2: 'femur_left' }, 'legend y.json')).toThrow(LegendError);
    expect(legendFromFiles([])).toBeNull();
    expect(() => legendFromFiles([{ name: 'a.json', text: '{' }])).toThrow(/not valid JSON/);
  });
  it('channel numbers only when the legend says so', () => {
    const l = parseJsonLegend({ valuesAreChannels: true }, 'legend case.json');
    expect(l.values.get(7)).toBe(7);
  });
  it('labelValues counts each value', () => {
    expect(labelValues(Uint8Array.from([0, 3, 3, 9, 0]))).toEqual([
      { value: 3, voxels: 2 },
      { value: 9, voxels: 1 },
    ]);
  });
});
