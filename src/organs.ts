/**
 * The organ table (DESIGN.md 3.1): channel order of the model output, names, groups, colours and
 * protocols. The data lives in organs.json so that the Python training package reads the same table.
 */
import table from './organs.json';

export type OrganGroup = 'head_neck' | 'thorax' | 'abdomen';
export type RegionName = 'head' | 'upper_chest' | 'chest' | 'upper_abdomen' | 'abdomen';
export type ProtocolId = 'whole' | 'head_neck' | 'thorax' | 'abdomen';

export interface Organ {
  /** Output channel, 1..33 (0 is background). Also the label value in label maps. */
  channel: number;
  /** Name used in the AttentionAnatomy paper's table. */
  paper: string;
  /** TG-263 structure name (written to RTSTRUCT ROIName). */
  tg263: string;
  /** Plain-language name for the UI. */
  plain: string;
  group: OrganGroup;
  /** Display colour, RGB 0..255. */
  color: [number, number, number];
}

export const ORGANS: readonly Organ[] = table.organs as Organ[];
export const NUM_ORGANS = ORGANS.length; // 33
export const NUM_CHANNELS = NUM_ORGANS + 1; // 34, background first
export const BACKGROUND = table.background;
/** Channel names in model order: background then the 33 TG-263 names. */
export const CHANNEL_NAMES: readonly string[] = [table.background, ...ORGANS.map((o) => o.tg263)];
export const REGIONS = table.regions as RegionName[];
export const GROUP_LABELS = table.groups as Record<OrganGroup, string>;

export interface Protocol {
  id: ProtocolId;
  label: string;
  /** Organ channels (1..33) kept by the recalibration step. */
  channels: number[];
}
export const PROTOCOLS: readonly Protocol[] = (Object.keys(table.protocols) as ProtocolId[]).map((id) => ({
  id,
  ...(table.protocols as Record<ProtocolId, { label: string; channels: number[] }>)[id],
}));

const byName = new Map(ORGANS.map((o) => [o.tg263.toLowerCase(), o]));
export function organByTg263(name: string): Organ | undefined {
  return byName.get(name.toLowerCase());
}
export function organByChannel(channel: number): Organ | undefined {
  return ORGANS[channel - 1];
}

/** Protocol mask m (length 34, m_0 = 1) for DESIGN 3.4 recalibration. */
export function protocolMask(id: ProtocolId): Uint8Array {
  const p = PROTOCOLS.find((q) => q.id === id);
  if (!p) throw new Error(`unknown protocol ${id}`);
  const m = new Uint8Array(NUM_CHANNELS);
  m[0] = 1;
  for (const c of p.channels) m[c] = 1;
  return m;
}
