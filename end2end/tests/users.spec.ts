// The admin's users, on /admin: add one, change the role, disable and enable the account, set a
// new password; the last admin cannot be demoted.
import { expect, test } from '@playwright/test';
import { signIn, waitForHydration } from './helpers';

test('an admin adds a user, changes the role, disables and enables the account and sets a password', async ({ page, request }) => {
  await signIn(page);
  await page.goto('/admin');
  await waitForHydration(page);
  const name = `rita${Date.now() % 100000}`;
  await page.getByTestId('new-user-name').fill(name);
  await page.getByTestId('new-user-role').selectOption('reviewer');
  await page.getByTestId('new-user-password').fill('rita password 1');
  await page.getByTestId('new-user-add').click();
  const row = page.locator(`[data-testid="user-row"][data-user="${name}"]`);
  await expect(row.getByTestId('user-role')).toHaveValue('reviewer');
  const signInAs = async (password: string) =>
    (await request.post('/api/v1/session', { data: { username: name, password } })).status();
  expect(await signInAs('rita password 1')).toBe(200);

  // A new role, kept by the server.
  await row.getByTestId('user-role').selectOption('developer');
  await expect.poll(async () => {
    const users = await (await page.request.get('/api/v1/users?limit=500')).json();
    return users.items.find((u: { username: string }) => u.username === name)?.role;
  }).toBe('developer');

  // Disabled (after a confirmation), the account cannot sign in; enabled again, it can.
  page.once('dialog', (dialog) => dialog.accept());
  await row.getByTestId('user-toggle').click();
  await expect(row).toHaveAttribute('data-disabled', 'true');
  expect(await signInAs('rita password 1')).toBe(401);
  await row.getByTestId('user-toggle').click();
  await expect(row).toHaveAttribute('data-disabled', 'false');
  expect(await signInAs('rita password 1')).toBe(200);

  // A new password replaces the old one.
  await row.getByTestId('user-password-open').click();
  await row.getByTestId('user-password').fill('a brand new password');
  await row.getByTestId('user-password-save').click();
  await expect.poll(() => signInAs('a brand new password')).toBe(200);
  expect(await signInAs('rita password 1')).toBe(401);

  // The last admin stays an admin: the server says why, and the form shows the role unchanged.
  // (The journeys share one server: no other journey may leave a second active admin behind.)
  const everyone = (await (await page.request.get('/api/v1/users?limit=500')).json()).items;
  expect(everyone.filter((u: { role: string; disabled: boolean }) => u.role === 'admin' && !u.disabled)).toHaveLength(1);
  const admin = page.locator('[data-testid="user-row"][data-user="admin"]');
  await admin.getByTestId('user-role').selectOption('developer');
  await expect(page.getByTestId('users').getByTestId('error-banner')).toContainText('at least one active admin must remain');
  await expect(admin.getByTestId('user-role')).toHaveValue('admin');
});
