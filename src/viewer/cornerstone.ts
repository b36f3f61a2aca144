/**
 * One-time Cornerstone3D set-up: core, tools, and the dicom-image-loader's decode web workers (used only
 * to decode compressed frames; volumes are filled by our own loader, see volume.ts).
 */
import { init as coreInit, isCornerstoneInitialized } from '@cornerstonejs/core';
import { init as dicomImageLoaderInit } from '@cornerstonejs/dicom-image-loader';
import {
  addTool,
  CrosshairsTool,
  init as toolsInit,
  PanTool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

let ready: Promise<void> | undefined;

export function initCornerstone(): Promise<void> {
  ready ??= (async () => {
    if (!isCornerstoneInitialized()) coreInit();
    toolsInit();
    const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
    dicomImageLoaderInit({ maxWebWorkers: Math.max(1, Math.min(4, cores - 1)) });
    for (const tool of [CrosshairsTool, WindowLevelTool, PanTool, ZoomTool, StackScrollTool]) addTool(tool);
  })();
  return ready;
}
