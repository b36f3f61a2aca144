/**
 * What one corpus case did in a batch CLI run (tests/e2e/corpus-cli.spec.ts, tests/corpus/table.ts): its series
 * in summary.json (matched by --input), the input problems and the `note:` lines naming its folder.
 */
import type { CorpusCase } from './generate';

export interface CliSeries {
  name: string;
  input: string;
  label: string;
  status: 'done' | 'failed';
  failure?: { stage: string; message: string };
  rtstructMissing?: { reason: string; message: string };
}

export interface CliSummary {
  series: CliSeries[];
  problems: { input: string; message: string }[];
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: CliSummary | null;
  seconds: number;
}

export interface CliObservation {
  outcome: 'ok' | 'failed' | 'skipped';
  /** Failure messages, then input problems, then notes (one string). */
  message: string;
  series: CliSeries[];
}

export function observeCli(c: CorpusCase, run: CliRun): CliObservation {
  const series = run.summary?.series.filter((s) => s.input === c.dir) ?? [];
  const problems = run.summary?.problems.filter((p) => p.input === c.dir).map((p) => p.message) ?? [];
  const notes = run.stdout
    .split('\n')
    .filter((l) => l.startsWith(`note: ${c.dir}:`))
    .map((l) => l.slice(`note: ${c.dir}: `.length));
  const failures = series.filter((s) => s.status === 'failed').map((s) => s.failure?.message ?? 'failed');
  const missing = series.flatMap((s) => (s.rtstructMissing ? [s.rtstructMissing.message] : []));
  const outcome = series.length === 0 ? 'skipped' : failures.length ? 'failed' : 'ok';
  return { outcome, message: [...failures, ...missing, ...problems, ...notes].join(' | '), series };
}
