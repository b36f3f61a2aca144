import { describe, expect, it } from 'vitest';
import { shareLine } from '../../../bench/appPath';

describe('shareLine (bench/appPath.ts)', () => {
  it('says when each share was done and how long the other cores waited for the last one', () => {
    // two workers done at 7.1 and 8.0 s: one core waited 0.9 s of the 2 x 8 s the workers had (5.6%)
    expect(shareLine([7.1, 8])).toBe(
      "shares done at 7.10 / 8.00 s: cores waited 0.90 s for the last share (6% of the workers' time)",
    );
    // three shares, the first last: 1 + 2 s waited of 3 x 4 s
    expect(shareLine([4, 3, 2])).toBe(
      "shares done at 4.00 / 3.00 / 2.00 s: cores waited 3.00 s for the last share (25% of the workers' time)",
    );
  });
});
