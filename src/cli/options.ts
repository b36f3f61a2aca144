/**
 * Command-line options as a table (issue 23): `npm run segment` (src/batch/args.ts), `npm run node`
 * (src/pacs/node/args.ts), `npm run phantom` and `scripts/eval-real.ts` each declare their options as rows of
 * an `OptionTable` and parse with `parseOptions`; the value checks they share (positive numbers, protocol,
 * backend) are here once. Pure: no Node APIs, testable on plain arrays.
 */
import type { BackendName } from '../engine/backend';
import type { ProtocolId } from '../organs';

/** A command line that cannot be run: the message says what is wrong ('' for --help: print the usage). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * One row: an option that takes a value (`value`: the next argument, never one starting with --) or a
 * switch (`flag`). `name` is the option as typed, e.g. '--out'.
 */
export type OptionRow<O> =
  | { name: string; value: (o: O, v: string, name: string) => void; flag?: never }
  | { name: string; flag: (o: O) => void; value?: never };

export type OptionTable<O> = readonly OptionRow<O>[];

/**
 * Applies argv to `o` row by row, in order (so an option may depend on the one before it, as --reference on
 * --input does). --help and -h throw UsageError(''); an unknown option or a missing value throws UsageError.
 */
export function parseOptions<O>(argv: readonly string[], table: OptionTable<O>, o: O): O {
  const rows = new Map(table.map((r) => [r.name, r]));
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--help' || name === '-h') throw new UsageError('');
    const row = rows.get(name);
    if (!row) throw new UsageError(`unknown option ${name}`);
    if (row.flag) {
      row.flag(o);
      continue;
    }
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
    row.value(o, v, name);
  }
  return o;
}

/** A finite number (`min`: 'positive' > 0, 'non-negative' >= 0, or any). */
export function numberArg(name: string, v: string, min: 'positive' | 'non-negative' | 'any' = 'any'): number {
  const n = Number(v);
  const ok = v.trim() !== '' && Number.isFinite(n) && (min === 'any' || (min === 'positive' ? n > 0 : n >= 0));
  if (!ok) throw new UsageError(`${name} needs a ${min === 'any' ? '' : `${min} `}number (got "${v}")`);
  return n;
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new UsageError(`${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v as T;
}

const PROTOCOL_ALIASES: Record<string, ProtocolId> = {
  whole: 'whole',
  'head-neck': 'head_neck',
  head_neck: 'head_neck',
  thorax: 'thorax',
  abdomen: 'abdomen',
};
const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm'];

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
