/**
 * Reference contours for the accuracy report (`--reference`), as organ masks on the CT grid:
 *  - an RTSTRUCT (rasterised with the app's own importer, src/rtstruct/import.ts; ROI names mapped to organs
 *    with the importer's name table);
 *  - a folder of NIfTI masks named by organ (TG-263 or any spelling the name table knows: Parotid_L.nii.gz);
 *  - a NIfTI label map, optionally with a JSON legend next to it:
 *      OpenKBP meta.json  ({ bits: { "0": { tg263 } }, annotated: [...] }): a bitmask, painted into one label
 *                         map largest organ first so the smaller organ wins where contours overlap (the
 *                         training evaluation's rule, training/attention_anatomy/sources.py);
 *      phantom case.json  ({ annotated: [...] }): values are organ channels (DESIGN 3.1);
 *      value -> name map  ({ "1": "spleen", ... } or { labels: {...} }, e.g. TotalSegmentator's);
 *      no legend:         values are organ channels.
 * Label maps on another grid are resampled to the CT (nearest neighbour in patient space, resample.ts).
 *
 * `annotated` is the set of organs the reference contoured: per CONTRACTS 6 only those are scored, and
 * only when present. Reading is Node I/O; the decoding functions below are pure.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CtVolume } from '../volume/volume';
import { readNiftiLabels } from '../nifti/labels';
import { resampleLabelsToCt, type GriddedLabels } from '../labels/resample';
import { importStructureSet } from '../rtstruct/import';
import { organForRoiName } from '../organNames';
import { readRtStruct, RtStructReadError } from '../rtstruct/reader';
import { referenceFromImported, type Reference } from '../compare/reference';
import { importSeg } from '../seg/import';
import { readSeg } from '../seg/reader';

export type ReferenceSpec =
  { kind: 'rtstruct'; path: string } | { kind: 'masks'; path: string } | { kind: 'labelmap'; path: string; legend?: string };

export type { Reference } from '../compare/reference';

export class ReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceError';
  }
}

export const isNiftiPath = (p: string): boolean => /\.nii(\.gz)?$/i.test(p);

/** Legend files looked for next to a label map, in this order: <name>.json, meta.json, case.json, labels*.json. */
export function legendCandidates(labelPath: string): string[] {
  const dir = dirname(labelPath);
  const stem = basename(labelPath).replace(/\.nii(\.gz)?$/i, '');
  let labelsJson: string[] = [];
  try {
    labelsJson = readdirSync(dir)
      .filter((f) => /^labels.*\.json$/i.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    // no listing: only the fixed names
  }
  return [join(dir, `${stem}.json`), join(dir, 'meta.json'), join(dir, 'case.json'), ...labelsJson];
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** What kind of reference a path is (it must exist). */
export function classifyReference(path: string): ReferenceSpec {
  if (!exists(path)) throw new ReferenceError(`reference ${path} does not exist`);
  if (statSync(path).isDirectory()) return { kind: 'masks', path };
  if (isNiftiPath(path)) {
    const legend = legendCandidates(path).find(exists);
    return legend ? { kind: 'labelmap', path, legend } : { kind: 'labelmap', path };
  }
  return { kind: 'rtstruct', path };
}

// ---------------------------------------------------------------------------------------------
// label-map legends (pure)

export type Legend =
  | { kind: 'bitmask'; bits: Map<number, number>; annotated: number[] | null; unknown: string[] }
  | { kind: 'values'; values: Map<number, number>; annotated: number[] | null; unknown: string[] }
  | { kind: 'channels'; annotated: number[] | null; unknown: string[] };

const channelOf = (name: string): number | undefined => organForRoiName(name)?.channel;

function namesToChannels(names: unknown, unknown: string[]): number[] | null {
  if (!Array.isArray(names)) return null;
  const out = new Set<number>();
  for (const n of names) {
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 33) out.add(n);
    else if (typeof n === 'string') {
      const c = channelOf(n);
      if (c) out.add(c);
      else unknown.push(n);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Interprets a legend JSON (see the header comment). */
export function parseLegend(json: unknown): Legend {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ReferenceError('legend: expected a JSON object');
  const o = json as Record<string, unknown>;
  const unknown: string[] = [];
  if (o.bits && typeof o.bits === 'object') {
    const bits = new Map<number, number>();
    for (const [b, v] of Object.entries(o.bits as Record<string, unknown>)) {
      const entry = v as { tg263?: unknown; name?: unknown } | string;
      const name = typeof entry === 'string' ? entry : String(entry?.tg263 ?? entry?.name ?? '');
      const c = channelOf(name);
      if (c && /^\d+$/.test(b) && Number(b) < 8) bits.set(Number(b), c);
      else unknown.push(name || `bit ${b}`);
    }
    return { kind: 'bitmask', bits, annotated: namesToChannels(o.annotated, unknown), unknown };
  }
  const map = (o.labels && typeof o.labels === 'object' && !Array.isArray(o.labels) ? o.labels : o) as Record<string, unknown>;
  const numericKeys = Object.keys(map).filter((k) => /^\d+$/.test(k));
  if (numericKeys.length && numericKeys.every((k) => typeof map[k] === 'string')) {
    const values = new Map<number, number>();
    for (const k of numericKeys) {
      const c = channelOf(map[k] as string);
      if (c) values.set(Number(k), c);
      else unknown.push(map[k] as string);
    }
    return { kind: 'values', values, annotated: [...new Set(values.values())].sort((a, b) => a - b), unknown };
  }
  return { kind: 'channels', annotated: namesToChannels(o.annotated ?? o.annotatedChannels, unknown), unknown };
}

/**
 * Bitmask values on the CT grid -> one channel map: organs painted largest first, so that where two
 * contours overlap the smaller organ wins (as the training evaluation builds its reference).
 */
export function paintBitmask(bitsOnCt: Uint8Array, bits: ReadonlyMap<number, number>): Uint8Array {
  const counts = [...bits.entries()].map(([b, c]) => {
    let n = 0;
    const m = 1 << b;
    for (let i = 0; i < bitsOnCt.length; i++) if (bitsOnCt[i] & m) n++;
    return { b, c, n };
  });
  counts.sort((x, y) => y.n - x.n || x.c - y.c);
  const out = new Uint8Array(bitsOnCt.length);
  for (const { b, c, n } of counts) {
    if (!n) continue;
    const m = 1 << b;
    for (let i = 0; i < bitsOnCt.length; i++) if (bitsOnCt[i] & m) out[i] = c;
  }
  return out;
}

function channelsPresent(map: Uint8Array): number[] {
  const seen = new Uint8Array(256);
  for (let i = 0; i < map.length; i++) seen[map[i]] = 1;
  const out: number[] = [];
  for (let c = 1; c <= 33; c++) if (seen[c]) out.push(c);
  return out;
}

function maskOf(map: Uint8Array, channel: number): Uint8Array | null {
  const m = new Uint8Array(map.length);
  let any = false;
  for (let i = 0; i < map.length; i++) {
    if (map[i] === channel) {
      m[i] = 1;
      any = true;
    }
  }
  return any ? m : null;
}

/** A label map (already read) with its legend, on the CT grid. Pure. */
export function labelMapReference(labels: GriddedLabels, legend: Legend | null, ct: CtVolume, description: string): Reference {
  const notes: string[] = [];
  const lg: Legend = legend ?? { kind: 'channels', annotated: null, unknown: [] };
  if (lg.unknown.length) notes.push(`legend names with no organ in the table, not scored: ${lg.unknown.join(', ')}`);
  let map: Uint8Array;
  if (lg.kind === 'bitmask') map = paintBitmask(resampleLabelsToCt(labels, ct), lg.bits);
  else if (lg.kind === 'values') map = resampleLabelsToCt(labels, ct, lg.values);
  else {
    map = resampleLabelsToCt(labels, ct);
    for (let i = 0; i < map.length; i++) if (map[i] > 33) map[i] = 0;
  }
  const annotated =
    lg.annotated ?? (lg.kind === 'bitmask' ? [...new Set(lg.bits.values())].sort((a, b) => a - b) : channelsPresent(map));
  return { description, annotated, mask: (c) => (annotated.includes(c) ? maskOf(map, c) : null), notes };
}

// ---------------------------------------------------------------------------------------------
// readers (Node I/O)

function readLabelMap(spec: { path: string; legend?: string }, ct: CtVolume): Reference {
  const labels = readNiftiLabels(readFileSync(spec.path));
  let legend: Legend | null = null;
  if (spec.legend) {
    try {
      legend = parseLegend(JSON.parse(readFileSync(spec.legend, 'utf8')));
    } catch (e) {
      throw new ReferenceError(`legend ${spec.legend}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const what = legend
    ? `${legend.kind === 'bitmask' ? 'bitmask' : 'label map'} ${spec.path} with legend ${basename(spec.legend!)}`
    : `label map ${spec.path} (values = organ channels)`;
  return labelMapReference(labels, legend, ct, what);
}

function readRtStructReference(path: string, ct: CtVolume): Reference {
  const bytes = readFileSync(path);
  const n = ct.dims[0] * ct.dims[1] * ct.dims[2];
  let ss;
  try {
    ss = readRtStruct(bytes);
  } catch (e) {
    // a DICOM SEG is read as well (same import rules as in the app)
    if (!(e instanceof RtStructReadError) || !/not an RT Structure Set/.test(e.message)) throw e;
    const seg = readSeg(bytes);
    return referenceFromImported(importSeg(seg, ct), n, `SEG ${path} (${seg.segments.length} segments)`);
  }
  // Scores against a damaged reference would mislead: refuse it, with the lines the app's import shows.
  if (ss.problems.length) throw new ReferenceError(`RTSTRUCT ${path} is damaged: ${ss.problems.join('; ')}`);
  return referenceFromImported(importStructureSet(ss, ct), n, `RTSTRUCT ${path} ("${ss.label}", ${ss.rois.length} ROIs)`);
}

function readMaskFolder(dir: string, ct: CtVolume): Reference {
  const files = new Map<number, string>();
  const unmatched: string[] = [];
  for (const f of readdirSync(dir).filter(isNiftiPath).sort()) {
    const c = channelOf(f.replace(/\.nii(\.gz)?$/i, ''));
    if (c && !files.has(c)) files.set(c, join(dir, f));
    else unmatched.push(f);
  }
  if (!files.size) throw new ReferenceError(`${dir}: no NIfTI mask named after an organ (e.g. Parotid_L.nii.gz)`);
  const notes = unmatched.length ? [`mask files matching no organ, not scored: ${unmatched.join(', ')}`] : [];
  return {
    description: `mask folder ${dir} (${files.size} organs)`,
    annotated: [...files.keys()].sort((a, b) => a - b),
    mask: (c) => {
      const f = files.get(c);
      if (!f) return null;
      const g = readNiftiLabels(readFileSync(f));
      const m = resampleLabelsToCt({ ...g, data: Uint8Array.from(g.data as ArrayLike<number>, (v) => (v ? 1 : 0)) }, ct);
      return m.some((v) => v) ? m : null;
    },
    notes,
  };
}

/** Reads a reference onto the CT grid. Throws ReferenceError (or the reader's own error) with a message for the user. */
export function loadReference(spec: ReferenceSpec, ct: CtVolume): Reference {
  switch (spec.kind) {
    case 'labelmap':
      return readLabelMap(spec, ct);
    case 'rtstruct':
      return readRtStructReference(spec.path, ct);
    case 'masks':
      return readMaskFolder(spec.path, ct);
  }
}
