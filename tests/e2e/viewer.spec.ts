/**
 * The viewer on the bundled example and on synthetic series: three planes drawn, window presets,
 * scrolling, HU readout, and orientation for head-first and feet-first series.
 */
import { expect, test } from './fixtures';
import { openFiles, PLANES, sliceText, waitForViewer, wheel } from './helpers/app';
import { brightCentroid, meanAbsDiff, shoot, stats } from './helpers/pixels';
import { syntheticSeries } from './helpers/synthetic';

test('example CT: three planes drawn, a preset changes the pixels, scrolling moves the slice', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);

  for (const plane of PLANES) {
    const s = stats(await shoot(page.getByTestId(`viewport-${plane}`)));
    expect(s.nonBlank, `${plane}: share of non-black pixels`).toBeGreaterThan(0.05);
    expect(s.std, `${plane}: contrast`).toBeGreaterThan(10);
  }

  const before = await shoot(page.getByTestId('viewport-axial'));
  await page.getByTestId('preset-lung').click();
  await expect(page.getByTestId('window-axial')).toHaveText('W 1500 L -600');
  await expect(page.getByTestId('window-coronal')).toHaveText('W 1500 L -600');
  await page.waitForTimeout(300);
  const after = await shoot(page.getByTestId('viewport-axial'));
  expect(meanAbsDiff(before, after), 'mean grey change after the lung preset').toBeGreaterThan(3);

  const z0 = await sliceText(page, 'axial');
  expect(z0).toMatch(/^Z -?\d+\.\d\d mm$/);
  await wheel(page, 'axial', 3);
  await expect.poll(() => sliceText(page, 'axial')).not.toBe(z0);
  // The other planes follow the crosshairs, not the wheel: their position is unchanged.
  const x0 = await sliceText(page, 'sagittal');
  await wheel(page, 'axial', 2);
  expect(await sliceText(page, 'sagittal')).toBe(x0);

  // HU under the cursor.
  const box = (await page.getByTestId('viewport-axial').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2 + 3, box.y + box.height / 2 + 3);
  await expect(page.getByTestId('hu-axial')).toContainText(/-?\d+ HU/);
});

test('scrolling steps one slice per notch with the true slice spacing', async ({ page }) => {
  await page.goto('/');
  await openFiles(page, syntheticSeries({ slices: 20, sliceMm: 2.5, zMin: -40 }));
  await waitForViewer(page);
  const read = async () => Number((await sliceText(page, 'axial')).replace(/[^\d.-]/g, ''));
  const z0 = await read();
  await wheel(page, 'axial', 2);
  await expect.poll(read).not.toBe(z0);
  expect(Math.abs((await read()) - z0)).toBeCloseTo(5, 5);
  await expect(page.getByTestId('slice-index-axial')).toHaveText(/^Im \d+ \/ 20$/);
});

for (const position of ['HFS', 'FFS'] as const) {
  test(`orientation labels and anatomy are correct for ${position}`, async ({ page }) => {
    await page.goto('/');
    await openFiles(page, syntheticSeries({ position, slices: 24, sliceMm: 3 }));
    await waitForViewer(page);
    const labels = async (plane: string) =>
      Promise.all(
        ['top', 'bottom', 'left', 'right'].map(async (edge) => page.getByTestId(`orient-${plane}-${edge}`).textContent()),
      );
    // Radiological convention: patient left on the viewer's right, anterior up; head up in sag/cor.
    expect(await labels('axial')).toEqual(['A', 'P', 'R', 'L']);
    expect(await labels('sagittal')).toEqual(['S', 'I', 'A', 'P']);
    expect(await labels('coronal')).toEqual(['S', 'I', 'R', 'L']);

    // The marker sits at patient left-anterior-superior: go to the top slice, then it must be drawn in
    // the right half and upper half of the axial view, whatever the patient position.
    await page.getByTestId('preset-bone').click();
    // PageUp scrolls the hovered plane by 10 slices, towards the head like the wheel.
    const box = (await page.getByTestId('viewport-axial').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 3; i++) await page.keyboard.press('PageUp');
    await page.waitForTimeout(300);
    const axial = await shoot(page.getByTestId('viewport-axial'));
    const c = brightCentroid(axial, 200);
    expect(c.count, 'marker pixels in the axial view').toBeGreaterThan(20);
    expect(c.x, 'marker is on the patient-left (screen right) side').toBeGreaterThan(0.55);
    expect(c.y, 'marker is anterior (screen top)').toBeLessThan(0.45);
    // In the coronal view the marker is in the upper (superior) part, on the screen right (patient left).
    const coronalVisible = brightCentroid(await shoot(page.getByTestId('viewport-coronal')), 200);
    if (coronalVisible.count > 0) expect(coronalVisible.y).toBeLessThan(0.5);
    await expect(page.getByTestId('series-facts')).toContainText(position);
  });
}

test('crosshairs link the planes: a click moves the other two planes to that point', async ({ page }) => {
  await page.goto('/');
  await openFiles(page, syntheticSeries({ slices: 20 }));
  await waitForViewer(page);
  const num = async (plane: string) => Number((await sliceText(page, plane)).replace(/[^\d.-]/g, ''));
  const z0 = await num('axial');
  await page.getByTestId('tool-crosshairs').click();
  const box = (await page.getByTestId('viewport-axial').boundingBox())!;
  // Upper right of the axial view = patient anterior-left = +x, -y in LPS.
  await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.3);
  await expect.poll(() => num('sagittal')).toBeGreaterThan(20);
  await expect.poll(() => num('coronal')).toBeLessThan(-20);
  expect(await num('axial')).toBe(z0);
  // The readout names the point under the cursor in the same coordinates.
  const hu = await page.getByTestId('hu-axial').textContent();
  const [x, y] = /\((-?[\d.]+), (-?[\d.]+),/
    .exec(hu ?? '')!
    .slice(1)
    .map(Number);
  expect(Math.abs(x - (await num('sagittal')))).toBeLessThan(2.5);
  expect(Math.abs(y - (await num('coronal')))).toBeLessThan(2.5);
});
