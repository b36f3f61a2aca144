/**
 * The label store of a CT (one per CtVolume): the engine run, the editors, the organ panel, review, Send to
 * PACS and the overlay all get the same one here. Opening another series (a new CtVolume) gives a new, empty
 * store; a store lives as long as its CT (a WeakMap), so a panel of the previous series that still asks for
 * its CT while unmounting never disturbs the new one.
 */
import type { CtVolume } from '../volume/volume';
import { LabelStore } from './labelStore';

const stores = new WeakMap<CtVolume, LabelStore>();

export function labelStoreFor(ct: CtVolume): LabelStore {
  let s = stores.get(ct);
  if (!s) stores.set(ct, (s = new LabelStore(ct)));
  return s;
}
