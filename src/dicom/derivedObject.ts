/**
 * What every DICOM object this app derives from a CT shares (the RTSTRUCT and SEG writers): the
 * implementation's identity, DICOM date and time, the Patient and General Study attributes copied from the
 * CT, and the Part 10 file (meta header + dataset) as a dcmjs DicomDict. Pure.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { SeriesMeta } from '../volume/volume';

export const IMPLEMENTATION_CLASS_UID = '2.25.229435761457302398715307271893004178412';
export const IMPLEMENTATION_VERSION = 'AAWEB_0_1';

export function dicomDateTime(d: Date): { da: string; tm: string } {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    da: `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`,
    tm: `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`,
  };
}

/**
 * Patient and General Study attributes copied from the CT (names trimmed). `fit` shortens a text value to
 * its VR's limit (the SEG writer's; the RTSTRUCT writer fits them later with its character set).
 */
export function patientStudyAttributes(
  m: Partial<SeriesMeta>,
  studyInstanceUID: string,
  fit: (value: string, vr: string) => string = (value) => value,
): NaturalDataset {
  return {
    PatientName: fit((m.patientName ?? '').trim(), 'PN'),
    PatientID: fit(m.patientID ?? '', 'LO'),
    PatientBirthDate: m.patientBirthDate ?? '',
    PatientSex: m.patientSex ?? '',
    StudyInstanceUID: studyInstanceUID,
    StudyDate: m.studyDate ?? '',
    StudyTime: m.studyTime ?? '',
    ReferringPhysicianName: fit((m.referringPhysicianName ?? '').trim(), 'PN'),
    StudyID: fit(m.studyID ?? '', 'SH'),
    AccessionNumber: fit(m.accessionNumber ?? '', 'SH'),
  };
}

/** The Part 10 file of `dataset`: meta header (this implementation) and the denaturalized dataset. */
export function part10Dict(
  dataset: NaturalDataset,
  sopClassUID: string,
  sopInstanceUID: string,
  transferSyntaxUID: string,
): InstanceType<typeof dcmjs.data.DicomDict> {
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUID,
    MediaStorageSOPInstanceUID: sopInstanceUID,
    TransferSyntaxUID: transferSyntaxUID,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION,
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return dict;
}
