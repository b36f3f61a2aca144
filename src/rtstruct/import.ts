/**
 * Imported structure set -> masks on the open CT grid (the second structure set of the viewer).
 *
 * Each contour goes to the CT slice it references (Contour Image Sequence, with the same UID fallbacks as
 * the writer), else to the slice whose plane it lies on. Closed planar contours are filled at pixel centres
 * with the even-odd rule per ROI and slice (holes written as separate contours cut out, DESIGN 3.6).
 * ROIs may overlap (a clinical BODY contains everything), so ROIs are packed into as few label layers as
 * possible with no overlap inside a layer; the label value of ROI i is i + 1 in whichever layer holds it.
 */
import { nearestSlice, normalDistance, patientToPixel, slicePlane, type SlicePlane } from '../contours/geometry';
import { rasterizePolygons } from '../contours/rasterize';
import type { CtVolume, Vec3 } from '../volume/volume';
import type { Organ } from '../organs';
import { organForRoiName } from '../organNames';
import type { StructureSetData } from './reader';
import { seriesUids } from './uids';

export interface ImportedRoi {
  /** ROI Number in the file. */
  number: number;
  name: string;
  /** The organ of the organ table this ROI stands for, when its name matches. */
  organ?: Organ;
  /** The organ's colour when matched, else the file's ROI Display Color, else a fallback palette colour. */
  color: [number, number, number];
  interpretedType?: string;
  /** Label value in its layer: index in `rois` + 1. */
  label: number;
  /** Index into `layers`; -1 when the ROI has no voxels on this grid. */
  layer: number;
  voxels: number;
  volumeMl: number;
  /** First and last CT slice with voxels, or null. */
  sliceRange: [number, number] | null;
  /** Voxel-space centroid (i, j, k), or null. */
  centre: [number, number, number] | null;
  contoursUsed: number;
  contoursSkipped: number;
}

export interface ImportedStructureSet {
  label: string;
  sopInstanceUID: string;
  rois: ImportedRoi[];
  /** Label maps on the CT grid (flat index as CtVolume.hu). */
  layers: Uint8Array[];
  warnings: string[];
}

export class RtStructImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtStructImportError';
  }
}

/** Colours for ROIs that match no organ and carry no ROI Display Color (Okabe-Ito-like, distinct from fills). */
export const FALLBACK_COLOURS: Array<[number, number, number]> = [
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
  [240, 228, 66],
  [0, 114, 178],
  [213, 94, 0],
  [204, 121, 167],
  [255, 255, 255],
];

export interface SeriesMatch {
  ok: boolean;
  /** Contours whose Contour Image Sequence names a slice of this series. */
  contoursByUid: number;
  reason: string;
}

/** Whether the structure set belongs to the open series (same frame of reference, or images of this series). */
export function matchStructureSet(ss: StructureSetData, volume: CtVolume): SeriesMatch {
  const ref = seriesUids(volume);
  const uids = new Set(ref.sopInstanceUIDs);
  let byUid = 0;
  for (const r of ss.rois)
    for (const c of r.contours) if (c.referencedSOPInstanceUID && uids.has(c.referencedSOPInstanceUID)) byUid++;
  const imagesHit = ss.referencedSOPInstanceUIDs.some((u) => uids.has(u));
  const forKnown = ss.frameOfReferenceUIDs.length > 0 && !ref.generated.includes('frameOfReference');
  const forMatch = ss.frameOfReferenceUIDs.includes(ref.frameOfReferenceUID);
  if (byUid > 0 || imagesHit) return { ok: true, contoursByUid: byUid, reason: 'references images of this series' };
  if (forKnown && forMatch) return { ok: true, contoursByUid: 0, reason: 'same frame of reference' };
  if (forKnown && !forMatch) {
    return {
      ok: false,
      contoursByUid: 0,
      reason: `the structure set references frame of reference ${ss.frameOfReferenceUIDs.join(', ')} and none of this series' images; the open series has ${ref.frameOfReferenceUID}`,
    };
  }
  return {
    ok: false,
    contoursByUid: 0,
    reason: 'the structure set references no image and no frame of reference of this series',
  };
}

/** Rasterises every ROI of `ss` onto the CT grid of `volume`. Throws RtStructImportError when it is not this series'. */
export function importStructureSet(ss: StructureSetData, volume: CtVolume): ImportedStructureSet {
  const match = matchStructureSet(ss, volume);
  if (!match.ok) throw new RtStructImportError(match.reason);
  if (ss.rois.length > 255) throw new RtStructImportError(`${ss.rois.length} ROIs; at most 255 can be shown`);
  const [cols, rows, nk] = volume.dims;
  const sliceSize = cols * rows;
  const ref = seriesUids(volume);
  const kByUid = new Map(ref.sopInstanceUIDs.map((u, k) => [u, k]));
  const planes: SlicePlane[] = volume.slices.map((_, k) => slicePlane(volume, k));
  const voxelMl = (volume.spacing[0] * volume.spacing[1] * sliceThickness(volume)) / 1000;
  const warnings: string[] = [...(ss.problems ?? [])];
  const layers: Uint8Array[] = [];
  const scratch = new Uint8Array(sliceSize);
  const rois: ImportedRoi[] = [];

  ss.rois.forEach((roi, index) => {
    // Group the closed contours of this ROI by CT slice, in pixel coordinates.
    const bySlice = new Map<number, Float64Array[]>();
    let used = 0;
    let skipped = 0;
    for (const c of roi.contours) {
      if (c.geometricType !== 'CLOSED_PLANAR' || c.points.length < 9) {
        skipped++;
        continue;
      }
      let k = c.referencedSOPInstanceUID !== undefined ? (kByUid.get(c.referencedSOPInstanceUID) ?? -1) : -1;
      const d = meanNormalDistance(volume, c.points);
      // a referenced slice must also be the plane the points lie on; otherwise trust the geometry
      if (k < 0 || nearestSlice(volume, d) !== k) k = nearestSlice(volume, d);
      if (k < 0) {
        skipped++;
        continue;
      }
      let list = bySlice.get(k);
      if (!list) bySlice.set(k, (list = []));
      list.push(patientToPixel(planes[k], c.points));
      used++;
    }
    if (skipped) warnings.push(`${roi.name}: ${skipped} contour(s) skipped (not closed planar or not on a slice of this series)`);

    const paint = (k: number): number => {
      scratch.fill(0);
      return rasterizePolygons(bySlice.get(k)!, cols, rows, scratch, 1);
    };
    // First layer where this ROI overlaps nothing.
    let layer = -1;
    for (let L = 0; L <= layers.length && layer < 0; L++) {
      if (L === layers.length) {
        layer = L;
        break;
      }
      let clash = false;
      for (const k of bySlice.keys()) {
        paint(k);
        const lab = layers[L].subarray(k * sliceSize, (k + 1) * sliceSize);
        for (let n = 0; n < sliceSize && !clash; n++) if (scratch[n] && lab[n]) clash = true;
        if (clash) break;
      }
      if (!clash) layer = L;
    }
    const painted = function* (): Generator<[number, Uint8Array]> {
      for (const k of [...bySlice.keys()].sort((a, b) => a - b)) if (paint(k) !== 0) yield [k, scratch];
    };
    const p = paintRoiSlices(layers, layer, painted(), index + 1, cols, nk);
    const organ = organForRoiName(roi.name);
    rois.push({
      number: roi.number,
      name: roi.name,
      organ,
      color: organ ? [...organ.color] : roi.color ? [...roi.color] : FALLBACK_COLOURS[index % FALLBACK_COLOURS.length],
      interpretedType: roi.interpretedType,
      label: index + 1,
      layer: p.layer,
      voxels: p.voxels,
      volumeMl: p.voxels * voxelMl,
      sliceRange: p.sliceRange,
      centre: p.centre,
      contoursUsed: used,
      contoursSkipped: skipped,
    });
  });
  return { label: ss.label, sopInstanceUID: ss.sopInstanceUID, rois, layers, warnings };
}

/**
 * Paints `value` into layers[layer] wherever a slice mask is set, slices in the order given (ascending k); a new
 * layer is appended at the first slice when `layer` is -1 or layers.length. Returns the layer used (-1 when
 * nothing was painted), the voxel count, the slice range and the centre in voxel coordinates. The RTSTRUCT and
 * SEG importers share it.
 */
export function paintRoiSlices(
  layers: Uint8Array[],
  layer: number,
  slices: Iterable<[number, ArrayLike<number>]>,
  value: number,
  cols: number,
  nk: number,
): { layer: number; voxels: number; sliceRange: [number, number] | null; centre: Vec3 | null } {
  let voxels = 0;
  let si = 0;
  let sj = 0;
  let sk = 0;
  let kMin = Infinity;
  let kMax = -Infinity;
  for (const [k, mask] of slices) {
    const sliceSize = mask.length;
    if (layer < 0 || layer >= layers.length) {
      layer = layers.length;
      layers.push(new Uint8Array(sliceSize * nk));
    }
    const lab = layers[layer].subarray(k * sliceSize, (k + 1) * sliceSize);
    for (let n = 0; n < sliceSize; n++) {
      if (!mask[n]) continue;
      lab[n] = value;
      voxels++;
      si += n % cols;
      sj += Math.floor(n / cols);
      sk += k;
    }
    kMin = Math.min(kMin, k);
    kMax = Math.max(kMax, k);
  }
  return {
    layer: voxels > 0 ? layer : -1,
    voxels,
    sliceRange: voxels > 0 ? [kMin, kMax] : null,
    centre: voxels > 0 ? [si / voxels, sj / voxels, sk / voxels] : null,
  };
}

function meanNormalDistance(volume: CtVolume, p: Float64Array): number {
  let d = 0;
  const n = p.length / 3;
  for (let i = 0; i < p.length; i += 3) d += normalDistance(volume, p[i], p[i + 1], p[i + 2]);
  return d / n;
}

/** Slab per slice for volumes in ml: the mean gap between slice planes (1 mm when unknown, e.g. one slice). */
function sliceThickness(volume: CtVolume): number {
  return volume.spacing[2] > 0 ? volume.spacing[2] : 1;
}
