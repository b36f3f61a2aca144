/** Protocol exclusions: organs a protocol does not keep are not scored. */
import { describe, expect, it } from 'vitest';
import { ORGANS, PROTOCOLS } from '../../../src/organs';
import { protocolChannels, protocolExclusions } from '../../../src/pipeline/protocol';

describe('protocolExclusions', () => {
  it('the whole body keeps every organ', () => {
    const all = ORGANS.map((o) => o.channel);
    expect(protocolExclusions('whole', all)).toEqual({ kept: all, excluded: [] });
  });

  it('a regional protocol keeps its own organs and excludes the others, in the given order', () => {
    const hn = PROTOCOLS.find((p) => p.id === 'head_neck')!;
    const inside = hn.channels[0];
    const outside = ORGANS.map((o) => o.channel).find((c) => !hn.channels.includes(c))!;
    expect(outside).toBeDefined();
    expect(protocolExclusions('head_neck', [outside, inside])).toEqual({ kept: [inside], excluded: [outside] });
    expect(protocolChannels('head_neck')).toEqual(hn.channels);
  });
});
