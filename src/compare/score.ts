/**
 * Per-organ accuracy of one label map against a reference (CONTRACTS 6, with src/metrics/overlap.ts), and
 * the summary across series: mean, median and worst case per organ, plus the overall averages computed as
 * the training evaluation does (mean over organs of the per-organ means; HD95 means leave out empty
 * predictions, which are counted). Pure.
 */
import { dice, percentile, surfaceDistances, type Dims, type Spacing } from '../metrics/overlap';
import { organByChannel } from '../organs';
import type { Reference } from './reference';

export interface OrganScore {
  channel: number;
  organ: string;
  dsc: number;
  /** null when the prediction is empty */
  hd95Mm: number | null;
  /** Mean surface distance (average symmetric, mm); null when the prediction is empty. */
  msdMm?: number | null;
  referenceMl: number;
  predictedMl: number;
}

function count(m: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i];
  return n;
}

/**
 * Scores every organ the reference annotates and contains, among `protocolChannels` when given (organs the
 * chosen protocol excludes are not predicted, so they are not scored rather than counted as DSC 0).
 */
export function scoreLabels(
  pred: Uint8Array,
  ref: Reference,
  dims: Dims,
  spacing: Spacing,
  protocolChannels?: readonly number[],
): OrganScore[] {
  const voxelMl = (spacing[0] * spacing[1] * spacing[2]) / 1000;
  const out: OrganScore[] = [];
  const inProtocol = protocolChannels ? new Set(protocolChannels) : null;
  for (const c of ref.annotated) {
    if (inProtocol && !inProtocol.has(c)) continue;
    const r = ref.mask(c);
    if (!r) continue; // absent from the reference: not scored
    const p = new Uint8Array(pred.length);
    for (let i = 0; i < pred.length; i++) p[i] = pred[i] === c ? 1 : 0;
    const np = count(p);
    const sd = np ? surfaceDistances(p, r, dims, spacing) : null;
    out.push({
      channel: c,
      organ: organByChannel(c)?.tg263 ?? `channel ${c}`,
      dsc: np ? dice(p, r) : 0,
      hd95Mm: sd ? sd.hd95 : null,
      msdMm: sd ? sd.msd : null,
      referenceMl: count(r) * voxelMl,
      predictedMl: np * voxelMl,
    });
  }
  return out;
}

export interface Stat {
  mean: number;
  median: number;
  /** lowest DSC / highest HD95 */
  worst: number;
}

export interface OrganSummary {
  channel: number;
  organ: string;
  /** Series that score this organ. */
  n: number;
  dsc: Stat;
  /** Over non-empty predictions; null when every prediction was empty. */
  hd95Mm: Stat | null;
  emptyPredictions: number;
}

export interface AccuracySummary {
  organs: OrganSummary[];
  /** Mean over organs of the per-organ mean DSC (the training evaluation's "average" row). */
  meanDsc: number | null;
  meanHd95Mm: number | null;
  emptyPredictions: number;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

function stat(v: number[], worst: 'min' | 'max'): Stat {
  return { mean: mean(v), median: percentile(v, 50), worst: worst === 'min' ? Math.min(...v) : Math.max(...v) };
}

export function summariseScores(perSeries: readonly (readonly OrganScore[])[]): AccuracySummary {
  const byChannel = new Map<number, OrganScore[]>();
  for (const scores of perSeries) for (const s of scores) byChannel.set(s.channel, [...(byChannel.get(s.channel) ?? []), s]);
  const organs: OrganSummary[] = [...byChannel.entries()]
    .sort(([a], [b]) => a - b)
    .map(([channel, rows]) => {
      const hds = rows.map((r) => r.hd95Mm).filter((h): h is number => h !== null);
      return {
        channel,
        organ: rows[0].organ,
        n: rows.length,
        dsc: stat(
          rows.map((r) => r.dsc),
          'min',
        ),
        hd95Mm: hds.length ? stat(hds, 'max') : null,
        emptyPredictions: rows.length - hds.length,
      };
    });
  const hdMeans = organs.map((o) => o.hd95Mm?.mean).filter((h): h is number => h !== undefined);
  return {
    organs,
    meanDsc: organs.length ? mean(organs.map((o) => o.dsc.mean)) : null,
    meanHd95Mm: hdMeans.length ? mean(hdMeans) : null,
    emptyPredictions: organs.reduce((a, o) => a + o.emptyPredictions, 0),
  };
}

/** Mean DSC over the organs of one series (for the per-series table). */
export function seriesMeanDsc(scores: readonly OrganScore[]): number | null {
  return scores.length ? mean(scores.map((s) => s.dsc)) : null;
}
