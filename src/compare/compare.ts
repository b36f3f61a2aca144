/**
 * The comparison table: the app's organs against an imported reference (RTSTRUCT or SEG), one row per organ
 * the reference contours on this series: DSC, HD95, mean surface distance, both volumes and their
 * difference. Figures come from scoreLabels (score.ts), the batch CLI's `--reference` code, on
 * the reference referenceFromImported builds; only the pairing of reference ROIs with organs is the user's.
 * Pure.
 */
import { scoreLabels, type OrganScore } from './score';
import type { Dims, Spacing } from '../metrics/overlap';
import type { ImportedStructureSet } from '../rtstruct/import';
import { referenceFromImported, type Pairing } from './reference';

export interface ComparisonRow extends OrganScore {
  /** Reference ROI names paired with this organ. */
  referenceNames: string[];
  /** predictedMl - referenceMl */
  diffMl: number;
}

export interface Comparison {
  rows: ComparisonRow[];
  /** Why a reference ROI gives no row (no contour on this series, not paired), one line each. */
  notes: string[];
}

/** Compares `pred` (organ label map on the CT grid) with `set` under `pairing`. */
export function compareWithReference(
  pred: Uint8Array,
  set: ImportedStructureSet,
  grid: { dims: Dims; spacing: Spacing },
  pairing: Pairing,
): Comparison {
  const n = grid.dims[0] * grid.dims[1] * grid.dims[2];
  if (pred.length !== n) throw new RangeError(`label map has ${pred.length} voxels, the CT ${n}`);
  const ref = referenceFromImported(set, n, set.label, pairing);
  const notes: string[] = [];
  for (const r of set.rois) {
    const c = pairing.get(r.label) ?? null;
    if (r.voxels === 0) notes.push(`${r.name}: no contour on this series, no row.`);
    else if (c === null) notes.push(`${r.name}: paired with no organ, not compared.`);
  }
  const rows = scoreLabels(pred, ref, grid.dims, grid.spacing).map((s) => ({
    ...s,
    referenceNames: set.rois.filter((r) => r.voxels > 0 && pairing.get(r.label) === s.channel).map((r) => r.name),
    diffMl: s.predictedMl - s.referenceMl,
  }));
  return { rows, notes };
}

const fmt = (v: number | null | undefined, d: number) =>
  v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(d);
const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The table as CSV (one header line, one line per row; empty cells where the prediction is empty). */
export function comparisonCsv(c: Comparison): string {
  const head = ['organ', 'reference_roi', 'dsc', 'hd95_mm', 'msd_mm', 'auto_ml', 'reference_ml', 'difference_ml'];
  const lines = c.rows.map((r) =>
    [
      quote(r.organ),
      quote(r.referenceNames.join(' + ')),
      fmt(r.dsc, 4),
      fmt(r.hd95Mm, 2),
      fmt(r.msdMm, 2),
      fmt(r.predictedMl, 3),
      fmt(r.referenceMl, 3),
      fmt(r.diffMl, 3),
    ].join(','),
  );
  return `${[head.join(','), ...lines].join('\n')}\n`;
}
