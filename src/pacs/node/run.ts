/**
 * `npm run node`: the auto-contouring node. Each pass: QIDO-RS for CT series, skip those done (state file,
 * claims), wait until a series has settled, claim it (Orthanc metadata, claim.ts), retrieve it with
 * WADO-RS into a scratch folder, contour all claimed series in one run of the batch runner (src/batch/run.ts,
 * the same headless-Chromium code path as `npm run segment`), store each RS.dcm into its study with STOW-RS,
 * then mark it done. A PACS outage is retried with exponential backoff; one log line per series.
 */
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runBatch } from '../../batch/run';
import { authHeader, DicomWebClient, type PacsAuth } from '../client';
import type { SeriesRow } from '../dicomJson';
import { isTransient, PacsError } from '../errors';
import { orthancRoot, type NodeOptions } from './args';
import { OrthancClaims } from './claim';
import { loadState, needsWork, saveState, settled, type NodeState } from './state';

export interface NodeEnv {
  root: string;
  /** One line, no newline. */
  log: (line: string) => void;
  /** Stops --watch after the current pass. */
  signal?: AbortSignal;
}

interface BatchSeries {
  name: string;
  input: string;
  status: 'done' | 'failed';
  failure?: { stage: string; message: string };
  slices?: number;
  seconds?: number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((ok) => {
    const t = setTimeout(ok, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        ok();
      },
      { once: true },
    );
  });
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export async function runNode(o: NodeOptions, env: NodeEnv): Promise<number> {
  const auth: PacsAuth = o.token
    ? { kind: 'bearer', token: o.token }
    : o.user
      ? { kind: 'basic', user: o.user, password: o.password ?? '' }
      : { kind: 'none' };
  const client = new DicomWebClient({ url: o.pacs, auth });
  const node = o.nodeId ?? hostname();
  const claimRoot = orthancRoot(o);
  const claims = claimRoot ? new OrthancClaims(claimRoot, authHeader(auth), node, o.claimMetadata, o.claimTtlMin * 60_000) : null;
  const statePath = resolve(o.state);
  const work = resolve(o.work);
  const state: NodeState = loadState(statePath);
  const log = (s: string) => env.log(`${stamp()} ${s}`);
  const save = () => saveState(statePath, state);

  /** Runs `f`, waiting and retrying while the PACS is unreachable or answers 5xx. */
  const retry = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    let delay = 1000;
    const started = Date.now();
    for (;;) {
      try {
        return await f();
      } catch (e) {
        if (!isTransient(e) || env.signal?.aborted) throw e;
        if (!o.watch && Date.now() - started > o.outageMin * 60_000) throw e;
        log(`PACS unavailable while ${what}: ${message(e)}; retrying in ${delay / 1000} s`);
        await sleep(delay, env.signal);
        delay = Math.min(delay * 2, o.maxBackoffS * 1000);
      }
    }
  };

  const label = (s: SeriesRow) => `series ${s.seriesUID}${s.description ? ` "${s.description}"` : ''}`;
  const fail = async (s: SeriesRow, why: string) => {
    const prev = state.series[s.seriesUID];
    const attempts = (prev?.attempts ?? 0) + 1;
    state.series[s.seriesUID] = { status: 'failed', attempts, message: why, at: new Date().toISOString() };
    save();
    await claims?.release(s.seriesUID).catch(() => {});
    log(`${label(s)}: FAILED (attempt ${attempts} of ${o.attempts}): ${why}`);
  };

  /** One pass; returns the number of series that failed in it. */
  const pass = async (): Promise<number> => {
    const all = await retry('searching for CT series', () => client.searchSeries(null, 'CT'));
    const now = Date.now();
    const todo = all.filter(
      (s) =>
        needsWork(state, s.seriesUID, o.attempts) && settled(state, s.seriesUID, s.instanceCount ?? 0, now, o.settleS * 1000),
    );
    save();
    const mine: SeriesRow[] = [];
    for (const s of todo) {
      if (!claims) {
        mine.push(s);
        continue;
      }
      const c = await retry('claiming a series', () => claims.claim(s.seriesUID));
      if (c.kind === 'claimed') mine.push(s);
      else if (c.kind === 'done') {
        state.series[s.seriesUID] = {
          status: 'done',
          rtstruct: c.rtstruct,
          attempts: 0,
          message: `contoured by node ${c.by}`,
          at: new Date().toISOString(),
        };
        save();
        log(`${label(s)}: already contoured by node ${c.by} (RTSTRUCT ${c.rtstruct}), skipped`);
      } else log(`${label(s)}: being contoured by node ${c.by}, skipped`);
    }
    if (!mine.length) return 0;

    // Retrieve (WADO-RS) into one folder per series.
    const dirs = new Map<string, SeriesRow>();
    let failed = 0;
    for (const s of mine) {
      const dir = join(work, 'series', s.seriesUID);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      try {
        const files = await retry(`retrieving ${label(s)}`, () => client.retrieveSeries(s.studyUID, s.seriesUID));
        files.forEach((f, i) => writeFileSync(join(dir, `${String(i + 1).padStart(5, '0')}.dcm`), f.bytes));
        dirs.set(resolve(dir), s);
      } catch (e) {
        failed++;
        await fail(s, `retrieval failed: ${message(e)}`);
      }
    }
    if (!dirs.size) return failed;

    // Contour them all with the batch runner (one browser for the pass).
    const out = join(work, 'out');
    rmSync(out, { recursive: true, force: true });
    const errors: string[] = [];
    log(`contouring ${dirs.size} series (${o.protocol}) ...`);
    const code = await runBatch(
      {
        inputs: [...dirs.keys()].map((path) => ({ path })),
        out,
        protocol: o.protocol,
        model: o.model,
        backend: o.backend,
        build: o.build,
        timeoutMin: o.timeoutMin,
        dist: o.dist,
        body: true,
        cleanup: true,
        seg: false,
      },
      {
        root: env.root,
        stdout: { write: () => true },
        stderr: { write: (x: string) => errors.push(x.trim()) },
        command: `npm run node -- --pacs ${o.pacs}`,
      },
    ).catch((e: unknown) => {
      errors.push(message(e));
      return 2;
    });
    const summaryPath = join(out, 'summary.json');
    const outcomes: BatchSeries[] = existsSync(summaryPath)
      ? (JSON.parse(readFileSync(summaryPath, 'utf8')) as { series: BatchSeries[] }).series
      : [];

    for (const [dir, s] of dirs) {
      const r = outcomes.find((x) => resolve(x.input) === dir);
      if (!r || r.status !== 'done') {
        failed++;
        await fail(
          s,
          r?.failure
            ? `${r.failure.stage}: ${r.failure.message}`
            : `the batch runner did not contour it (exit ${code}${errors.length ? `: ${errors[errors.length - 1]}` : ''})`,
        );
        continue;
      }
      try {
        const rs = readFileSync(join(out, r.name, 'RS.dcm'));
        const stored = await retry(`storing the RTSTRUCT of ${label(s)}`, () => client.store(s.studyUID, [new Uint8Array(rs)]));
        const uid = stored.stored[0] ?? '?';
        state.series[s.seriesUID] = {
          status: 'done',
          rtstruct: uid,
          attempts: (state.series[s.seriesUID]?.attempts ?? 0) + 1,
          at: new Date().toISOString(),
        };
        save();
        if (claims) await retry('marking a series done', () => claims.done(s.seriesUID, uid));
        log(
          `${label(s)}: RTSTRUCT ${uid} stored in study ${s.studyUID} (${r.slices ?? '?'} slices, ${r.seconds?.toFixed(1) ?? '?'} s)`,
        );
      } catch (e) {
        failed++;
        await fail(s, `store failed: ${message(e)}`);
      }
      rmSync(join(work, 'series', s.seriesUID), { recursive: true, force: true });
    }
    return failed;
  };

  log(
    `node ${node}: PACS ${client.root}${claims ? `, claims in Orthanc metadata ${o.claimMetadata}` : ', no claims (one node only)'}, state ${statePath}${o.watch ? `, polling every ${o.intervalS} s` : ''}`,
  );
  let failedTotal = 0;
  do {
    try {
      failedTotal += await pass();
    } catch (e) {
      if (!o.watch || !(e instanceof PacsError && isTransient(e))) {
        log(`stopped: ${message(e)}`);
        return 2;
      }
    }
    if (o.watch) await sleep(o.intervalS * 1000, env.signal);
  } while (o.watch && !env.signal?.aborted);
  return failedTotal ? 1 : 0;
}
