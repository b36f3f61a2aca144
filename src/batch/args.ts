/** Command line of `npm run segment` (pure). */
import type { BackendName } from '../engine/backend';
import type { ProtocolId } from '../organs';
import type { InputArg } from './discover';

export interface BatchOptions {
  inputs: InputArg[];
  out: string;
  protocol: ProtocolId;
  /** A model id from public/models/index.json, or a folder holding a model package; null = the default model. */
  model: string | null;
  backend: BackendName | null;
  /** Build dist/ when it is missing or older than the sources (default true). */
  build: boolean;
  /** Per-series limit (minutes) before the page is restarted and the series counted as failed. */
  timeoutMin: number;
  /** The built app to serve (and build into); null = <repo>/dist. */
  dist: string | null;
  /** Also write seg.dcm (DICOM SEG) beside RS.dcm. */
  seg: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm run segment -- --input DIR|FILE.nii.gz [--reference PATH|auto] [--input ... [--reference ...]]
                          --out OUTDIR [--protocol whole|head-neck|thorax|abdomen] [--model ID|DIR]
                          [--backend webgpu|webgl|wasm] [--timeout MIN] [--no-build] [--dist DIR] [--seg]

Contours every CT series of the inputs with the app's own pipeline (the built app in headless Chromium)
and writes OUTDIR/<series>/RS.dcm (DICOM input), labels.nii.gz and report.json, and OUTDIR/summary.md.
  --input       a folder (all CT series in it, DICOM or NIfTI) or one NIfTI CT file; repeatable
  --reference   reference contours for the --input before it: an RTSTRUCT, a folder of NIfTI masks named
                by organ, or a NIfTI label map (legend: meta.json / case.json / <name>.json next to it);
                "auto" (once) finds one next to each series of every input. Adds DSC and HD95 per organ.
  --protocol    organs kept by the recalibration step (default whole)
  --model       model id from public/models/index.json, or a model package folder (default: the default model)
  --backend     TF.js backend (default: the app's order, WebGPU first)
  --timeout     minutes per series before it is given up (default 60)
  --no-build    use dist/ as it is, even when older than the sources
  --dist        the built app to serve and (re)build (default dist/)
  --seg         also write OUTDIR/<series>/seg.dcm, the organs as a DICOM Segmentation (DICOM input)`;

const PROTOCOL_ALIASES: Record<string, ProtocolId> = {
  whole: 'whole', 'head-neck': 'head_neck', head_neck: 'head_neck', thorax: 'thorax', abdomen: 'abdomen',
};
const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm'];

export function parseArgs(argv: readonly string[]): BatchOptions {
  const o: BatchOptions = { inputs: [], out: '', protocol: 'whole', model: null, backend: null, build: true, timeoutMin: 60, dist: null, seg: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--input': o.inputs.push({ path: value() }); break;
      case '--reference': {
        const v = value();
        const last = o.inputs[o.inputs.length - 1];
        if (!last) throw new UsageError('--reference must follow the --input it belongs to');
        if (last.reference) throw new UsageError(`--input ${last.path} has two --reference options`);
        last.reference = v;
        break;
      }
      case '--out': o.out = value(); break;
      case '--protocol': {
        const v = value();
        const p = PROTOCOL_ALIASES[v];
        if (!p) throw new UsageError(`--protocol must be one of whole, head-neck, thorax, abdomen (got "${v}")`);
        o.protocol = p;
        break;
      }
      case '--model': o.model = value(); break;
      case '--backend': {
        const v = value() as BackendName;
        if (!BACKENDS.includes(v)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')} (got "${v}")`);
        o.backend = v;
        break;
      }
      case '--timeout': {
        const v = Number(value());
        if (!(v > 0)) throw new UsageError('--timeout needs a positive number of minutes');
        o.timeoutMin = v;
        break;
      }
      case '--no-build': o.build = false; break;
      case '--dist': o.dist = value(); break;
      case '--seg': o.seg = true; break;
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  if (!o.inputs.length) throw new UsageError('at least one --input is required');
  if (!o.out) throw new UsageError('--out is required');
  // "--reference auto" given once applies to every input without its own reference.
  if (o.inputs.some((x) => x.reference === 'auto')) for (const x of o.inputs) x.reference ??= 'auto';
  return o;
}
