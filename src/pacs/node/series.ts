/**
 * One CT series through the node, start to end (issue 22: exactly once under faults):
 *
 *   claim (Orthanc metadata, renewed while working) -> look for our structure set on the PACS (QIDO-RS by its
 *   derived UID: a store that landed before a crash or another node's finished work) -> retrieve (WADO-RS) ->
 *   contour (the batch runner, one series) -> give RS.dcm the derived UIDs -> store (STOW-RS; storing the same
 *   instance again is harmless) -> state file "done" -> claim "done".
 *
 * A crash (SIGKILL) at any point leaves either no structure set (the series is claimed or free, and is done
 * again later) or exactly the one with the derived UID (found by the look-up, marked done without contouring).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runBatch } from '../../batch/run';
import type { DicomWebClient } from '../client';
import type { SeriesRow } from '../dicomJson';
import { isOutage, PacsError } from '../errors';
import type { NodeOptions } from './args';
import type { OrthancClaims } from './claim';
import { structureSetUids, withStructureSetUids } from './identity';
import { saveState, type NodeState } from './state';

/** Points where the fault-injection test kills the node (scripts/node.ts: AA_NODE_FAULT). */
export type FaultPoint = 'after-store' | 'after-state';

export interface SeriesContext {
  o: NodeOptions;
  root: string;
  client: DicomWebClient;
  claims: OrthancClaims | null;
  modelId: string;
  state: NodeState;
  statePath: string;
  work: string;
  log: (line: string) => void;
  /** Runs `f`, waiting and retrying while the PACS is unreachable or answers 5xx (run.ts). */
  retry: <T>(what: string, f: () => Promise<T>, perSeries?: boolean) => Promise<T>;
  fault?: (point: FaultPoint) => void;
}

interface BatchSeries {
  name: string;
  input: string;
  status: 'done' | 'failed';
  failure?: { stage: string; message: string };
  slices?: number;
  seconds?: number;
}

export type SeriesOutcome = 'done' | 'skipped' | 'failed';

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
export const seriesLabel = (s: SeriesRow) => `series ${s.seriesUID}${s.description ? ` "${s.description}"` : ''}`;

/** Records a series as done in the state file (before the claim: the state file is this node's own truth). */
function recordDone(c: SeriesContext, s: SeriesRow, rtstruct: string, note?: string, attempted = true): void {
  const prev = c.state.series[s.seriesUID];
  c.state.series[s.seriesUID] = {
    status: 'done',
    rtstruct,
    attempts: (prev?.attempts ?? 0) + (attempted ? 1 : 0),
    ...(note ? { message: note } : {}),
    at: new Date().toISOString(),
  };
  saveState(c.statePath, c.state);
}

async function fail(c: SeriesContext, s: SeriesRow, why: string): Promise<'failed'> {
  const attempts = (c.state.series[s.seriesUID]?.attempts ?? 0) + 1;
  c.state.series[s.seriesUID] = { status: 'failed', attempts, message: why, at: new Date().toISOString() };
  saveState(c.statePath, c.state);
  await c.claims?.release(s.seriesUID).catch(() => {});
  const last = attempts >= c.o.attempts;
  c.log(
    `${seriesLabel(s)}: FAILED (attempt ${attempts} of ${c.o.attempts}${last ? ', given up: delete its entry in the state file to try again' : ''}): ${why}`,
  );
  return 'failed';
}

/** Marks the claim done; a failure here is logged, never turned into a failed series (the store happened). */
async function markClaimDone(c: SeriesContext, s: SeriesRow, uid: string): Promise<void> {
  if (!c.claims) return;
  const claims = c.claims;
  try {
    await c.retry('marking a series done', () => claims.done(s.seriesUID, uid));
  } catch (e) {
    if (isOutage(e)) throw e;
    c.log(
      `${seriesLabel(s)}: stored, but the claim could not be marked done (${message(e)}); the structure set's UID keeps it from being stored twice`,
    );
  }
}

/** Keeps this node's claim fresh while it works on a series; returns the stop function. */
function keepClaim(c: SeriesContext, s: SeriesRow): () => void {
  if (!c.claims) return () => {};
  const claims = c.claims;
  let warned = false;
  const t = setInterval(
    () => {
      claims
        .renew(s.seriesUID)
        .then((ours) => {
          if (!ours && !warned) {
            warned = true;
            c.log(`${seriesLabel(s)}: the claim was taken over or finished by another node meanwhile; finishing anyway`);
          }
        })
        .catch(() => {}); // an outage: the next renewal tries again
    },
    Math.max(2_000, (c.o.claimTtlMin * 60_000) / 4),
  );
  t.unref();
  return () => clearInterval(t);
}

export async function contourSeries(c: SeriesContext, s: SeriesRow): Promise<SeriesOutcome> {
  const { o, client, claims } = c;
  const label = seriesLabel(s);
  if (claims) {
    const r = await c.retry('claiming a series', () => claims.claim(s.seriesUID));
    if (r.kind === 'done') {
      recordDone(c, s, r.rtstruct, `contoured by node ${r.by}`, false);
      c.log(`${label}: already contoured by node ${r.by} (RTSTRUCT ${r.rtstruct}), skipped`);
      return 'skipped';
    }
    if (r.kind === 'busy') {
      c.log(`${label}: being contoured by node ${r.by}, skipped`);
      return 'skipped';
    }
  }
  const stopRenewing = keepClaim(c, s);
  const dir = join(c.work, 'series', s.seriesUID);
  const uids = structureSetUids(s.seriesUID, c.modelId);
  try {
    const there = await c.retry(`looking up the RTSTRUCT of ${label}`, () => client.hasInstance(s.studyUID, uids.sopInstanceUID));
    if (there) {
      recordDone(c, s, uids.sopInstanceUID, 'found on the PACS (stored by an earlier attempt)', false);
      await markClaimDone(c, s, uids.sopInstanceUID);
      c.log(`${label}: RTSTRUCT ${uids.sopInstanceUID} already on the PACS (stored by an earlier attempt), marked done`);
      return 'done';
    }

    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const files = await c.retry(`retrieving ${label}`, () => client.retrieveSeries(s.studyUID, s.seriesUID), true);
      files.forEach((f, i) => writeFileSync(join(dir, `${String(i + 1).padStart(5, '0')}.dcm`), f.bytes));
    } catch (e) {
      if (isOutage(e) || !(e instanceof PacsError)) throw e;
      return await fail(c, s, `retrieval failed: ${message(e)}`);
    }

    const out = join(c.work, 'out');
    rmSync(out, { recursive: true, force: true });
    const errors: string[] = [];
    c.log(`${label}: contouring (${o.protocol}) ...`);
    const code = await runBatch(
      {
        inputs: [{ path: dir }],
        out,
        protocol: o.protocol,
        model: o.model,
        backend: o.backend,
        threads: null, // WebAssembly: one engine worker per core, as the app
        workers: null,
        build: false,
        timeoutMin: o.timeoutMin,
        dist: o.dist,
        body: true,
        cleanup: true,
        seg: false,
      },
      {
        root: c.root,
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
    const r = outcomes.find((x) => resolve(x.input) === resolve(dir));
    if (!r || r.status !== 'done')
      return await fail(
        c,
        s,
        r?.failure
          ? `${r.failure.stage}: ${r.failure.message}`
          : `the batch runner did not contour it (exit ${code}${errors.length ? `: ${errors[errors.length - 1]}` : ''})`,
      );

    let rs: Uint8Array;
    try {
      rs = withStructureSetUids(new Uint8Array(readFileSync(join(out, r.name, 'RS.dcm'))), uids);
    } catch (e) {
      return await fail(c, s, `the structure set could not be prepared: ${message(e)}`);
    }
    try {
      await c.retry(`storing the RTSTRUCT of ${label}`, () => client.store(s.studyUID, [rs]), true);
    } catch (e) {
      if (isOutage(e)) throw e;
      // The answer may have been lost after the PACS stored it: look before calling it a failure.
      const landed = await client.hasInstance(s.studyUID, uids.sopInstanceUID).catch(() => false);
      if (!landed) return await fail(c, s, `store failed: ${message(e)}`);
    }
    c.fault?.('after-store');
    recordDone(c, s, uids.sopInstanceUID);
    c.fault?.('after-state');
    await markClaimDone(c, s, uids.sopInstanceUID);
    c.log(
      `${label}: RTSTRUCT ${uids.sopInstanceUID} stored in study ${s.studyUID} (${r.slices ?? '?'} slices, ${r.seconds?.toFixed(1) ?? '?'} s)`,
    );
    return 'done';
  } finally {
    stopRenewing();
    rmSync(dir, { recursive: true, force: true });
  }
}
