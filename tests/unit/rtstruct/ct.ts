/** Test helpers: CT series geometry from a folder of DICOM files (src/dicom), data paths, tool checks. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planCtVolume, scanDicomFiles, type CtVolume } from '../../../src/dicom';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const dataRoot = path.resolve(repoRoot, '../shared/data');
export const hnsccRoot = path.join(dataRoot, 'real/hnscc-rtai/HNSCC');
export const totalsegDicom = path.join(dataRoot, 'real/totalseg-example/example_ct_dicom');

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** The CT series in `dir` (largest one), as a CtVolume with geometry and meta only (HU left at zero). */
export function ctGeometry(dir: string): { volume: CtVolume; files: string[] } {
  const files = listFiles(dir);
  const scan = scanDicomFiles(files.map((f) => ({ name: path.relative(dir, f), bytes: new Uint8Array(readFileSync(f)) })));
  const ct = scan.series.filter((s) => s.modality === 'CT').sort((a, b) => b.sliceCount - a.sliceCount)[0];
  if (!ct) throw new Error(`no CT series in ${dir}`);
  const plan = planCtVolume(ct);
  return { volume: plan.volume, files: plan.sliceHeaders.map((h) => path.join(dir, h.fileName)) };
}

/** Folders of the hnscc-rtai patients: the CT series folder and the RTSTRUCT file. */
export function hnsccCases(): Array<{ patient: string; ctDir: string; rtstruct: string }> {
  if (!existsSync(hnsccRoot)) return [];
  return readdirSync(hnsccRoot)
    .sort()
    .map((patient) => {
      const files = listFiles(path.join(hnsccRoot, patient));
      // the RTSTRUCT series folder holds one file; the CT folder holds the rest
      const dirs = new Map<string, string[]>();
      for (const f of files) {
        const d = path.dirname(f);
        dirs.set(d, [...(dirs.get(d) ?? []), f]);
      }
      const sorted = [...dirs.entries()].sort((a, b) => b[1].length - a[1].length);
      return { patient, ctDir: sorted[0][0], rtstruct: sorted[sorted.length - 1][1][0] };
    });
}

export const hasTool = (p: string): boolean => existsSync(p);
