/**
 * `npm run segment` end to end: the command drives the built app (dist/batch.html) in its own headless
 * Chromium, so these tests run the CLI as a child process and check what it writes with independent
 * tools: nibabel + numpy (DSC) and the training package's scipy HD95 (CONTRACTS 6) in /usr/bin/python3,
 * dciodvfy for the RTSTRUCT. They use the tiny random model on wasm (fast on CPU), so the DSC values are
 * near zero; what is tested is that the numbers are right, not that they are good.
 *
 * Not built on ./fixtures: those open a page per test; the CLI launches its own browser and reports
 * any request that leaves its local server in summary.md, which is checked here instead.
 * BATCH_E2E_DIST points the command at another build than dist/ (default: dist/, built by npm test).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ORGAN_VOLUME_RANGES_ML } from '../../src/organVolumes';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DIST = resolve(REPO, process.env.BATCH_E2E_DIST ?? 'dist');
const TINY = join(REPO, 'tests/fixtures/models/tiny-random');
const OPENKBP_CASE = resolve(REPO, '../shared/data/openkbp/val/pt_201');
const PYTHON = '/usr/bin/python3';
// src/organs.json read directly: Playwright's loader does not import JSON modules without an attribute.
const TABLE = JSON.parse(readFileSync(join(REPO, 'src/organs.json'), 'utf8')) as {
  background: string;
  organs: { tg263: string }[];
};
const CHANNEL_NAMES = [TABLE.background, ...TABLE.organs.map((o) => o.tg263)];

test.describe.configure({ mode: 'serial' });

let work: string;
const phantom = (name: string) => join(work, name);

function run(cmd: string, args: string[], timeoutMs = 240_000) {
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

function segment(args: string[]) {
  return run(join(REPO, 'node_modules/.bin/tsx'), [
    'scripts/segment.ts',
    ...args,
    '--model',
    TINY,
    '--backend',
    'wasm',
    '--no-build',
    '--dist',
    DIST,
  ]);
}

function python(script: string, arg: unknown): unknown {
  const r = spawnSync(PYTHON, ['-c', script, JSON.stringify(arg)], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PYTHONPATH: 'training' },
  });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Per series and organ: DSC (numpy) and HD95 (training/attention_anatomy/metrics.py) from the two NIfTI files. */
const SCORE_PY = `
import json, sys
import numpy as np, nibabel as nib
from attention_anatomy.metrics import hd95
out = {}
for s in json.loads(sys.argv[1]):
    pred, ref = nib.load(s['pred']), nib.load(s['ref'])
    assert pred.shape == ref.shape, (pred.shape, ref.shape)
    assert np.allclose(pred.affine, ref.affine, atol=1e-3), (pred.affine, ref.affine)
    assert pred.get_data_dtype() == np.uint8
    p = np.asarray(pred.dataobj).transpose(2, 1, 0)
    r = np.asarray(ref.dataobj).transpose(2, 1, 0)
    sp = [float(z) for z in pred.header.get_zooms()[:3]]
    res = {}
    for c in s['annotated']:
        rm = r == c
        if not rm.any():
            continue
        pm = p == c
        res[str(c)] = {'dsc': float(2 * (pm & rm).sum() / (pm.sum() + rm.sum())), 'hd95': hd95(pm, rm, sp) if pm.any() else None}
    out[s['name']] = res
print(json.dumps(out))
`;

/** summary.md organ rows: organ -> [n, DSC mean, median, worst, HD95 mean, median, worst, empty]. */
function organRows(md: string): Map<string, (number | null)[]> {
  const rows = new Map<string, (number | null)[]>();
  const section = md.split('## Accuracy per organ')[1]?.split('\n## ')[0] ?? '';
  for (const line of section.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 9 || cells[0] === 'organ' || cells[0].startsWith('---') || cells[0].startsWith('**')) continue;
    rows.set(
      cells[0],
      cells.slice(1).map((c) => (c === '–' ? null : Number(c))),
    );
  }
  return rows;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

test.beforeAll(() => {
  if (!existsSync(join(DIST, 'batch.html')))
    throw new Error(`${DIST}/batch.html is missing: build the app first (npx vite build)`);
  work = mkdtempSync(join(tmpdir(), 'aa-batch-e2e-'));
  // two small head & neck phantoms, one feet first and one head first (both slice orders)
  for (const [name, seed, position] of [
    ['ph1', 31, 'FFS'],
    ['ph2', 32, 'HFS'],
  ] as const) {
    const r = run(join(REPO, 'node_modules/.bin/tsx'), [
      'scripts/phantom.ts',
      '--seed',
      String(seed),
      '--out',
      phantom(name),
      '--region',
      'head-neck',
      '--matrix',
      '128',
      '--slice',
      '5',
      '--position',
      position,
      '--workers',
      '1',
      '--quiet',
    ]);
    if (r.code !== 0) throw new Error(`phantom ${name}: ${r.out}`);
  }
});

test.afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('two phantom series: RS.dcm (dciodvfy clean), labels.nii.gz, report.json; summary DSC and HD95 match an independent computation', () => {
  test.setTimeout(300_000);
  const out = join(work, 'out-phantoms');
  const r = segment(['--input', phantom('ph1'), '--input', phantom('ph2'), '--reference', 'auto', '--out', out]);
  expect(r.code, r.out).toBe(0);
  expect(r.out).toMatch(/\[1\/2\] ph1: \d+ slices in [\d.]+ s \([\d.]+ slices\/s, wasm\)/);
  expect(r.out).toMatch(/\[2\/2\] ph2: /);

  const series = [];
  for (const name of ['ph1', 'ph2']) {
    const dir = join(out, name);
    expect(readdirSync(dir).sort()).toEqual(['RS.dcm', 'labels.nii.gz', 'report.json']);
    const v = run('/usr/bin/dciodvfy', [join(dir, 'RS.dcm')]);
    expect(v.out).toContain('RTStructureSet');
    expect(
      v.out.split('\n').filter((l) => /^Error/.test(l)),
      v.out,
    ).toEqual([]);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const caseJson = JSON.parse(readFileSync(join(phantom(name), 'case.json'), 'utf8'));
    expect(report.backend.name).toBe('wasm');
    expect(report.model.id).toBe('tiny-random');
    // the engine's clean-up ran (on by default); labels.nii.gz and the scores below are after it
    expect(report.cleanup.voxelsRemoved).toBeGreaterThanOrEqual(0);
    expect(report.cleanup.finalMs).toBeLessThanOrEqual(report.cleanup.ms);
    expect(report.slices).toBe(readdirSync(join(phantom(name), 'dicom')).length);
    expect(report.ct.patientPosition).toBe(name === 'ph1' ? 'FFS' : 'HFS');
    expect(report.reference.kind).toBe('labelmap');
    for (const k of ['load', 'inference', 'rtstruct', 'upload', 'write', 'metrics'])
      expect(report.timingsS[k]).toBeGreaterThanOrEqual(0);
    expect(report.organs).toHaveLength(33);
    // an organ bigger than 1.5 x the top of its adult range carries the panel's warning, and only then
    for (const o of report.organs as { channel: number; volumeMl: number; warning?: string }[]) {
      const tooBig = o.volumeMl > ORGAN_VOLUME_RANGES_ML[o.channel][1] * 1.5;
      expect(o.warning === undefined, `${CHANNEL_NAMES[o.channel]} ${o.volumeMl} ml: warning ${o.warning}`).toBe(!tooBig);
    }
    series.push({
      name,
      pred: join(dir, 'labels.nii.gz'),
      ref: join(phantom(name), 'labels.nii.gz'),
      annotated: caseJson.annotatedChannels as number[],
      report,
    });
  }

  const truth = python(
    SCORE_PY,
    series.map(({ report: _r, ...s }) => s),
  ) as Record<string, Record<string, { dsc: number; hd95: number | null }>>;
  const names = CHANNEL_NAMES;
  // per series: report.json against the independent values
  for (const s of series) {
    const per = s.report.metrics.perOrgan as Record<string, { dsc: number; hd95Mm: number | null }>;
    expect(Object.keys(per).sort()).toEqual(
      Object.keys(truth[s.name])
        .map((c) => names[Number(c)])
        .sort(),
    );
    for (const [c, t] of Object.entries(truth[s.name])) {
      expect(per[names[Number(c)]].dsc, `${s.name} ${names[Number(c)]} DSC`).toBeCloseTo(t.dsc, 4);
      if (t.hd95 === null) expect(per[names[Number(c)]].hd95Mm).toBeNull();
      else expect(per[names[Number(c)]].hd95Mm!, `${s.name} ${names[Number(c)]} HD95`).toBeCloseTo(t.hd95, 1);
    }
  }
  // summary.md: mean, median, worst over the two series
  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  const rows = organRows(md);
  const organs = new Set(series.flatMap((s) => Object.keys(truth[s.name])));
  expect(rows.size).toBe(organs.size);
  let nonZero = 0;
  for (const c of organs) {
    const vals = series.map((s) => truth[s.name][c]).filter(Boolean);
    const dsc = vals.map((v) => v.dsc);
    const hds = vals.map((v) => v.hd95).filter((h): h is number => h !== null);
    const row = rows.get(names[Number(c)])!;
    expect(row[0]).toBe(vals.length);
    for (const [i, want] of [
      [1, mean(dsc)],
      [2, median(dsc)],
      [3, Math.min(...dsc)],
    ] as const)
      expect(Math.abs(row[i]! - want), `${names[Number(c)]} DSC col ${i}`).toBeLessThanOrEqual(0.0005 + 1e-9);
    if (hds.length)
      for (const [i, want] of [
        [4, mean(hds)],
        [5, median(hds)],
        [6, Math.max(...hds)],
      ] as const)
        expect(Math.abs(row[i]! - want)).toBeLessThanOrEqual(0.05 + 1e-9);
    else expect(row.slice(4, 7)).toEqual([null, null, null]);
    expect(row[7]).toBe(vals.length - hds.length);
    if (mean(dsc) > 0) nonZero++;
  }
  // the check must be able to see a difference: some organ overlaps a little even with random weights
  expect(nonZero).toBeGreaterThan(0);
  expect(md).not.toMatch(/outside the local server/);
});

test('a folder with a corrupt series: it is reported, the good series is still contoured, exit code 1', () => {
  test.setTimeout(300_000);
  const folder = join(work, 'mixed');
  const good = join(folder, 'good');
  const bad = join(folder, 'bad');
  mkdirSync(good, { recursive: true });
  mkdirSync(bad, { recursive: true });
  for (const f of readdirSync(join(phantom('ph1'), 'dicom'))) copyFileSync(join(phantom('ph1'), 'dicom', f), join(good, f));
  // the other series: three intact slices (too few to segment), the rest cut in half (unreadable)
  readdirSync(join(phantom('ph2'), 'dicom'))
    .sort()
    .forEach((f, i) => {
      const bytes = readFileSync(join(phantom('ph2'), 'dicom', f));
      writeFileSync(join(bad, f), i < 3 ? bytes : bytes.subarray(0, bytes.length >> 1));
    });
  const out = join(work, 'out-mixed');
  const r = segment(['--input', folder, '--out', out]);
  expect(r.code, r.out).toBe(1);
  expect(r.out).toMatch(/DICOM file\(s\) could not be read/);
  expect(r.out).toMatch(/FAILED \(load\): This series cannot be segmented: Only 3 slices/);
  expect(r.out).toMatch(/1 of 2 series done, 1 FAILED/);
  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  expect(md).toContain('1 of 2 series contoured, 1 failed; 1 input problem(s).');
  expect(md).toMatch(/## Input problems\n\n- .*mixed: \d+ DICOM file\(s\) could not be read/);
  const dirs = readdirSync(out)
    .filter((d) => !d.startsWith('summary'))
    .sort();
  expect(dirs).toHaveLength(2);
  const reports = dirs.map((d) => ({
    d,
    files: readdirSync(join(out, d)).sort(),
    report: JSON.parse(readFileSync(join(out, d, 'report.json'), 'utf8')),
  }));
  const ok = reports.find((x) => !x.report.failed)!;
  const failed = reports.find((x) => x.report.failed)!;
  expect(ok.files).toEqual(['RS.dcm', 'labels.nii.gz', 'report.json']);
  expect(ok.report.series.seriesDescription).toContain('seed 31');
  expect(failed.files).toEqual(['report.json']);
  expect(failed.report.failed.message).toMatch(/Only 3 slices/);
});

test('OpenKBP NIfTI through the page agrees with the training evaluation (same random model) voxel by voxel', () => {
  test.skip(!existsSync(join(OPENKBP_CASE, 'ct.nii.gz')), `OpenKBP data not found at ${OPENKBP_CASE}`);
  test.setTimeout(300_000);
  const out = join(work, 'out-openkbp');
  // --no-cleanup: the network's own labels (the clean-up's parity with Python: training/tests/test_cleanup.py)
  const r = segment(['--input', OPENKBP_CASE, '--reference', 'auto', '--out', out, '--no-cleanup']);
  expect(r.code, r.out).toBe(0);
  expect(readdirSync(join(out, 'pt_201')).sort()).toEqual(['labels.nii.gz', 'report.json']);
  const report = JSON.parse(readFileSync(join(out, 'pt_201/report.json'), 'utf8'));
  expect(report.cleanup).toBeNull();
  // tiny-random is random_model(64, 4, 'attention_hpa', seed 0) exported with float16 weights
  // (tests/fixtures/models/README.md); the evaluation predicts in float32 on the same canonical grid.
  const res = python(
    `
import json, sys
import numpy as np, torch
from attention_anatomy.grid import Volume, GridSpec
from attention_anatomy.sources import canonical, OPENKBP_PAINT_ORDER
from attention_anatomy.organs import channel_of
from attention_anatomy.export import random_model
from attention_anatomy.evaluate import predict_case
a = json.loads(sys.argv[1])
ct = canonical(Volume.from_nifti(a['ct']))
ours = canonical(Volume.from_nifti(a['ours']))
assert np.allclose(ct.affine, ours.affine, atol=1e-3)
pred = predict_case(random_model(64, 4, 'attention_hpa', 0).eval(), ct.data.astype(np.float32), ct.spacing(), GridSpec(size=64), torch.device('cpu'))
bits = canonical(Volume.from_nifti(a['bits'])).data
meta = json.load(open(a['meta']))
bit_of = {v['tg263']: int(b) for b, v in meta['bits'].items()}
ref = np.zeros(bits.shape, np.uint8)
for name in OPENKBP_PAINT_ORDER:
    ref[(bits >> bit_of[name]) & 1 == 1] = channel_of(name)
dsc = {}
for name in meta['annotated']:
    c = channel_of(name); r = ref == c; p = ours.data == c
    if r.any():
        dsc[name] = float(2 * (p & r).sum() / (p.sum() + r.sum()))
print(json.dumps({'agree': float((pred == ours.data).mean()), 'dsc': dsc}))
`,
    {
      ct: join(OPENKBP_CASE, 'ct.nii.gz'),
      ours: join(out, 'pt_201/labels.nii.gz'),
      bits: join(OPENKBP_CASE, 'labels.nii.gz'),
      meta: join(OPENKBP_CASE, 'meta.json'),
    },
  ) as { agree: number; dsc: Record<string, number> };
  // measured 0.9998 (float16 weights flip a few near-tied voxels)
  expect(res.agree).toBeGreaterThan(0.995);
  const per = report.metrics.perOrgan as Record<string, { dsc: number }>;
  expect(Object.keys(per).sort()).toEqual(Object.keys(res.dsc).sort());
  for (const [organ, d] of Object.entries(res.dsc)) expect(per[organ].dsc, organ).toBeCloseTo(d, 3);
});
