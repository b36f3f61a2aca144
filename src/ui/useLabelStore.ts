/**
 * React views of the label store (src/store/labelStore.ts): its provenance and imported reference as
 * useSyncExternalStore snapshots (the same object until it changes), for the panels that render them.
 */
import { useSyncExternalStore } from 'react';
import type { Provenance } from '../labels/provenance';
import type { ImportedReference, LabelChange, LabelStore } from '../store/labelStore';

const NONE: Provenance = { source: 'none' };
const noop = () => () => {};

function onKind(store: LabelStore | null, kind: LabelChange['kind']) {
  return (l: () => void) => store?.subscribe((c) => c.kind === kind && l()) ?? noop();
}

/** The store's provenance ({ source: 'none' } without a store). */
export function useProvenance(store: LabelStore | null): Provenance {
  return useSyncExternalStore(onKind(store, 'provenance'), () => store?.provenance() ?? NONE);
}

/** The store's imported reference set, or null. */
export function useReference(store: LabelStore | null): ImportedReference | null {
  return useSyncExternalStore(onKind(store, 'reference'), () => store?.reference() ?? null);
}
