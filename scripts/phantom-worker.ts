/**
 * Worker for scripts/phantom.ts: re-creates the case plan from the same options (deterministic) and
 * renders the slabs it is sent into the shared HU and label buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { planCase, renderSlab } from '../src/phantom/generate';
import type { ScanOptions } from '../src/phantom/scan';

interface Init {
  options: ScanOptions;
  hu: SharedArrayBuffer;
  lab: SharedArrayBuffer;
}

const init = workerData as Init;
const plan = planCase(init.options);
const g = plan.geometry;
const n = g.cols * g.rows;
const hu = new Int16Array(init.hu);
const lab = new Uint8Array(init.lab);

parentPort!.on('message', (msg: { k0: number; k1: number } | 'exit') => {
  if (msg === 'exit') {
    process.exit(0);
  }
  const { k0, k1 } = msg;
  const stats = renderSlab(plan, k0, k1, hu.subarray(k0 * n, k1 * n), lab.subarray(k0 * n, k1 * n));
  parentPort!.postMessage({ k0, k1, overlap: stats.overlap });
});
parentPort!.postMessage('ready');
