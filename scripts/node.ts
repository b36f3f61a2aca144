/**
 * `npm run node -- --pacs URL [...]`: the auto-contouring node (src/pacs/node/run.ts, usage in
 * src/pacs/node/args.ts and the README section "Use with a PACS").
 */
import { resolve } from 'node:path';
import { UsageError } from '../src/cli/options';
import { NODE_USAGE, parseNodeArgs } from '../src/pacs/node/args';
import { runNode } from '../src/pacs/node/run';

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
let code: number;
try {
  const o = parseNodeArgs(process.argv.slice(2), process.env);
  // Fault injection for the exactly-once test (tests/e2e/pacs-node-faults.spec.ts): AA_NODE_FAULT=after-store
  // (or after-state) kills this process with SIGKILL the first time it passes that point.
  const faults = new Set((process.env.AA_NODE_FAULT ?? '').split(',').filter(Boolean));
  code = await runNode(o, {
    root: resolve(import.meta.dirname, '..'),
    log: (l) => console.log(l),
    signal: stop.signal,
    ...(faults.size
      ? {
          fault: (point) => {
            if (faults.has(point)) {
              console.log(`fault injection: SIGKILL ${point}`);
              process.kill(process.pid, 'SIGKILL');
            }
          },
        }
      : {}),
  });
} catch (e) {
  if (e instanceof UsageError) {
    if (e.message) console.error(`node: ${e.message}\n`);
    console.error(NODE_USAGE);
    code = e.message ? 2 : 0;
  } else {
    console.error(`node: ${e instanceof Error ? e.message : String(e)}`);
    code = 2;
  }
}
process.exit(code);
