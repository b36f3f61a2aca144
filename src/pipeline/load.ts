/**
 * Step 1, load: one DICOM series of a scan -> one CtVolume (HU), the same call in the app and the batch page.
 * The series is read with the given codec (the viewer's browser decoder, lazily in the batch page).
 */
import { loadCtVolume, type CompressedDecoder } from '../dicom/build';
import type { DicomSeries, FileSource, ScanResult } from '../dicom/series';
import { withSegmentabilityChecks } from '../dicom/plausibility';
import type { CtVolume } from '../volume/volume';
import { PipelineError } from './errors';

/** Files read at once while a series loads. */
export const LOAD_CONCURRENCY = 4;

export interface LoadOptions {
  decoder: CompressedDecoder;
  onProgress?: (done: number, total: number) => void;
}

/** Loads `series` from the scanned `sources`, with the segmentability findings (dicom/plausibility) added; a VolumeLoadError / GeometryError of dicom/ passes through. */
export async function loadSeries(series: DicomSeries, sources: readonly FileSource[], opts: LoadOptions): Promise<CtVolume> {
  return withSegmentabilityChecks(
    await loadCtVolume(series, {
      readFile: (h) => sources[h.fileIndex].read(),
      decoder: opts.decoder,
      concurrency: LOAD_CONCURRENCY,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    }),
  );
}

/** The series with `key` in a scan; a PipelineError ('load', 'not-loadable') naming unreadable files otherwise. */
export function findSeries(scan: Pick<ScanResult, 'series' | 'corrupt'>, key: string): DicomSeries {
  const series = scan.series.find((s) => s.key === key);
  if (series) return series;
  const why = scan.corrupt.length
    ? ` (${scan.corrupt.length} files unreadable: ${scan.corrupt
        .slice(0, 2)
        .map((c) => `${c.fileName}: ${c.reason}`)
        .join('; ')})`
    : '';
  throw new PipelineError('load', 'not-loadable', `the series was not found among the files${why}`);
}
