/**
 * Requests to import a structure set into the organ panel from elsewhere in the app (the offer to import the
 * RTSTRUCT found beside the CT, src/app/StructureOffers.tsx). One listener (the organ panel, while it has an
 * overlay); a request made before it listens waits for it.
 */
type Listener = (file: File) => void;

let listener: Listener | null = null;
const pending: File[] = [];

export function requestStructureImport(file: File): void {
  if (listener) listener(file);
  else pending.push(file);
}

/** The organ panel listens; returns the unsubscribe. Pending requests are delivered now. */
export function onStructureImport(l: Listener): () => void {
  listener = l;
  for (const f of pending.splice(0)) l(f);
  return () => {
    if (listener === l) listener = null;
  };
}
