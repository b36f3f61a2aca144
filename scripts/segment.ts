/**
 * `npm run segment -- --input DIR --out OUTDIR [...]`: batch contouring with the app's own pipeline in
 * headless Chromium, with an accuracy report against references. See src/batch/args.ts (USAGE) and the
 * README section "Batch contouring from the command line".
 */
import { resolve } from 'node:path';
import { parseArgs, USAGE } from '../src/batch/args';
import { UsageError } from '../src/cli/options';
import { commandLine, runBatch } from '../src/batch/run';

const argv = process.argv.slice(2);
let code: number;
try {
  const options = parseArgs(argv);
  code = await runBatch(options, {
    root: resolve(import.meta.dirname, '..'),
    stdout: process.stdout,
    stderr: process.stderr,
    command: commandLine(argv),
  });
} catch (e) {
  if (e instanceof UsageError) {
    if (e.message) console.error(`segment: ${e.message}\n`);
    console.error(USAGE);
    code = e.message ? 2 : 0;
  } else {
    console.error(`segment: ${e instanceof Error ? e.message : String(e)}`);
    code = 2;
  }
}
process.exit(code);
