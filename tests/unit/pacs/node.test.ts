import { describe, expect, it } from 'vitest';
import { orthancRoot, parseNodeArgs } from '../../../src/pacs/node/args';
import { parseClaim, takeOver } from '../../../src/pacs/node/claim';
import { emptyState, needsWork, settled } from '../../../src/pacs/node/state';
import { isOutage, isTransient, PacsError } from '../../../src/pacs/errors';

describe('npm run node arguments', () => {
  it('parses the options and derives defaults', () => {
    const o = parseNodeArgs(
      ['--pacs', 'http://h:8042/dicom-web', '--user', 'u', '--watch', '--protocol', 'head-neck', '--backend', 'wasm'],
      { PACS_PASSWORD: 'pw' },
    );
    expect(o).toMatchObject({
      pacs: 'http://h:8042/dicom-web',
      user: 'u',
      password: 'pw',
      watch: true,
      protocol: 'head_neck',
      backend: 'wasm',
      settleS: 60,
    });
    expect(parseNodeArgs(['--pacs', 'http://h/dicom-web']).settleS).toBe(0);
    expect(orthancRoot(o)).toBe('http://h:8042');
    expect(orthancRoot({ pacs: 'http://h/wado', orthanc: 'auto' })).toBeNull();
    expect(orthancRoot({ pacs: 'http://h/dicom-web', orthanc: null })).toBeNull();
    expect(orthancRoot({ pacs: 'x', orthanc: 'http://o:1/' })).toBe('http://o:1');
  });
  it('names what is wrong', () => {
    expect(() => parseNodeArgs([])).toThrow(/--pacs is required/);
    expect(() => parseNodeArgs(['--pacs', 'u', '--user', 'x'])).toThrow(/--password/);
    expect(() => parseNodeArgs(['--pacs', 'u', '--interval', '0'])).toThrow(/positive/);
    expect(() => parseNodeArgs(['--pacs', 'u', '--protocol', 'legs'])).toThrow(/--protocol/);
    expect(() => parseNodeArgs(['--pacs', 'u', '--frobnicate'])).toThrow(/unknown option/);
  });
});

describe('node state', () => {
  it('retries a failed series until the attempts are used up; never a done one', () => {
    const s = emptyState();
    expect(needsWork(s, 'a', 3)).toBe(true);
    s.series.a = { status: 'failed', attempts: 2, at: '' };
    expect(needsWork(s, 'a', 3)).toBe(true);
    s.series.a.attempts = 3;
    expect(needsWork(s, 'a', 3)).toBe(false);
    s.series.b = { status: 'done', attempts: 1, at: '' };
    expect(needsWork(s, 'b', 3)).toBe(false);
  });
  it('takes a series once its image count has stayed the same for the settle time', () => {
    const s = emptyState();
    expect(settled(s, 'a', 10, 1000, 5000)).toBe(false);
    expect(settled(s, 'a', 12, 4000, 5000)).toBe(false); // still growing: the clock restarts
    expect(settled(s, 'a', 12, 8000, 5000)).toBe(false);
    expect(settled(s, 'a', 12, 9000, 5000)).toBe(true);
    expect(settled(s, 'b', 3, 0, 0)).toBe(true);
  });
});

describe('claims', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('reads claim values', () => {
    expect(parseClaim('claimed n1 2026-01-01T10:00:00.000Z')).toEqual({
      state: 'claimed',
      node: 'n1',
      detail: '2026-01-01T10:00:00.000Z',
    });
    expect(parseClaim('done n2 1.2.3')).toEqual({ state: 'done', node: 'n2', detail: '1.2.3' });
    expect(parseClaim('garbage')).toBeNull();
  });
  it('takes over only stale claims of others, its own at once, never a done one', () => {
    const hour = 3600_000;
    expect(takeOver(parseClaim('claimed n1 2026-01-01T11:30:00Z'), 'n2', now, hour)).toBe(false);
    expect(takeOver(parseClaim('claimed n1 2026-01-01T10:30:00Z'), 'n2', now, hour)).toBe(true);
    expect(takeOver(parseClaim('claimed n2 2026-01-01T11:59:00Z'), 'n2', now, hour)).toBe(true);
    expect(takeOver(parseClaim('done n1 1.2.3'), 'n1', now, hour)).toBe(false);
  });
});

describe('which PACS failures the node waits out', () => {
  it('retries an outage and 5xx, not a malformed answer of one series (that costs an attempt)', () => {
    expect(isTransient(new PacsError('unreachable', 'down'))).toBe(true);
    expect(isTransient(new PacsError('server', 'busy', 503))).toBe(true);
    expect(isTransient(new PacsError('server', 'The series 1.2 has no instances on the PACS.'))).toBe(false);
    expect(isTransient(new PacsError('server', 'gone', 404))).toBe(false);
    expect(isTransient(new PacsError('auth', 'no', 401))).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
    expect(isOutage(new PacsError('unreachable', 'down'))).toBe(true);
    expect(isOutage(new PacsError('server', 'busy', 503))).toBe(false);
  });
});
