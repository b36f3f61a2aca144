/** Serves the committed tiny-random model fixture as the app's only model (page.route), for quick engine specs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/models/tiny-random');

export async function serveTinyModel(page: Page): Promise<void> {
  await page.route('**/models/index.json', (route) =>
    route.fulfill({
      json: { models: [{ id: 'tiny-random', name: 'Tiny random (test)', path: 'models/tiny-random/', default: true }] },
    }),
  );
  await page.route('**/models/tiny-random/*', (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    return route.fulfill({
      body: readFileSync(path.join(FIXTURE, name)),
      contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    });
  });
}
