/**
 * `npm run node` as a child process for the e2e tests (tests/e2e/pacs-node*.spec.ts): the tiny random model
 * on wasm, its own process group (so a SIGKILL takes its headless Chromium with it, as a crash of the machine
 * would), every log line collected and passed to `onLine` as it comes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO, tinyModel } from './fixtures';
import type { Orthanc } from './orthanc';

export interface NodeProcess {
  readonly id: string;
  readonly lines: string[];
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGKILL to the whole process group (node, tsx, Chromium). */
  kill(): Promise<void>;
}

export interface NodeProcessOptions {
  watch?: boolean;
  /** Extra arguments (after the defaults). */
  args?: string[];
  /** Extra environment (AA_NODE_FAULT for fault injection). */
  env?: Record<string, string>;
  onLine?: (line: string) => void;
  dist: string;
}

export function startNode(pacs: Orthanc, work: string, nodeId: string, o: NodeProcessOptions): NodeProcess {
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
      o.dist,
      '--max-backoff',
      '2',
      ...(o.watch ? ['--watch', '--interval', '1', '--settle', '0'] : []),
      ...(o.args ?? []),
    ],
    {
      cwd: REPO,
      env: { ...process.env, PACS_PASSWORD: pacs.password, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
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
      o.onLine?.(l);
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return {
    id: nodeId,
    lines,
    child,
    exited,
    async kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    },
  };
}

/** The log lines that report a stored structure set. */
export const storedLines = (lines: readonly string[]) => lines.filter((l) => /: RTSTRUCT \S+ stored in study/.test(l));
