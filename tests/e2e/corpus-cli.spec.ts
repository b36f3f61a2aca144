/**
 * The bad-input corpus (tests/corpus/generate.ts, issue 16) through the batch CLI: ONE `npm run segment` run
 * (one Chromium) with every case folder as its own --input (tiny random model on wasm: what is tested is the
 * handling of the input, not the contours). Each case must end as its `cli` expectation says: `ok` (the series
 * ran; report.json and labels.nii.gz, RS.dcm for DICOM), `failed` (report.json alone, naming the reason) or
 * `skipped` (no series folder; an input problem or note names why). Nothing partial is left for a failed case,
 * and every output name stays inside --out whatever PatientName / PatientID / SeriesDescription hold.
 *
 * CORPUS_RECORD_CLI=FILE also writes what each case did (outcome, message) to FILE, for the table in
 * docs/bad-input.md (`npx tsx tests/corpus/table.ts --cli FILE`).
 * Not built on ./fixtures: the CLI launches its own browser (as in batch.spec.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { writeCorpus, type CorpusCase } from '../corpus/generate';
import { observeCli, type CliRun, type CliSummary } from '../corpus/cli';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DIST = resolve(REPO, process.env.BATCH_E2E_DIST ?? 'dist');
const TINY = join(REPO, 'tests/fixtures/models/tiny-random');

// Serial: one CLI run (beforeAll) for all; the per-case checks are soft so that every case is reported.
test.describe.configure({ mode: 'serial' });

const root = mkdtempSync(join(tmpdir(), 'aa-corpus-cli-'));
const { cases, skipped } = writeCorpus(join(root, 'corpus'));
// --out two levels down: a name with '../../' that escaped would land inside `root`, where the walk below sees it.
const out = join(root, 'a', 'b', 'out');
let run: CliRun;

test.beforeAll(() => {
  if (!existsSync(join(DIST, 'batch.html')))
    throw new Error(`${DIST}/batch.html is missing: build the app first (npx vite build)`);
  // 2-2.5 min on the loaded 2-core machine; room for a slower one
  test.setTimeout(480_000);
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  const args = [
    'scripts/segment.ts',
    ...cases.flatMap((c) => ['--input', c.dir]),
    '--out',
    out,
    '--model',
    TINY,
    '--backend',
    'wasm',
    '--no-build',
    '--dist',
    DIST,
    '--timeout',
    '3',
  ];
  const t0 = Date.now();
  const r = spawnSync(join(REPO, 'node_modules/.bin/tsx'), args, { cwd: REPO, encoding: 'utf8', timeout: 450_000 });
  const summaryPath = join(out, 'summary.json');
  const summary = existsSync(summaryPath) ? (JSON.parse(readFileSync(summaryPath, 'utf8')) as CliSummary) : null;
  run = { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', summary, seconds: (Date.now() - t0) / 1000 };
  if (process.env.CORPUS_RECORD_CLI) {
    const record = Object.fromEntries(cases.map((c) => [c.id, observeCli(c, run)]));
    writeFileSync(
      process.env.CORPUS_RECORD_CLI,
      JSON.stringify({ seconds: run.seconds, exit: run.code, record, skipped }, null, 1),
    );
  }
});

test.afterAll(() => rmSync(root, { recursive: true, force: true }));

test('corpus CLI: one run over every case wrote summary.json and exited 1 (some cases fail by design)', () => {
  expect(cases.length, `skipped: ${skipped.join('; ')}`).toBeGreaterThanOrEqual(25);
  expect(run.summary, `${run.stdout}\n${run.stderr}`).not.toBeNull();
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toContain('summary:');
});

for (const c of cases as CorpusCase[]) {
  test(`corpus CLI ${c.id}: ${c.cli.outcome}`, () => {
    const seen = observeCli(c, run);
    expect.soft(seen.outcome, seen.message).toBe(c.cli.outcome);
    if (c.cli.text) expect.soft(seen.message).toContain(c.cli.text);
    for (const s of seen.series) {
      const files = readdirSync(join(out, s.name)).sort();
      if (s.status === 'failed') {
        // nothing partial: the failure report alone
        expect.soft(files, s.name).toEqual(['report.json']);
        const report = JSON.parse(readFileSync(join(out, s.name, 'report.json'), 'utf8'));
        expect.soft(report.failed.message).toBe(s.failure?.message);
      } else {
        expect.soft(files, s.name).toEqual(expect.arrayContaining(['labels.nii.gz', 'report.json']));
        const rs = files.includes('RS.dcm');
        // RS.dcm for DICOM input unless no organ was found (said in rtstructMissing)
        expect
          .soft(
            rs || s.rtstructMissing !== undefined || c.dir.endsWith('.nii') || s.label.startsWith('NIfTI'),
            `${s.name}: ${files.join(', ')}`,
          )
          .toBe(true);
      }
    }
    if (seen.outcome === 'skipped') expect.soft(seen.message, 'a line says why the input gave nothing').not.toBe('');
  });
}

test('corpus CLI: every output stays inside --out, with plain names; nothing else was written', () => {
  const outside: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      const st = lstatSync(p);
      expect(st.isSymbolicLink(), p).toBe(false);
      if (st.isDirectory()) walk(p);
      else if (!p.startsWith(join(root, 'corpus') + sep) && !p.startsWith(out + sep)) outside.push(relative(root, p));
    }
  };
  walk(root);
  expect(outside).toEqual([]);
  const names = readdirSync(out);
  for (const n of names) expect(n, 'a plain file name').toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  // the unicode cases' folders are there (named from the input folder, or from PatientID + description when an
  // input holds two series), sanitised
  const seriesNames = run.summary!.series.map((s) => s.name);
  expect(new Set(seriesNames).size).toBe(seriesNames.length);
  for (const n of seriesNames) expect(names).toContain(n);
});
