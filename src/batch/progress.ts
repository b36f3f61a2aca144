/**
 * Terminal progress of `npm run segment`: "[i/n] series" lines, and while a series runs its stage with
 * slices done and slices/s (rewritten in place on a terminal; on a pipe or file only stage changes are
 * printed, so logs stay short).
 */
import type { SeriesOutcome } from './outputs';
import type { ProgressMessage } from './protocol';

export interface Writable {
  write(s: string): unknown;
  isTTY?: boolean;
}

const STAGE: Record<ProgressMessage['stage'], string> = {
  load: 'loading',
  inference: 'segmenting',
  rtstruct: 'writing RTSTRUCT',
  upload: 'sending results',
};

export class Progress {
  private lastStage = '';
  private live = false;
  private prefix = '';

  constructor(private readonly out: Writable) {}

  private endLive() {
    if (this.live) this.out.write('\n');
    this.live = false;
  }

  line(s: string): void {
    this.endLive();
    this.out.write(`${s}\n`);
  }

  start(i: number, n: number, name: string, label: string): void {
    this.prefix = `[${i}/${n}] ${name}`;
    this.lastStage = '';
    this.line(`${this.prefix}: ${label}`);
  }

  update(p: ProgressMessage): void {
    const what = p.stage === 'load' && p.done === 0 && p.total > 0 ? `reading headers (${p.total} files)` : STAGE[p.stage];
    const count = p.stage === 'inference' || (p.stage === 'load' && p.done > 0) ? ` ${p.done}/${p.total} slices` : '';
    const rate = p.stage === 'inference' && p.slicesPerS ? `, ${p.slicesPerS.toFixed(1)} slices/s` : '';
    const text = `  ${what}${count}${rate}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}`);
      this.live = true;
    } else if (p.stage !== this.lastStage) {
      this.out.write(`${text}\n`);
    }
    this.lastStage = p.stage;
  }

  finish(o: SeriesOutcome, outDir: string): void {
    if (o.status === 'failed') {
      this.line(`${this.prefix}: FAILED (${o.failure?.stage}): ${o.failure?.message}`);
      return;
    }
    const acc = o.scores
      ? `; mean DSC ${o.meanDsc === null || o.meanDsc === undefined ? '–' : o.meanDsc.toFixed(3)} over ${o.scores.length} organs`
      : '';
    const ref = o.referenceError ? `; reference not read: ${o.referenceError}` : '';
    this.line(
      `${this.prefix}: ${o.slices} slices in ${o.seconds?.toFixed(1)} s (${o.slicesPerS?.toFixed(1)} slices/s, ${o.backend})${acc}${ref} -> ${outDir}`,
    );
  }
}
