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

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm run segment -- --input DIR|FILE.nii.gz [--reference PATH|auto] [--input ... [--reference ...]]
                          --out OUTDIR [--protocol whole|head-neck|thorax|abdomen] [--model ID|DIR]
                          [--backend auto|webgpu|webgl|wasm] [--timeout MIN] [--no-body] [--no-build] [--dist DIR] [--no-cleanup] [--seg]

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
  --no-body     leave the BODY / External contour (from the CT: above -300 HU, couch removed) out of RS.dcm
  --timeout     minutes per series before it is given up (default 60)
  --no-build    use dist/ as it is, even when older than the sources
  --dist        the built app to serve and (re)build (default dist/)
  --no-cleanup  keep the network's labels as they are (no per-organ connected-component clean-up)
  --seg         also write OUTDIR/<series>/seg.dcm, the organs as a DICOM Segmentation (DICOM input)`;

const PROTOCOL_ALIASES: Record<string, ProtocolId> = {
  whole: 'whole',
  'head-neck': 'head_neck',
  head_neck: 'head_neck',
  thorax: 'thorax',
  abdomen: 'abdomen',
};
const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm'];

/*
 * What the command lines of `npm run segment` and `npm run node` (src/pacs/node/args.ts) share.
 */

/** Walks argv option by option; `value()` takes the next argument as the option's value (never another option). */
export function* cliOptions(argv: readonly string[]): Generator<{ name: string; value: () => string }> {
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
      return v;
    };
    yield { name, value };
  }
}

/** --protocol: whole, head-neck (or head_neck), thorax, abdomen. */
export function protocolArg(v: string): ProtocolId {
  const p = PROTOCOL_ALIASES[v];
  if (!p) throw new UsageError(`--protocol must be one of whole, head-neck, thorax, abdomen (got "${v}")`);
  return p;
}

/** --backend: webgpu, webgl, wasm; with `auto` allowed, auto gives null (the app's own choice). */
export function backendArg(v: string, allowAuto: boolean): BackendName | null {
  if (allowAuto && v === 'auto') return null;
  if (!BACKENDS.includes(v as BackendName))
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}${allowAuto ? ' or auto' : ''} (got "${v}")`);
  return v as BackendName;
}

export function parseArgs(argv: readonly string[]): BatchOptions {
  const o: BatchOptions = {
    inputs: [],
    out: '',
    protocol: 'whole',
    model: null,
    backend: null,
    body: true,
    build: true,
    timeoutMin: 60,
    dist: null,
    cleanup: true,
    seg: false,
  };
  for (const { name: a, value } of cliOptions(argv)) {
    switch (a) {
      case '--input':
        o.inputs.push({ path: value() });
        break;
      case '--reference': {
        const v = value();
        const last = o.inputs[o.inputs.length - 1];
        if (!last) throw new UsageError('--reference must follow the --input it belongs to');
        if (last.reference) throw new UsageError(`--input ${last.path} has two --reference options`);
        last.reference = v;
        break;
      }
      case '--out':
        o.out = value();
        break;
      case '--protocol':
        o.protocol = protocolArg(value());
        break;
      case '--model':
        o.model = value();
        break;
      case '--backend':
        o.backend = backendArg(value(), true);
        break;
      case '--timeout': {
        const v = Number(value());
        if (!(v > 0)) throw new UsageError('--timeout needs a positive number of minutes');
        o.timeoutMin = v;
        break;
      }
      case '--no-build':
        o.build = false;
        break;
      case '--no-body':
        o.body = false;
        break;
      case '--dist':
        o.dist = value();
        break;
      case '--no-cleanup':
        o.cleanup = false;
        break;
      case '--seg':
        o.seg = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  if (!o.inputs.length) throw new UsageError('at least one --input is required');
  if (!o.out) throw new UsageError('--out is required');
  // "--reference auto" given once applies to every input without its own reference.
  if (o.inputs.some((x) => x.reference === 'auto')) for (const x of o.inputs) x.reference ??= 'auto';
  return o;
}
