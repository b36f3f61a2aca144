/**
 * `npm run phantom -- --seed N --out DIR [--region whole|head-neck|thorax|abdomen] [--matrix 512]
 *    [--spacing MM] [--slice MM] [--position HFS|FFS] [--nifti] [--no-dicom] [--preview PATH]
 *    [--workers N] [--quiet]`
 *
 * Writes DIR/dicom/CT0001.dcm..., DIR/labels.nii.gz, DIR/case.json (docs/CONTRACTS.md section 5),
 * with --nifti also DIR/ct.nii.gz, with --preview a PNG (PATH ending in .png, else PATH/preview.png).
 * Same options, same bytes. Slices are rendered by worker threads (default: one per CPU, at most 4).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PNG } from 'pngjs';
import { caseDescription, finishCase, generateCase, planCase, type PhantomCase } from '../src/phantom/generate';
import { renderPreview } from '../src/phantom/preview';
import { REGIONS_CLI, type PatientPosition, type Region, type ScanOptions } from '../src/phantom/scan';
import { ctNifti, dicomFiles, labelsNifti } from '../src/phantom/series';
import type { SliceStats } from '../src/phantom/render';
import { numberArg, oneOf, parseOptions, UsageError, type OptionTable } from '../src/cli/options';

export interface RunOptions extends ScanOptions {
  out: string;
  nifti?: boolean;
  dicom?: boolean;
  preview?: string;
  workers?: number;
  quiet?: boolean;
}

export interface RunResult {
  phantom: PhantomCase;
  files: string[];
  seconds: { render: number; write: number };
}

/** The options of `npm run phantom`, one row each (src/cli/options.ts). */
const OPTIONS: OptionTable<Partial<RunOptions>> = [
  { name: '--seed', value: (o, v, n) => void (o.seed = numberArg(n, v)) },
  { name: '--out', value: (o, v) => void (o.out = v) },
  { name: '--region', value: (o, v, n) => void (o.region = oneOf<Region>(n, v, REGIONS_CLI)) },
  { name: '--matrix', value: (o, v, n) => void (o.matrix = numberArg(n, v)) },
  { name: '--spacing', value: (o, v, n) => void (o.spacing = numberArg(n, v)) },
  { name: '--slice', value: (o, v, n) => void (o.slice = numberArg(n, v)) },
  { name: '--position', value: (o, v, n) => void (o.position = oneOf<PatientPosition>(n, v.toUpperCase(), ['HFS', 'FFS'])) },
  { name: '--nifti', flag: (o) => void (o.nifti = true) },
  { name: '--no-dicom', flag: (o) => void (o.dicom = false) },
  { name: '--preview', value: (o, v) => void (o.preview = v) },
  { name: '--workers', value: (o, v, n) => void (o.workers = numberArg(n, v)) },
  { name: '--quiet', flag: (o) => void (o.quiet = true) },
];

export function parseArgs(argv: string[]): RunOptions {
  const o = parseOptions<Partial<RunOptions>>(argv, OPTIONS, { dicom: true });
  if (o.seed === undefined) throw new UsageError('--seed is required');
  if (!o.out) throw new UsageError('--out is required');
  return o as RunOptions;
}

/** Renders all slices, in worker threads when more than one is asked for. */
async function render(options: ScanOptions, workers: number): Promise<PhantomCase> {
  if (workers <= 1) return generateCase(options);
  const plan = planCase(options);
  const g = plan.geometry,
    n = g.cols * g.rows,
    nk = g.positions.length;
  const huBuf = new SharedArrayBuffer(n * nk * 2),
    labBuf = new SharedArrayBuffer(n * nk);
  const chunk = Math.max(1, Math.min(8, Math.ceil(nk / (workers * 6))));
  let next = 0;
  const stats: SliceStats[] = [];
  const here = dirname(fileURLToPath(import.meta.url));
  await Promise.all(
    Array.from(
      { length: Math.min(workers, Math.ceil(nk / chunk)) },
      () =>
        new Promise<void>((done, fail) => {
          const w = new Worker(join(here, 'phantom-worker.mjs'), { workerData: { options, hu: huBuf, lab: labBuf } });
          const give = (): void => {
            if (next >= nk) {
              w.postMessage('exit');
              return;
            }
            const k0 = next;
            next = Math.min(nk, next + chunk);
            w.postMessage({ k0, k1: next });
          };
          w.on('message', (m: 'ready' | { overlap: Float64Array }) => {
            if (m !== 'ready') stats.push({ overlap: m.overlap });
            give();
          });
          w.on('error', fail);
          w.on('exit', (code) => (code === 0 ? done() : fail(new Error(`phantom worker exited with code ${code}`))));
        }),
    ),
  );
  return finishCase(plan, new Int16Array(huBuf), new Uint8Array(labBuf), stats);
}

export async function runPhantom(o: RunOptions): Promise<RunResult> {
  const log = (s: string): void => {
    if (!o.quiet) console.log(s);
  };
  const t0 = performance.now();
  const workers = o.workers ?? Math.min(4, availableParallelism());
  const c = await render(
    { seed: o.seed, region: o.region, matrix: o.matrix, spacing: o.spacing, slice: o.slice, position: o.position },
    workers,
  );
  const t1 = performance.now();
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const dicomNames: string[] = [];
  if (o.dicom !== false) {
    const dir = join(out, 'dicom');
    mkdirSync(dir, { recursive: true });
    // stale slices of an earlier, longer run would join the series: remove our own file names only
    for (const f of readdirSync(dir)) if (/^CT\d{4,}\.dcm$/.test(f)) rmSync(join(dir, f));
    for (const [name, bytes] of dicomFiles(c)) {
      writeFileSync(join(dir, name), bytes);
      dicomNames.push(`dicom/${name}`);
    }
    written.push(...dicomNames);
  }
  writeFileSync(join(out, 'labels.nii.gz'), labelsNifti(c));
  written.push('labels.nii.gz');
  if (o.nifti) {
    writeFileSync(join(out, 'ct.nii.gz'), ctNifti(c));
    written.push('ct.nii.gz');
  }
  let previewRel: string | undefined;
  if (o.preview) {
    const path = o.preview.endsWith('.png') ? resolve(o.preview) : join(resolve(o.preview), 'preview.png');
    mkdirSync(dirname(path), { recursive: true });
    const img = renderPreview(c.plan.geometry, c.hu, c.labelsAll);
    const png = new PNG({ width: img.width, height: img.height });
    png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    writeFileSync(path, PNG.sync.write(png, { colorType: 2 }));
    previewRel = path.startsWith(out + '/') ? path.slice(out.length + 1) : path;
    written.push(path);
  }
  const desc = caseDescription(c, {
    labels: 'labels.nii.gz',
    ...(o.dicom !== false ? { dicom: dicomNames } : {}),
    ...(o.nifti ? { ct: 'ct.nii.gz' } : {}),
    ...(previewRel ? { preview: previewRel } : {}),
  });
  writeFileSync(join(out, 'case.json'), JSON.stringify(desc, null, 1) + '\n');
  written.push('case.json');
  const t2 = performance.now();
  const g = c.plan.geometry;
  log(
    `phantom seed ${o.seed} ${g.region}: ${g.cols}x${g.rows}x${g.positions.length}, ${g.pixelSpacing[0]} mm pixels, ` +
      `${g.sliceThickness} mm slices, ${g.patientPosition}, ${c.plan.subject.phase} -> ${out}`,
  );
  log(
    `render ${((t1 - t0) / 1000).toFixed(1)} s (${workers} worker${workers === 1 ? '' : 's'}), write ${((t2 - t1) / 1000).toFixed(1)} s`,
  );
  return { phantom: c, files: written, seconds: { render: (t1 - t0) / 1000, write: (t2 - t1) / 1000 } };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  try {
    await runPhantom(parseArgs(process.argv.slice(2)));
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) console.error(`phantom: ${e.message}`);
      console.error(
        'usage: npm run phantom -- --seed N --out DIR [--region whole|head-neck|thorax|abdomen] [--matrix 512] ' +
          '[--spacing MM] [--slice MM] [--position HFS|FFS] [--nifti] [--no-dicom] [--preview PATH] [--workers N] [--quiet]',
      );
      process.exit(2);
    }
    throw e;
  }
}
