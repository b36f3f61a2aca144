/**
 * Which structure sets found beside the CT apply to it (issue 16): an RTSTRUCT that names the CT's series or
 * one of its images applies; one that shares only the frame of reference may (e.g. another CT of the same
 * session) and is offered as such; any other is listed as not for this CT. Pure.
 */
import type { CtVolume } from '../volume/volume';

export interface StructureRefs {
  referencedSeriesUIDs: readonly string[];
  referencedSOPInstanceUIDs: readonly string[];
  frameOfReferenceUIDs: readonly string[];
}

export type StructureMatch = 'series' | 'frame' | 'none';

export function matchStructureSet(refs: StructureRefs, ct: Pick<CtVolume, 'meta' | 'slices'>): StructureMatch {
  const series = ct.meta.seriesInstanceUID;
  if (series && refs.referencedSeriesUIDs.includes(series)) return 'series';
  const sops = new Set(refs.referencedSOPInstanceUIDs.filter(Boolean));
  if (sops.size && ct.slices.some((s) => s.sopInstanceUID && sops.has(s.sopInstanceUID))) return 'series';
  const frame = ct.meta.frameOfReferenceUID;
  if (frame && refs.frameOfReferenceUIDs.includes(frame)) return 'frame';
  return 'none';
}

/** "2001-11-20" from a DICOM date "20011120" (anything else as given). */
export const formatDicomDate = (d: string | undefined): string =>
  d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : (d ?? '');

/** "Doe, Jane" from a DICOM person name "Doe^Jane" (empty components dropped). */
export const formatPersonName = (pn: string | undefined): string => {
  const [family = '', given = '', middle = ''] = (pn ?? '').split('=')[0].split('^');
  const rest = [given, middle].filter(Boolean).join(' ');
  return family && rest ? `${family}, ${rest}` : family || rest;
};
