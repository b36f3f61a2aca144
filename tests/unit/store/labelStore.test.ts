import { describe, expect, it } from 'vitest';
import { labelStoreFor } from '../../../src/store/current';
import { LabelStore, type LabelChange } from '../../../src/store/labelStore';
import { exportOrgans } from '../../../src/pipeline/organExport';
import type { ImportedStructureSet } from '../../../src/rtstruct/import';
import type { CtVolume } from '../../../src/volume/volume';
import { makeVolume } from '../contours/fixtures';

const dims: [number, number, number] = [4, 3, 2];
const make = () => {
  const store = new LabelStore({ dims, spacing: [2, 2, 5] });
  const events: LabelChange[] = [];
  store.subscribe((c) => events.push(c));
  return { store, events, kinds: () => events.map((e) => e.kind) };
};

describe('label store', () => {
  it('setSlice writes the slice, updates the statistics and names the slice', () => {
    const { store, events } = make();
    store.setSlice(1, Uint8Array.from([0, 5, 5, 0, 0, 5, 0, 0, 0, 0, 0, 7]));
    expect([...store.labels.subarray(12)]).toEqual([0, 5, 5, 0, 0, 5, 0, 0, 0, 0, 0, 7]);
    expect(store.labels.subarray(0, 12).every((v) => v === 0)).toBe(true);
    const organ5 = store.stats.all().find((s) => s.channel === 5)!;
    expect(organ5.voxels).toBe(3);
    expect(organ5.volumeMl).toBeCloseTo((3 * 2 * 2 * 5) / 1000, 9);
    expect(events).toEqual([{ kind: 'slices', slices: [1] }]);
    expect(() => store.setSlice(0, new Uint8Array(5))).toThrow(RangeError);
    expect(() => store.setSlice(2, new Uint8Array(12))).toThrow(RangeError);
  });

  it('in-place writes: voxels with their old values, whole slices; stats follow both', () => {
    const { store, events } = make();
    store.labels[3] = 9;
    store.labels[20] = 9;
    store.wroteVoxels(Uint32Array.from([3, 20]), Uint8Array.from([0, 0]));
    expect(store.stats.all().find((s) => s.channel === 9)!.voxels).toBe(2);
    store.labels[3] = 0;
    store.wroteSlices([0]);
    expect(store.stats.all().find((s) => s.channel === 9)!.voxels).toBe(1);
    expect(events.map((e) => e.kind)).toEqual(['voxels', 'slices']);
    store.wroteVoxels([], []); // nothing written: no event
    expect(events).toHaveLength(2);
  });

  it('replacing the volume (setVolume, clear) voids the edited organs and says so once', () => {
    const { store, kinds } = make();
    store.setEdited(new Set([4, 2]));
    store.setEdited(new Set([2, 4])); // the same set: no event
    expect([...store.edited()].sort()).toEqual([2, 4]);
    const all = new Uint8Array(24).fill(3);
    store.setVolume(all);
    expect(store.edited().size).toBe(0);
    expect(store.stats.all().find((s) => s.channel === 3)!.voxels).toBe(24);
    store.clear();
    expect(store.labels.every((v) => v === 0)).toBe(true);
    expect(store.stats.all().every((s) => s.voxels === 0)).toBe(true);
    expect(kinds()).toEqual(['edited', 'replaced', 'edited', 'replaced']);
    expect(() => store.setVolume(new Uint8Array(23))).toThrow(RangeError);
  });

  it('provenance and reference: the same object until set, one event each', () => {
    const { store, kinds } = make();
    const none = store.provenance();
    expect(none).toEqual({ source: 'none' });
    expect(store.provenance()).toBe(none);
    store.setProvenance({ source: 'labelmap', file: 'seg.nii.gz', legend: 'meta.json' });
    expect(store.provenance().source).toBe('labelmap');
    const set = { rois: [], layers: [], warnings: [], label: 'x' } as unknown as ImportedStructureSet;
    store.setReference({ set, fileName: 'rs.dcm', kind: 'RTSTRUCT' });
    store.setReference({ set, fileName: 'rs-again.dcm', kind: 'RTSTRUCT' }); // the same set: nothing
    expect(store.reference()!.fileName).toBe('rs.dcm');
    store.setReference(null);
    expect(store.reference()).toBeNull();
    expect(kinds()).toEqual(['provenance', 'reference', 'reference']);
  });

  it('an unsubscribed listener hears nothing more', () => {
    const store = new LabelStore({ dims, spacing: [1, 1, 1] });
    let n = 0;
    const off = store.subscribe(() => n++);
    store.clear();
    off();
    store.clear();
    expect(n).toBe(1);
  });

  it('one store per CT object, and the export reads what the store holds', () => {
    const ct: CtVolume = makeVolume({ dims: [8, 8, 3] });
    const other: CtVolume = makeVolume({ dims: [8, 8, 3] });
    const store = labelStoreFor(ct);
    expect(labelStoreFor(ct)).toBe(store);
    expect(labelStoreFor(other)).not.toBe(store);
    expect(labelStoreFor(ct)).toBe(store); // asking for another CT does not replace this one
    for (let k = 0; k < 3; k++) {
      const slice = new Uint8Array(64);
      for (let j = 2; j < 6; j++) for (let i = 2; i < 6; i++) slice[j * 8 + i] = 26; // liver
      store.setSlice(k, slice);
    }
    store.setProvenance({ source: 'labelmap', file: 'mine.nii.gz', legend: 'meta.json' });
    store.setEdited(new Set([26]));
    const input = store.exportInput();
    expect(input.labels).toBe(store.labels);
    const step = exportOrgans(ct, input, { format: 'rtstruct' });
    expect(step.kind).toBe('written');
    if (step.kind !== 'written') return;
    // a label map (edited or not) is never the model's AUTOMATIC output
    expect(step.labelling.label).toBe('LabelMap');
    expect(step.count).toBeGreaterThanOrEqual(1);
  });
});
