/**
 * Issue 17 point 7: opening a second series tears the first viewer down with its tools. The crosshairs of
 * the destroyed viewer used to throw "Cannot read properties of undefined (reading 'viewportsInfo')" on the
 * next viewer's events; the shared fixture (./fixtures) fails any test with an uncaught page error.
 */
import { expect, test } from './fixtures';
import { openFiles, waitForViewer, wheel } from './helpers/app';
import { syntheticSeries } from './helpers/synthetic';

test('a second and a third series open without page errors, crosshairs working on each', async ({ page, pageErrors }) => {
  await page.goto('/');
  const series = [
    syntheticSeries({ slices: 12, seriesUID: '1.2.826.0.1.3680043.10.77.1' }),
    syntheticSeries({ slices: 16, sliceMm: 2, seriesUID: '1.2.826.0.1.3680043.10.77.2' }),
    syntheticSeries({ slices: 10, position: 'FFS', seriesUID: '1.2.826.0.1.3680043.10.77.3' }),
  ];
  for (const [n, files] of series.entries()) {
    await openFiles(page, files);
    await waitForViewer(page);
    await expect(page.getByTestId('slice-index-axial')).toHaveText(new RegExp(`/ ${files.length}$`));
    await page.getByTestId('tool-crosshairs').click();
    const box = (await page.getByTestId('viewport-axial').boundingBox())!;
    await page.mouse.click(box.x + box.width * (0.3 + 0.1 * n), box.y + box.height * 0.4);
    await wheel(page, 'axial', 2);
    await wheel(page, 'sagittal', -1);
    // Let the rendering loop run over the events just fired (two frames), then check.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(pageErrors, `page errors after series ${n + 1}`).toEqual([]);
  }
});
