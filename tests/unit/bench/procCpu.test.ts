import { describe, expect, it } from 'vitest';
import { cpuBreakdown, formatBreakdown, parseTaskStat, processType, type ThreadTime } from '../../../bench/procCpu';

// A real /proc/<pid>/task/<tid>/stat line (bash, Linux 6.1): utime 10, stime 31 ticks.
const BASH =
  '3724 (bash) S 3723 3724 3724 0 -1 4194560 23035 467080 0 1056 10 31 2520 358 20 0 1 0 2890128 8409088 1049 18446744073709551615';

describe('/proc thread times (bench/procCpu.ts)', () => {
  it('reads utime + stime at USER_HZ 100 and the name between the outer parentheses', () => {
    expect(parseTaskStat(BASH)).toEqual({ thread: 'bash', seconds: 0.41 });
    // a thread name with a space and a parenthesis of its own
    const odd = BASH.replace('(bash)', '(Chrome_ChildIOT (x))');
    expect(parseTaskStat(odd)).toEqual({ thread: 'Chrome_ChildIOT (x)', seconds: 0.41 });
    expect(parseTaskStat('garbage')).toBeNull();
  });

  it("takes Chromium's process type from --type, 'browser' without one", () => {
    expect(processType('/usr/lib/chromium/chromium\0--type=gpu-process\0--no-sandbox')).toBe('gpu-process');
    expect(processType('/usr/lib/chromium/chromium\0--headless')).toBe('browser');
  });

  it('sums the CPU spent per process type and thread name, new threads in full, largest first', () => {
    const t = (process: string, thread: string, seconds: number): ThreadTime => ({ process, thread, seconds });
    const before = new Map([
      ['1/1', t('renderer', 'CrRendererMain', 10)],
      ['1/2', t('renderer', 'DedicatedWorker', 5)],
      ['2/7', t('gpu-process', 'CrGpuMain', 3)],
    ]);
    const after = new Map([
      ['1/1', t('renderer', 'CrRendererMain', 11)], // +1
      ['1/2', t('renderer', 'DedicatedWorker', 9)], // +4
      ['1/3', t('renderer', 'DedicatedWorker', 3)], // born during the run: +3
      ['2/7', t('gpu-process', 'CrGpuMain', 3)], // idle
      ['2/8', t('gpu-process', 'ThreadPoolForeg12', 0.5)], // digits dropped from the name
    ]);
    const b = cpuBreakdown(before, after, 4);
    expect(b.seconds).toBeCloseTo(8.5, 9);
    expect(b.cores).toBeCloseTo(8.5 / 4, 9);
    expect(b.groups).toEqual([
      { what: 'renderer: DedicatedWorker', seconds: 7 },
      { what: 'renderer: CrRendererMain', seconds: 1 },
      { what: 'gpu-process: ThreadPoolForeg', seconds: 0.5 },
    ]);
    expect(formatBreakdown(b, 2)).toBe('2.13 cores (8.5 CPU s): renderer: DedicatedWorker 82%, renderer: CrRendererMain 12%');
    expect(formatBreakdown(cpuBreakdown(new Map(), new Map(), 1))).toBe('no CPU figures (not Linux)');
  });
});
