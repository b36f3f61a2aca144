/** Command line of `npm run segment` (pure). */
import type { BackendName } from '../engine/backend';
import type { ProtocolId } from '../organs';
import type { InputArg } from './discover';
import { backendArg, numberArg, parseOptions, protocolArg, UsageError, type OptionTable } from '../cli/options';

export interface BatchOptions {
  inputs: InputArg[];
  out: string;
  protocol: ProtocolId;
  /** A model id from public/models/index.json, or a folder holding a model package; null = the default model. */
  model: string | null;
  backend: BackendName | null;
  /** WebAssembly threads (--threads); null = one per core, as the app. */
  threads: number | null;
  /** Engine workers splitting the slices on WebAssembly (--workers); null = one per core. */
  workers: number | null;
  /** BODY / External contour in RS.dcm (default true). */
  body: boolean;
  /** Build dist/ when it is missing or older than the sources (default true). */
  build: boolean;
  /** Per-series limit (minutes) before the page is restarted and the series counted as failed. */
  timeoutMin: number;
  /** The built app to serve (and build into); null = <repo>/dist. */
  dist: string | null;
  /** Connected-component clean-up after the network (default true; src/engine/cleanup.ts). */
  cleanup: boolean;
  /** Also write seg.dcm (DICOM SEG) beside RS.dcm. */
  seg: boolean;
}

export const USAGE = `Usage: npm run segment -- --input DIR|FILE.nii.gz [--reference PATH|auto] [--input ... [--reference ...]]
                          --out OUTDIR [--protocol whole|head-neck|thorax|abdomen] [--model ID|DIR]
                          [--backend auto|webgpu|webgl|wasm] [--workers N] [--threads N] [--timeout MIN] [--no-body] [--no-build] [--dist DIR] [--no-cleanup] [--seg]

Contours every CT series of the inputs with the app's own pipeline (the built app in headless Chromium)
and writes OUTDIR/<series>/RS.dcm (DICOM input), labels.nii.gz and report.json, and OUTDIR/summary.md.
  --input       a folder (all CT series in it, DICOM or NIfTI) or one NIfTI CT file; repeatable
  --reference   reference contours for the --input before it: an RTSTRUCT, a folder of NIfTI masks named
                by organ, or a NIfTI label map (legend: meta.json / case.json / <name>.json next to it);
                "auto" (once) finds one next to each series of every input. Adds DSC and HD95 per organ.
  --protocol    organs kept by the recalibration step (default whole)
  --model       model id from public/models/index.json, or a model package folder (default: the default model)
  --backend     TF.js backend; auto (default) follows the app's rule: a GPU when there is one, wasm
                when WebGPU/WebGL only run on a software renderer (SwiftShader, llvmpipe)
  --workers     WebAssembly: engine workers that split the slices between them (default: one per core,
                at most 4, each single-threaded); 1 = one worker
  --threads     WebAssembly threads per worker (default 1 with several workers); --threads N alone: one
                worker with N threads (at most 8)
  --no-body     leave the BODY / External contour (from the CT: above -300 HU, couch removed) out of RS.dcm
  --timeout     minutes per series before it is given up (default 60)
  --no-build    use dist/ as it is, even when older than the sources
  --dist        the built app to serve and (re)build (default dist/)
  --no-cleanup  keep the network's labels as they are (no per-organ connected-component clean-up)
  --seg         also write OUTDIR/<series>/seg.dcm, the organs as a DICOM Segmentation (DICOM input)`;

/** The options of `npm run segment`, one row each (src/cli/options.ts). */
const OPTIONS: OptionTable<BatchOptions> = [
  { name: '--input', value: (o, v) => void o.inputs.push({ path: v }) },
  {
    name: '--reference',
    value: (o, v) => {
      const last = o.inputs[o.inputs.length - 1];
      if (!last) throw new UsageError('--reference must follow the --input it belongs to');
      if (last.reference) throw new UsageError(`--input ${last.path} has two --reference options`);
      last.reference = v;
    },
  },
  { name: '--out', value: (o, v) => void (o.out = v) },
  { name: '--protocol', value: (o, v) => void (o.protocol = protocolArg(v)) },
  { name: '--model', value: (o, v) => void (o.model = v) },
  { name: '--backend', value: (o, v) => void (o.backend = backendArg(v, true)) },
  {
    name: '--threads',
    value: (o, v, n) => {
      const t = numberArg(n, v, 'positive');
      if (!Number.isInteger(t)) throw new UsageError(`${n} needs a whole number (got "${v}")`);
      o.threads = t;
    },
  },
  {
    name: '--workers',
    value: (o, v, n) => {
      const t = numberArg(n, v, 'positive');
      if (!Number.isInteger(t)) throw new UsageError(`${n} needs a whole number (got "${v}")`);
      o.workers = t;
    },
  },
  { name: '--timeout', value: (o, v, n) => void (o.timeoutMin = numberArg(n, v, 'positive')) },
  { name: '--no-build', flag: (o) => void (o.build = false) },
  { name: '--no-body', flag: (o) => void (o.body = false) },
  { name: '--dist', value: (o, v) => void (o.dist = v) },
  { name: '--no-cleanup', flag: (o) => void (o.cleanup = false) },
  { name: '--seg', flag: (o) => void (o.seg = true) },
];

export function parseArgs(argv: readonly string[]): BatchOptions {
  const o = parseOptions<BatchOptions>(argv, OPTIONS, {
    inputs: [],
    out: '',
    protocol: 'whole',
    model: null,
    backend: null,
    threads: null,
    workers: null,
    body: true,
    build: true,
    timeoutMin: 60,
    dist: null,
    cleanup: true,
    seg: false,
  });
  if (!o.inputs.length) throw new UsageError('at least one --input is required');
  if (!o.out) throw new UsageError('--out is required');
  // "--reference auto" given once applies to every input without its own reference.
  if (o.inputs.some((x) => x.reference === 'auto')) for (const x of o.inputs) x.reference ??= 'auto';
  return o;
}
