/**
 * OUTDIR/summary.md (and summary.json with the same numbers unrounded): the run table, failures, and with
 * references the per-organ accuracy across series (mean, median, worst case), laid out so the "average"
 * row compares directly with the training evaluation's RESULTS.md / the model manifest's metrics. Pure.
 */
import type { ModelSummary } from './protocol';
import type { SeriesOutcome } from './outputs';
import { summariseScores, type AccuracySummary } from '../compare/score';

export interface RunInfo {
  command: string;
  date: Date;
  protocol: string;
  model: ModelSummary | null;
  backend: { name: string; adapter: string } | null;
  /** Problems of inputs as a whole (unreadable files, nothing found). */
  problems: { input: string; message: string }[];
  notes: string[];
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));
const f1 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(1));
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function accuracyOf(outcomes: readonly SeriesOutcome[]): AccuracySummary | null {
  const scored = outcomes.filter((o) => o.status === 'done' && o.scores);
  return scored.length ? summariseScores(scored.map((o) => o.scores!)) : null;
}

export function renderSummary(outcomes: readonly SeriesOutcome[], info: RunInfo): string {
  const done = outcomes.filter((o) => o.status === 'done');
  const failed = outcomes.filter((o) => o.status === 'failed');
  const L: string[] = ['# Batch contouring summary', ''];
  L.push(`Command: \`${info.command}\``, '');
  L.push(`Date: ${info.date.toISOString()}. Protocol: ${info.protocol}.`);
  if (info.model)
    L.push(
      `Model: ${info.model.name} (\`${info.model.id}\` ${info.model.version}, ${info.model.variant}, ${info.model.inputSize}² grid at ${info.model.pixelSpacingMm} mm).`,
    );
  if (info.backend) L.push(`Backend: ${info.backend.name} (${info.backend.adapter}).`);
  L.push(
    '',
    `${done.length} of ${outcomes.length} series contoured${failed.length ? `, ${failed.length} failed` : ''}${info.problems.length ? `; ${info.problems.length} input problem(s)` : ''}.`,
    '',
  );

  L.push(
    '## Series',
    '',
    '| # | series | input | slices | seconds | slices/s | mean DSC | status |',
    '|---|---|---|---|---|---|---|---|',
  );
  outcomes.forEach((o, i) => {
    const notes = [
      o.rtstructMissing
        ? o.rtstructMissing.reason === 'no-organ'
          ? 'no organ found, no RS.dcm'
          : `no RS.dcm: ${o.rtstructMissing.message}`
        : '',
      o.referenceError ? `reference not read: ${o.referenceError}` : '',
    ].filter(Boolean);
    const status = o.status === 'done' ? ['done', ...notes].join('; ') : `FAILED (${o.failure?.stage}): ${o.failure?.message}`;
    L.push(
      `| ${i + 1} | ${cell(o.name)} | ${cell(o.input)} | ${o.slices ?? '–'} | ${f1(o.seconds)} | ${f1(o.slicesPerS)} | ${o.scores ? f3(o.meanDsc) : '–'} | ${cell(status)} |`,
    );
  });
  L.push('');
  if (info.problems.length) {
    L.push('## Input problems', '');
    for (const p of info.problems) L.push(`- ${cell(p.input)}: ${p.message}`);
    L.push('');
  }

  const acc = accuracyOf(outcomes);
  if (acc) {
    const n = outcomes.filter((o) => o.status === 'done' && o.scores).length;
    L.push(`## Accuracy per organ (${n} series with a reference)`, '');
    L.push(
      'DSC (0-1) and 95% Hausdorff distance (mm), docs/CONTRACTS.md section 6, on the CT grid, per organ over the series whose reference contours it; worst = lowest DSC / highest HD95. HD95 leaves out empty predictions (counted in the last column). The average row is the mean over organs of the per-organ means, as in the training evaluation.',
      '',
    );
    L.push(
      '| organ | n | DSC mean | DSC median | DSC worst | HD95 mean | HD95 median | HD95 worst | empty |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const o of acc.organs) {
      L.push(
        `| ${o.organ} | ${o.n} | ${f3(o.dsc.mean)} | ${f3(o.dsc.median)} | ${f3(o.dsc.worst)} | ${f1(o.hd95Mm?.mean)} | ${f1(o.hd95Mm?.median)} | ${f1(o.hd95Mm?.worst)} | ${o.emptyPredictions} |`,
      );
    }
    L.push(`| **average** | | **${f3(acc.meanDsc)}** | | | **${f1(acc.meanHd95Mm)}** | | | ${acc.emptyPredictions} |`, '');

    const reported = info.model?.metrics.filter((m) => m.perOrgan && Object.keys(m.perOrgan).length) ?? [];
    if (reported.length) {
      L.push("## Compared with the model's own evaluation (manifest metrics)", '');
      L.push(
        `Mean DSC per organ of this run next to each dataset the model's manifest reports (the training evaluation); Δ = this run − reported.`,
        '',
      );
      L.push(
        `| organ | this run | ${reported.map((m) => `${cell(m.dataset)} | Δ`).join(' | ')} |`,
        `|---|---|${reported.map(() => '---|---|').join('')}`,
      );
      for (const o of acc.organs) {
        const cells = reported.map((m) => {
          const r = m.perOrgan?.[o.organ]?.dsc;
          return r === undefined ? '– | –' : `${f3(r)} | ${(o.dsc.mean - r >= 0 ? '+' : '') + (o.dsc.mean - r).toFixed(3)}`;
        });
        L.push(`| ${o.organ} | ${f3(o.dsc.mean)} | ${cells.join(' | ')} |`);
      }
      L.push(
        `| **average** | **${f3(acc.meanDsc)}** | ${reported.map((m) => `${f3(m.meanDsc)} | ${acc.meanDsc === null ? '–' : (acc.meanDsc - m.meanDsc >= 0 ? '+' : '') + (acc.meanDsc - m.meanDsc).toFixed(3)}`).join(' | ')} |`,
        '',
      );
    }
  } else {
    L.push('No reference was given (--reference), so there is no accuracy table.', '');
  }
  if (info.notes.length) {
    L.push('## Notes', '');
    for (const n of info.notes) L.push(`- ${n}`);
    L.push('');
  }
  return L.join('\n');
}

export function summaryJson(outcomes: readonly SeriesOutcome[], info: RunInfo): unknown {
  return {
    command: info.command,
    date: info.date.toISOString(),
    protocol: info.protocol,
    model: info.model ? { id: info.model.id, version: info.model.version, variant: info.model.variant } : null,
    backend: info.backend,
    series: outcomes.map(({ scores, ...o }) => ({ ...o, scored: scores?.length ?? 0 })),
    problems: info.problems,
    accuracy: accuracyOf(outcomes),
  };
}
