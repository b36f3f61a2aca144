/**
 * The PACS the page is connected to (after a successful search) and the study the open CT came from:
 * the "Send to PACS" panel reads it. A tiny store with subscribe, no React.
 */
import type { DicomWebClient } from './client';

export interface PacsSession {
  client: DicomWebClient;
  /** Study Instance UID of the series last opened from this PACS (null: the open CT is local). */
  openedStudy: string | null;
}

let current: PacsSession | null = null;
const listeners = new Set<(s: PacsSession | null) => void>();

export const pacsSession = (): PacsSession | null => current;

export function setPacsSession(s: PacsSession | null): void {
  current = s;
  for (const l of listeners) l(s);
}

export function onPacsSession(l: (s: PacsSession | null) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
