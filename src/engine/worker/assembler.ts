/**
 * The page's side of a run in the worker: label slices arrive as messages and are written into the page's own
 * result volume, then handed to onSlice (a view into that volume, as segmentVolume does); progress goes to
 * onProgress. After `stop()` (a cancel) nothing more is delivered, and the report is cut to what the page had
 * received: the slices of the last progress report before the cancel, exactly the semantics of a cancel on the
 * main thread (the batch being read is delivered, nothing after it). Pure: no worker, no DOM.
 */
import type { SegmentProgress, SegmentReport, SegmentResult } from '../engine';

/** The page's result volumes of a run. */
export interface RunTarget {
  labels: Uint8Array;
  confidence?: Uint8Array;
}

export class RunAssembler {
  readonly labels: Uint8Array;
  readonly confidence?: Uint8Array;
  private stopped = false;
  /** slices done according to the last progress report delivered */
  private done = 0;

  constructor(
    private readonly npx: number,
    nSlices: number,
    withConfidence: boolean,
    private readonly onSlice?: (k: number, labels: Uint8Array, confidence?: Uint8Array) => void,
    private readonly onProgress?: (p: SegmentProgress) => void,
    /** Write into these volumes instead of new ones (several workers assembling one result: shards.ts). */
    into?: RunTarget,
  ) {
    this.labels = into?.labels ?? new Uint8Array(npx * nSlices);
    if (withConfidence) this.confidence = into?.confidence ?? new Uint8Array(npx * nSlices);
    if (this.labels.length !== npx * nSlices || (this.confidence && this.confidence.length !== npx * nSlices))
      throw new RangeError(`the result volume has ${this.labels.length} voxels, the CT ${npx * nSlices}`);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Slices done as the page saw them (the last progress report delivered). */
  get slicesDone(): number {
    return this.done;
  }

  slice(k: number, labels: Uint8Array, confidence?: Uint8Array): void {
    if (this.stopped) return;
    const n = this.npx;
    if (labels.length !== n) throw new RangeError(`slice ${k} has ${labels.length} labels, the CT slice ${n}`);
    this.labels.set(labels, k * n);
    if (this.confidence && confidence) this.confidence.set(confidence, k * n);
    this.onSlice?.(k, this.labels.subarray(k * n, (k + 1) * n), this.confidence?.subarray(k * n, (k + 1) * n));
  }

  progress(p: SegmentProgress): void {
    if (this.stopped) return;
    this.done = p.done;
    this.onProgress?.(p);
  }

  /** A cancel: deliver nothing more. */
  stop(): void {
    this.stopped = true;
  }

  /** The result from the worker's report; after a stop, cut to the slices delivered before it. */
  finish(report: SegmentReport): SegmentResult {
    const r: SegmentReport = this.stopped
      ? {
          ...report,
          completed: false,
          slicesDone: this.done,
          slicesPerS: this.done / Math.max(report.seconds, 1e-9),
          cleanup: null,
        }
      : report;
    return { labels: this.labels, ...(this.confidence ? { confidence: this.confidence } : {}), report: r };
  }
}
