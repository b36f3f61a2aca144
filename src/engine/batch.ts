/**
 * Batch size, batch plan and the slice range of a run. WebGPU: as many slices as fit the adapter's storage-buffer binding limit,
 * sized by the largest per-slice tensor (the 34-channel logits, with a factor for the decoder's
 * full-resolution activations), capped for progress granularity and cancel latency.
 */
import type { BackendName } from './backend';
import { EngineError } from './errors';

export interface BatchLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export const MAX_BATCH = 32;

export function chooseBatchSize(
  backend: BackendName,
  limits: BatchLimits | null,
  S: number,
  channels: number,
  sliceVoxels: number,
  slices: number,
): number {
  let b: number;
  if (backend === 'webgpu' && limits) {
    const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    // logits [B,S,S,C] float32; decoder activations at full resolution are about as large again
    const perSliceModel = S * S * channels * 4 * 2;
    // the raw int16 slab (B + window margin) and the packed output are far smaller, but check them too
    const perSliceCt = sliceVoxels * 2;
    b = Math.floor(binding / Math.max(perSliceModel, perSliceCt));
    b = Math.min(b, MAX_BATCH);
  } else if (backend === 'webgl') {
    b = 4;
  } else {
    b = 1; // wasm / cpu run on the main thread: one slice per step keeps each task short
  }
  return Math.max(1, Math.min(b, slices));
}

/**
 * Batches of exactly `size` slices (so that every batch reuses the same compiled pipelines); the last
 * batch is moved back to overlap the previous one instead of being shorter. `emitFrom` is the first
 * slice of the batch not produced before.
 */
export function planBatches(slices: number, size: number): { start: number; count: number; emitFrom: number }[] {
  const out: { start: number; count: number; emitFrom: number }[] = [];
  const b = Math.max(1, Math.min(size, slices));
  for (let next = 0; next < slices; next += b) {
    const start = Math.min(next, slices - b);
    out.push({ start, count: b, emitFrom: next });
  }
  return out;
}

/** The slice range of a run: all slices, or `slices` checked against the CT. */
export function runRange(slices: { start: number; end: number } | undefined, nSlices: number): { start: number; end: number } {
  if (!slices) return { start: 0, end: nSlices };
  const { start, end } = slices;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > nSlices || start >= end)
    throw new EngineError('internal', `Slice range [${start}, ${end}) is not inside the CT's ${nSlices} slices.`);
  return { start, end };
}

/**
 * Contiguous ranges that split n slices between `parts` engine workers (worker/shards.ts), sizes differing by at
 * most one; fewer ranges when there are fewer slices than parts.
 */
export function splitSlices(n: number, parts: number): { start: number; end: number }[] {
  const p = Math.max(1, Math.min(Math.floor(parts), n));
  const out: { start: number; end: number }[] = [];
  for (let i = 0, start = 0; i < p; i++) {
    const end = start + Math.floor(n / p) + (i < n % p ? 1 : 0);
    out.push({ start, end });
    start = end;
  }
  return out;
}
