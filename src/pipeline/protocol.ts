/**
 * The protocol rule, written once: a protocol keeps some organ channels (the engine's recalibration mask);
 * the organs it excludes are not predicted, so they are neither shown as missing nor scored (DSC 0) against
 * a reference that annotates them.
 */
import { PROTOCOLS, type ProtocolId } from '../organs';

/** The organ channels (1..33) a protocol keeps; undefined for an unknown id. */
export const protocolChannels = (id: ProtocolId): readonly number[] | undefined => PROTOCOLS.find((q) => q.id === id)?.channels;

/** Of `channels`, those the protocol keeps and those it excludes (all kept for an unknown protocol). */
export function protocolExclusions(id: ProtocolId, channels: readonly number[]): { kept: number[]; excluded: number[] } {
  const keep = protocolChannels(id);
  if (!keep) return { kept: [...channels], excluded: [] };
  const set = new Set(keep);
  return { kept: channels.filter((c) => set.has(c)), excluded: channels.filter((c) => !set.has(c)) };
}
