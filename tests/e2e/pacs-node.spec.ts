/**
 * The auto-contouring node (`npm run node`) against a real Orthanc (tests/pacs/orthanc.ts): three CT
 * series (a real HNSCC CT, or a phantom without ../shared/data, and two phantoms), the tiny random model on
 * wasm (fast on CPU; the contours are meaningless, what is tested is that each series gets exactly one
 * RTSTRUCT). The node runs as a child process with its own headless Chromium (the batch runner,
 * tests/pacs/nodeProcess.ts), so these tests do not use ./fixtures (no page here). Skipped, saying why,
 * without Orthanc or dist/batch.html. The faults test is pacs-node-faults.spec.ts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO, rtstructsBySeries, uploadRealOrPhantom, uploadSynthetic } from '../pacs/fixtures';
import { startNode, storedLines } from '../pacs/nodeProcess';
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

/** Runs `npm run node` once (one pass); `onLine` sees each log line as it comes. */
async function runNode(pacs: Orthanc, work: string, nodeId: string, onLine: (l: string) => void = () => {}): Promise<NodeRun> {
  const n = startNode(pacs, work, nodeId, { dist: DIST, onLine });
  return { code: await n.exited, lines: n.lines };
}

const stored = (r: NodeRun) => storedLines(r.lines);

async function threeSeries(pacs: Orthanc): Promise<string[]> {
  return [await uploadRealOrPhantom(pacs, 3), await uploadSynthetic(pacs, 1), await uploadSynthetic(pacs, 2)];
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
      // Killed while the first series is being contoured (retrieved already, not yet stored) ...
      if (!killed && /: contouring \(/.test(l)) killed = pacs.stop({ keepStorage: true, crash: true });
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

test('--watch picks up a series stored while it runs, and one bad series does not block it', async () => {
  const work = mkdtempSync(join(tmpdir(), 'aa-node-'));
  const pacs = await startOrthanc();
  const node = startNode(pacs, work, 'node-w', { dist: DIST, watch: true, args: ['--attempts', '2'] });
  try {
    const first = await uploadSynthetic(pacs, 1, { slices: 12 });
    await expect
      .poll(async () => (await rtstructsBySeries(pacs)).get(first)?.length ?? 0, {
        timeout: 240_000,
        message: node.lines.join('\n'),
      })
      .toBe(1);
    // A series the node cannot contour (8 x 8 images: the batch runner refuses them) fails twice, is given up
    // with one line, and does not hold up the series stored after it.
    const bad = await uploadSynthetic(pacs, 2, { slices: 6, matrix: 8 });
    const second = await uploadSynthetic(pacs, 3, { slices: 12 });
    await expect
      .poll(async () => (await rtstructsBySeries(pacs)).get(second)?.length ?? 0, {
        timeout: 240_000,
        message: node.lines.join('\n'),
      })
      .toBe(1);
    await expect
      .poll(() => node.lines.some((l) => l.includes(`series ${bad}`) && /attempt 2 of 2, given up/.test(l)), {
        timeout: 240_000,
        message: node.lines.join('\n'),
      })
      .toBe(true);
    const after = await rtstructsBySeries(pacs);
    expect(after.get(first)).toHaveLength(1);
    expect(after.has(bad)).toBe(false);
    expect(node.child.exitCode, node.lines.join('\n')).toBeNull(); // still watching
  } finally {
    await node.kill();
    await pacs.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
