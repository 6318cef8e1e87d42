// The integration templates in the browser: an on-demand enrichment app created from its template,
// built, deployed and run from the generated form; an alert-processing app that a webhook delivery
// runs, its outputs (TCEntity indicators) on the run's page.
import { expect, test, type Page } from '@playwright/test';
import { buildHead, signIn, waitForHydration } from './helpers';

test.describe.configure({ timeout: 120_000 });

async function createFromTemplate(page: Page, name: string, template: string) {
  await page.goto('/');
  await waitForHydration(page);
  await page.getByTestId('new-app-name').fill(name);
  await page.getByTestId('new-app-template').selectOption(template);
  await page.getByTestId('new-app-create').click();
  await expect(page.getByTestId('app-link').filter({ hasText: name })).toBeVisible();
  const list = await (await page.request.get(`/api/v1/apps?q=${encodeURIComponent(name)}`)).json();
  return list.items[0].slug as string;
}

async function deployHead(page: Page, slug: string) {
  const build = await buildHead(page, slug);
  await page.goto(`/builds/${build}`);
  await waitForHydration(page);
  await expect(page.getByTestId('deploy-panel')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('deploy-button').click();
  await expect(page.getByTestId('deployed')).toContainText('succeeded');
}

test('an enrichment app from its template runs from the generated form', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page);
  const slug = await createFromTemplate(page, 'Enrichment Journey', 'enrichment');
  await deployHead(page, slug);

  await page.goto(`/apps/${slug}/runs`);
  await waitForHydration(page);
  await expect(page.getByTestId('run-form')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('field-indicator').fill('8.8.8.8');
  await page.getByTestId('field-service_url').fill('file:samples/lookup_response.json');
  await page.getByTestId('run-button').click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId('state')).toHaveText('succeeded');
  await expect(page.getByTestId('output-row').filter({ hasText: 'enrichment_journey.results.related!TCEntityArray' })).toContainText('dns.google');
  await expect(page.getByTestId('output-row').filter({ hasText: 'enrichment_journey.results.score!String' })).toContainText('12');
  expect(errors).toEqual([]);
});

test('an alert posted to the webhook of an alert-processing app shows up as outputs', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page);
  const slug = await createFromTemplate(page, 'Alert Journey', 'alert-processing');
  await deployHead(page, slug);

  await page.goto(`/apps/${slug}/runs`);
  await waitForHydration(page);
  await expect(page.getByTestId('run-form')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('hook-inputs').fill('{"min_severity": "medium"}');
  await page.getByTestId('hook-enable').click();
  const address = page.getByTestId('hook-url').locator('code');
  await expect(address).toContainText('/hooks/whk_');
  const path = new URL((await address.textContent())!).pathname;
  const alert = { title: 'Beaconing', severity: 'critical', source: 'edr', description: 'ws-1 called 203.0.113.7' };
  expect((await page.request.post(path, { data: alert })).status()).toBe(202);

  await expect.poll(async () => {
    const runs = await (await page.request.get(`/api/v1/apps/${slug}/runs`)).json();
    return runs.items[0]?.status;
  }, { timeout: 30_000 }).toBe('succeeded');
  await page.reload();
  await waitForHydration(page);
  await page.getByTestId('run-row').first().getByRole('link').first().click();
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  await expect(page.getByTestId('output-row').filter({ hasText: 'alert_journey.results.alert.severity' })).toContainText('critical');
  await expect(page.getByTestId('output-row').filter({ hasText: 'alert_journey.indicators!TCEntityArray' })).toContainText('203.0.113.7');
  expect(errors).toEqual([]);
});
