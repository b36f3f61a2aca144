/**
 * End-to-end tests in Debian Chromium (`npm run test:e2e` = scripts/e2e.mjs, which serves dist/ and sets
 * E2E_BASE_URL). Run directly, `npx playwright test` starts the static server itself.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './src/node/chromium';

const external = process.env.E2E_BASE_URL;
const PORT = 4179;

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: /.*\.spec\.ts$/,
  // One worker: WebGL runs on the CPU here, and the machine is shared.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  use: {
    baseURL: external ?? `http://127.0.0.1:${PORT}`,
    viewport: { width: 1440, height: 900 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  webServer: external
    ? undefined
    : {
        command: `node src/node/staticServer.mjs --root dist --port ${PORT}`,
        url: `http://127.0.0.1:${PORT}`,
        reuseExistingServer: true,
      },
});
