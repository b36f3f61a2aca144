/**
 * The node's memory on disk: which CT series are done (with the RTSTRUCT stored) or given up, and the
 * image counts seen at the last poll (to wait until a series has settled). Written atomically (temp file +
 * rename) after every change, so a killed node restarts where it stopped.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SeriesState {
  status: 'done' | 'failed';
  /** SOP Instance UID of the stored RTSTRUCT (done). */
  rtstruct?: string;
  attempts: number;
  message?: string;
  at: string;
}

export interface NodeState {
  format: 'aa-node-state/1';
  series: Record<string, SeriesState>;
  /** Series UID -> [instances, first seen with that count (ms since epoch)]. */
  seen: Record<string, [number, number]>;
}

export const emptyState = (): NodeState => ({ format: 'aa-node-state/1', series: {}, seen: {} });

export function loadState(path: string): NodeState {
  if (!existsSync(path)) return emptyState();
  const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<NodeState>;
  if (v.format !== 'aa-node-state/1') throw new Error(`${path} is not a node state file (format ${String(v.format)})`);
  return { format: v.format, series: v.series ?? {}, seen: v.seen ?? {} };
}

export function saveState(path: string, s: NodeState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 1)}\n`);
  renameSync(tmp, path);
}

/** Whether a series still needs work (pure). Failed series are retried until `attempts` is reached. */
export function needsWork(s: NodeState, seriesUID: string, attempts: number): boolean {
  const x = s.series[seriesUID];
  return !x || (x.status === 'failed' && x.attempts < attempts);
}

/**
 * Records the image count of a series and says whether it has settled: unchanged for `settleMs` (pure but
 * for the state it updates).
 */
export function settled(s: NodeState, seriesUID: string, count: number, now: number, settleMs: number): boolean {
  const prev = s.seen[seriesUID];
  if (!prev || prev[0] !== count) s.seen[seriesUID] = [count, now];
  return now - s.seen[seriesUID][1] >= settleMs;
}
