/**
 * The case -> app -> CLI table of docs/bad-input.md: the expectations of tests/corpus/generate.ts (asserted by
 * tests/e2e/corpus.spec.ts and tests/e2e/corpus-cli.spec.ts) beside what one CLI run did (its record).
 *
 *   CORPUS_RECORD_CLI=/tmp/cli.json node scripts/e2e.mjs tests/e2e/corpus-cli.spec.ts
 *   npx tsx tests/corpus/table.ts --cli /tmp/cli.json [--write docs/bad-input.md]
 *
 * --write replaces the text between the corpus-table markers of that file; without it the table is printed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCorpus, type CorpusCase } from './generate';
import type { CliObservation } from './cli';

const START = '<!-- corpus-table:start (npx tsx tests/corpus/table.ts --cli FILE --write docs/bad-input.md) -->';
const END = '<!-- corpus-table:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
const cut = (s: string, n = 150) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function appCell(c: CorpusCase): string {
  const e = c.app;
  const what =
    e.outcome === 'chooser'
      ? `series chooser, ${e.rows ?? 2} rows`
      : e.outcome === 'opens'
        ? 'opens, no warning'
        : e.outcome === 'warns'
          ? 'opens with a notice'
          : 'refused';
  const seg = e.segmentable === undefined ? '' : e.segmentable ? '; segmentable' : '; segmentation blocked';
  return `${what}${e.text ? `: "${e.text}"` : ''}${seg}`;
}

export function corpusTable(
  cases: readonly CorpusCase[],
  cli: Record<string, CliObservation> | null,
  meta: { seconds?: number } = {},
): string {
  const rows = cases.map((c) => {
    const seen = cli?.[c.id];
    const expected = `${c.cli.outcome}${c.cli.text ? `: "${c.cli.text}"` : ''}`;
    const outputs = seen && seen.series.length > 1 ? ` (folders ${seen.series.map((x) => `\`${x.name}\``).join(', ')})` : '';
    const observed = seen
      ? `${seen.outcome === c.cli.outcome ? '' : '**MISMATCH** '}${seen.outcome}${outputs}${seen.message ? `: ${cut(seen.message)}` : ''}`
      : 'not run';
    return `| ${c.id} | ${cell(c.description)} | ${cell(appCell(c))} | ${cell(expected)} | ${cell(observed)} |`;
  });
  return [
    START,
    `${cases.length} cases. App: the expectation tests/e2e/corpus.spec.ts asserts (notice text, segmentation allowed or blocked). CLI: expected, and what one \`npm run segment\` run over all cases did${meta.seconds ? ` (${meta.seconds.toFixed(0)} s on the loaded 2-core machine, tiny test model on wasm)` : ''}: ok = series contoured (RS.dcm / labels.nii.gz / report.json), failed = report.json alone with the reason, skipped = no series, an input problem or note says why.`,
    '',
    '| case | input | app | CLI expected | CLI observed (message) |',
    '|---|---|---|---|---|',
    ...rows,
    END,
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const cliFile = arg('--cli');
  const target = arg('--write');
  const rec = cliFile
    ? (JSON.parse(readFileSync(cliFile, 'utf8')) as { seconds: number; record: Record<string, CliObservation> })
    : null;
  const root = mkdtempSync(join(tmpdir(), 'aa-corpus-table-'));
  try {
    const { cases } = writeCorpus(root);
    // the record names folders of its own run: compare by case id
    const table = corpusTable(cases, rec?.record ?? null, { seconds: rec?.seconds });
    if (!target) console.log(table);
    else {
      const doc = readFileSync(target, 'utf8');
      const a = doc.indexOf('<!-- corpus-table:start');
      const b = doc.indexOf(END);
      if (a < 0 || b < 0) throw new Error(`${target} has no corpus-table markers`);
      writeFileSync(target, doc.slice(0, a) + table + doc.slice(b + END.length));
      console.log(`${target}: table of ${cases.length} cases written`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
