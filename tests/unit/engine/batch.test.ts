import { describe, expect, test } from 'vitest';
import { chooseBatchSize, planBatches, MAX_BATCH } from '../../../src/engine/batch';

describe('batch planning', () => {
  test('every slice exactly once, equal batch sizes, last batch overlaps', () => {
    const plan = planBatches(11, 4);
    expect(plan).toEqual([
      { start: 0, count: 4, emitFrom: 0 },
      { start: 4, count: 4, emitFrom: 4 },
      { start: 7, count: 4, emitFrom: 8 },
    ]);
    for (const [n, b] of [
      [1, 8],
      [8, 8],
      [300, 12],
      [601, 32],
      [5, 1],
    ]) {
      const p = planBatches(n, b);
      const emitted: number[] = [];
      for (const q of p) {
        expect(q.count).toBe(Math.min(b, n));
        for (let k = q.emitFrom; k < q.start + q.count; k++) emitted.push(k);
      }
      expect(emitted).toEqual([...Array(n).keys()]);
    }
  });

  test('batch size from the adapter limits', () => {
    const S = 192;
    // llvmpipe: 128 MiB bindings; one slice of logits is 192*192*34*4 = 5.0 MB, x2 for the decoder
    expect(
      chooseBatchSize('webgpu', { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 2 ** 31 }, S, 34, 512 * 512, 300),
    ).toBe(13);
    // a big GPU: capped
    expect(
      chooseBatchSize('webgpu', { maxStorageBufferBindingSize: 2 ** 32 - 4, maxBufferSize: 2 ** 34 }, S, 34, 512 * 512, 600),
    ).toBe(MAX_BATCH);
    // the smaller of binding and buffer limits counts
    expect(chooseBatchSize('webgpu', { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 20e6 }, S, 34, 512 * 512, 600)).toBe(
      1,
    );
    // never more than the series has
    expect(chooseBatchSize('webgpu', { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 31 }, S, 34, 512 * 512, 3)).toBe(
      3,
    );
    expect(chooseBatchSize('wasm', null, S, 34, 512 * 512, 300)).toBe(1);
    expect(chooseBatchSize('webgl', null, S, 34, 512 * 512, 300)).toBe(4);
  });
});
