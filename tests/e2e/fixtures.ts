/**
 * Shared Playwright fixtures. Every spec imports `test` and `expect` from here:
 *  - `requests`: the context's request log; after each test it asserts that no request left the page's
 *    origin (automatic, DESIGN 1) or the `allowedOrigins` a spec names.
 *  - `pageErrors`: uncaught page errors; a test fails if any occurred.
 */
import { test as base, expect } from '@playwright/test';
import { attachRequestLog, type RequestLog } from './helpers/requestLog';

export const test = base.extend<{ requests: RequestLog; pageErrors: string[]; allowedOrigins: string[] }>({
  // Origins besides the page's own that a spec lets the page reach (the PACS spec: its DICOMweb server).
  allowedOrigins: [[], { option: true }],
  requests: [
    async ({ context, baseURL, allowedOrigins }, use, testInfo) => {
      const log = await attachRequestLog(context, baseURL!, allowedOrigins);
      await use(log);
      // A test that skipped itself (it says why) loaded no page: nothing to check.
      if (testInfo.status === 'skipped') return;
      expect(
        log.foreign.map((r) => `${r.method} ${r.url}`),
        'requests that left the page origin',
      ).toEqual([]);
      expect(log.requests.length, 'the request log saw the page load').toBeGreaterThan(0);
    },
    { auto: true },
  ],
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
      await use(errors);
      expect(errors, 'uncaught errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
