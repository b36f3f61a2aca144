/** The implausible-volume flag of the organ panel and the batch report (src/organVolumes.ts). */
import { describe, expect, test } from 'vitest';
import { IMPLAUSIBLE_FACTOR, implausibleVolume, ORGAN_VOLUME_RANGES_ML } from '../../src/organVolumes';
import { CHANNEL_NAMES, ORGANS } from '../../src/organs';

const ch = (name: string) => CHANNEL_NAMES.indexOf(name);

describe('implausibleVolume', () => {
  test('every organ has a range, low < high', () => {
    for (const o of ORGANS) {
      const [lo, hi] = ORGAN_VOLUME_RANGES_ML[o.channel];
      expect(lo, o.tg263).toBeGreaterThan(0);
      expect(hi, o.tg263).toBeGreaterThan(lo);
    }
  });

  test('flags a pituitary of hundreds of ml (seen on the example CT), with the range in the message', () => {
    const m = implausibleVolume(ch('Pituitary'), 598);
    expect(m).toMatch(/^598 ml is more than this organ can be \(adult 0\.2–1 ml\)/);
    expect(implausibleVolume(ch('Liver'), 4000)).toMatch(/^4000 ml .*adult 900–2600 ml/);
    expect(implausibleVolume(ch('Ear_Internal_L'), 2)).toMatch(/^2\.00 ml .*adult 0\.1–1 ml/);
  });

  test('threshold: top of the range x 1.5; small volumes (organ partly in the scan) never flagged', () => {
    const [, hi] = ORGAN_VOLUME_RANGES_ML[ch('Pituitary')];
    expect(implausibleVolume(ch('Pituitary'), hi * IMPLAUSIBLE_FACTOR)).toBeNull();
    expect(implausibleVolume(ch('Pituitary'), hi * IMPLAUSIBLE_FACTOR + 0.01)).not.toBeNull();
    expect(implausibleVolume(ch('Pituitary'), 0.6)).toBeNull();
    expect(implausibleVolume(ch('Lung_L'), 3)).toBeNull();
    expect(implausibleVolume(ch('Liver'), 2000)).toBeNull();
    expect(implausibleVolume(0, 1e6)).toBeNull(); // background
  });
});
