/**
 * `npm run bench:app-variants -- [--slices 96] [--rounds 2] [--variants JSON]` (issue 24): the app path on one
 * generated 512 x 512 series, with several page query variants side by side, alternating, in one run. Each row:
 * slices/s, Segment -> result, when each engine worker's share was done and Chromium's CPU per process type and
 * thread (bench/procCpu.ts, Linux); at the end the median slices/s of every variant and its ratio to the first.
 *
 * A variant is a page query, e.g. `{"overlay":"end"}` (overlay/streamRedraw.ts), `{"progress":"1000"}`
 * (progressThrottle.ts), `{"workers":"1"}`; `{"path":"batch"}` runs the batch page instead (bench/batchPath.ts,
 * no viewer). Default: the app as shipped, `?overlay=end`, `?progress=1000`, the batch path.
 * Run it on an idle machine (it is a benchmark; nothing else CPU-heavy beside it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { benchServer } from '../bench/server';
import { appPath, batchPathIn, serveExample, shareLine } from '../bench/appPath';
import type { PathFigure } from '../bench/batchPath';
import { formatBreakdown } from '../bench/procCpu';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../src/node/chromium';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const slices = Number(flag('--slices') ?? 96);
const rounds = Number(flag('--rounds') ?? 2);
const variants: Record<string, string>[] = JSON.parse(
  flag('--variants') ?? '[{}, {"overlay":"end"}, {"progress":"1000"}, {"path":"batch"}]',
);
const label = (v: Record<string, string>) => (Object.keys(v).length ? new URLSearchParams(v).toString() : 'app as shipped');

const root = path.resolve(import.meta.dirname, '..');
const { server, base } = await benchServer(root);
const dir = mkdtempSync(path.join(tmpdir(), 'aa-bench-variants-'));
const context = await chromium.launchPersistentContext(dir, {
  executablePath: CHROMIUM_PATH,
  args: CHROMIUM_ARGS,
  headless: true,
  viewport: { width: 1440, height: 900 },
});
const rates = new Map<string, number[]>();
try {
  await serveExample(context, 512, slices);
  const page = await context.newPage();
  console.log(`app path variants, wasm, 512 x 512 x ${slices} synthetic series, ${rounds} round(s), ${new Date().toISOString()}`);
  for (let round = 1; round <= rounds; round++) {
    for (const v of variants) {
      const { path: which, ...query } = v;
      const run = { base, backend: 'wasm', engine: 'worker' as const, query };
      const r: PathFigure = which === 'batch' ? await batchPathIn(page, run) : await appPath(page, run);
      rates.set(label(v), [...(rates.get(label(v)) ?? []), r.slicesPerS]);
      console.log(
        `round ${round} ${label(v)}: ${r.slicesPerS.toFixed(2)} slices/s (${r.workers} worker(s) x ${r.threads} thread(s)), Segment -> result ${r.wallSeconds.toFixed(1)} s`,
      );
      if (r.shareSeconds) console.log(`  ${shareLine(r.shareSeconds)}`);
      if (r.cpu) console.log(`  ${formatBreakdown(r.cpu, 8)}`);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const first = median(rates.get(label(variants[0]))!);
  console.log('median slices/s (ratio to the first variant):');
  for (const [name, r] of rates)
    console.log(
      `  ${name.padEnd(40)} ${median(r).toFixed(2)} (${(median(r) / first).toFixed(2)}x; runs ${r.map((x) => x.toFixed(2)).join(', ')})`,
    );
} finally {
  await context.close();
  rmSync(dir, { recursive: true, force: true });
  await server.close();
}
