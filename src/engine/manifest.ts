/**
 * Model manifest (CONTRACTS 4, DESIGN 3.2) and model index: types and validation. A bad file gives a
 * ManifestError naming the field (JSON path), so a broken model package is diagnosed from the message.
 */
import { CHANNEL_NAMES, REGIONS } from '../organs';
import { ManifestError } from './errors';

export const MANIFEST_FORMAT = 'attention-anatomy-model/1';
export type ModelVariant = 'unet' | 'unet_hpa' | 'attention' | 'attention_hpa';
const VARIANTS: readonly ModelVariant[] = ['unet', 'unet_hpa', 'attention', 'attention_hpa'];

export interface ModelInputSpec {
  name: string;
  /** S: the model grid is S x S pixels. */
  size: number;
  pixelSpacingMm: number;
  sliceSpacingMm: number;
  slices: 5;
  huMin: number;
  huMax: number;
  huOffset: number;
  huScale: number;
  centre: 'image-centre';
}

export interface ModelSource {
  id: string;
  description: string;
  cases: number;
  annotated: string[];
}

export interface ModelMetrics {
  dataset: string;
  meanDsc: number;
  meanHd95Mm: number;
  perOrgan?: Record<string, { dsc: number; hd95Mm: number }>;
}

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  id: string;
  version: string;
  name: string;
  variant: ModelVariant;
  created: string;
  input: ModelInputSpec;
  outputs: { seg: string; attention: string; region: string };
  channels: string[];
  regions: string[];
  sources: ModelSource[];
  metrics: ModelMetrics[];
  weights: { dtype: string; bytes: number };
  intendedUse: string;
  disclaimer: string;
}

export interface ModelIndexEntry {
  id: string;
  name: string;
  /** Relative to the app's base URL, ends with '/'. */
  path: string;
  default?: boolean;
}
export interface ModelIndex {
  models: ModelIndexEntry[];
}

type Json = unknown;

/** Field access with a path for messages. */
class Reader {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly value: Json,
  ) {}
  fail(problem: string): never {
    throw new ManifestError(this.path || '(root)', problem, this.source);
  }
  private child(key: string | number, value: Json): Reader {
    const p = typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
    return new Reader(this.source, p, value);
  }
  object(): Record<string, Json> {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) {
      this.fail(`must be an object, got ${describe(this.value)}`);
    }
    return this.value as Record<string, Json>;
  }
  field(key: string): Reader {
    const o = this.object();
    if (!(key in o) || o[key] === undefined) {
      return this.child(key, undefined).fail('is missing');
    }
    return this.child(key, o[key]);
  }
  optional(key: string): Reader | undefined {
    const o = this.object();
    return o[key] === undefined || o[key] === null ? undefined : this.child(key, o[key]);
  }
  string(nonEmpty = true): string {
    if (typeof this.value !== 'string') this.fail(`must be a string, got ${describe(this.value)}`);
    if (nonEmpty && this.value.trim() === '') this.fail('must not be empty');
    return this.value;
  }
  number(check?: (n: number) => string | undefined): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) {
      this.fail(`must be a finite number, got ${describe(this.value)}`);
    }
    const problem = check?.(this.value);
    if (problem) this.fail(`${problem}, got ${this.value}`);
    return this.value;
  }
  boolean(): boolean {
    if (typeof this.value !== 'boolean') this.fail(`must be true or false, got ${describe(this.value)}`);
    return this.value;
  }
  array(): Reader[] {
    if (!Array.isArray(this.value)) this.fail(`must be an array, got ${describe(this.value)}`);
    return this.value.map((v, i) => this.child(i, v));
  }
  oneOf<T extends string>(allowed: readonly T[]): T {
    const s = this.string();
    if (!(allowed as readonly string[]).includes(s))
      this.fail(`must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got "${s}"`);
    return s as T;
  }
}

function describe(v: Json): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}...` : v}"`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const positive = (n: number) => (n > 0 ? undefined : 'must be > 0');
const nonNegative = (n: number) => (n >= 0 ? undefined : 'must be >= 0');

function exactList(r: Reader, expected: readonly string[], what: string): string[] {
  const items = r.array();
  if (items.length !== expected.length)
    r.fail(`must list the ${expected.length} ${what} (src/organs.json order), got ${items.length} entries`);
  return items.map((it, i) => {
    const s = it.string();
    if (s !== expected[i]) it.fail(`must be "${expected[i]}" (src/organs.json order), got "${s}"`);
    return s;
  });
}

/** Validates a parsed manifest.json; throws ManifestError naming the first bad field. */
export function validateManifest(json: Json, source = 'manifest.json'): ModelManifest {
  const r = new Reader(source, '', json);
  r.object();
  const format = r.field('format').string();
  if (format !== MANIFEST_FORMAT) r.field('format').fail(`must be "${MANIFEST_FORMAT}", got "${format}"`);
  const id = r.field('id').string();
  if (!/^[A-Za-z0-9._-]+$/.test(id)) r.field('id').fail('may only contain letters, digits, ".", "_" and "-"');

  const inR = r.field('input');
  const slices = inR.field('slices').number();
  if (slices !== 5) inR.field('slices').fail(`must be 5 (DESIGN 3.3), got ${slices}`);
  const huMin = inR.field('huMin').number();
  const huMax = inR.field('huMax').number((n) => (n > huMin ? undefined : 'must be greater than input.huMin'));
  const centre = inR.field('centre').string();
  if (centre !== 'image-centre') inR.field('centre').fail(`must be "image-centre" (CONTRACTS 3), got "${centre}"`);
  const input: ModelInputSpec = {
    name: inR.field('name').string(),
    size: inR
      .field('size')
      .number((n) => (Number.isInteger(n) && n >= 8 && n <= 1024 ? undefined : 'must be an integer in 8..1024')),
    pixelSpacingMm: inR.field('pixelSpacingMm').number(positive),
    sliceSpacingMm: inR.field('sliceSpacingMm').number(positive),
    slices: 5,
    huMin,
    huMax,
    huOffset: inR.field('huOffset').number(),
    huScale: inR.field('huScale').number((n) => (n !== 0 ? undefined : 'must not be 0')),
    centre: 'image-centre',
  };

  const outR = r.field('outputs');
  const outputs = {
    seg: outR.field('seg').string(),
    attention: outR.field('attention').string(),
    region: outR.field('region').string(),
  };

  const channelSet = new Set(CHANNEL_NAMES.slice(1));
  const sources = r
    .field('sources')
    .array()
    .map((s) => {
      const annotated = s
        .field('annotated')
        .array()
        .map((a) => {
          const name = a.string();
          if (!channelSet.has(name)) a.fail(`must be an organ channel name from src/organs.json, got "${name}"`);
          return name;
        });
      return {
        id: s.field('id').string(),
        description: s.optional('description')?.string(false) ?? '',
        cases: s.optional('cases')?.number(nonNegative) ?? 0,
        annotated,
      };
    });
  // An empty list is allowed: random-weight development models were trained on nothing.

  const metrics = r
    .field('metrics')
    .array()
    .map((m) => {
      const perOrganR = m.optional('perOrgan');
      let perOrgan: ModelMetrics['perOrgan'];
      if (perOrganR) {
        perOrgan = {};
        for (const key of Object.keys(perOrganR.object())) {
          const o = perOrganR.field(key);
          if (!channelSet.has(key)) o.fail(`is not an organ channel name from src/organs.json`);
          perOrgan[key] = { dsc: o.field('dsc').number(), hd95Mm: o.field('hd95Mm').number() };
        }
      }
      return {
        dataset: m.field('dataset').string(),
        meanDsc: m.field('meanDsc').number(),
        meanHd95Mm: m.field('meanHd95Mm').number(),
        ...(perOrgan ? { perOrgan } : {}),
      };
    });

  const wR = r.field('weights');
  const disclaimer = r.field('disclaimer').string();
  if (!/not a medical device/i.test(disclaimer))
    r.field('disclaimer').fail('must state that the model is "not a medical device" (DESIGN 3.2)');

  return {
    format: MANIFEST_FORMAT,
    id,
    version: r.field('version').string(),
    name: r.field('name').string(),
    variant: r.field('variant').oneOf(VARIANTS),
    created: r.field('created').string(),
    input,
    outputs,
    channels: exactList(r.field('channels'), CHANNEL_NAMES, 'channels'),
    regions: exactList(r.field('regions'), REGIONS, 'regions'),
    sources,
    metrics,
    weights: {
      dtype: wR.field('dtype').oneOf(['float16', 'float32', 'uint8', 'uint16'] as const),
      bytes: wR.field('bytes').number(nonNegative),
    },
    intendedUse: r.field('intendedUse').string(),
    disclaimer,
  };
}

/** Validates public/models/index.json. */
export function validateModelIndex(json: Json, source = 'models/index.json'): ModelIndex {
  const r = new Reader(source, '', json);
  const list = r.field('models').array();
  const seen = new Set<string>();
  let defaults = 0;
  const models = list.map((m) => {
    const id = m.field('id').string();
    if (seen.has(id)) m.field('id').fail(`"${id}" is listed twice`);
    seen.add(id);
    let path = m.field('path').string();
    if (/^[a-z]+:/i.test(path) || path.startsWith('/')) m.field('path').fail('must be relative to the app (e.g. "models/<id>/")');
    if (!path.endsWith('/')) path += '/';
    const def = m.optional('default')?.boolean() ?? false;
    if (def) defaults++;
    return { id, name: m.field('name').string(), path, default: def };
  });
  if (defaults > 1) r.field('models').fail('marks more than one model as default');
  return { models };
}

/** The model to preselect: the one marked default, else the first. */
export function defaultModel(index: ModelIndex): ModelIndexEntry | undefined {
  return index.models.find((m) => m.default) ?? index.models[0];
}
