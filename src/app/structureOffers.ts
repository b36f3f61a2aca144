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

/**
 * The line naming structure sets among the opened files that belong to no open series (issue 16: never passed
 * over silently): "RTSTRUCT "Label" (RS.dcm) references a series that is not open (patient DOE^J / 123, not this
 * CT's patient X / 1): not offered for import." One sentence per object.
 */
export function otherSeriesLine(
  others: readonly { label: string; fileName: string; patientName?: string; patientID?: string }[],
  ct: Pick<CtVolume, 'meta'>,
): string {
  const who = (name?: string, id?: string) => [formatPersonName(name), id].filter(Boolean).join(' / ');
  const ctWho = who(ct.meta.patientName, ct.meta.patientID);
  return others
    .map((o) => {
      const theirs = who(o.patientName, o.patientID);
      const patient = theirs && theirs !== ctWho ? ` (patient ${theirs}, not this CT's patient ${ctWho || 'unnamed'})` : '';
      return `RTSTRUCT "${o.label}" (${o.fileName}) references a series that is not open${patient}: not offered for import.`;
    })
    .join(' ');
}
