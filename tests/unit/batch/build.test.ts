import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { staleReason } from '../../../src/batch/build';
import { chooseModel, ModelChoiceError } from '../../../src/batch/models';

const root = mkdtempSync(join(tmpdir(), 'aa-batch-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (p: string, t: number) => utimesSync(join(root, p), t, t);

describe('dist/ staleness', () => {
  it('missing page, up to date, and a source newer than the build', () => {
    mkdirSync(join(root, 'src/batch'), { recursive: true });
    writeFileSync(join(root, 'src/batch/page.ts'), '');
    writeFileSync(join(root, 'index.html'), '');
    expect(staleReason(root)).toMatch(/no batch\.html/);
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist/batch.html'), '');
    at('src/batch/page.ts', 1000);
    at('index.html', 1000);
    at('dist/batch.html', 2000);
    expect(staleReason(root)).toBeNull();
    at('src/batch/page.ts', 3000);
    expect(staleReason(root)).toBe(`${join('src', 'batch', 'page.ts')} changed after the last build`);
  });
});

describe('model choice', () => {
  const dist = join(root, 'mdist');
  mkdirSync(join(dist, 'models'), { recursive: true });
  writeFileSync(
    join(dist, 'models/index.json'),
    JSON.stringify({
      models: [
        { id: 'a', name: 'A', path: 'models/a/' },
        { id: 'b', name: 'B', path: 'models/b/', default: true },
      ],
    }),
  );
  const pkg = join(root, 'pkg');
  mkdirSync(pkg);
  writeFileSync(join(pkg, 'manifest.json'), JSON.stringify({ id: 'tiny', name: 'Tiny' }));

  it('the app default, an id, or a package folder served under /batch/models/ and made the only default', () => {
    expect(chooseModel(dist, null).modelId).toBe('b');
    const a = chooseModel(dist, 'a');
    expect(a.index.models.map((m) => [m.id, m.default])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    const t = chooseModel(dist, pkg);
    expect(t.modelId).toBe('tiny');
    expect(t.mounts).toEqual({ '/batch/models/tiny/': pkg });
    expect(t.index.models.map((m) => [m.id, m.path, m.default])).toEqual([
      ['a', 'models/a/', false],
      ['b', 'models/b/', false],
      ['tiny', 'batch/models/tiny/', true],
    ]);
  });

  it('unknown ids and empty installations are errors that list what exists', () => {
    expect(() => chooseModel(dist, 'zzz')).toThrow(/installed: a, b/);
    expect(() => chooseModel(join(root, 'nowhere'), null)).toThrow(ModelChoiceError);
  });
});
