// Builds in the browser: the Build button in the editor, the build page with its steps, its log
// streaming live and the package download; the builds list; cancelling; reviewers only read.
import { expect, test, type Page } from '@playwright/test';
import * as net from 'node:net';
import { createApp, ensureUser, signIn, signedInPage, waitForHydration } from './helpers';

test('a developer builds from the editor, watches the steps and downloads the package', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Build Journey');
  await page.goto(`/apps/${slug}`);
  await waitForHydration(page);
  await page.getByTestId('build-button').click();

  await expect(page).toHaveURL(/\/builds\/\d+$/);
  await waitForHydration(page);
  await expect(page.getByTestId('build-status')).toHaveText('succeeded', { timeout: 60_000 });
  const steps = page.getByTestId('build-step');
  await expect(steps).toHaveCount(5);
  await expect(steps.nth(0)).toHaveAttribute('data-status', 'succeeded');
  await expect(page.locator('[data-step="dependencies"]')).toHaveAttribute('data-status', 'skipped');
  await expect(page.locator('[data-step="python"]')).toContainText('compile with Python 3.11');
  await expect(page.getByTestId('build-log')).toContainText('compiled 2 of 2 file(s)');
  await expect(page.getByTestId('build-log')).toContainText('All checks passed');

  const downloading = page.waitForEvent('download');
  await page.getByTestId('download-package').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('TCPB_-_Build_Journey_v1.tcx');
  const sha = await page.getByTestId('package-sha256').textContent();
  expect(sha).toMatch(/^[0-9a-f]{64}$/);

  await page.getByTestId('nav-builds').click();
  await expect(page).toHaveURL(`/apps/${slug}/builds`);
  const row = page.getByTestId('build-row').first();
  await expect(row.getByTestId('build-status')).toHaveText('succeeded');
  await expect(row.getByTestId('build-download')).toHaveText('TCPB_-_Build_Journey_v1.tcx');
});

/**
 * An app (made by the signed-in `page`) whose build waits in pip: its requirements name a package
 * on a local index that accepts connections and never answers. `close` lets the build go on.
 */
async function appWithWaitingBuild(page: Page, name: string) {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => { sockets.push(socket); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const close = () => { sockets.forEach((s) => s.destroy()); silent.close(); };
  const port = (silent.address() as net.AddressInfo).port;
  const { slug, head } = await createApp(page, name);
  const changes = [{ op: 'put', path: 'requirements.txt', content: `--index-url http://127.0.0.1:${port}/simple\nsix==1.16.0\n` }];
  const saved = await page.request.post(`/api/v1/apps/${slug}/commits`, { data: { base: head, changes } });
  expect(saved.status()).toBe(201);
  return { slug, close };
}

test('the log streams while a build runs, and Cancel stops it', async ({ page }) => {
  await signIn(page);
  const { slug, close } = await appWithWaitingBuild(page, 'Slow Build');
  try {
    await page.goto(`/apps/${slug}/builds`);
    await waitForHydration(page);
    await page.getByTestId('build-button').click();
    await expect(page).toHaveURL(/\/builds\/\d+$/);
    await waitForHydration(page);

    // Lines arrive while the build is still running.
    await expect(page.getByTestId('build-log')).toContainText('pip install -r requirements.txt', { timeout: 30_000 });
    await expect(page.locator('[data-step="dependencies"]')).toHaveAttribute('data-status', 'running');
    await expect(page.getByTestId('build-status')).toHaveText('running');
    await expect(page.getByTestId('build-connection')).toHaveText('live');

    await page.getByTestId('cancel-build').click();
    await expect(page.getByTestId('build-status')).toHaveText('cancelled', { timeout: 15_000 });
    await expect(page.getByTestId('build-reason')).toHaveText('cancelled by admin');
    await expect(page.locator('[data-step="dependencies"]')).toHaveAttribute('data-status', 'cancelled');
    await expect(page.getByTestId('cancel-build')).toHaveCount(0);
    // The way on from a build that did not succeed: build again, from its own page.
    await expect(page.getByTestId('build-button')).toBeVisible();
  } finally {
    close();
  }
});

test('a build page loaded while its build runs follows the live log to the end', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page);
  const { slug, close } = await appWithWaitingBuild(page, 'Loaded Mid Build');
  try {
    const queued = await page.request.post(`/api/v1/apps/${slug}/builds`);
    expect(queued.status()).toBe(202);
    const { id } = await queued.json();
    // Once the build waits in pip, load its page: the server renders it mid-build.
    await expect.poll(async () => {
      const build = await (await page.request.get(`/api/v1/builds/${id}`)).json();
      return build.steps.find((s: { name: string }) => s.name === 'dependencies')?.status;
    }, { timeout: 30_000 }).toBe('running');
    await page.goto(`/builds/${id}`);
    await waitForHydration(page);
    await expect(page.getByTestId('build-connection')).toHaveText('live');
    await expect(page.getByTestId('build-log')).toContainText('pip install -r requirements.txt');

    // The end arrives through the live log: status, steps and buttons follow without a reload.
    expect((await page.request.post(`/api/v1/builds/${id}/cancel`)).status()).toBe(200);
    await expect(page.getByTestId('build-status')).toHaveText('cancelled', { timeout: 15_000 });
    await expect(page.locator('[data-step="dependencies"]')).toHaveAttribute('data-status', 'cancelled');
    await expect(page.getByTestId('cancel-build')).toHaveCount(0);
    expect(errors).toEqual([]);
  } finally {
    close();
  }
});

test('a reviewer sees builds but has no Build or Cancel button', async ({ page, browser }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Reviewed Build');
  const queued = await page.request.post(`/api/v1/apps/${slug}/builds`);
  expect(queued.status()).toBe(202);
  const { id } = await queued.json();
  const password = await ensureUser(page.request, 'rory', 'reviewer');
  const reviewer = await signedInPage(browser, 'rory', password);
  await reviewer.goto(`/builds/${id}`);
  await waitForHydration(reviewer);
  await expect(reviewer.getByTestId('build-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(reviewer.getByTestId('cancel-build')).toHaveCount(0);
  await reviewer.goto(`/apps/${slug}/builds`);
  await waitForHydration(reviewer);
  await expect(reviewer.getByTestId('build-row')).toHaveCount(1);
  await expect(reviewer.getByTestId('build-button')).toHaveCount(0);
  await reviewer.goto(`/apps/${slug}`);
  await waitForHydration(reviewer);
  await expect(reviewer.getByTestId('ide')).toBeVisible();
  await expect(reviewer.getByTestId('build-button')).toHaveCount(0);
  await reviewer.context().close();
});
