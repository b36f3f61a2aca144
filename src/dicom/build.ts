/**
 * Series -> CtVolume: geometry from the headers, then every slice decoded straight into one Int16Array
 * of HU (the only pixel buffer; file bytes are read one at a time and dropped).
 */
import { analyzeStack, type StackGeometry } from './geometry';
import { NATIVE_TRANSFER_SYNTAXES, TS, type DicomHeader } from './header';
import { checkHuValues, checkPixelMetadata } from './plausibility';
import { decodedFrameToHU, extractFrame, nativeFrameToHU } from './pixels';
import type { DicomSeries } from './series';
import type { CtVolume, GeometryWarning, SeriesMeta, SliceRef } from '../volume/volume';

export type LoadErrorCode = 'not-loadable' | 'needs-codec' | 'too-large';

/** The series cannot become a volume; `message` is meant for the user. */
export class VolumeLoadError extends Error {
  readonly code: LoadErrorCode;
  constructor(code: LoadErrorCode, message: string) {
    super(message);
    this.name = 'VolumeLoadError';
    this.code = code;
  }
}

/** Decodes one compressed frame to stored pixel values (one per pixel). */
export type CompressedDecoder = (frame: Uint8Array, header: DicomHeader) => Promise<ArrayLike<number>>;

export interface VolumePlan {
  /** Volume with geometry, meta and warnings; `hu` allocated (filled by the decode step). */
  volume: CtVolume;
  /** Headers of the kept slices in volume order (k). */
  sliceHeaders: DicomHeader[];
  geometry: StackGeometry;
}

function metaOf(h: DicomHeader): SeriesMeta {
  return {
    modality: h.modality,
    patientName: h.patientName,
    patientID: h.patientID,
    patientBirthDate: h.patientBirthDate,
    patientSex: h.patientSex,
    studyInstanceUID: h.studyInstanceUID,
    studyDate: h.studyDate,
    studyTime: h.studyTime,
    studyID: h.studyID,
    accessionNumber: h.accessionNumber,
    referringPhysicianName: h.referringPhysicianName,
    studyDescription: h.studyDescription,
    seriesInstanceUID: h.seriesInstanceUID,
    seriesDescription: h.seriesDescription,
    seriesNumber: h.seriesNumber,
    frameOfReferenceUID: h.frameOfReferenceUID,
    patientPosition: h.patientPosition,
    manufacturer: h.manufacturer,
    bodyPartExamined: h.bodyPartExamined,
    specificCharacterSet: h.specificCharacterSet.join('\\'),
  };
}

/** Largest volume we try to allocate (voxels): 1024 x 1024 x 1000 Int16 = 2 GiB is beyond a tab. */
export const MAX_VOXELS = 512 * 512 * 2000;

/** Geometry, meta and the (zeroed) HU buffer for a series; no pixel data read yet. */
export function planCtVolume(series: DicomSeries): VolumePlan {
  if (series.problem) throw new VolumeLoadError('not-loadable', series.problem);
  const geometry = analyzeStack(series.instances);
  const sliceHeaders = geometry.order.map((i) => series.instances[i]);
  const [cols, rows, n] = [geometry.columns, geometry.rows, sliceHeaders.length];
  if (cols * rows * n > MAX_VOXELS) {
    throw new VolumeLoadError(
      'too-large',
      `${cols}x${rows}x${n} voxels is more than this app can hold in a browser tab (${MAX_VOXELS / 1024 / 1024} M voxels).`,
    );
  }
  const warnings: GeometryWarning[] = [...geometry.warnings];
  const first = sliceHeaders[0];
  if (first.modality !== 'CT') {
    warnings.unshift({
      code: 'not-ct',
      severity: 'error',
      message: `This is a${/^[AEIOU]/.test(first.modality) ? 'n' : ''} ${first.modality || 'unknown-modality'} series, not CT. It can be viewed, but the model segments CT only.`,
    });
  }
  warnings.push(...checkPixelMetadata(first));
  const slices: SliceRef[] = sliceHeaders.map((h, k) => ({
    sopInstanceUID: h.sopInstanceUID,
    sopClassUID: h.sopClassUID,
    position: geometry.positions[k],
    normalOffset: geometry.offsets[k],
    instanceNumber: h.instanceNumber,
    mediaStorageSOPInstanceUID: h.mediaStorageSOPInstanceUID || undefined,
  }));
  const volume: CtVolume = {
    dims: [cols, rows, n],
    spacing: [geometry.pixelSpacing[0], geometry.pixelSpacing[1], geometry.sliceSpacing],
    origin: geometry.positions[0],
    rowCosines: geometry.rowCosines,
    colCosines: geometry.colCosines,
    normal: geometry.normal,
    hu: new Int16Array(cols * rows * n),
    slices,
    meta: metaOf(first),
    warnings,
  };
  return { volume, sliceHeaders, geometry };
}

export const isNativeSyntax = (ts: string): boolean => NATIVE_TRANSFER_SYNTAXES.has(ts);

/**
 * Decodes an uncompressed file's pixels into slice k of the plan's volume; returns the encapsulated frame
 * instead when the file is compressed (it needs a CompressedDecoder). Both builders below decode through it.
 */
function decodeNativeSliceInto(plan: VolumePlan, k: number, fileBytes: Uint8Array): Uint8Array | null {
  const h = plan.sliceHeaders[k];
  const { dims, hu } = plan.volume;
  const frame = extractFrame(fileBytes, h.transferSyntaxUID);
  if (frame.encapsulated) return frame.bytes;
  nativeFrameToHU(frame.bytes, h, hu as Int16Array, k * dims[0] * dims[1], h.transferSyntaxUID !== TS.explicitBE);
  return null;
}

/** Decode one file's pixels into slice k of the plan's volume. */
export async function decodeSliceInto(
  plan: VolumePlan,
  k: number,
  fileBytes: Uint8Array,
  decoder?: CompressedDecoder,
): Promise<void> {
  const encapsulated = decodeNativeSliceInto(plan, k, fileBytes);
  if (!encapsulated) return;
  const h = plan.sliceHeaders[k];
  if (!decoder)
    throw new VolumeLoadError(
      'needs-codec',
      `${h.fileName}: transfer syntax ${h.transferSyntaxUID} needs a codec (pass a CompressedDecoder).`,
    );
  const { dims, hu } = plan.volume;
  decodedFrameToHU(await decoder(encapsulated, h), h, hu as Int16Array, k * dims[0] * dims[1]);
}

/** A readable reason from whatever a decoder threw or rejected with (codecs reject with plain objects). */
export function reasonOf(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    for (const k of ['message', 'error', 'reason', 'detail']) {
      const v = o[k];
      if (typeof v === 'string' && v) return v;
      if (v instanceof Error) return v.message;
      if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string')
        return (v as { message: string }).message;
    }
    try {
      const json = JSON.stringify(e);
      if (json && json !== '{}') return json.slice(0, 200);
    } catch {
      // fall through
    }
  }
  return 'the compressed pixel data could not be decoded (truncated or damaged file?)';
}

/**
 * Slices that could not be decoded are left out, as a truncated uncompressed file is at scan time: the volume is
 * planned again without them (the gap is then named by the geometry check) and the decoded slices copied over,
 * with a warning naming each file and its reason. Throws when no slice could be decoded.
 */
/** The decoded volume, with the HU plausibility findings of a CT (plausibility.ts). */
function finished(volume: CtVolume): CtVolume {
  if (volume.meta.modality === 'CT') volume.warnings.push(...checkHuValues(volume.hu));
  return volume;
}

function withoutUnreadable(plan: VolumePlan, series: DicomSeries, failures: { k: number; reason: string }[]): CtVolume {
  if (!failures.length) return plan.volume;
  const names = failures
    .slice(0, 3)
    .map((f) => `${plan.sliceHeaders[f.k].fileName} (${f.reason})`)
    .join('; ');
  const what = `${failures.length} slice${failures.length > 1 ? 's' : ''} could not be decoded and ${failures.length > 1 ? 'were' : 'was'} left out: ${names}${failures.length > 3 ? ', ...' : ''}.`;
  const failed = new Set(failures.map((f) => plan.sliceHeaders[f.k].fileIndex));
  const rest = series.instances.filter((h) => !failed.has(h.fileIndex));
  if (!rest.some((h) => plan.sliceHeaders.some((p) => p.fileIndex === h.fileIndex)))
    throw new VolumeLoadError('not-loadable', what);
  let again: VolumePlan;
  try {
    again = planCtVolume({ ...series, instances: rest, sliceCount: rest.length, problem: undefined });
  } catch (e) {
    throw new VolumeLoadError('not-loadable', `${what} ${e instanceof Error ? e.message : String(e)}`);
  }
  const oldK = new Map(plan.sliceHeaders.map((h, k) => [h.fileIndex, k]));
  const size = plan.volume.dims[0] * plan.volume.dims[1];
  again.sliceHeaders.forEach((h, k) => {
    const from = oldK.get(h.fileIndex);
    if (from !== undefined) again.volume.hu.set(plan.volume.hu.subarray(from * size, (from + 1) * size), k * size);
  });
  again.volume.warnings.push({ code: 'unreadable-slice', severity: 'warning', message: what });
  return again.volume;
}

/**
 * Synchronous build for Node tests and scripts: files in memory, native (uncompressed) transfer syntaxes. The
 * same steps as loadCtVolume (plan, decode each slice, leave out unreadable ones, HU checks), without a codec.
 * `files[h.fileIndex].bytes` must be the whole file (as given to scanDicomFiles).
 */
export function buildCtVolume(series: DicomSeries, files: readonly { bytes: Uint8Array }[]): CtVolume {
  const plan = planCtVolume(series);
  const failures: { k: number; reason: string }[] = [];
  plan.sliceHeaders.forEach((h, k) => {
    if (!isNativeSyntax(h.transferSyntaxUID)) {
      throw new VolumeLoadError(
        'needs-codec',
        `${h.fileName}: compressed transfer syntax ${h.transferSyntaxUID}; use loadCtVolume with a decoder.`,
      );
    }
    try {
      if (decodeNativeSliceInto(plan, k, files[h.fileIndex].bytes))
        throw new Error('encapsulated pixel data in a native transfer syntax');
    } catch (e) {
      failures.push({ k, reason: reasonOf(e) });
    }
  });
  return finished(withoutUnreadable(plan, series, failures));
}

export interface LoadOptions {
  /** Whole bytes of the file behind a header. */
  readFile: (h: DicomHeader) => Promise<Uint8Array>;
  /** Needed only for compressed transfer syntaxes. */
  decoder?: CompressedDecoder;
  /** Slices decoded concurrently (the browser decoder runs in workers). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Asynchronous build: reads each file, decodes it into the volume, drops the file bytes. */
export async function loadCtVolume(series: DicomSeries, opts: LoadOptions): Promise<CtVolume> {
  const plan = planCtVolume(series);
  const n = plan.sliceHeaders.length;
  const failures: { k: number; reason: string }[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < n) {
      const k = next++;
      opts.signal?.throwIfAborted();
      try {
        await decodeSliceInto(plan, k, await opts.readFile(plan.sliceHeaders[k]), opts.decoder);
      } catch (e) {
        if (e instanceof VolumeLoadError) throw e;
        failures.push({ k, reason: reasonOf(e) });
      }
      opts.onProgress?.(++done, n);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, n)) }, worker));
  failures.sort((a, b) => a.k - b.k);
  return finished(withoutUnreadable(plan, series, failures));
}
