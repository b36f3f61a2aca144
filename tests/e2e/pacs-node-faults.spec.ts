/**
 * Exactly once under faults (issue 22): three contouring nodes in --watch mode on one real Orthanc with 12 CT
 * series, while a seeded chaos loop SIGKILLs nodes (their whole process group, Chromium included) at random
 * moments and restarts them, some with AA_NODE_FAULT set so that they kill themselves right after the store
 * or right after the state save (before the claim says done), and crashes and restarts Orthanc once mid-run.
 * Then: every CT series has exactly one RTSTRUCT, none is lost, and each is dciodvfy-clean.
 *
 * Bounded: the run must finish within RUN_LIMIT_MS. The tiny random model on wasm keeps each series short;
 * what is tested is the node's bookkeeping, not the contours. Skipped, saying why, without Orthanc or dist.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { dciodvfy } from '../unit/rtstruct/tools';
import { instanceFile, REPO, rtstructsBySeries, uploadSynthetic } from '../pacs/fixtures';
import { startNode, storedLines, type NodeProcess } from '../pacs/nodeProcess';
import { orthancMissing, startOrthanc } from '../pacs/orthanc';

const DIST = resolve(REPO, process.env.BATCH_E2E_DIST ?? 'dist');
const skip = orthancMissing() ?? (existsSync(join(DIST, 'batch.html')) ? null : `${DIST}/batch.html is missing (npx vite build)`);
const SERIES = 12;
const RUN_LIMIT_MS = 9 * 60_000;
/** SIGKILLs from outside; each restart may add a self-kill at a fault point. */
const MAX_KILLS = 6;

test.skip(!!skip, skip ?? '');
test.setTimeout(RUN_LIMIT_MS + 120_000);

/** mulberry32: the chaos is random but the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

test('three nodes, SIGKILLs at random points and an Orthanc restart: every series gets exactly one RTSTRUCT', async () => {
  const work = mkdtempSync(join(tmpdir(), 'aa-node-faults-'));
  let pacs = await startOrthanc();
  const storage = pacs.storage;
  const random = prng(22);
  const ids = ['node-x', 'node-y', 'node-z'];
  const log: string[] = [];
  const nodes = new Map<string, NodeProcess>();
  const start = (id: string, fault?: 'after-store' | 'after-state') => {
    const n = startNode(pacs, work, id, {
      dist: DIST,
      watch: true,
      args: ['--claim-ttl', '1'],
      ...(fault ? { env: { AA_NODE_FAULT: fault } } : {}),
      onLine: (l) => log.push(`[${id}] ${l}`),
    });
    nodes.set(id, n);
    log.push(`[test] started ${id}${fault ? ` with AA_NODE_FAULT=${fault}` : ''}`);
  };
  const report = () => log.slice(-400).join('\n');
  try {
    const cts: string[] = [];
    for (let k = 1; k <= SERIES; k++) cts.push(await uploadSynthetic(pacs, 40 + k, { slices: 10 }));
    for (const id of ids) start(id);

    const t0 = Date.now();
    let orthancRestarted = false;
    let kills = 0;
    let selfKills = 0;
    const complete = async () => {
      try {
        const have = await rtstructsBySeries(pacs);
        return cts.every((uid) => (have.get(uid)?.length ?? 0) >= 1);
      } catch {
        return false; // Orthanc is down
      }
    };
    while (!(await complete())) {
      expect(Date.now() - t0, `not done within ${RUN_LIMIT_MS / 60_000} min:\n${report()}`).toBeLessThan(RUN_LIMIT_MS);
      await sleep(3000 + random() * 7000);
      // Nodes that killed themselves (fault injection) come back without the fault.
      for (const id of ids) {
        const n = nodes.get(id)!;
        if (n.child.exitCode !== null || n.child.signalCode !== null) {
          selfKills++;
          await n.kill(); // its Chromium, if one was running
          start(id);
        }
      }
      const stored = log.filter((l) => /RTSTRUCT \S+ stored in study/.test(l)).length;
      if (!orthancRestarted && stored >= 2) {
        orthancRestarted = true;
        log.push('[test] Orthanc crash');
        await pacs.stop({ keepStorage: true, crash: true });
        await sleep(2000);
        pacs = await startOrthanc({
          storage,
          httpPort: pacs.httpPort,
          dicomPort: pacs.dicomPort,
          user: pacs.user,
          password: pacs.password,
        });
        log.push('[test] Orthanc back');
        continue;
      }
      if (kills >= MAX_KILLS) continue; // then the nodes are left to finish (no livelock on a slow machine)
      const victim = ids[Math.floor(random() * ids.length)];
      log.push(`[test] SIGKILL ${victim}`);
      await nodes.get(victim)!.kill();
      kills++;
      const r = random();
      start(victim, r < 0.3 ? 'after-store' : r < 0.5 ? 'after-state' : undefined);
    }
    // Quiet time: the nodes finish what they hold; then one more node with an empty state file looks at all.
    for (const n of nodes.values()) await n.kill();
    const last = startNode(pacs, work, 'node-check', { dist: DIST, onLine: (l) => log.push(`[node-check] ${l}`) });
    expect(await last.exited, report()).toBe(0);
    expect(storedLines(last.lines), report()).toEqual([]);

    const after = await rtstructsBySeries(pacs);
    expect([...after.keys()].sort(), report()).toEqual([...cts].sort());
    for (const uid of cts) expect(after.get(uid), `series ${uid}\n${report()}`).toHaveLength(1);
    for (const uid of cts) {
      const f = join(work, `${uid}.dcm`);
      writeFileSync(f, await instanceFile(pacs, after.get(uid)![0]));
      expect(dciodvfy(f).errors, uid).toEqual([]);
    }
    expect(orthancRestarted).toBe(true);
    expect(kills, report()).toBeGreaterThan(0);
    test.info().annotations.push({
      type: 'faults',
      description: `${kills} SIGKILLs, ${selfKills} self-kills (AA_NODE_FAULT), 1 Orthanc restart, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    });
  } finally {
    for (const n of nodes.values()) await n.kill();
    if (process.env.NODE_FAULTS_LOG) writeFileSync(process.env.NODE_FAULTS_LOG, log.join('\n'));
    await pacs.stop({ keepStorage: false });
    rmSync(storage, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
