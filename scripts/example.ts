/**
 * `npm run example [-- --if-missing] [--out DIR]`: writes the bundled example case to public/example/
 * (generated, gitignored): a whole-body phantom with a fixed seed, DICOM series + labels.nii.gz +
 * case.json, and index.json = { description, files: ["dicom/CT0001.dcm", ...], labels, case } for the
 * app's "Open example" button. Kept under 15 MB (192x192 matrix, 5 mm slices).
 *
 * --if-missing: do nothing when an up-to-date example is already there (same generator version and
 * options, all files present); this is what prestart / predev / prebuild run.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GENERATOR_VERSION, planCase, planFingerprint } from '../src/phantom/generate';
import { runPhantom, type RunOptions } from './phantom';

export const EXAMPLE_OPTIONS = { seed: 20261126, region: 'whole', matrix: 192, slice: 5, position: 'HFS' } as const;
const MAX_BYTES = 15 * 1024 * 1024;

interface IndexJson {
  description: string;
  files: string[];
  labels: string;
  case: string;
  phantom: { version: string; fingerprint: string; options: typeof EXAMPLE_OPTIONS };
}

/** Changes whenever the generator would produce different voxels for the example's options. */
function fingerprint(): string {
  return planFingerprint(planCase({ ...EXAMPLE_OPTIONS }));
}

function upToDate(dir: string): boolean {
  const idx = join(dir, 'index.json');
  if (!existsSync(idx)) return false;
  try {
    const j = JSON.parse(readFileSync(idx, 'utf8')) as IndexJson;
    if (
      j.phantom?.version !== GENERATOR_VERSION ||
      j.phantom.fingerprint !== fingerprint() ||
      JSON.stringify(j.phantom.options) !== JSON.stringify(EXAMPLE_OPTIONS)
    )
      return false;
    return [...j.files, j.labels, j.case].every((f) => existsSync(join(dir, f)));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const ifMissing = args.includes('--if-missing');
  const outIdx = args.indexOf('--out');
  const dir = resolve(outIdx >= 0 ? args[outIdx + 1] : 'public/example');
  if (ifMissing && upToDate(dir)) {
    console.log(`example: ${dir} is up to date`);
    return;
  }
  rmSync(join(dir, 'index.json'), { force: true });
  const opts: RunOptions = { ...EXAMPLE_OPTIONS, out: dir, quiet: true };
  const r = await runPhantom(opts);
  const dicom = r.files.filter((f) => f.startsWith('dicom/'));
  const g = r.phantom.plan.geometry;
  const index: IndexJson = {
    description:
      `Synthetic whole-body CT phantom (seed ${EXAMPLE_OPTIONS.seed}): ${g.cols}x${g.rows}x${g.positions.length}, ` +
      `${g.pixelSpacing[0]} mm pixels, ${g.sliceThickness} mm slices, ${g.patientPosition}, ${r.phantom.plan.subject.phase} phase; ` +
      'ground-truth labels for all 33 organs in labels.nii.gz. Not patient data.',
    files: dicom,
    labels: 'labels.nii.gz',
    case: 'case.json',
    phantom: { version: GENERATOR_VERSION, fingerprint: fingerprint(), options: EXAMPLE_OPTIONS },
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
  const bytes = [...dicom, 'labels.nii.gz', 'case.json', 'index.json'].reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  console.log(
    `example: ${dicom.length} slices, ${(bytes / 1048576).toFixed(1)} MB in ${dir} (${(r.seconds.render + r.seconds.write).toFixed(1)} s)`,
  );
  if (bytes > MAX_BYTES) throw new Error(`example is ${(bytes / 1048576).toFixed(1)} MB, over the 15 MB budget`);
}

await main();
