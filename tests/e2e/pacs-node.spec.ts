/**
 * The auto-contouring node (`npm run node`) against a real Orthanc (tests/pacs/orthanc.ts): three CT
 * series (a real HNSCC CT and two phantoms), the tiny random model on wasm (fast on CPU; the contours
 * are meaningless, what is tested is that each series gets exactly one RTSTRUCT). The node runs as a
 * child process with its own headless Chromium (the batch runner), like batch.spec.ts, so these tests do
 * not use ./fixtures (no page here). Skipped, saying why, without Orthanc or dist/batch.html.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { HNSCC_CT, HNSCC_CT_SERIES, REPO, rtstructsBySeries, tinyModel, uploadSynthetic } from '../pacs/fixtures';
import { orthancMissing, startOrthanc, type Orthanc } from '../pacs/orthanc';

const DIST = resolve(REPO, process.env.BATCH_E2E_DIST ?? 'dist');
const skip = orthancMissing() ?? (existsSync(join(DIST, 'batch.html')) ? null : `${DIST}/batch.html is missing (npx vite build)`);

test.describe.configure({ mode: 'serial' });
test.skip(!!skip, skip ?? '');
test.setTimeout(300_000);

interface NodeRun {
  code: number | null;
  lines: string[];
}

/** Runs `npm run node` once; `onLine` sees each log line as it comes. */
function runNode(pacs: Orthanc, work: string, nodeId: string, onLine: (l: string) => void = () => {}): Promise<NodeRun> {
  const child = spawn(
    join(REPO, 'node_modules/.bin/tsx'),
    [
      'scripts/node.ts',
      '--pacs',
      pacs.dicomWeb,
      '--user',
      pacs.user,
      '--node-id',
      nodeId,
      '--state',
      join(work, `${nodeId}.state.json`),
      '--work',
      join(work, nodeId),
      '--model',
      tinyModel,
      '--backend',
      'wasm',
      '--no-build',
      '--dist',
      DIST,
      '--max-backoff',
      '2',
    ],
    { cwd: REPO, env: { ...process.env, PACS_PASSWORD: pacs.password }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  let buf = '';
  const take = (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(l);
      onLine(l);
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return new Promise((ok) => child.on('exit', (code) => ok({ code, lines })));
}

const stored = (r: NodeRun) => r.lines.filter((l) => /: RTSTRUCT \S+ stored in study/.test(l));

async function threeSeries(pacs: Orthanc): Promise<string[]> {
  await pacs.uploadFolder(HNSCC_CT);
  return [HNSCC_CT_SERIES, await uploadSynthetic(pacs, 1), await uploadSynthetic(pacs, 2)];
}

test('one pass gives each CT series exactly one RTSTRUCT; a second pass and a second node add nothing', async () => {
  const work = mkdtempSync(join(tmpdir(), 'aa-node-'));
  const pacs = await startOrthanc();
  try {
    const cts = await threeSeries(pacs);
    const first = await runNode(pacs, work, 'node-a');
    expect(first.code, first.lines.join('\n')).toBe(0);
    expect(stored(first), first.lines.join('\n')).toHaveLength(3);
    const after = await rtstructsBySeries(pacs);
    expect([...after.keys()].sort()).toEqual([...cts].sort());
    for (const uid of cts) expect(after.get(uid), uid).toHaveLength(1);

    // Restarted with its state file: nothing to do.
    const again = await runNode(pacs, work, 'node-a');
    expect(again.code, again.lines.join('\n')).toBe(0);
    expect(stored(again)).toEqual([]);
    // Another node without that state: the claims in Orthanc say the series are done.
    const other = await runNode(pacs, work, 'node-b');
    expect(other.code, other.lines.join('\n')).toBe(0);
    expect(stored(other)).toEqual([]);
    expect(other.lines.filter((l) => /already contoured by node node-a/.test(l))).toHaveLength(3);
    expect(await rtstructsBySeries(pacs)).toEqual(after);
  } finally {
    await pacs.stop();
    rmSync(work, { recursive: true, force: true });
  }
});

test('a PACS outage in the middle of a run: the node retries and finishes when the PACS is back', async () => {
  const work = mkdtempSync(join(tmpdir(), 'aa-node-'));
  let pacs = await startOrthanc();
  const storage = pacs.storage;
  try {
    const cts = await threeSeries(pacs);
    let killed: Promise<void> | null = null;
    let restarted: Promise<Orthanc> | null = null;
    const run = await runNode(pacs, work, 'node-c', (l) => {
      // Killed while the series are being contoured (retrieved already, not yet stored) ...
      if (!killed && /contouring 3 series/.test(l)) killed = pacs.stop({ keepStorage: true, crash: true });
      // ... and back once the node has noticed and is retrying.
      if (killed && !restarted && /PACS unavailable while storing/.test(l)) {
        restarted = killed.then(() =>
          startOrthanc({ storage, httpPort: pacs.httpPort, dicomPort: pacs.dicomPort, user: pacs.user, password: pacs.password }),
        );
      }
    });
    expect(killed, run.lines.join('\n')).not.toBeNull();
    expect(restarted, run.lines.join('\n')).not.toBeNull();
    pacs = await restarted!;
    expect(run.code, run.lines.join('\n')).toBe(0);
    expect(stored(run), run.lines.join('\n')).toHaveLength(3);
    const after = await rtstructsBySeries(pacs);
    for (const uid of cts) expect(after.get(uid), uid).toHaveLength(1);
  } finally {
    await pacs.stop({ keepStorage: false });
    rmSync(storage, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
