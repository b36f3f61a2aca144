import { describe, expect, test } from 'vitest';
import { CHANNEL_NAMES, NUM_CHANNELS, ORGANS, protocolMask } from '../../src/organs';

describe('organ table (DESIGN 3.1)', () => {
  test('33 organs in channel order 1..33 with unique names and colours', () => {
    expect(ORGANS).toHaveLength(33);
    ORGANS.forEach((o, i) => expect(o.channel).toBe(i + 1));
    expect(new Set(ORGANS.map((o) => o.tg263)).size).toBe(33);
    expect(new Set(ORGANS.map((o) => o.color.join(','))).size).toBe(33);
    expect(NUM_CHANNELS).toBe(34);
  });
  test('spot checks against DESIGN 3.1', () => {
    expect(CHANNEL_NAMES[1]).toBe('Brainstem');
    expect(CHANNEL_NAMES[7]).toBe('Pituitary');
    expect(CHANNEL_NAMES[21]).toBe('Trachea');
    expect(CHANNEL_NAMES[25]).toBe('Esophagus');
    expect(CHANNEL_NAMES[33]).toBe('Stomach');
    expect(ORGANS.filter((o) => o.group === 'head_neck')).toHaveLength(21);
    expect(ORGANS.filter((o) => o.group === 'thorax')).toHaveLength(4);
    expect(ORGANS.filter((o) => o.group === 'abdomen')).toHaveLength(8);
  });
  test('protocol masks', () => {
    expect(Array.from(protocolMask('whole')).every((v) => v === 1)).toBe(true);
    const t = protocolMask('thorax');
    expect(t[0]).toBe(1);
    expect([15, 21, 22, 23, 24, 25].every((c) => t[c] === 1)).toBe(true);
    expect(Array.from(t).reduce((a, b) => a + b, 0)).toBe(7);
  });
});
