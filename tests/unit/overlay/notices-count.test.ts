import { describe, expect, it } from 'vitest';
import { addNotice, type Notice } from '../../../src/ui/notices';

describe('addNotice', () => {
  const w: Notice = { id: 'labelmap-load', severity: 'warning', title: 'x could not be loaded.', detail: 'd' };
  it('the same message again is one notice with a count; a different one replaces it', () => {
    let cur = addNotice([], w);
    cur = addNotice(cur, w);
    cur = addNotice(cur, w);
    expect(cur).toHaveLength(1);
    expect(cur[0].count).toBe(3);
    cur = addNotice(cur, { ...w, detail: 'other' });
    expect(cur).toHaveLength(1);
    expect(cur[0].count).toBeUndefined();
  });
});
