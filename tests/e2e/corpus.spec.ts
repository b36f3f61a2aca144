/**
 * The bad-input corpus (tests/corpus/generate.ts, issue 16) through the app: each case is opened in a fresh
 * page through the file picker, and must end in its expected outcome (opens / opens with the named notice /
 * refused with the named message), with no uncaught page error (fixtures) and the app still usable (the
 * example opens afterwards, once, at the end). No Segment per case.
 * CORPUS_RECORD=FILE writes what each case did (notices, viewer state) to FILE instead of asserting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';
import { caseFiles, writeCorpus, type CorpusCase } from '../corpus/generate';

const root = mkdtempSync(join(tmpdir(), 'aa-corpus-'));
const { cases, skipped } = writeCorpus(root);
test.afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The viewer grid is shown and ready (no wait when it is absent). */
async function gridReady(page: Page): Promise<boolean> {
  return page.evaluate(() => document.querySelector('[data-testid="mpr-grid"]')?.getAttribute('data-ready') === 'true');
}

/** Settled: not busy, and either the viewer is ready or a notice is shown. */
async function settle(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const busy = await page.getByTestId('app').getAttribute('data-busy');
        const ready = await gridReady(page);
        const notices = await page.locator('[data-testid^="notice-"]:not([data-testid="notice-count"])').count();
        const chooser = await page.getByTestId('series-chooser').count();
        return busy === 'false' && (ready || notices > 0 || chooser > 0);
      },
      { timeout: 60_000 },
    )
    .toBe(true);
}

async function observe(page: Page) {
  const notices = await page
    .locator('[data-testid^="notice-"]:not([data-testid="notice-count"])')
    .evaluateAll((els) =>
      els.map((e) => ({ id: e.getAttribute('data-testid'), severity: e.getAttribute('data-severity'), text: e.textContent })),
    );
  const ready = await gridReady(page);
  const status = page.getByTestId('segmentation-status');
  const allowed = (await status.count()) ? await status.getAttribute('data-allowed') : null;
  const chooserRows = await page.locator('[data-testid^="series-row"]').count();
  return { ready, allowed, notices, chooserRows };
}

const record: Record<string, unknown> = {};
test.afterAll(() => {
  if (process.env.CORPUS_RECORD) writeFileSync(process.env.CORPUS_RECORD, JSON.stringify({ record, skipped }, null, 1));
});

test('corpus: at least 25 cases were generated', async ({ page }) => {
  await page.goto('/'); // the request-log fixture expects a page load
  expect(cases.length, `skipped: ${skipped.join('; ')}`).toBeGreaterThanOrEqual(25);
});

for (const c of cases as CorpusCase[]) {
  test(`corpus ${c.id}: ${c.description}`, async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles(caseFiles(c));
    await settle(page);
    const seen = await observe(page);
    if (process.env.CORPUS_RECORD) {
      record[c.id] = seen;
      return;
    }
    const e = c.app;
    if (e.outcome === 'chooser') {
      await expect(page.locator('[data-testid^="series-row"]')).toHaveCount(e.rows ?? 2);
      return;
    }
    if (e.outcome === 'opens' || e.outcome === 'warns') await waitForViewer(page);
    if (e.outcome === 'opens') {
      expect(
        seen.notices.filter((n) => n.severity === 'error'),
        'no error notice',
      ).toEqual([]);
    }
    if (e.notice) {
      const loc = e.notice.endsWith('*') ? page.locator(`[data-testid^="${e.notice.slice(0, -1)}"]`) : page.getByTestId(e.notice);
      await expect(loc.first()).toBeVisible();
      if (e.text) await expect(loc.first()).toContainText(e.text);
    } else if (e.outcome !== 'opens') {
      expect(seen.notices.length, 'a notice names the problem').toBeGreaterThan(0);
    }
    if (e.outcome === 'refused' && !seen.ready) await expect(page.getByTestId('open-example')).toBeEnabled();
    if (e.segmentable !== undefined)
      await expect(page.getByTestId('segmentation-status')).toHaveAttribute('data-allowed', String(e.segmentable));
  });
}

test('corpus: after a refused case the app still opens the example', async ({ page }) => {
  const refused = cases.filter((c) => c.app.outcome === 'refused');
  await page.goto('/');
  for (const c of refused) {
    await page.getByTestId('file-input').setInputFiles(caseFiles(c));
    await settle(page);
  }
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
});
