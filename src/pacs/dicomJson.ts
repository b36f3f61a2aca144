/** Reading QIDO-RS answers (DICOM JSON model, PS3.18 F.2) into plain typed rows. Pure. */

export type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

export const TAG = {
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  PatientName: '00100010',
  PatientID: '00100020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
} as const;

function first(ds: DicomJson, tag: string): unknown {
  const a = ds[tag] ?? ds[tag.toLowerCase()];
  return a?.Value?.[0];
}

export function str(ds: DicomJson, tag: string): string {
  const v = first(ds, tag);
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return String((v as { Alphabetic?: string }).Alphabetic ?? '');
  return String(v);
}

export function strs(ds: DicomJson, tag: string): string[] {
  const a = ds[tag] ?? ds[tag.toLowerCase()];
  return (a?.Value ?? []).map((v) => String(v));
}

export function num(ds: DicomJson, tag: string): number | null {
  const v = Number(first(ds, tag));
  return first(ds, tag) === undefined || !Number.isFinite(v) ? null : v;
}

export interface StudyRow {
  studyUID: string;
  patientName: string;
  patientID: string;
  /** YYYYMMDD as stored. */
  date: string;
  time: string;
  description: string;
  accession: string;
  modalities: string[];
  seriesCount: number | null;
  instanceCount: number | null;
}

export interface SeriesRow {
  studyUID: string;
  seriesUID: string;
  modality: string;
  description: string;
  number: number | null;
  instanceCount: number | null;
}

export interface InstanceRow {
  studyUID: string;
  seriesUID: string;
  sopUID: string;
  number: number | null;
}

export const studyRow = (ds: DicomJson): StudyRow => ({
  studyUID: str(ds, TAG.StudyInstanceUID),
  patientName: str(ds, TAG.PatientName),
  patientID: str(ds, TAG.PatientID),
  date: str(ds, TAG.StudyDate),
  time: str(ds, TAG.StudyTime),
  description: str(ds, TAG.StudyDescription),
  accession: str(ds, TAG.AccessionNumber),
  modalities: strs(ds, TAG.ModalitiesInStudy),
  seriesCount: num(ds, TAG.NumberOfStudyRelatedSeries),
  instanceCount: num(ds, TAG.NumberOfStudyRelatedInstances),
});

export const seriesRow = (ds: DicomJson): SeriesRow => ({
  studyUID: str(ds, TAG.StudyInstanceUID),
  seriesUID: str(ds, TAG.SeriesInstanceUID),
  modality: str(ds, TAG.Modality),
  description: str(ds, TAG.SeriesDescription),
  number: num(ds, TAG.SeriesNumber),
  instanceCount: num(ds, TAG.NumberOfSeriesRelatedInstances),
});

export const instanceRow = (ds: DicomJson): InstanceRow => ({
  studyUID: str(ds, TAG.StudyInstanceUID),
  seriesUID: str(ds, TAG.SeriesInstanceUID),
  sopUID: str(ds, TAG.SOPInstanceUID),
  number: num(ds, TAG.InstanceNumber),
});

/** "Doe^John" -> "Doe John". */
export const personName = (pn: string) => pn.replace(/\^+/g, ' ').trim();

/** YYYYMMDD -> YYYY-MM-DD (anything else unchanged). */
export const isoDate = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d);
