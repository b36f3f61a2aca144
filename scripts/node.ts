/**
 * `npm run node -- --pacs URL [...]`: the auto-contouring node (src/pacs/node/run.ts, usage in
 * src/pacs/node/args.ts and the README section "Use with a PACS").
 */
import { resolve } from 'node:path';
import { UsageError } from '../src/batch/args';
import { NODE_USAGE, parseNodeArgs } from '../src/pacs/node/args';
import { runNode } from '../src/pacs/node/run';

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
let code: number;
try {
  const o = parseNodeArgs(process.argv.slice(2), process.env);
  code = await runNode(o, { root: resolve(import.meta.dirname, '..'), log: (l) => console.log(l), signal: stop.signal });
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
