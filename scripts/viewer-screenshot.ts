/**
 * docs/images/viewer.png: the viewer with the real totalseg-example series (Apache-2.0, TotalSegmentator
 * test data). Needs a build (`npx vite build`) and ../shared/data.
 *
 *   npx tsx scripts/viewer-screenshot.ts [out.png]
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { launchChromium } from '../src/node/chromium';
import { startServer } from '../src/node/staticServer.mjs';

const out = resolve(process.argv[2] ?? 'docs/images/viewer.png');
const series = resolve('../shared/data/real/totalseg-example/example_ct_dicom');
if (!existsSync('dist/index.html')) throw new Error('build first: npx vite build');
if (!existsSync(series)) throw new Error(`missing ${series}`);

const { server, url } = (await startServer({ root: 'dist', port: 0 })) as { server: { close(): void }; url: string };
const { context, close } = await launchChromium();
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId('folder-input').setInputFiles(series);
  await page.waitForSelector('[data-testid="mpr-grid"][data-ready="true"]', { timeout: 120_000 });
  // Crosshairs on the liver, then the cursor over it for the HU readout.
  await page.getByTestId('tool-crosshairs').click();
  const box = (await page.getByTestId('viewport-axial').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.36, box.y + box.height * 0.52);
  await page.getByTestId('tool-windowLevel').click();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.48);
  await page.waitForTimeout(800);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await close();
  server.close();
}
