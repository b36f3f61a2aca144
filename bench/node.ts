/**
 * The benchmark in Node through Dawn (WebGPU): `npx tsx bench/node.ts [flags]`, also bundled for the
 * lent NVIDIA GPU by bench/gpu-entry.mjs. Prints the table; `--json FILE` writes the results.
 */
import { writeFileSync } from 'node:fs';
import { selectBackend } from '../src/engine/backend';
import { loadModel } from '../src/engine/model';
import { installDawn } from '../src/engine/node/dawn';
import { dirUrl, fileFetch } from '../src/engine/node/files';
import { runChecks, type CheckResult } from './check';
import { formatTable, runBench, type BenchConfig, type BenchResult } from './core';

export interface NodeBenchArgs extends BenchConfig {
  model: string;
  json?: string;
  /** also run the WGSL-vs-reference checks (bench/check.ts) */
  check?: boolean;
}

export function parseArgs(argv: string[], defaults: Partial<NodeBenchArgs> = {}): NodeBenchArgs {
  const a: NodeBenchArgs = {
    slices: 300,
    size: 512,
    profileSlices: 64,
    baselineSlices: 16,
    model: 'public/models/dev-random',
    ...defaults,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const num = () => {
      i++;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${k} needs a number, got ${v}`);
      return n;
    };
    if (k === '--slices') a.slices = num();
    else if (k === '--size') a.size = num();
    else if (k === '--profile-slices') a.profileSlices = num();
    else if (k === '--baseline-slices') a.baselineSlices = num();
    else if (k === '--batch') a.batchSize = num();
    else if (k === '--model') ((a.model = v), i++);
    else if (k === '--json') ((a.json = v), i++);
    else if (k === '--skip-e2e') a.skipE2e = true;
    else if (k === '--check') a.check = true;
    else if (k === '--sweep') ((a.sweep = v.split(',').map(Number)), i++);
    else if (k.startsWith('--')) throw new Error(`unknown flag ${k}`);
  }
  return a;
}

export async function benchNodeDawn(args: NodeBenchArgs): Promise<BenchResult | { where: string; skipped: string }> {
  const dawn = await installDawn();
  if (!dawn) return { where: 'node-dawn', skipped: 'no WebGPU adapter from Dawn' };
  const notice = await selectBackend({ order: ['webgpu'], gpu: dawn.gpu, adapterOptions: dawn.adapterOptions });
  const model = await loadModel(dirUrl(args.model), { fetchFunc: fileFetch, cache: false });
  try {
    return await runBench(model, notice, `node-dawn/${dawn.kind}`, { ...args, log: (l) => console.error(l) });
  } finally {
    model.dispose();
  }
}

export async function main(argv: string[]) {
  const args = parseArgs(argv);
  const r = await benchNodeDawn(args);
  if ('skipped' in r) console.log(`${r.where}: skipped (${r.skipped})`);
  else console.log(formatTable([r]));
  let checks: CheckResult[] = [];
  if (args.check && !('skipped' in r)) {
    checks = await runChecks();
    for (const c of checks) console.log(`check ${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ ...r, checks }, null, 1));
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

if (process.argv[1] && /bench[\\/]node\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    () => process.exit(process.exitCode ?? 0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
