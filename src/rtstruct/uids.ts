/**
 * UIDs for the RTSTRUCT: new ones for the structure set itself, and the CT's own ones with fallbacks for series
 * exported with empty UIDs (DESIGN 3.6; the real totalseg-example series has empty SOP, series and study UIDs).
 *
 * Fallback order for a CT slice: SOPInstanceUID, else the file meta's MediaStorageSOPInstanceUID, else a UID
 * derived deterministically from the slice's geometry. Deterministic so that re-opening the same files and
 * importing an exported RTSTRUCT matches it to the series again.
 */
import type { CtVolume } from '../volume/volume';

/** Fresh random UID under the 2.25 root (UUID-derived, PS3.5 B.2). */
export function randomUid(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return uidFromBytes(b);
}

/** Deterministic 2.25 UID from a text key (128-bit hash; not cryptographic, collisions are astronomically rare). */
export function derivedUid(key: string): string {
  return uidFromBytes(hash128(key));
}

function uidFromBytes(b: Uint8Array): string {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return `2.25.${n.toString()}`;
}

/** cyrb128: four 32-bit lanes of a multiplicative string hash. */
function hash128(str: string): Uint8Array {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  [h1, h2, h3, h4].forEach((h, i) => dv.setUint32(4 * i, h >>> 0));
  return out;
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** A valid UID: 1-64 characters, digits and dots, no empty or leading-zero components. */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(uid);
}

export interface SeriesUids {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  frameOfReferenceUID: string;
  /** Per slice k (sorted order). */
  sopInstanceUIDs: string[];
  sopClassUIDs: string[];
  /** Which of the above were not in the CT files (for a note in the UI / report). */
  generated: Array<'study' | 'series' | 'frameOfReference' | 'sopInstance' | 'sopInstanceFromMeta'>;
}

/** The CT's UIDs as an RTSTRUCT references them, with the fallbacks described above. */
export function seriesUids(volume: CtVolume): SeriesUids {
  const m = volume.meta;
  const generated: SeriesUids['generated'] = [];
  const clean = (u: string | undefined) => (u ?? '').trim().replace(/\0/g, '');
  const geom = [
    clean(m.patientID),
    clean(m.studyDate),
    clean(m.studyTime),
    clean(m.seriesNumber),
    volume.dims.join('x'),
    volume.slices[0]?.position.join(','),
    volume.slices[volume.slices.length - 1]?.position.join(','),
  ].join('|');
  const pick = (u: string, what: 'study' | 'series' | 'frameOfReference') => {
    if (isValidUid(clean(u))) return clean(u);
    generated.push(what);
    return derivedUid(`${what}|${geom}`);
  };
  const studyInstanceUID = pick(m.studyInstanceUID, 'study');
  const seriesInstanceUID = pick(m.seriesInstanceUID, 'series');
  const frameOfReferenceUID = pick(m.frameOfReferenceUID, 'frameOfReference');
  let fromMeta = false;
  let derived = false;
  const sopInstanceUIDs = volume.slices.map((s, k) => {
    const own = clean(s.sopInstanceUID);
    if (isValidUid(own)) return own;
    const meta = clean(s.mediaStorageSOPInstanceUID);
    if (isValidUid(meta)) {
      fromMeta = true;
      return meta;
    }
    derived = true;
    return derivedUid(`sop|${seriesInstanceUID}|${k}|${s.position.join(',')}`);
  });
  if (fromMeta) generated.push('sopInstanceFromMeta');
  if (derived) generated.push('sopInstance');
  const sopClassUIDs = volume.slices.map((s) => (isValidUid(clean(s.sopClassUID)) ? clean(s.sopClassUID) : CT_IMAGE_STORAGE));
  return { studyInstanceUID, seriesInstanceUID, frameOfReferenceUID, sopInstanceUIDs, sopClassUIDs, generated };
}

/**
 * One sentence for the UI / batch report when the CT files lack UIDs: which ones, and what the structure
 * set references instead (null when the CT carries all of them).
 */
export function uidNote(u: Pick<SeriesUids, 'generated'>): string | null {
  const g = new Set(u.generated);
  if (g.size === 0) return null;
  const missing: string[] = [];
  if (g.has('study')) missing.push('Study Instance UID');
  if (g.has('series')) missing.push('Series Instance UID');
  if (g.has('frameOfReference')) missing.push('Frame of Reference UID');
  if (g.has('sopInstanceFromMeta') || g.has('sopInstance')) missing.push('SOP Instance UIDs');
  const refs: string[] = [];
  if (g.has('sopInstanceFromMeta')) refs.push('the SOP Instance UIDs the files carry in their file meta header (0002,0003)');
  if (g.has('sopInstance')) refs.push('SOP Instance UIDs derived from the slice positions (the files carry none)');
  const made = [
    g.has('study') ? 'study' : '',
    g.has('series') ? 'series' : '',
    g.has('frameOfReference') ? 'frame of reference' : '',
  ].filter(Boolean);
  if (made.length) refs.push(`${made.join(', ')} UIDs derived from the series (the same on every export)`);
  return `The CT files have empty ${missing.join(', ')}. The structure set references ${refs.join(', and ')}; check that the planning system matches it to this CT.`;
}
