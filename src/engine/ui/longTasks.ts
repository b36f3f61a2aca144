/**
 * Main-thread responsiveness during a run: the longest task (PerformanceObserver 'longtask', tasks of
 * 50 ms and more, in Chromium) and, where that is unsupported, the largest timer lag as a stand-in.
 */
export interface LongTaskSummary {
  longestMs: number;
  count: number;
  method: 'longtask' | 'timer-lag';
}

export function watchLongTasks(): { stop: () => LongTaskSummary } {
  let longest = 0;
  let count = 0;
  const supported = typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes?.includes('longtask');
  if (supported) {
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        longest = Math.max(longest, e.duration);
        count++;
      }
    });
    obs.observe({ type: 'longtask', buffered: false });
    return {
      stop: () => {
        for (const e of obs.takeRecords()) {
          longest = Math.max(longest, e.duration);
          count++;
        }
        obs.disconnect();
        return { longestMs: longest, count, method: 'longtask' };
      },
    };
  }
  const period = 20;
  let last = performance.now();
  const id = setInterval(() => {
    const t = performance.now();
    const lag = t - last - period;
    if (lag >= 50) count++;
    longest = Math.max(longest, lag);
    last = t;
  }, period);
  return {
    stop: () => {
      clearInterval(id);
      return { longestMs: longest, count, method: 'timer-lag' };
    },
  };
}
