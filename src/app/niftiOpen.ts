/**
 * Opening a NIfTI CT (.nii / .nii.gz) in the app: the same CtVolume the CLI builds (src/nifti/ct.ts), so
 * the viewer, engine and export run unchanged. Orientation comes from the affine (sform, else qform).
 *
 * RTSTRUCT export of a NIfTI CT: the file carries no DICOM UIDs, so the structure set references UIDs
 * generated from the slice geometry (rtstruct/uids.ts). The notice says so: such a file only matches a DICOM
 * series converted with those same UIDs, not the original scanner series.
 */
import { ctFromNiftiFile } from '../nifti/ct';
import type { FileSource } from '../dicom/series';
import type { CtVolume } from '../volume/volume';
import type { Notice } from '../ui/notices';

export const isNiftiName = (name: string): boolean => /\.nii(\.gz)?$/i.test(name);

/** Names the CLI takes as labels, not CT (src/batch/discover.ts). */
const LABEL_NAME = /(label|seg|mask|gt|truth|struct|roi)/i;
const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/**
 * The NIfTI files among opened sources that may be the CT (a drop may mix them with label maps and other
 * files): those whose name does not say label/seg/mask come first; the rest follow.
 */
export const niftiSources = (sources: readonly FileSource[]): FileSource[] => {
  const all = sources.filter((s) => isNiftiName(s.name));
  return [...all.filter((s) => !LABEL_NAME.test(baseName(s.name))), ...all.filter((s) => LABEL_NAME.test(baseName(s.name)))];
};

/** Reads one NIfTI source into a CtVolume; NIfTI format problems become VolumeLoadErrors naming the file. */
export async function loadNiftiCt(src: FileSource): Promise<CtVolume> {
  return ctFromNiftiFile(await src.read(), src.name);
}

/** What the user should know about an opened NIfTI CT (and the files that were left aside). */
export function niftiNotices(src: FileSource, others: number): Notice[] {
  const out: Notice[] = [
    {
      id: 'nifti-opened',
      severity: 'info',
      title: `NIfTI CT opened (${src.name}); orientation from its affine.`,
      detail:
        'A NIfTI file carries no DICOM identifiers: an exported RTSTRUCT references study, series, frame of reference ' +
        'and image UIDs generated from the volume geometry. A planning system will match it only to a DICOM series ' +
        'written with those same UIDs, not to the original scanner images.',
    },
  ];
  if (others > 0) {
    out.push({
      id: 'nifti-others',
      severity: 'warning',
      title: `${others} other file${others > 1 ? 's' : ''} not opened.`,
      detail:
        'One NIfTI CT opens at a time (a name saying label/seg/mask is passed over); for a label map on this CT use Load label map in the organ panel.',
    });
  }
  return out;
}
