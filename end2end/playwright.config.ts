// Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against a real
// `appbuilder` server that this config starts on a free port with an empty data directory.
// scripts/test builds the server and the site first and passes the port in E2E_PORT.
import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const port = Number(process.env.E2E_PORT ?? 3400);
const root = path.resolve(__dirname, '..');
const server = process.env.E2E_SERVER_BIN ?? path.join(root, 'target', 'debug', 'appbuilder');
export const adminPassword = 'e2e admin password';

// Only the main process starts the server; workers re-read this file and must not make dirs.
const dataDir = process.env.TEST_WORKER_INDEX === undefined
  ? fs.mkdtempSync(path.join(os.tmpdir(), 'appbuilder-e2e-'))
  : '';

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `"${server}" serve`,
    cwd: root,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      APPBUILDER_ADDR: `127.0.0.1:${port}`,
      APPBUILDER_DATA: dataDir,
      APPBUILDER_ADMIN_PASSWORD: adminPassword,
      APPBUILDER_SITE_ROOT: path.join(root, 'target', 'site'),
      APPBUILDER_LOG: process.env.E2E_SERVER_LOG ?? 'warn',
    },
  },
});
