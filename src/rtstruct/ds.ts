/**
 * DICOM Decimal String (DS) formatting: at most 16 characters per value (PS3.5 6.2).
 */

/** Maximum length of one DS value. */
export const DS_MAX_CHARS = 16;

/**
 * Formats `value` as a DS of at most 16 characters. With `decimals`, rounds to that many decimals first
 * (coordinates: 1e-4 mm is far below any image resolution). Without it, keeps the shortest representation
 * that reads back as the same double when that fits, so a slice z copied from the CT header stays exact.
 */
export function formatDS(value: number, decimals?: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`DS value must be finite, got ${value}`);
  let v = value;
  if (decimals !== undefined) {
    const f = 10 ** decimals;
    v = Math.round(value * f) / f;
  }
  if (Object.is(v, -0)) v = 0;
  const s = String(v);
  if (s.length <= DS_MAX_CHARS && !/e/i.test(s)) return s;
  // Too long (or exponent form from String): the most precision that fits in 16 characters.
  for (let p = 15; p >= 1; p--) {
    const t = trimZeros(v.toPrecision(p));
    if (t.length <= DS_MAX_CHARS) return t;
  }
  throw new RangeError(`cannot format ${value} as a DS`);
}

function trimZeros(s: string): string {
  if (/e/i.test(s)) {
    const [m, e] = s.split(/e/i);
    return `${trimZeros(m)}e${e}`;
  }
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Parses a DS value (tolerant of the surrounding spaces DICOM allows). */
export function parseDS(s: string | number): number {
  return typeof s === 'number' ? s : Number.parseFloat(s.trim());
}
