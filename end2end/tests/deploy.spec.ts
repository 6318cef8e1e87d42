// Deploy and run in the browser: an admin deploys a succeeded build from its page, runs the app
// from the form generated from install.json, sees the outputs as playbook variables, runs it
// again, saves a run as a test case that passes, and rolls back to the previous deployment.
import { expect, test, type Page } from '@playwright/test';
import { buildHead, createApp, ensureUser, signIn, signedInPage, waitForHydration } from './helpers';

test('an admin deploys a build, runs the app from the generated form and rolls back', async ({ page }) => {
  await signIn(page);
  const { slug, head } = await createApp(page, 'Deploy Journey');
  const first = await buildHead(page, slug);

  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`/builds/${first}`);
  await waitForHydration(page);
  await expect(page.getByTestId('deploy-panel')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('deploy-button').click();
  await expect(page.getByTestId('deployed')).toContainText('succeeded');
  await expect(page.locator('[data-testid="deploy-step"][data-step="contract"]')).toHaveAttribute('data-status', 'skipped');
  await expect(page.locator('[data-testid="deploy-step"][data-step="install"]')).toHaveAttribute('data-status', 'succeeded');

  await page.goto(`/apps/${slug}/runs`);
  await waitForHydration(page);
  await expect(page.getByTestId('live-version')).toHaveText('1.0.0');
  await expect(page.getByTestId('run-form')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('field-upper_case')).toBeVisible();
  await page.getByTestId('field-text').fill('  hello from the form ');
  await page.getByTestId('field-upper_case').check();
  await page.getByTestId('run-button').click();

  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await waitForHydration(page);
  await expect(page.getByTestId('state')).toHaveText('succeeded');
  await expect(page.getByTestId('exit-message')).toHaveText('Processed 19 characters.');
  const variable = page.getByTestId('output-row').filter({ hasText: 'deploy_journey.results.text!String' });
  await expect(variable).toContainText('HELLO FROM THE FORM');
  await expect(variable).toContainText(/#App:\d+:deploy_journey\.results\.text!String/);
  const firstRun = page.url();
  await page.getByTestId('run-again').click();
  await expect(page).not.toHaveURL(firstRun);
  await expect(page.getByTestId('state')).toHaveText('succeeded');

  // The run becomes a test case, which passes against the live build.
  await waitForHydration(page);
  await page.getByTestId('save-test-case').click();
  await page.getByTestId('test-name').fill('upper-cases the text');
  await page.getByTestId('test-save').click();
  await expect(page.getByTestId('test-saved')).toContainText('upper-cases the text');
  await page.goto(`/apps/${slug}/runs`);
  await waitForHydration(page);
  const testCase = page.locator('[data-testid="test-case"][data-name="upper-cases the text"]');
  await expect(testCase).toContainText('HELLO FROM THE FORM');
  await page.getByTestId('run-tests').click();
  await expect(testCase.getByTestId('verdict')).toHaveText('passed');

  // A second version (1.1.0, no contract change) deploys; rollback brings 1.0.0 back.
  const file = await page.request.get(`/api/v1/apps/${slug}/files/install.json`);
  const install = JSON.parse(await file.text());
  install.programVersion = '1.1.0';
  const saved = await page.request.post(`/api/v1/apps/${slug}/commits`, {
    data: { base: head, changes: [{ op: 'put', path: 'install.json', content: JSON.stringify(install, null, 2) }] },
  });
  expect(saved.status()).toBe(201);
  const second = await buildHead(page, slug);
  const deployed = await page.request.post('/api/v1/deployments', { data: { build: second, target: 'local' } });
  expect(deployed.status()).toBe(202);

  await page.goto(`/apps/${slug}/deployments`);
  await waitForHydration(page);
  const live = page.locator('[data-testid="deployment-row"][data-live="true"]');
  await expect(live.getByTestId('deployment-version')).toHaveText('1.1.0');
  // It asks first, naming where it goes back to.
  let asked = '';
  page.once('dialog', (dialog) => { asked = dialog.message(); dialog.accept(); });
  await live.getByTestId('rollback').click();
  await expect(page.locator('[data-testid="deployment-row"][data-live="true"]').getByTestId('deployment-version')).toHaveText('1.0.0');
  expect(asked).toMatch(/^Roll back local from 1\.1\.0 \(#\d+\) to 1\.0\.0 \(#\d+\)\?$/);
  await expect(page.getByTestId('deployment-row').first()).toContainText('rollback of');
  expect(errors, 'no hydration or script errors on any page').toEqual([]);
});

test('the admin page lists targets and the audit log; others are refused', async ({ page, browser }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(page);
  await createApp(page, 'Audited Journey');
  await page.goto('/');
  await waitForHydration(page);
  await page.getByTestId('nav-admin').click();
  await expect(page).toHaveURL('/admin');
  await expect(page.getByTestId('targets')).toContainText('local');
  const created = page.getByTestId('audit-row').filter({ hasText: 'app.create' }).filter({ hasText: 'audited-journey' });
  await expect(created.first()).toBeVisible();
  // Add a remote target: its secret is stored and never shown; switches change a target.
  await page.getByTestId('target-name').fill('staging');
  await page.getByTestId('target-url').fill('https://appbuilder.example.org');
  await page.getByTestId('target-secret').fill('abt_secret_token_value');
  await page.getByTestId('target-add').click();
  const staging = page.locator('[data-testid="target-row"][data-target="staging"]');
  await expect(staging).toContainText('stored');
  await expect(page.locator('body')).not.toContainText('abt_secret_token_value');
  // Change its URL (the secret left empty stays as it is), then remove it.
  await staging.getByTestId('target-edit').click();
  await expect(page.getByTestId('change-url')).toHaveValue('https://appbuilder.example.org');
  await page.getByTestId('change-url').fill('https://appbuilder2.example.org');
  await page.getByTestId('target-change-save').click();
  await expect(staging).toContainText('https://appbuilder2.example.org');
  await expect(staging).toContainText('stored');
  await expect(page.getByTestId('target-change-form')).toHaveCount(0);
  await staging.getByTestId('target-remove').click();
  await expect(staging).toHaveCount(0);
  const local = page.locator('[data-testid="target-row"][data-target="local"]');
  await local.getByTestId('target-require-tests').check();
  await expect.poll(async () => (await (await page.request.get('/api/v1/targets')).json()).find((t: any) => t.name === 'local').require_tests).toBe(true);
  await local.getByTestId('target-require-tests').uncheck();
  await expect.poll(async () => (await (await page.request.get('/api/v1/targets')).json()).find((t: any) => t.name === 'local').require_tests).toBe(false);

  await page.getByTestId('audit-filter').fill('app.create');
  await expect(page.getByTestId('audit-row').filter({ hasNotText: 'app.create' })).toHaveCount(0);

  const password = await ensureUser(page.request, 'dana', 'developer');
  const dev = await signedInPage(browser, 'dana', password);
  await dev.goto('/admin');
  await expect(dev.getByTestId('error-banner')).toContainText('admin');
  await expect(dev.getByTestId('nav-admin')).toHaveCount(0);
  await dev.context().close();
  expect(errors, 'no hydration or script errors').toEqual([]);
});

test('an admin enables a webhook on the runs page and sees its deliveries and runs', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Hooked Journey');
  const build = await buildHead(page, slug);
  expect((await page.request.post('/api/v1/deployments', { data: { build, target: 'local' } })).status()).toBe(202);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(`/apps/${slug}/runs`);
  await waitForHydration(page);
  await expect(page.getByTestId('run-form')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('hook-inputs').fill('{"text": "from a hook"}');
  await page.getByTestId('hook-enable').click();
  const address = page.getByTestId('hook-url').locator('code');
  await expect(address).toContainText('/hooks/whk_');
  const path = new URL((await address.textContent())!).pathname;

  const delivered = await page.request.post(path, { data: { alert: 1 } });
  expect(delivered.status()).toBe(202);
  const hooks = await (await page.request.get(`/api/v1/apps/${slug}/webhooks`)).json();
  await expect.poll(async () => {
    const list = await (await page.request.get(`/api/v1/webhooks/${hooks[0].id}/deliveries`)).json();
    return list.items[0]?.status;
  }, { timeout: 20_000 }).toBe('dispatched');
  await page.getByTestId('hook-row').first().getByRole('button', { name: /deliveries/ }).click();
  await expect(page.getByTestId('deliveries')).toContainText('POST');
  await expect(page.getByTestId('deliveries')).toContainText('run #');
  expect(errors, 'no hydration or script errors').toEqual([]);
});

test('a developer cancels a running app from its run page', async ({ page }) => {
  await signIn(page);
  const { slug, head } = await createApp(page, 'Cancel Journey');
  const original = await (await page.request.get(`/api/v1/apps/${slug}/files/app.py`)).text();
  const changes = [{ op: 'put', path: 'app.py', content: `import time\ntime.sleep(120)\n${original}` }];
  expect((await page.request.post(`/api/v1/apps/${slug}/commits`, { data: { base: head, changes } })).status()).toBe(201);
  const build = await buildHead(page, slug);
  expect((await page.request.post('/api/v1/deployments', { data: { build, target: 'local' } })).status()).toBe(202);
  const started = await page.request.post(`/api/v1/apps/${slug}/runs`, { data: { inputs: { text: 'x' }, wait: false } });
  expect(started.ok(), await started.text()).toBeTruthy();
  const { id } = await started.json();

  await page.goto(`/runs/${id}`);
  await waitForHydration(page);
  await expect(page.getByTestId('run-cancel')).toBeVisible();
  await page.getByTestId('run-cancel').click();
  // The page shows the run again once it has ended.
  await expect(page.getByTestId('state')).toHaveText('failed', { timeout: 20_000 });
  await expect(page.getByTestId('run-reason')).toHaveText(/^cancelled by admin/);
  await expect(page.getByTestId('run-cancel')).toHaveCount(0);
});
