/**
 * Threshold-limited editing: an HU window that a brush stroke or a freehand fill is restricted to (only the
 * voxels of the CT whose HU lies in [min, max] change). Pure.
 */

export interface HuRange {
  /** Inclusive bounds, in HU. */
  min: number;
  max: number;
}

export type HuPresetId = 'bone' | 'soft' | 'no-air' | 'custom';

export interface HuPreset {
  id: Exclude<HuPresetId, 'custom'>;
  label: string;
  range: HuRange;
}

/** Common windows for contour correction: bone edges, soft tissue, and everything but air and lung. */
export const HU_PRESETS: readonly HuPreset[] = [
  { id: 'bone', label: 'Bone (200..3000)', range: { min: 200, max: 3000 } },
  { id: 'soft', label: 'Soft tissue (-100..200)', range: { min: -100, max: 200 } },
  { id: 'no-air', label: 'No air / lung (> -400)', range: { min: -400, max: 3071 } },
];

export function presetRange(id: HuPresetId, custom: HuRange): HuRange {
  return HU_PRESETS.find((p) => p.id === id)?.range ?? custom;
}

/** A usable range: finite bounds, min <= max. */
export function validRange(r: HuRange): boolean {
  return Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max;
}

/**
 * A voxel filter for the paint functions: true where the CT's HU at flat index `at` is inside `range`
 * (always true without a range). Throws on an inverted or non-finite range.
 */
export function huFilter(hu: ArrayLike<number>, range: HuRange | null): ((at: number) => boolean) | undefined {
  if (!range) return undefined;
  if (!validRange(range)) throw new RangeError(`HU range ${range.min}..${range.max} is empty or not a number`);
  const { min, max } = range;
  return (at) => {
    const v = hu[at];
    return v >= min && v <= max;
  };
}

/**
 * In-place masking of a candidate mask by the HU range: clears `mask[n]` where hu[n] is outside [min, max].
 * `mask` and `hu` are aligned (same length). Returns how many stay set.
 */
export function maskByRange(mask: Uint8Array, hu: ArrayLike<number>, range: HuRange): number {
  if (mask.length !== hu.length) throw new RangeError(`mask has ${mask.length} voxels, HU ${hu.length}`);
  if (!validRange(range)) throw new RangeError(`HU range ${range.min}..${range.max} is empty or not a number`);
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const v = hu[i];
    if (v >= range.min && v <= range.max) n++;
    else mask[i] = 0;
  }
  return n;
}
