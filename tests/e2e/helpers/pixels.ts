/** Pixel statistics of element screenshots (PNG decoded with pngjs), for "is something drawn" checks. */
import type { Locator } from '@playwright/test';
import { PNG } from 'pngjs';

export interface Shot {
  width: number;
  height: number;
  /** RGBA */
  data: Uint8Array;
}

export async function shoot(locator: Locator): Promise<Shot> {
  const png = PNG.sync.read(await locator.screenshot({ animations: 'disabled' }));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

/** Grey value (mean of RGB) at (x, y). */
export const grey = (s: Shot, x: number, y: number): number => {
  const o = (Math.floor(y) * s.width + Math.floor(x)) * 4;
  return (s.data[o] + s.data[o + 1] + s.data[o + 2]) / 3;
};

/** Fraction of pixels brighter than `threshold` and the standard deviation of grey values. */
export function stats(s: Shot, threshold = 16): { nonBlank: number; mean: number; std: number } {
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  const total = s.width * s.height;
  for (let p = 0; p < total; p++) {
    const g = (s.data[p * 4] + s.data[p * 4 + 1] + s.data[p * 4 + 2]) / 3;
    if (g > threshold) n++;
    sum += g;
    sum2 += g * g;
  }
  const mean = sum / total;
  return { nonBlank: n / total, mean, std: Math.sqrt(Math.max(0, sum2 / total - mean * mean)) };
}

/** Mean absolute grey difference between two same-size shots. */
export function meanAbsDiff(a: Shot, b: Shot): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('shots differ in size');
  let d = 0;
  const total = a.width * a.height;
  for (let p = 0; p < total; p++)
    d += Math.abs(grey(a, p % a.width, Math.floor(p / a.width)) - grey(b, p % b.width, Math.floor(p / b.width)));
  return d / total;
}

/** Centroid (x, y as fractions of width/height) of pixels brighter than `threshold`. */
export function brightCentroid(s: Shot, threshold: number): { x: number; y: number; count: number } {
  let cx = 0;
  let cy = 0;
  let count = 0;
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      if (grey(s, x, y) > threshold) {
        cx += x;
        cy += y;
        count++;
      }
    }
  }
  return { x: count ? cx / count / s.width : NaN, y: count ? cy / count / s.height : NaN, count };
}
