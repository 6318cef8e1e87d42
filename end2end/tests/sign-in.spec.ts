// The walking skeleton's journey: sign in as the admin, see the app list, sign out, and find the
// list out of reach afterwards.
import { expect, test } from '@playwright/test';
import { adminPassword } from '../playwright.config';
import { signIn, waitForHydration } from './helpers';

test('an admin signs in, sees the app list, signs out and cannot reach the list again', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  const first = await page.goto('/');
  expect(first?.status()).toBe(401);
  await waitForHydration(page);
  await expect(page.getByTestId('sign-in-form')).toBeVisible();
  await expect(page.getByTestId('app-list')).toHaveCount(0);

  await page.getByTestId('username').fill('admin');
  await page.getByTestId('password').fill(adminPassword);
  await page.getByTestId('sign-in').click();

  await expect(page.getByTestId('app-list')).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText('admin');
  await expect(page.getByTestId('current-role')).toHaveText('admin');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'appbuilder_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');

  await waitForHydration(page);
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in-form')).toBeVisible();

  const again = await page.goto('/');
  expect(again?.status()).toBe(401);
  await expect(page.getByTestId('app-list')).toHaveCount(0);
  await expect(page.getByTestId('sign-in-form')).toBeVisible();
  const me = await page.request.get('/api/v1/me');
  expect(me.status()).toBe(401);
  expect(pageErrors).toEqual([]);
});

test('a wrong password is refused with a readable message and no session', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await page.getByTestId('username').fill('admin');
  await page.getByTestId('password').fill('not the password');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('sign-in-error')).toHaveText('Wrong user name or password.');
  await expect(page.getByTestId('password')).toHaveValue('');
  await expect(page.getByTestId('password')).toBeFocused();
  await expect(page.getByTestId('app-list')).toHaveCount(0);
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === 'appbuilder_session')).toBeUndefined();
});

test('a new app from a template shows up in the list, and the filter narrows it', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await page.getByTestId('username').fill('admin');
  await page.getByTestId('password').fill(adminPassword);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('new-app-form')).toBeVisible();
  await waitForHydration(page);

  await page.getByTestId('new-app-name').fill('Phishing Triage');
  await page.getByTestId('new-app-template').selectOption('playbook-actions');
  await page.getByTestId('new-app-create').click();
  const row = page.getByTestId('app-row').filter({ hasText: 'Phishing Triage' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('phishing-triage');
  await expect(row).toContainText('Playbook');
  await expect(page.getByTestId('new-app-name')).toHaveValue('');
  await expect(page.getByTestId('new-app-created')).toContainText('phishing-triage');
  await expect(page.getByTestId('new-app-open')).toHaveAttribute('href', /^\/apps\/phishing-triage(-\d+)?$/);

  await page.getByTestId('new-app-name').fill('x');
  await page.getByTestId('new-app-name').evaluate((el: HTMLInputElement) => el.removeAttribute('minlength'));
  await page.getByTestId('new-app-create').click();
  await expect(page.getByTestId('new-app-error')).toContainText('3 to 100 characters');

  await page.getByTestId('app-filter').fill('zzz-no-such-app');
  await expect(page.getByTestId('app-row')).toHaveCount(0);
  await expect(page.getByTestId('app-list')).toContainText('No app matches');
  await page.getByTestId('app-filter').fill('phish');
  await expect(page.getByTestId('app-row')).toHaveCount(1);
});

test('an unknown page or app says so under the usual header, with a way back to the list', async ({ page }) => {
  await signIn(page);
  // An unknown address: 404, the header (no section marked: the page is in none) and a way back.
  const unknown = await page.goto('/no/such/page');
  expect(unknown?.status()).toBe(404);
  await waitForHydration(page);
  await expect(page.getByTestId('current-user')).toHaveText('admin');
  await expect(page.locator('.topnav [aria-current]')).toHaveCount(0);

  // An app that does not exist, in the editor and in its history: one message, not two.
  expect((await page.goto('/apps/no-such-app'))?.status()).toBe(404);
  await expect(page.getByTestId('cannot-show')).toContainText('No app "no-such-app"');
  await page.goto('/apps/no-such-app/history');
  await waitForHydration(page);
  await expect(page.getByTestId('cannot-show')).toContainText('No app "no-such-app"');
  await expect(page.locator('[data-testid="error-banner"]:visible')).toHaveCount(1);
  await page.getByTestId('back-to-apps').click();
  await expect(page.getByTestId('app-list')).toBeVisible();
  await expect(page.getByTestId('nav-apps')).toHaveAttribute('aria-current', 'true');
  await page.getByTestId('nav-guides').click();
  await expect(page.getByTestId('nav-guides')).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('nav-apps')).not.toHaveAttribute('aria-current');
});
