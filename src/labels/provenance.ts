/**
 * Where the app's labels came from (the model, complete or not, or a loaded label map) and what that means for
 * the export (issue 16): no export while the model runs; a cancelled or failed run is exported only after a
 * confirmation and labelled INCOMPLETE; a loaded label map is never written as the model's AUTOMATIC output.
 * The rules are pure (exportGate, exportLabelling); the provenance of the open CT's labels is kept by its label
 * store (src/store/labelStore.ts).
 */

/** Where a structure came from: ROIGenerationAlgorithm (AUTOMATIC, SEMIAUTOMATIC, MANUAL or '') and its description. */
export interface RoiGeneration {
  algorithm: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL' | '';
  description: string;
}

/** The generation of the model's own, unedited output. */
export const MODEL_GENERATION: RoiGeneration = { algorithm: 'AUTOMATIC', description: 'AttentionAnatomy 2.5D U-Net' };

export type Provenance =
  | { source: 'none' }
  | {
      source: 'model';
      state: 'running' | 'complete' | 'incomplete';
      /** Model name (manifest) */
      model: string;
      slicesDone: number;
      slices: number;
      reason?: 'cancelled' | 'error';
    }
  | { source: 'labelmap'; file: string; legend: string };

export interface ExportGate {
  enabled: boolean;
  /** Tooltip / reason when disabled. */
  why: string;
  /** A question to confirm before exporting (incomplete run), or null. */
  confirm: string | null;
}

export function exportGate(p: Provenance): ExportGate {
  if (p.source === 'model' && p.state === 'running') {
    return { enabled: false, why: 'Segmentation is running: export when it has finished.', confirm: null };
  }
  if (p.source === 'model' && p.state === 'incomplete') {
    const what = p.reason === 'error' ? 'failed' : 'was cancelled';
    return {
      enabled: true,
      why: '',
      confirm: `The segmentation ${what} after ${p.slicesDone} of ${p.slices} slices: organs may be cut off or missing. Export it anyway, labelled INCOMPLETE?`,
    };
  }
  return { enabled: true, why: '', confirm: null };
}

export interface ExportLabelling {
  /** Structure Set Label (<= 16 chars) */
  label: string;
  /** Structure Set Name */
  name: string;
  seriesDescription: string;
  generation: RoiGeneration;
  /** File name tag ('' for a complete model run). */
  fileTag: string;
}

export function exportLabelling(p: Provenance): ExportLabelling {
  if (p.source === 'labelmap') {
    const d = `Label map ${p.file} (${p.legend})`;
    return {
      label: 'LabelMap',
      name: `Imported label map ${p.file}`,
      seriesDescription: `${d}, not reviewed`.slice(0, 64),
      generation: { algorithm: '', description: d },
      fileTag: 'labelmap',
    };
  }
  const model = p.source === 'model' && p.model ? p.model : 'AttentionAnatomy';
  const generation: RoiGeneration = {
    algorithm: 'AUTOMATIC',
    description: p.source === 'model' && p.model ? `AttentionAnatomy ${p.model}` : MODEL_GENERATION.description,
  };
  if (p.source === 'model' && p.state === 'incomplete') {
    const part = `${p.slicesDone} of ${p.slices} slices, ${p.reason === 'error' ? 'failed' : 'cancelled'}`;
    return {
      label: 'INCOMPLETE',
      name: `INCOMPLETE auto OARs (${part})`,
      seriesDescription: `INCOMPLETE Auto OARs (${part}, not reviewed)`.slice(0, 64),
      generation: { algorithm: 'AUTOMATIC', description: `INCOMPLETE ${part}: ${generation.description}` },
      fileTag: 'INCOMPLETE',
    };
  }
  return {
    label: 'AutoOAR',
    name: 'Auto OARs',
    seriesDescription: `Auto OARs (${model}, not reviewed)`.slice(0, 64),
    generation,
    fileTag: '',
  };
}
