/**
 * scripts/lint-folders.mjs (run by `npm run lint`): a pair of folders that import each other fails, whatever
 * kind of import ties them (value, type-only, re-export, dynamic); one-way imports and files at the root pass.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'lint-folders-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
const check = (root: string) => spawnSync('node', ['scripts/lint-folders.mjs', '--root', root], { encoding: 'utf8' });

describe('lint-folders', () => {
  it('passes one-way imports between folders and files at the root', () => {
    const r = check(
      tree({
        'a/x.ts': "import { y } from '../b/y';\nimport { t } from '../top';\nexport const x = y + t;\n",
        'b/y.ts': "import { t } from '../top';\nexport const y = t;\n",
        'top.ts': "import { y } from './b/y';\nexport const t = 1;\nexport const u = y;\n",
      }),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no folder cycles/);
  });

  for (const [kind, back] of [
    ['a value import', "import { x } from '../a/x';"],
    ['a type-only import', "import type { X } from '../a/deep/x';"],
    ['a re-export', "export * from '../a/x';"],
    ['a dynamic import', "export const load = () => import('../a/x');"],
  ] as const) {
    it(`fails when ${kind} closes a folder cycle, naming both directions`, () => {
      const r = check(
        tree({
          'a/x.ts': "import { y } from '../b/y';\nexport const x = y;\nexport type X = number;\n",
          'a/deep/x.ts': 'export type X = number;\n',
          'b/y.ts': `${back}\nexport const y = 1;\n`,
        }),
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/folders a <-> b import each other/);
      expect(r.stderr).toMatch(/a\/x\.ts -> \.\.\/b\/y/);
      expect(r.stderr).toMatch(/b\/y\.ts -> \.\.\/a\//);
    });
  }

  it('ignores imports in comments', () => {
    const r = check(
      tree({
        'a/x.ts': "import { y } from '../b/y';\nexport const x = y;\n",
        'b/y.ts': "// import { x } from '../a/x';\n/* import('../a/x') */\nexport const y = 1;\n",
      }),
    );
    expect(r.status).toBe(0);
  });
});
