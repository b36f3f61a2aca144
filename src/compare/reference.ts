/**
 * An imported structure set (RTSTRUCT or SEG on the CT grid) as a scoring reference: organ channel -> mask,
 * through a pairing of the set's ROIs with the organ table. The batch CLI (`--reference` RTSTRUCT) and the
 * app's comparison table both build their reference here, then score it with the same scoreLabels
 * (score.ts). Pure.
 */
import type { ImportedStructureSet } from '../rtstruct/import';

/** Organ masks on the CT grid to score against (built here, from label maps or mask folders by src/batch/reference.ts). */
export interface Reference {
  /** One line: what was read. */
  description: string;
  /** Organ channels the reference annotates, ascending. */
  annotated: number[];
  /** Mask (0/1) of organ `channel` on the CT grid, or null when it has no voxels there. */
  mask(channel: number): Uint8Array | null;
  notes: string[];
}

/** ROI label (ImportedRoi.label) -> organ channel, or null for "not compared". */
export type Pairing = ReadonlyMap<number, number | null>;

/** The pairing the names give (TG-263, the paper's names and clinical spellings, src/organNames.ts). */
export function namePairing(set: ImportedStructureSet): Map<number, number | null> {
  return new Map(set.rois.map((r) => [r.label, r.organ?.channel ?? null]));
}

/** The reference `set` stands for under `pairing` (default: by name). */
export function referenceFromImported(
  set: ImportedStructureSet,
  voxelCount: number,
  description: string,
  pairing: Pairing = namePairing(set),
): Reference {
  const byOrgan = new Map<number, { layer: number; label: number }[]>();
  const unmatched: string[] = [];
  for (const roi of set.rois) {
    const c = pairing.get(roi.label) ?? null;
    if (c === null) {
      unmatched.push(roi.name);
      continue;
    }
    const list = byOrgan.get(c) ?? [];
    if (roi.layer >= 0) list.push({ layer: roi.layer, label: roi.label });
    byOrgan.set(c, list);
  }
  const notes = [...set.warnings];
  if (unmatched.length) notes.push(`ROIs matching no organ, not scored: ${unmatched.join(', ')}`);
  return {
    description,
    annotated: [...byOrgan.keys()].sort((a, b) => a - b),
    mask: (c) => {
      const parts = byOrgan.get(c);
      if (!parts?.length) return null;
      const m = new Uint8Array(voxelCount);
      let any = false;
      for (const { layer, label } of parts) {
        const L = set.layers[layer];
        for (let i = 0; i < voxelCount; i++) {
          if (L[i] === label) {
            m[i] = 1;
            any = true;
          }
        }
      }
      return any ? m : null;
    },
    notes,
  };
}
