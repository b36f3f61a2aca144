import { describe, expect, it } from 'vitest';
import { backendOrderFromQuery } from '../../../src/engine/backend';

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
