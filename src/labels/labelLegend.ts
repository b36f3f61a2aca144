/**
 * The legend of a loaded label map (issue 16): which organ each voxel value is. Read from a file chosen
 * with the map (pure parsers, no I/O):
 *  - JSON: TotalSegmentator's class map / any { "1": "spleen", ... } or { labels: {...} }; a phantom
 *    case.json ({ annotated, channels: true }) or { "valuesAreChannels": true } says values are this app's
 *    channel numbers;
 *  - ITK-SNAP label description (`IDX R G B A VIS MSH "LABEL"` per line);
 *  - 3D Slicer colour table (`value name R G B A` per line, `#` comments).
 * Names go through the importer's name table (TG-263, clinical spellings) plus TotalSegmentator's class
 * names. Without a legend the panel asks the user to map the values; nothing assumes channel numbers.
 */
import { organByTg263 } from '../organs';
import { organForRoiName } from '../organNames';

export interface LabelLegend {
  /** voxel value -> organ channel (values not listed are dropped) */
  values: Map<number, number>;
  /** Names in the legend with no organ in the table (shown, not loaded). */
  unknown: string[];
  /** Where it came from, for the notice and the export's description (e.g. 'legend seg.json'). */
  source: string;
}

export class LegendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegendError';
  }
}

/** TotalSegmentator class names that the name table does not know, -> TG-263. */
const TOTALSEG: Record<string, string> = {
  lung_upper_lobe_left: 'Lung_L',
  lung_lower_lobe_left: 'Lung_L',
  lung_upper_lobe_right: 'Lung_R',
  lung_middle_lobe_right: 'Lung_R',
  lung_lower_lobe_right: 'Lung_R',
  small_bowel: 'Bag_Bowel',
  duodenum: 'Bag_Bowel',
  colon: 'Bag_Bowel',
  brain_stem: 'Brainstem',
  eye_left: 'Eye_L',
  eye_right: 'Eye_R',
  parotid_gland_left: 'Parotid_L',
  parotid_gland_right: 'Parotid_R',
  submandibular_gland_left: 'Glnd_Submand_L',
  submandibular_gland_right: 'Glnd_Submand_R',
};

export function channelForName(name: string): number | undefined {
  const t = TOTALSEG[name.trim().toLowerCase()];
  return (t ? organByTg263(t) : organForRoiName(name))?.channel;
}

function fromNames(pairs: Iterable<[number, string]>, source: string): LabelLegend {
  const values = new Map<number, number>();
  const unknown: string[] = [];
  for (const [v, name] of pairs) {
    if (v === 0) continue; // background / "Clear Label"
    const c = channelForName(name);
    if (c) values.set(v, c);
    else unknown.push(name);
  }
  if (values.size === 0)
    throw new LegendError(
      `${source}: none of its ${unknown.length} names is an organ of this app (${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''})`,
    );
  return { values, unknown, source };
}

const CHANNELS = (): Map<number, number> => new Map(Array.from({ length: 33 }, (_, i) => [i + 1, i + 1]));

/** A JSON legend (see the module comment). */
export function parseJsonLegend(json: unknown, source: string): LabelLegend {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new LegendError(`${source}: expected a JSON object`);
  const o = json as Record<string, unknown>;
  if (o.valuesAreChannels === true || o.channels === true)
    return { values: CHANNELS(), unknown: [], source: `${source} (values are organ channels)` };
  const map = (o.labels && typeof o.labels === 'object' && !Array.isArray(o.labels) ? o.labels : o) as Record<string, unknown>;
  const pairs: [number, string][] = [];
  for (const [k, v] of Object.entries(map)) {
    if (/^\d+$/.test(k) && typeof v === 'string') pairs.push([Number(k), v]);
    else if (/^\d+$/.test(k) && v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string')
      pairs.push([Number(k), (v as { name: string }).name]);
    // { "spleen": 1 } (name -> value) as well
    else if (typeof v === 'number' && Number.isInteger(v)) pairs.push([v, k]);
  }
  if (pairs.length === 0) throw new LegendError(`${source}: no "value": "name" entries`);
  return fromNames(pairs, source);
}

/** ITK-SNAP label description or 3D Slicer colour table. */
export function parseColourTable(text: string, source: string): LabelLegend {
  const pairs: [number, string][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const snap = /^(\d+)\s+\d+\s+\d+\s+\d+\s+[\d.]+\s+\d+\s+\d+\s+"([^"]*)"/.exec(line);
    if (snap) {
      pairs.push([Number(snap[1]), snap[2]]);
      continue;
    }
    const slicer = /^(\d+)\s+(\S+)\s+\d+\s+\d+\s+\d+(\s+\d+)?\s*$/.exec(line);
    if (slicer) pairs.push([Number(slicer[1]), slicer[2]]);
  }
  if (pairs.length === 0) throw new LegendError(`${source}: not an ITK-SNAP label description or a Slicer colour table`);
  return fromNames(pairs, source);
}

/** The legend among files chosen with a label map (by name: .json, .txt, .ctbl, .label), or null. */
export function legendFromFiles(files: readonly { name: string; text: string }[]): LabelLegend | null {
  for (const f of files) {
    const what = `legend ${f.name}`;
    if (/\.json$/i.test(f.name)) {
      let json: unknown;
      try {
        json = JSON.parse(f.text);
      } catch (e) {
        throw new LegendError(`${what}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      return parseJsonLegend(json, what);
    }
    if (/\.(txt|ctbl|label|lut)$/i.test(f.name)) return parseColourTable(f.text, what);
  }
  return null;
}

/** Distinct non-zero values of a label map with their voxel counts, ascending. */
export function labelValues(data: ArrayLike<number>): { value: number; voxels: number }[] {
  const counts = new Float64Array(256);
  for (let i = 0; i < data.length; i++) counts[data[i]]++;
  const out: { value: number; voxels: number }[] = [];
  for (let v = 1; v < 256; v++) if (counts[v]) out.push({ value: v, voxels: counts[v] });
  return out;
}
