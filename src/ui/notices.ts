/**
 * User-facing messages from a scan and from a loaded volume (pure: no React). Each notice has a stable
 * id, so the same problem is shown once however often the UI re-renders.
 */
import type { ScanResult } from '../dicom/series';
import { isBlocking, type CtVolume } from '../volume/volume';

export type NoticeSeverity = 'error' | 'warning' | 'info';

export interface Notice {
  id: string;
  severity: NoticeSeverity;
  title: string;
  detail?: string;
  /** e.g. the names of skipped files (the UI shows the first few). */
  items?: string[];
  /** How many times the same message came (shown as "×N" when more than once). */
  count?: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Messages about the files themselves (before any series is chosen). */
export function scanNotices(scan: ScanResult): Notice[] {
  const out: Notice[] = [];
  if (scan.series.length === 0) {
    const parts = [
      scan.notDicom.length ? `${plural(scan.notDicom.length, 'file')} not DICOM` : '',
      scan.corrupt.length ? `${scan.corrupt.length} unreadable` : '',
      scan.nonImage.length
        ? `${scan.nonImage.length} DICOM without images (${[...new Set(scan.nonImage.map((n) => n.modality || 'unknown'))].join(', ')})`
        : '',
    ].filter(Boolean);
    out.push({
      id: 'no-dicom',
      severity: 'error',
      title: scan.totalFiles === 0 ? 'No files found.' : 'No DICOM images found.',
      detail:
        scan.totalFiles === 0
          ? 'The folder is empty. Choose the folder that holds the CT slices (.dcm files).'
          : `Looked at ${plural(scan.totalFiles, 'file')}${parts.length ? `: ${parts.join(', ')}` : ''}. Choose a folder with the CT series' image files.`,
    });
  }
  if (scan.corrupt.length) {
    out.push({
      id: 'corrupt-files',
      severity: 'warning',
      title: `${plural(scan.corrupt.length, 'file')} skipped: truncated or corrupt.`,
      detail: 'They are left out of the series; copy them again from the source if slices are missing.',
      items: scan.corrupt.map((c) => `${c.fileName}: ${c.reason}`),
    });
  }
  if (scan.series.length && scan.notDicom.length) {
    out.push({
      id: 'not-dicom-files',
      severity: 'info',
      title: `${plural(scan.notDicom.length, 'file')} that ${scan.notDicom.length === 1 ? 'is' : 'are'} not DICOM ${scan.notDicom.length === 1 ? 'was' : 'were'} skipped.`,
    });
  }
  return out;
}

/** Messages about the loaded volume: geometry findings, modality. */
export function volumeNotices(ct: CtVolume): Notice[] {
  return ct.warnings.map((w) => ({
    id: `geometry-${w.code}`,
    severity: w.severity,
    title: isBlocking(w) ? 'Segmentation blocked' : 'Check the series',
    detail: w.message,
  }));
}

/** Merge notices by id (a newer notice with the same id replaces the older one). */
export function mergeNotices(current: readonly Notice[], incoming: readonly Notice[]): Notice[] {
  const byId = new Map(current.map((n) => [n.id, n]));
  for (const n of incoming) byId.set(n.id, n);
  return [...byId.values()];
}

/** Adds one notice; the same message again (same id, title and detail) is shown once with a count. */
export function addNotice(current: readonly Notice[], n: Notice): Notice[] {
  const old = current.find((c) => c.id === n.id);
  const same = old && old.title === n.title && old.detail === n.detail && old.severity === n.severity;
  return mergeNotices(current, [same ? { ...n, count: (old.count ?? 1) + 1 } : n]);
}
