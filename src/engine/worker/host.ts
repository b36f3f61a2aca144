/**
 * Where the engine runs, as the EngineController sees it: `InProcessHost` calls backend.ts / model.ts /
 * engine.ts on the calling thread (Node, Dawn, the unit tests, and `?engine=main` in the page as the
 * benchmark's "before"); `WorkerHost` (client.ts) runs the same calls in a dedicated Web Worker.
 */
import type { CtVolume } from '../../volume/volume';
import { resetWebGpu, selectBackend, type BackendNotice, type BackendOptions } from '../backend';
import { segmentVolume, type SegmentOptions, type SegmentResult } from '../engine';
import { EngineError } from '../errors';
import type { ModelManifest } from '../manifest';
import { loadModel, type FetchFunc, type LoadedModel } from '../model';

/** A model loaded by a host (in the worker: a handle to it). */
export interface EngineModel {
  manifest: ModelManifest;
  source: LoadedModel['source'];
  cacheNote: string;
  dispose(): void;
}

export interface LoadOptions {
  cache?: boolean;
  label?: string;
  onProgress?: (fraction: number) => void;
}

export interface EngineHost {
  readonly kind: 'worker' | 'main-thread';
  selectBackend(opts: BackendOptions): Promise<BackendNotice>;
  /** After a device loss: a fresh WebGPU device (models must be loaded again). */
  resetWebGpu(opts: BackendOptions): Promise<BackendNotice>;
  loadModel(packageUrl: string, opts: LoadOptions): Promise<EngineModel>;
  /**
   * segmentVolume's contract: every slice once through onSlice (in ascending k, or ascending within each engine
   * worker's share when several split the slices: shards.ts), then the clean-up's changed slices again.
   */
  segment(model: EngineModel, ct: CtVolume, opts: SegmentOptions): Promise<SegmentResult>;
  dispose(): void;
}

export class InProcessHost implements EngineHost {
  readonly kind = 'main-thread';
  constructor(private readonly fetchFunc?: FetchFunc) {}

  selectBackend(opts: BackendOptions): Promise<BackendNotice> {
    return selectBackend(opts);
  }

  resetWebGpu(opts: BackendOptions): Promise<BackendNotice> {
    return resetWebGpu(opts);
  }

  loadModel(packageUrl: string, opts: LoadOptions): Promise<EngineModel> {
    return loadModel(packageUrl, {
      fetchFunc: this.fetchFunc,
      cache: opts.cache,
      label: opts.label,
      onProgress: opts.onProgress,
    });
  }

  segment(model: EngineModel, ct: CtVolume, opts: SegmentOptions): Promise<SegmentResult> {
    if (!('execute' in model)) throw new EngineError('internal', 'This model was loaded by another engine host.');
    return segmentVolume(model as LoadedModel, ct, opts);
  }

  dispose(): void {}
}
