/**
 * Where the CPU goes while the app segments (issue 24): the CPU time of every thread of the benchmark's Chromium,
 * read from Linux's /proc/<pid>/task/<tid>/stat before and after a run, grouped by process type and thread name.
 *
 * The app path runs slower than the batch path on the same engine workers (bench/README.md); this says which
 * of the browser's threads (the page's main thread, the compositor, the GPU process's software renderer, the
 * engine workers) took the cores meanwhile. Linux only: elsewhere `chromiumThreadTimes` returns an empty map and
 * the breakdown is left out. The parsing and the grouping are pure and tested on fixed text
 * (tests/unit/bench/procCpu.test.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';

/** One thread's CPU time: its process type (Chromium's --type, 'browser' without one), its name, seconds. */
export interface ThreadTime {
  process: string;
  thread: string;
  seconds: number;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux build Chromium runs on). */
const USER_HZ = 100;

/**
 * One /proc/<pid>/task/<tid>/stat line -> thread name and user + system CPU seconds. The name is between the
 * first '(' and the last ')' (it may hold spaces and parentheses); utime and stime are fields 14 and 15.
 */
export function parseTaskStat(text: string): { thread: string; seconds: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state): utime (14) and stime (15) are fields[11] and fields[12]
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { thread: text.slice(open + 1, close), seconds: (utime + stime) / USER_HZ };
}

/** Chromium's process type from its command line (NUL-separated): `--type=renderer` etc., 'browser' without. */
export function processType(cmdline: string): string {
  return /--type=([a-z-]+)/.exec(cmdline)?.[1] ?? 'browser';
}

/** Every thread of every process whose command line names `exe` (default: chromium), keyed by pid/tid. */
export function chromiumThreadTimes(exe = 'chromium'): Map<string, ThreadTime> {
  const out = new Map<string, ThreadTime>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out; // not Linux
  }
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.split('\0')[0]?.includes(exe)) continue;
      const process = processType(cmd);
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const t = parseTaskStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
        if (t) out.set(`${pid}/${tid}`, { process, ...t });
      }
    } catch {
      // the process or thread ended between the listing and the read
    }
  }
  return out;
}

export interface CpuBreakdown {
  /** CPU seconds of all of Chromium's threads over the run */
  seconds: number;
  /** that, per second of wall time: how many cores Chromium kept busy */
  cores: number;
  /** per process type and thread name (digits dropped: 'ThreadPoolForeg' for every pool thread), largest first */
  groups: { what: string; seconds: number }[];
}

/** The CPU spent between two `chromiumThreadTimes` snapshots over `wallSeconds` (threads born in between count in full). */
export function cpuBreakdown(before: Map<string, ThreadTime>, after: Map<string, ThreadTime>, wallSeconds: number): CpuBreakdown {
  const groups = new Map<string, number>();
  let total = 0;
  for (const [key, t] of after) {
    const spent = t.seconds - (before.get(key)?.seconds ?? 0);
    if (spent <= 0) continue;
    const what = `${t.process}: ${t.thread.replace(/\d+/g, '').trim() || t.thread}`;
    groups.set(what, (groups.get(what) ?? 0) + spent);
    total += spent;
  }
  return {
    seconds: total,
    cores: wallSeconds > 0 ? total / wallSeconds : 0,
    groups: [...groups].map(([what, seconds]) => ({ what, seconds })).sort((a, b) => b.seconds - a.seconds),
  };
}

/** One line: total and the largest groups with their share, e.g. "1.93 cores: renderer: DedicatedWorker 71%, ...". */
export function formatBreakdown(b: CpuBreakdown, top = 5): string {
  if (!b.groups.length) return 'no CPU figures (not Linux)';
  const parts = b.groups.slice(0, top).map((g) => `${g.what} ${((100 * g.seconds) / b.seconds).toFixed(0)}%`);
  return `${b.cores.toFixed(2)} cores (${b.seconds.toFixed(1)} CPU s): ${parts.join(', ')}`;
}
