import { describe, expect, it } from 'vitest';
import { backendOrderFromQuery, wasmThreadsFromQuery, wasmWorkersFromQuery } from '../../../src/engine/backend';

describe('backendOrderFromQuery', () => {
  it('is undefined (default order) without the parameter or with only unknown names', () => {
    expect(backendOrderFromQuery('')).toBeUndefined();
    expect(backendOrderFromQuery('?x=1')).toBeUndefined();
    expect(backendOrderFromQuery('?backend=')).toBeUndefined();
    expect(backendOrderFromQuery('?backend=cuda,metal')).toBeUndefined();
  });
  it('keeps the order given, drops unknown names and repeats, ignores case and spaces', () => {
    expect(backendOrderFromQuery('?backend=wasm')).toEqual(['wasm']);
    expect(backendOrderFromQuery('?backend=WebGL,%20wasm,foo,webgl')).toEqual(['webgl', 'wasm']);
  });
});

describe('wasmThreadsFromQuery', () => {
  it('reads ?threads= as a whole number >= 1, else undefined (one per core)', () => {
    expect(wasmThreadsFromQuery('')).toBeUndefined();
    expect(wasmThreadsFromQuery('?threads=1')).toBe(1);
    expect(wasmThreadsFromQuery('?backend=wasm&threads=4')).toBe(4);
    expect(wasmThreadsFromQuery('?threads=0')).toBeUndefined();
    expect(wasmThreadsFromQuery('?threads=-2')).toBeUndefined();
    expect(wasmThreadsFromQuery('?threads=2.5')).toBeUndefined();
    expect(wasmThreadsFromQuery('?threads=many')).toBeUndefined();
  });
});

describe('wasmWorkersFromQuery', () => {
  it('reads ?workers= as a whole number >= 1, else undefined (one per core)', () => {
    expect(wasmWorkersFromQuery('')).toBeUndefined();
    expect(wasmWorkersFromQuery('?backend=wasm&workers=2')).toBe(2);
    expect(wasmWorkersFromQuery('?workers=0')).toBeUndefined();
    expect(wasmWorkersFromQuery('?workers=1.5&threads=2')).toBeUndefined();
  });
});
