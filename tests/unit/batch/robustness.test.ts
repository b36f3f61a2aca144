/**
 * Issue 17 point 4, CLI robustness: series folder names never take summary.md / summary.json; folder walking
 * survives symlink loops and links that cannot be followed (skipped with a line each); one bad --input (or
 * its --reference) never drops the others.
 */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverInputs, RESERVED_NAMES, sanitizeName, uniqueNames, walk } from '../../../src/batch/discover';
import { writeSeries } from './fixtures';

const root = mkdtempSync(join(tmpdir(), 'aa-robust-'));
writeSeries(join(root, 'good'), { id: 'G' });
// one series per input is named after the input folder: these would be named summary.md / summary.json
writeSeries(join(root, 'evil/summary.md'), { id: 'E1' });
writeSeries(join(root, 'evil/summary.json'), { id: 'E2' });
mkdirSync(join(root, 'loop/inner'), { recursive: true });
writeSeries(join(root, 'loop/inner/ct'), { id: 'L' });
symlinkSync('..', join(root, 'loop/inner/up')); // inner/up -> loop: a cycle
symlinkSync(join(root, 'loop/nowhere'), join(root, 'loop/dangling'));
symlinkSync(join(root, 'loop/self-b'), join(root, 'loop/self-a'));
symlinkSync(join(root, 'loop/self-a'), join(root, 'loop/self-b'));

describe('output names', () => {
  it('never summary.md or summary.json, whatever the patient ID or description', async () => {
    expect(uniqueNames(['summary.md', 'Summary.JSON', 'a'])).toEqual(['summary.md-2', 'Summary.JSON-2', 'a']);
    expect(sanitizeName('../../etc/passwd')).not.toMatch(/\.\.|\//);
    const d = await discoverInputs([{ path: join(root, 'evil/summary.md') }, { path: join(root, 'evil/summary.json') }]);
    expect(d.jobs.map((j) => j.name)).toEqual(['summary.md-2', 'summary.json-2']);
    for (const j of d.jobs) expect(RESERVED_NAMES).not.toContain(j.name.toLowerCase());
  });
});

describe('walking folders', () => {
  it('a symlink loop and unfollowable links are skipped with a line each; the series is found once', async () => {
    const skipped: string[] = [];
    const files = walk(join(root, 'loop'), [], skipped);
    expect(files.filter((f) => f.endsWith('.dcm'))).toHaveLength(6);
    expect(skipped.some((l) => /symlink loop/.test(l) && l.includes('up'))).toBe(true);
    expect(skipped.some((l) => l.includes('dangling') && /ENOENT/.test(l))).toBe(true);
    expect(skipped.some((l) => l.includes('self-a') && /loop/.test(l))).toBe(true);
    const d = await discoverInputs([{ path: join(root, 'loop') }]);
    expect(d.jobs).toHaveLength(1);
    expect(d.notes.join('\n')).toMatch(/dangling: skipped/);
  });
});

describe('one bad --input', () => {
  it('never drops the others', async () => {
    const d = await discoverInputs([
      { path: join(root, 'good') },
      { path: join(root, 'missing') },
      { path: join(root, 'loop'), reference: join(root, 'no-such-reference.dcm') },
      { path: join(root, 'evil'), reference: join(root, 'good/CT0001.dcm') },
    ]);
    expect(d.jobs.map((j) => j.input)).toEqual([join(root, 'good'), join(root, 'evil'), join(root, 'evil')]);
    expect(d.problems.map((p) => p.input)).toEqual([join(root, 'missing'), join(root, 'loop')]);
  });
});
