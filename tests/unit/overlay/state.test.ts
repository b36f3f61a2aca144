import { describe, expect, it } from 'vitest';
import { OrganStats } from '../../../src/labels/organStats';
import { ALL_CHANNELS, initialOverlayState, overlayKeyAction, overlayReducer } from '../../../src/labels/overlayState';

describe('OrganStats', () => {
  // 4 x 3 pixels, 3 slices, voxel 2 x 2 x 2.5 mm = 0.01 ml
  const stats = () => new OrganStats([4, 3, 3], [2, 2, 2.5]);

  it('counts volume, slice range and centroid as slices arrive', () => {
    const s = stats();
    expect(s.get(5)).toEqual({ channel: 5, voxels: 0, volumeMl: 0, sliceRange: null, centreVoxel: null });
    s.setSlice(1, [0, 5, 5, 0, 0, 5, 0, 0, 0, 0, 0, 0]);
    s.setSlice(2, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
    const st = s.get(5);
    expect(st.voxels).toBe(4);
    expect(st.volumeMl).toBeCloseTo(0.04, 12);
    expect(st.sliceRange).toEqual([1, 2]);
    // voxels (1,0,1) (2,0,1) (1,1,1) (3,2,2)
    expect(st.centreVoxel).toEqual([7 / 4, 3 / 4, 5 / 4]);
  });

  it('replaces a slice delivered again instead of adding to it', () => {
    const s = stats();
    s.setSlice(0, [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    s.setSlice(0, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.get(1).voxels).toBe(1);
  });

  it('reads a whole volume at once and rejects slices out of range', () => {
    const s = stats();
    const vol = new Uint8Array(36);
    vol[0] = 33;
    vol[35] = 33;
    s.setVolume(vol);
    expect(s.get(33).sliceRange).toEqual([0, 2]);
    expect(s.all()).toHaveLength(33);
    expect(() => s.setSlice(3, vol)).toThrow(RangeError);
  });
});

describe('overlay state', () => {
  it('starts with every organ visible, fill mode', () => {
    const s = initialOverlayState();
    expect(s.visible.size).toBe(33);
    expect(s.mode).toBe('fill');
  });

  it('toggles one organ, a group, all', () => {
    let s = initialOverlayState();
    s = overlayReducer(s, { type: 'toggle', channel: 22 });
    expect(s.visible.has(22)).toBe(false);
    s = overlayReducer(s, { type: 'group', group: 'head_neck', visible: false });
    expect([...s.visible].sort((a, b) => a - b)).toEqual([23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33]);
    s = overlayReducer(s, { type: 'group', group: 'thorax', visible: true });
    expect(s.visible.has(22)).toBe(true);
    s = overlayReducer(s, { type: 'all', visible: false });
    expect(s.visible.size).toBe(0);
    s = overlayReducer(s, { type: 'all', visible: true });
    expect([...s.visible]).toEqual(ALL_CHANNELS);
  });

  it('keyboard: [ ] move the selection, v toggles it, a / n show / hide all, o switches fill and outline', () => {
    const order = [30, 32, 27];
    let s = initialOverlayState();
    const key = (k: string) => {
      const a = overlayKeyAction(k, order);
      if (a) s = overlayReducer(s, a);
    };
    key('v'); // nothing selected: no change
    expect(s.visible.size).toBe(33);
    key(']');
    expect(s.selected).toBe(30);
    key(']');
    key(']');
    key(']'); // stops at the end
    expect(s.selected).toBe(27);
    key('[');
    expect(s.selected).toBe(32);
    key('v');
    expect(s.visible.has(32)).toBe(false);
    key('v');
    expect(s.visible.has(32)).toBe(true);
    key('n');
    expect(s.visible.size).toBe(0);
    key('a');
    expect(s.visible.size).toBe(33);
    key('o');
    expect(s.mode).toBe('outline');
    key('o');
    expect(s.mode).toBe('fill');
    expect(overlayKeyAction('x', order)).toBeNull();
  });

  it('clamps opacity and toggles imported structures', () => {
    let s = overlayReducer(initialOverlayState(), { type: 'opacity', opacity: 3 });
    expect(s.opacity).toBe(1);
    s = overlayReducer(s, { type: 'importedAll', visible: true, labels: [1, 2, 3] });
    s = overlayReducer(s, { type: 'importedToggle', label: 2 });
    expect([...s.importedVisible]).toEqual([1, 3]);
  });
});
