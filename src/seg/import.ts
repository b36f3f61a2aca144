/**
 * A DICOM SEG placed on the open CT, as the same "imported structure set" an RTSTRUCT import gives (so the
 * viewer shows it and the comparison scores it the same way).
 *
 * Rules:
 *  - The SEG must belong to the open series: a frame's source image or the Referenced Series Sequence names
 *    an image of this series, or (when it names none of them) the frame of reference is the series' own.
 *    Otherwise it is refused with the reason.
 *  - The SEG grid must be the CT's: same rows and columns, orientation and pixel spacing (within 0.1 %),
 *    each frame on a CT slice (found by its source image, else by its plane position) and not shifted in
 *    plane by half a pixel or more; otherwise the SEG is refused (frames off the series are skipped and
 *    counted in a warning).
 *  - FRACTIONAL segments: a pixel belongs to the segment when its value is at least half of
 *    MaximumFractionalValue (occupancy or probability >= 0.5); a warning says so.
 *  - Overlapping segments are all kept: each goes into the first label layer where it overlaps nothing
 *    (as for RTSTRUCT ROIs), and a warning names the overlapping pairs. `organLabelMap` (one label per
 *    voxel) lets the smaller segment win where two overlap.
 */
import { nearestSlice, normalDistance } from '../contours/geometry';
import { dot, sub } from '../dicom/vec';
import type { CtVolume, LabelVolume } from '../volume/volume';
import { FALLBACK_COLOURS, paintRoiSlices, type ImportedRoi, type ImportedStructureSet } from '../rtstruct/import';
import { organForRoiName } from '../organNames';
import { seriesUids } from '../rtstruct/uids';
import { organForCodes } from './codes';
import { framePixel, type SegData } from './reader';

export class SegImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegImportError';
  }
}

/** Why (not) this SEG belongs to the open series. */
export function matchSeg(seg: SegData, volume: CtVolume): { ok: boolean; reason: string } {
  const ref = seriesUids(volume);
  const uids = new Set(ref.sopInstanceUIDs);
  const named = [...seg.referencedSOPInstanceUIDs, ...seg.frames.map((f) => f.sourceSOPInstanceUID ?? '')].filter(Boolean);
  if (named.some((u) => uids.has(u))) return { ok: true, reason: 'references images of this series' };
  const forKnown = !!seg.frameOfReferenceUID && !ref.generated.includes('frameOfReference');
  if (named.length === 0 && forKnown && seg.frameOfReferenceUID === ref.frameOfReferenceUID)
    return { ok: true, reason: 'same frame of reference' };
  if (seg.referencedSeriesUIDs.length && !seg.referencedSeriesUIDs.includes(ref.seriesInstanceUID)) {
    return {
      ok: false,
      reason: `the SEG references series ${seg.referencedSeriesUIDs.join(', ')}; the open series is ${ref.seriesInstanceUID}`,
    };
  }
  if (forKnown && seg.frameOfReferenceUID !== ref.frameOfReferenceUID) {
    return {
      ok: false,
      reason: `the SEG is in frame of reference ${seg.frameOfReferenceUID}; the open series is in ${ref.frameOfReferenceUID}`,
    };
  }
  return { ok: false, reason: 'the SEG references no image of this series' };
}

function checkGrid(seg: SegData, volume: CtVolume): void {
  const [cols, rows] = volume.dims;
  if (seg.rows !== rows || seg.columns !== cols) {
    throw new SegImportError(
      `the SEG frames are ${seg.columns} x ${seg.rows}, the CT slices ${cols} x ${rows}: only SEGs on the CT grid are read`,
    );
  }
  if (seg.orientation) {
    const o = seg.orientation;
    const dr = Math.abs(dot([o[0], o[1], o[2]], volume.rowCosines));
    const dc = Math.abs(dot([o[3], o[4], o[5]], volume.colCosines));
    if (dr < 0.999 || dc < 0.999 || dot([o[0], o[1], o[2]], volume.rowCosines) < 0) {
      throw new SegImportError('the SEG frames are oriented differently from the CT slices');
    }
  }
  if (seg.pixelSpacing) {
    const [rs, cs] = seg.pixelSpacing;
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-3 * Math.max(a, b);
    if (!close(rs, volume.spacing[1]) || !close(cs, volume.spacing[0])) {
      throw new SegImportError(
        `the SEG pixel spacing ${rs} x ${cs} mm differs from the CT's ${volume.spacing[1]} x ${volume.spacing[0]} mm`,
      );
    }
  }
}

/** CT slice of each frame (-1: not on this series). */
function frameSlices(seg: SegData, volume: CtVolume): { ks: number[]; shifted: number } {
  const ref = seriesUids(volume);
  const kByUid = new Map(ref.sopInstanceUIDs.map((u, k) => [u, k]));
  let shifted = 0;
  const ks = seg.frames.map((f) => {
    let k = f.sourceSOPInstanceUID ? (kByUid.get(f.sourceSOPInstanceUID) ?? -1) : -1;
    if (f.position) {
      const byPos = nearestSlice(volume, normalDistance(volume, f.position[0], f.position[1], f.position[2]));
      if (k < 0 || byPos !== k) k = byPos;
      if (k >= 0) {
        const d = sub(f.position, volume.slices[k].position);
        if (
          Math.abs(dot(d, volume.rowCosines)) >= volume.spacing[0] / 2 ||
          Math.abs(dot(d, volume.colCosines)) >= volume.spacing[1] / 2
        ) {
          shifted++;
          return -1;
        }
      }
    }
    return k;
  });
  return { ks, shifted };
}

/** Places every segment of `seg` on the CT grid of `volume`. Throws SegImportError when it cannot. */
export function importSeg(seg: SegData, volume: CtVolume): ImportedStructureSet {
  const match = matchSeg(seg, volume);
  if (!match.ok) throw new SegImportError(match.reason);
  checkGrid(seg, volume);
  if (seg.segments.length > 255) throw new SegImportError(`${seg.segments.length} segments; at most 255 can be shown`);
  const [cols, rows, nk] = volume.dims;
  const sliceSize = cols * rows;
  const { ks, shifted } = frameSlices(seg, volume);
  if (shifted > 0)
    throw new SegImportError(`${shifted} frame(s) are shifted in plane against the CT slices: only SEGs on the CT grid are read`);
  const warnings: string[] = [];
  const off = ks.filter((k) => k < 0).length;
  if (off === ks.length) throw new SegImportError('no frame of the SEG lies on a slice of this series');
  if (off) warnings.push(`${off} of ${ks.length} frames lie on no slice of this series and were skipped.`);
  if (seg.segmentationType === 'FRACTIONAL') {
    warnings.push(`Fractional SEG: a voxel counts as inside a segment when its value is at least half of ${seg.maxFractional}.`);
  }
  const voxelMl = (volume.spacing[0] * volume.spacing[1] * (volume.spacing[2] > 0 ? volume.spacing[2] : 1)) / 1000;

  // Each segment's voxels (flat CT indices, ascending by frame).
  const masks = seg.segments.map(() => new Map<number, Uint8Array>());
  seg.frames.forEach((f, fi) => {
    const k = ks[fi];
    if (k < 0) return;
    const s = seg.segments.findIndex((x) => x.number === f.segment);
    let slice = masks[s].get(k);
    for (let n = 0; n < sliceSize; n++) {
      if (!framePixel(seg, fi, n)) continue;
      if (!slice) masks[s].set(k, (slice = new Uint8Array(sliceSize)));
      slice[n] = 1;
    }
  });

  const layers: Uint8Array[] = [];
  const overlaps = new Set<string>();
  const rois: ImportedRoi[] = seg.segments.map((s, index) => {
    const bySlice = masks[index];
    let layer = -1;
    for (let L = 0; L < layers.length && layer < 0; L++) {
      let clash = false;
      for (const [k, m] of bySlice) {
        const lab = layers[L].subarray(k * sliceSize, (k + 1) * sliceSize);
        for (let n = 0; n < sliceSize; n++) {
          if (m[n] && lab[n]) {
            clash = true;
            overlaps.add(`${seg.segments[lab[n] - 1].label} / ${s.label}`);
            break;
          }
        }
        if (clash) break;
      }
      if (!clash) layer = L;
    }
    const p = paintRoiSlices(
      layers,
      layer,
      [...bySlice].sort((a, b) => a[0] - b[0]),
      index + 1,
      cols,
      nk,
    );
    const organ = organForRoiName(s.label) ?? organForCodes(s.type, s.modifier);
    return {
      number: s.number,
      name: s.label || `Segment ${s.number}`,
      organ,
      color: organ ? [...organ.color] : s.color ? [...s.color] : FALLBACK_COLOURS[index % FALLBACK_COLOURS.length],
      interpretedType: s.algorithmType,
      label: index + 1,
      layer: p.layer,
      voxels: p.voxels,
      volumeMl: p.voxels * voxelMl,
      sliceRange: p.sliceRange,
      centre: p.centre,
      contoursUsed: 0,
      contoursSkipped: 0,
    };
  });
  if (overlaps.size) warnings.push(`Overlapping segments (${[...overlaps].join(', ')}) are kept whole, each in its own layer.`);
  const label = seg.seriesDescription || 'DICOM SEG';
  return { label, sopInstanceUID: seg.sopInstanceUID, rois, layers, warnings };
}

/**
 * One organ label per voxel (values = organ channels) from an imported set: every ROI that stands for an
 * organ, painted largest first so the smaller one wins where two overlap. ROIs matching no organ are left out.
 */
export function organLabelMap(set: ImportedStructureSet, voxelCount: number): LabelVolume {
  const out = new Uint8Array(voxelCount);
  const byOrgan = set.rois.filter((r) => r.organ && r.layer >= 0).sort((a, b) => b.voxels - a.voxels);
  for (const r of byOrgan) {
    const L = set.layers[r.layer];
    const c = r.organ!.channel;
    for (let i = 0; i < voxelCount; i++) if (L[i] === r.label) out[i] = c;
  }
  return out;
}
