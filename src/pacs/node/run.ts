/**
 * `npm run node`: the auto-contouring node. Each pass: QIDO-RS for CT series, skip those done (state file,
 * claims), wait until a series has settled, then take the series one at a time through series.ts (claim,
 * look-up of an earlier store, WADO-RS retrieve, the batch runner's headless Chromium, STOW-RS of the RTSTRUCT
 * with derived UIDs, done). A PACS outage is retried with exponential backoff; one log line per series.
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp, staleReason } from '../../batch/build';
import { chooseModel } from '../../batch/models';
import { authHeader, DicomWebClient, type PacsAuth } from '../client';
import { isOutage, isTransient, PacsError } from '../errors';
import { orthancRoot, type NodeOptions } from './args';
import { OrthancClaims } from './claim';
import { defaultNodeId } from './identity';
import { contourSeries, message, seriesLabel, type FaultPoint, type SeriesContext } from './series';
import { loadState, needsWork, saveState, settled, type NodeState } from './state';

export interface NodeEnv {
  root: string;
  /** One line, no newline. */
  log: (line: string) => void;
  /** Stops --watch after the current series. */
  signal?: AbortSignal;
  /** Fault injection for the exactly-once test (scripts/node.ts, AA_NODE_FAULT); absent in use. */
  fault?: (point: FaultPoint) => void;
}

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
  const statePath = resolve(o.state);
  const node = o.nodeId ?? defaultNodeId(hostname(), statePath);
  const claimRoot = orthancRoot(o);
  const claims = claimRoot ? new OrthancClaims(claimRoot, authHeader(auth), node, o.claimMetadata, o.claimTtlMin * 60_000) : null;
  const work = resolve(o.work);
  const dist = o.dist ? resolve(o.dist) : join(env.root, 'dist');
  const state: NodeState = loadState(statePath);
  const log = (s: string) => env.log(`${stamp()} ${s}`);

  /**
   * Runs `f`, waiting and retrying while the PACS is unreachable or answers 5xx. Without --watch it gives up
   * after --outage minutes; with --watch an unreachable PACS is waited for indefinitely, but an operation on
   * one series (`perSeries`) that keeps getting 5xx from a reachable server gives up after --outage minutes,
   * so one bad series costs an attempt instead of blocking the node.
   */
  const retry = async <T>(what: string, f: () => Promise<T>, perSeries = false): Promise<T> => {
    let delay = 1000;
    const started = Date.now();
    for (;;) {
      try {
        return await f();
      } catch (e) {
        if (!isTransient(e) || env.signal?.aborted) throw e;
        const long = Date.now() - started > o.outageMin * 60_000;
        if (long && (!o.watch || (perSeries && !isOutage(e)))) throw e;
        log(`PACS unavailable while ${what}: ${message(e)}; retrying in ${delay / 1000} s`);
        await sleep(delay, env.signal);
        delay = Math.min(delay * 2, o.maxBackoffS * 1000);
      }
    }
  };

  // Before any series: the app is built, the model is known (its id is part of the structure set UIDs), and
  // claims are refused on a server where they would not be atomic.
  let modelId: string;
  try {
    const stale = staleReason(env.root, dist);
    if (stale && o.build) {
      log(`building the app first (${stale}) ...`);
      buildApp(env.root, dist);
    } else if (stale?.includes('no batch.html')) throw new Error(`${stale}; run without --no-build (or npx vite build)`);
    modelId = chooseModel(dist, o.model).modelId;
    if (claims) await retry('checking the claim server', () => claims.checkServer());
  } catch (e) {
    log(`stopped: ${message(e)}`);
    return 2;
  }
  const ctx: SeriesContext = { o, root: env.root, client, claims, modelId, state, statePath, work, log, retry, fault: env.fault };

  /** One pass; returns the number of series that failed in it. */
  const pass = async (): Promise<number> => {
    const all = await retry('searching for CT series', () => client.searchSeries(null, 'CT'));
    const now = Date.now();
    const todo = all.filter(
      (s) =>
        needsWork(state, s.seriesUID, o.attempts) && settled(state, s.seriesUID, s.instanceCount ?? 0, now, o.settleS * 1000),
    );
    saveState(statePath, state);
    let failed = 0;
    for (const s of todo) {
      if (env.signal?.aborted) break;
      if (!needsWork(state, s.seriesUID, o.attempts)) continue;
      try {
        if ((await contourSeries(ctx, s)) === 'failed') failed++;
      } catch (e) {
        // An outage or a configuration problem stops the pass; anything else concerns this series only
        // (deleted meanwhile: 404), which the next pass sees again.
        if (isOutage(e) || isTransient(e) || !(e instanceof PacsError)) throw e;
        log(`${seriesLabel(s)}: skipped in this pass: ${message(e)}`);
      }
    }
    return failed;
  };

  log(
    `node ${node}: PACS ${client.root}${claims ? `, claims in Orthanc metadata ${o.claimMetadata}` : ', no claims (one node only)'}, model ${modelId}, state ${statePath}${o.watch ? `, polling every ${o.intervalS} s` : ''}`,
  );
  let failedTotal = 0;
  do {
    try {
      failedTotal += await pass();
    } catch (e) {
      if (!o.watch || !isTransient(e)) {
        log(`stopped: ${message(e)}`);
        return 2;
      }
    }
    if (o.watch) await sleep(o.intervalS * 1000, env.signal);
  } while (o.watch && !env.signal?.aborted);
  return failedTotal ? 1 : 0;
}
