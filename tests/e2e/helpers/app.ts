/** Page helpers for the viewer specs: open files, wait for the viewer, read the overlays. */
import type { Page } from '@playwright/test';
import { expect } from '@playwright/test';
import type { SynthFile } from './synthetic';

export const PLANES = ['axial', 'sagittal', 'coronal'] as const;

/** Wait until the viewer shows a volume and the first frames are drawn. */
export async function waitForViewer(page: Page): Promise<void> {
  await expect(page.getByTestId('mpr-grid')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'false');
  // Two animation frames: Cornerstone renders on the next frame after setViewports/setVolumes.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Load a folder through the hidden folder picker (as `Open folder…` does). */
export async function openFolder(page: Page, dir: string): Promise<void> {
  await page.getByTestId('folder-input').setInputFiles(dir);
}

/** Load in-memory files through the hidden multi-file picker. */
export async function openFiles(page: Page, files: SynthFile[]): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(files);
}

export async function sliceText(page: Page, plane: string): Promise<string> {
  return (await page.getByTestId(`slice-pos-${plane}`).textContent()) ?? '';
}

/** Scroll the mouse wheel over a viewport's centre. */
export async function wheel(page: Page, plane: string, notches: number): Promise<void> {
  const box = await page.getByTestId(`viewport-${plane}`).boundingBox();
  if (!box) throw new Error(`viewport ${plane} not visible`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < Math.abs(notches); i++) {
    await page.mouse.wheel(0, Math.sign(notches) * 100);
  }
}
