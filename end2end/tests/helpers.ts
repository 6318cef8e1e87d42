// What several browser journeys share: signing in, making users and apps through the public API,
// and reading or typing into Monaco.
import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { adminPassword } from '../playwright.config';

/** Waits until the wasm has hydrated the page (the client marks <body>). */
export async function waitForHydration(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs `page`'s browser context in through the API (the cookie is shared with the page). */
export async function signIn(page: Page, username = 'admin', password = adminPassword) {
  const response = await page.request.post('/api/v1/session', { data: { username, password } });
  expect(response.status(), `sign in as ${username}`).toBe(200);
}

/** Makes a user with `role` (as the admin) unless it exists; returns its password. */
export async function ensureUser(request: APIRequestContext, username: string, role: string) {
  const password = `${username} password 123`;
  const signIn = await request.post('/api/v1/session', { data: { username: 'admin', password: adminPassword } });
  expect(signIn.status()).toBe(200);
  const made = await request.post('/api/v1/users', { data: { username, password, role } });
  expect([201, 409, 400]).toContain(made.status());
  return password;
}

/** Creates an app from `template` through the API as the signed-in user; returns its slug and head. */
export async function createApp(page: Page, name: string, template = 'playbook-basic') {
  const response = await page.request.post('/api/v1/apps', { data: { name, template } });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { slug: string; head: string };
}

/** A new browser context signed in as `username`. */
export async function signedInPage(browser: Browser, username: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, username, password);
  return page;
}

/** Opens the editor of `slug` and waits until Monaco shows `path`. */
export async function openEditor(page: Page, slug: string, path: string) {
  await page.goto(`/apps/${slug}?path=${encodeURIComponent(path)}`);
  await waitForHydration(page);
  await expect(page.getByTestId('tab').filter({ hasText: path.split('/').pop()! })).toBeVisible();
  await page.waitForFunction((p) => {
    const monaco = (window as any).monaco;
    return !!monaco && monaco.editor.getModels().some((m: any) => m.uri.path === `/${p}`);
  }, path);
}

/** The text of the Monaco model named `name` (a file path, or e.g. `conflict/mine/app.py`). */
export async function modelText(page: Page, name: string): Promise<string | null> {
  return page.evaluate((n) => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === `/${n}`);
    return model ? model.getValue() : null;
  }, name);
}

/** Types `text` at the end of the file shown in the editor. */
export async function typeAtEnd(page: Page, text: string) {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

/** The text of the newest diff-editor model `<label>/<n>/<path>` (labels: original, modified, theirs, mine). */
export async function diffModelText(page: Page, label: string, path: string): Promise<string | null> {
  const pattern = `^/${label}/(\\d+)/${path.replace(/[.]/g, '\\.')}$`;
  await page.waitForFunction((p) => (window as any).monaco?.editor.getModels().some((m: any) => new RegExp(p).test(m.uri.path)), pattern);
  return page.evaluate((p) => {
    const matching = (window as any).monaco.editor.getModels().filter((m: any) => new RegExp(p).test(m.uri.path));
    const newest = matching.sort((a: any, b: any) => Number(new RegExp(p).exec(b.uri.path)![1]) - Number(new RegExp(p).exec(a.uri.path)![1]))[0];
    return newest ? newest.getValue() : null;
  }, pattern);
}

/** Builds the app's head through the API and waits until it succeeds; the build id. */
export async function buildHead(page: Page, slug: string) {
  const queued = await page.request.post(`/api/v1/apps/${slug}/builds`);
  expect(queued.status()).toBe(202);
  const { id } = await queued.json();
  await expect.poll(async () => (await (await page.request.get(`/api/v1/builds/${id}`)).json()).status, { timeout: 60_000 }).toBe('succeeded');
  return id as number;
}
