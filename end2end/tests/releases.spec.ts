// Releases and reviews in the browser: a release proposal that sees a breaking change; a developer
// releases and asks for a review, a reviewer comments on a line and approves, only the approved
// release deploys to a protected target; the author of a release cannot approve it.
import { expect, test, type Page } from '@playwright/test';
import { buildHead, createApp, ensureUser, signIn, signedInPage, waitForHydration } from './helpers';

function collectErrors(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('status of 409') && !m.text().includes('status of 403')) errors.push(m.text()); });
  return errors;
}

/** Saves install.json changed by `change` on top of the head. */
async function editInstall(page: Page, slug: string, change: (install: any) => void) {
  const head = (await (await page.request.get(`/api/v1/apps/${slug}/commits?limit=1`)).json()).items[0].revision;
  const install = JSON.parse(await (await page.request.get(`/api/v1/apps/${slug}/files/install.json`)).text());
  change(install);
  const saved = await page.request.post(`/api/v1/apps/${slug}/commits`, {
    data: { base: head, changes: [{ op: 'put', path: 'install.json', content: JSON.stringify(install, null, 2) }] },
  });
  expect(saved.status(), await saved.text()).toBe(201);
}

// Builds run inside these journeys: more time than the default.
test.describe.configure({ timeout: 120_000 });

test('a release proposal shows a breaking change and asks for a major version', async ({ browser }) => {
  const password = await ensureUser((await browser.newContext()).request, 'devon', 'developer');
  const dev = await signedInPage(browser, 'devon', password);
  const errors = collectErrors(dev);
  const { slug } = await createApp(dev, 'Breaking Journey');
  expect((await dev.request.post(`/api/v1/apps/${slug}/releases`)).status()).toBe(201);
  await editInstall(dev, slug, (install) => {
    install.programVersion = '1.1.0';
    install.playbook.outputVariables = install.playbook.outputVariables.slice(0, 1);
  });

  await dev.goto(`/apps/${slug}/releases`);
  await waitForHydration(dev);
  await expect(dev.getByTestId('release-version')).toHaveText('1.1.0');
  await expect(dev.getByTestId('suggested-version')).toHaveText('2.0.0');
  const contract = dev.getByTestId('release-form').getByTestId('contract-changes');
  await expect(contract).toHaveAttribute('data-breaking', 'true');
  await expect(contract.locator('[data-kind="output_removed"]')).toContainText('breaking');
  await expect(dev.getByTestId('release-problems')).toContainText('2.0.0');
  await expect(dev.getByTestId('release-notes')).toHaveValue(/\*\*Breaking:\*\* output/);

  // The same changes beside the code diff on the compare page…
  const history = (await (await dev.request.get(`/api/v1/apps/${slug}/commits`)).json()).items;
  await dev.goto(`/apps/${slug}/compare?from=${history[1].revision}&to=${history[0].revision}`);
  await waitForHydration(dev);
  await expect(dev.getByTestId('contract-changes')).toHaveAttribute('data-bump', 'major');
  // And on the page of the commit that made them.
  await dev.goto(`/apps/${slug}/commits/${history[0].revision}`);
  await waitForHydration(dev);
  await expect(dev.getByTestId('contract-changes').locator('[data-kind="output_removed"]')).toBeVisible();
  expect(errors, 'no page errors').toEqual([]);
  await dev.context().close();
});

test('review request, comment and approval by another user; only approved releases reach a protected target', async ({ page, browser }) => {
  await signIn(page);
  const devPassword = await ensureUser(page.request, 'devon', 'developer');
  const reviewerPassword = await ensureUser(page.request, 'rhea', 'reviewer');
  const dev = await signedInPage(browser, 'devon', devPassword);
  const rhea = await signedInPage(browser, 'rhea', reviewerPassword);
  const errors = [...collectErrors(dev), ...collectErrors(rhea)];
  const { slug } = await createApp(dev, 'Review Journey');
  const approvedBuild = await buildHead(dev, slug);

  // The developer releases 1.0.0 and asks for a review.
  await dev.goto(`/apps/${slug}/releases`);
  await waitForHydration(dev);
  await expect(dev.getByTestId('release-version')).toHaveText('1.0.0');
  await dev.getByTestId('release-button').click();
  const row = dev.locator('[data-testid="release-row"][data-version="1.0.0"]');
  await expect(row.getByTestId('review-state')).toHaveText('not reviewed');
  // Released, the head has nothing new to release: no form, no warning about 1.0.0.
  await expect(dev.getByTestId('release-up-to-date')).toContainText('released as 1.0.0');
  await expect(dev.getByTestId('release-form')).toHaveCount(0);
  await row.getByTestId('ask-review').click();
  await expect(dev).toHaveURL(/\/reviews\/\d+$/);
  const reviewUrl = new URL(dev.url()).pathname;
  await waitForHydration(dev);
  await expect(dev.getByTestId('approve')).toHaveCount(0);

  // The reviewer is told, comments on a line, and approves.
  await rhea.goto('/');
  await waitForHydration(rhea);
  await expect(rhea.getByTestId('unread-count')).toHaveText(/[1-9]/);
  await rhea.getByTestId('nav-reviews').click();
  await rhea.getByTestId('notification').filter({ hasText: slug }).first().getByRole('link').click();
  await expect(rhea).toHaveURL(reviewUrl);
  await waitForHydration(rhea);
  await expect(rhea.getByTestId('review')).toHaveAttribute('data-ready', 'true');
  await rhea.getByTestId('comment-body').fill('Why print here?');
  await rhea.getByTestId('comment-path').fill('app.py');
  await rhea.getByTestId('comment-line').fill('1');
  await rhea.getByTestId('comment-send').click();
  await expect(rhea.getByTestId('comment').last()).toContainText('Why print here?');
  await expect(rhea.getByTestId('comment-anchor').last()).toHaveText('app.py:1');

  // Protect the local target: the unreviewed 1.1.0 is refused, the approved 1.0.0 deploys.
  const protect = await page.request.patch('/api/v1/targets/local', { data: { protected: true } });
  expect(protect.status()).toBe(200);
  try {
    await editInstall(dev, slug, (install) => { install.programVersion = '1.1.0'; });
    const unapprovedBuild = await buildHead(dev, slug);
    expect((await dev.request.post(`/api/v1/apps/${slug}/releases`)).status()).toBe(201);
    await page.goto(`/builds/${unapprovedBuild}`);
    await waitForHydration(page);
    await expect(page.getByTestId('deploy-panel')).toHaveAttribute('data-ready', 'true');
    await page.getByTestId('deploy-button').click();
    await expect(page.getByTestId('error-banner')).toContainText('approved releases');

    await rhea.getByTestId('approve').click();
    await expect(rhea.getByTestId('review-decision')).toContainText('approved');
    await expect(rhea.getByTestId('review-decision')).toContainText('rhea');

    await page.goto(`/builds/${approvedBuild}`);
    await waitForHydration(page);
    await expect(page.getByTestId('deploy-panel')).toHaveAttribute('data-ready', 'true');
    await page.getByTestId('deploy-button').click();
    await expect(page.getByTestId('deployed')).toContainText('succeeded');
    await expect(page.locator('[data-testid="deploy-step"][data-step="review"]')).toContainText('release 1.0.0 is approved');
  } finally {
    await page.request.patch('/api/v1/targets/local', { data: { protected: false } });
  }

  // The author of a release cannot approve it, even as an admin.
  await editInstall(page, slug, (install) => { install.programVersion = '1.2.0'; });
  expect((await page.request.post(`/api/v1/apps/${slug}/releases`)).status()).toBe(201);
  const asked = await page.request.post(`/api/v1/apps/${slug}/releases/1.2.0/reviews`);
  expect(asked.status()).toBe(201);
  const { id } = await asked.json();
  await page.goto(`/reviews/${id}`);
  await waitForHydration(page);
  await expect(page.getByTestId('why-not-decide')).toContainText('someone else');
  await expect(page.getByTestId('approve')).toHaveCount(0);
  expect((await page.request.post(`/api/v1/reviews/${id}/approve`)).status()).toBe(403);
  expect(errors, 'no page errors').toEqual([]);
  await dev.context().close();
  await rhea.context().close();
});
