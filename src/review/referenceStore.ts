/**
 * The imported reference (RTSTRUCT or SEG on the open CT) shared by the organ panel, which shows it as
 * outlines, and the review panel, which compares it with the app's organs. One at a time; a new series
 * clears it.
 */
import type { ImportedStructureSet } from '../rtstruct/import';

export interface ImportedReference {
  set: ImportedStructureSet;
  fileName: string;
  kind: 'RTSTRUCT' | 'SEG';
}

let current: ImportedReference | null = null;
const listeners = new Set<(r: ImportedReference | null) => void>();

export function setImportedReference(r: ImportedReference | null): void {
  if (r === current || (r && current && r.set === current.set)) return;
  current = r;
  for (const l of listeners) l(r);
}

export const importedReference = (): ImportedReference | null => current;

export function onImportedReference(listener: (r: ImportedReference | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
