/**
 * `npm run segment`: discover the series, make sure dist/ is built, serve it with the job API, open the
 * batch page in headless Debian Chromium (the e2e suite's launcher and flags), hand the page one series at
 * a time, write each series' outputs as it finishes, then summary.md. A series that fails (in the page, in
 * Node, by a tab crash or a timeout) is reported and skipped; the exit code is 1 if any series or input
 * failed, 2 when nothing could run (usage, build, no engine).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../node/chromium';
import type { BatchOptions } from './args';
import { buildApp, staleReason } from './build';
import { discoverInputs, type SeriesJob } from './discover';
import { chooseModel } from './models';
import { writeFailureReport, writeSeriesOutputs, type SeriesOutcome } from './outputs';
import { Progress, type Writable } from './progress';
import type { FatalMessage, Job, JobFailure, JobResult, ModelSummary, NextAnswer, PageConfig, ProgressMessage } from './protocol';
import { API } from './protocol';
import { startBatchServer, type Broker } from './server';
import { renderSummary, summaryJson } from './summary';

export interface RunEnv {
  root: string;
  stdout: Writable;
  stderr: Writable;
  /** The command line, for summary.md. */
  command: string;
}

interface Current {
  id: number;
  job: SeriesJob;
  startedAt: number;
  /** Last stage the page reported (for timeout messages). */
  stage: ProgressMessage['stage'];
  labels?: Uint8Array;
  rtstruct?: Uint8Array;
  timer?: NodeJS.Timeout;
}

/** Hands out jobs to the page and turns what it sends back into outputs. */
class JobQueue implements Broker {
  readonly outcomes: (SeriesOutcome | undefined)[];
  private cursor = 0;
  private current: Current | null = null;
  private processing: Promise<void> = Promise.resolve();
  private resolveFinished!: () => void;
  private rejectFinished!: (e: Error) => void;
  readonly finished = new Promise<void>((ok, fail) => {
    this.resolveFinished = ok;
    this.rejectFinished = fail;
  });
  model: ModelSummary | null = null;
  backend: { name: string; adapter: string } | null = null;
  /** Write seg.dcm beside RS.dcm (--seg). */
  writeSeg = false;
  /** Set by the runner: restart the page after a timeout. */
  onTimeout: () => void = () => {};

  constructor(
    private readonly jobs: SeriesJob[],
    readonly config: PageConfig,
    readonly modelIndex: Broker['modelIndex'],
    readonly mounts: Record<string, string>,
    private readonly outDir: string,
    private readonly progressOut: Progress,
    private readonly timeoutMs: number,
  ) {
    this.outcomes = jobs.map(() => undefined);
  }

  file(jobId: number, n: number): string | undefined {
    return this.jobs[jobId - 1]?.files[n]?.path;
  }

  private descriptor(id: number, job: SeriesJob): Job {
    const files = job.files.map((f, n) => ({ url: API.file(id, n), name: f.name, size: f.size }));
    return {
      id,
      name: job.name,
      index: id,
      total: this.jobs.length,
      input: job.kind === 'nifti' ? { kind: 'nifti', file: files[0] } : { kind: 'dicom', files, seriesKey: job.seriesKey! },
    };
  }

  /** /next requests so far (a page that asked has started its engine). */
  requests = 0;

  async next(): Promise<NextAnswer> {
    this.requests++;
    await this.processing;
    // A page that asks again while a series is open was restarted (crash, timeout): that series failed.
    if (this.current)
      this.fail(this.current, { stage: this.current.stage, message: 'the page restarted before the series finished' });
    await this.processing;
    if (this.cursor >= this.jobs.length) {
      this.resolveFinished();
      return { done: true };
    }
    const id = ++this.cursor;
    const job = this.jobs[id - 1];
    const cur: Current = { id, job, startedAt: performance.now(), stage: 'load' };
    cur.timer = setTimeout(() => {
      if (this.current !== cur) return;
      this.fail(cur, { stage: cur.stage, message: `no result after ${this.timeoutMs / 60000} min (--timeout)` });
      this.onTimeout();
    }, this.timeoutMs);
    this.current = cur;
    this.progressOut.start(id, this.jobs.length, job.name, job.label);
    return this.descriptor(id, job);
  }

  private take(id: number): Current | null {
    const cur = this.current;
    if (!cur || cur.id !== id) return null;
    clearTimeout(cur.timer);
    this.current = null;
    return cur;
  }

  private settle(cur: Current, outcome: SeriesOutcome) {
    this.outcomes[cur.id - 1] = outcome;
    this.progressOut.finish(outcome, join(this.outDir, cur.job.name));
  }

  private fail(cur: Current, f: JobFailure) {
    if (!this.take(cur.id)) return;
    this.processing = this.processing.then(() => this.settle(cur, writeFailureReport(this.outDir, cur.job, f.stage, f.message)));
  }

  progress(id: number, p: ProgressMessage): void {
    if (this.current?.id !== id) return;
    this.current.stage = p.stage;
    this.progressOut.update(p);
  }

  labels(id: number, bytes: Uint8Array): void {
    if (this.current?.id === id) this.current.labels = bytes;
  }

  rtstruct(id: number, bytes: Uint8Array): void {
    if (this.current?.id === id) this.current.rtstruct = bytes;
  }

  result(id: number, r: JobResult): void {
    const cur = this.take(id);
    if (!cur) return;
    const receivedAt = performance.now();
    this.model ??= r.model;
    this.backend ??= { name: r.backend.backend, adapter: r.backend.device };
    this.processing = this.processing.then(() => {
      let outcome: SeriesOutcome;
      try {
        if (!cur.labels) throw new Error('the page sent no labels');
        outcome = writeSeriesOutputs(this.outDir, {
          job: cur.job,
          result: r,
          labels: cur.labels,
          rtstruct: cur.rtstruct,
          seg: this.writeSeg,
          protocol: this.config.protocol,
          startedAt: cur.startedAt,
          receivedAt,
        });
      } catch (e) {
        outcome = writeFailureReport(this.outDir, cur.job, 'outputs', e instanceof Error ? e.message : String(e));
      }
      this.settle(cur, outcome);
    });
  }

  failure(id: number, f: JobFailure): void {
    const cur = this.current;
    if (cur?.id === id) this.fail(cur, f);
  }

  fatal(m: FatalMessage): void {
    this.rejectFinished(new Error(m.message));
  }

  /** After a crash or a fatal error: the open series failed. */
  abortCurrent(message: string): void {
    if (this.current) this.fail(this.current, { stage: this.current.stage, message });
  }

  /** Series never handed out (after a fatal error). */
  markRemaining(message: string): void {
    this.jobs.forEach((job, i) => {
      this.outcomes[i] ??= writeFailureReport(this.outDir, job, 'not run', message);
    });
  }

  drained(): Promise<void> {
    return this.processing;
  }
}

/** Minutes the page may take to start the engine and load the model before the run is given up. */
const STARTUP_MIN = 10;

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
export const commandLine = (argv: readonly string[]) => `npm run segment -- ${argv.map(quote).join(' ')}`;

export async function runBatch(o: BatchOptions, env: RunEnv): Promise<number> {
  const progress = new Progress(env.stdout);
  const err = (s: string) => env.stderr.write(`segment: ${s}\n`);
  const outDir = resolve(o.out);
  const dist = o.dist ? resolve(o.dist) : join(env.root, 'dist');

  const found = await discoverInputs(o.inputs);
  for (const p of found.problems) err(`${p.input}: ${p.message}`);
  for (const n of found.notes) progress.line(`note: ${n}`);
  const withRef = found.jobs.filter((j) => j.reference).length;
  progress.line(
    `${found.jobs.length} series to contour${o.inputs.some((i) => i.reference) ? ` (${withRef} with a reference)` : ''}`,
  );

  const info = { command: env.command, date: new Date(), protocol: o.protocol, problems: found.problems, notes: found.notes };
  const writeSummary = (outcomes: SeriesOutcome[], queue: JobQueue | null) => {
    mkdirSync(outDir, { recursive: true });
    const run = { ...info, model: queue?.model ?? null, backend: queue?.backend ?? null };
    writeFileSync(join(outDir, 'summary.md'), renderSummary(outcomes, run));
    writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summaryJson(outcomes, run), null, 1)}\n`);
  };
  if (!found.jobs.length) {
    writeSummary([], null);
    err('no series to contour');
    return found.problems.length ? 1 : 2;
  }

  const stale = staleReason(env.root, dist);
  if (stale && o.build) {
    progress.line(`building the app first (${stale}) ...`);
    buildApp(env.root, dist);
  } else if (stale) {
    if (stale.includes('no batch.html')) throw new Error(`${stale}; run without --no-build (or npx vite build)`);
    progress.line(`note: using dist/ as built although ${stale} (--no-build)`);
  }

  const model = chooseModel(dist, o.model);
  const config: PageConfig = {
    backend: o.backend,
    ...(o.threads !== null ? { threads: o.threads } : {}),
    ...(o.workers !== null ? { workers: o.workers } : {}),
    modelId: model.modelId,
    protocol: o.protocol,
    body: o.body,
    ...(o.cleanup ? {} : { cleanup: false }),
  };
  const queue = new JobQueue(found.jobs, config, model.index, model.mounts, outDir, progress, o.timeoutMin * 60_000);
  queue.writeSeg = o.seg;
  mkdirSync(outDir, { recursive: true });
  const server = await startBatchServer(dist, queue);
  const browser = await launchChromium();
  let fatal: string | null = null;
  const foreign = new Set<string>();
  try {
    const context: BrowserContext = browser.context;
    const pageErrors: string[] = [];
    let page: Page | null = null;
    // DESIGN 1: nothing leaves the machine. Anything not served by our own server is reported.
    context.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(`${server.url}/`) && !/^(data|blob):/.test(u)) foreign.add(u);
    });
    const lastError = () => (pageErrors.length ? `; last page error: ${pageErrors[pageErrors.length - 1]}` : '');
    const open = async () => {
      const p = await context.newPage();
      page = p;
      p.on('pageerror', (e) => pageErrors.push(e.message));
      p.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      p.on('crash', () => {
        queue.abortCurrent(`the browser tab crashed (out of memory?)${lastError()}`);
        void restart();
      });
      const res = await p.goto(`${server.url}/batch.html`);
      if (!res?.ok()) throw new Error(`the batch page did not load (HTTP ${res?.status()}); rebuild the app (npx vite build)`);
      // The page asks for its first series once the engine is up; without that it never started.
      const before = queue.requests;
      setTimeout(() => {
        if (queue.requests === before)
          queue.fatal({ message: `the batch page did not start within ${STARTUP_MIN} min${lastError()}` });
      }, STARTUP_MIN * 60_000).unref();
    };
    const restart = async () => {
      await page?.close().catch(() => {});
      await open().catch((e: unknown) =>
        queue.fatal({ message: `could not reopen the page: ${e instanceof Error ? e.message : String(e)}` }),
      );
    };
    queue.onTimeout = () => void restart();
    progress.line(
      `model ${model.modelId}, protocol ${o.protocol}, backend ${o.backend ?? 'auto (a GPU when there is one, else wasm)'}; headless Chromium at ${server.url}/batch.html`,
    );
    await open();
    await queue.finished;
  } catch (e) {
    fatal = e instanceof Error ? e.message : String(e);
    err(`stopped: ${fatal}`);
    queue.abortCurrent(fatal);
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
  await queue.drained();
  if (fatal) queue.markRemaining(fatal);
  if (foreign.size) {
    const msg = `the page requested ${foreign.size} URL(s) outside the local server: ${[...foreign].slice(0, 3).join(', ')}`;
    err(msg);
    info.notes.push(msg);
  }
  const outcomes = queue.outcomes.filter((x): x is SeriesOutcome => x !== undefined);
  writeSummary(outcomes, queue);
  const failed = outcomes.filter((x) => x.status === 'failed').length;
  progress.line(
    `${outcomes.length - failed} of ${outcomes.length} series done${failed ? `, ${failed} FAILED` : ''}${found.problems.length ? `, ${found.problems.length} input problem(s)` : ''}; summary: ${join(outDir, 'summary.md')}`,
  );
  const noOrgan = outcomes.filter((x) => x.rtstructMissing?.reason === 'no-organ').length;
  if (noOrgan)
    progress.line(
      `${noOrgan} series without any organ found: no RS.dcm written for ${noOrgan === 1 ? 'it' : 'them'} (exit code ${EXIT.noOrgan})`,
    );
  return exitCode(outcomes, found.problems.length, fatal !== null);
}

/** Exit codes of `npm run segment` (README, "Exit codes"). */
export const EXIT = { ok: 0, failed: 1, nothingRan: 2, noOrgan: 3 } as const;

/**
 * 2: a fatal error before any series finished; 1: a series failed, an input could not be read, or an RTSTRUCT
 * could not be written; 3: otherwise, a series in which no organ was found (no RS.dcm written); 0: all written.
 */
export function exitCode(outcomes: readonly SeriesOutcome[], problems: number, fatal: boolean): number {
  const failed = outcomes.filter((x) => x.status === 'failed').length;
  if (fatal && failed === outcomes.length) return EXIT.nothingRan;
  if (failed || problems || outcomes.some((x) => x.rtstructMissing?.reason === 'error')) return EXIT.failed;
  if (outcomes.some((x) => x.rtstructMissing?.reason === 'no-organ')) return EXIT.noOrgan;
  return EXIT.ok;
}
