// The editor: open an app, edit with Monaco, save with Ctrl+S, keep unsaved work across a reload,
// files and tabs, and the conflict view when two people save the same file.
import { expect, test } from '@playwright/test';
import { createApp, diffModelText, ensureUser, modelText, openEditor, signIn, signedInPage, typeAtEnd, waitForHydration } from './helpers';

test('a developer creates an app, edits app.py, saves with Ctrl+S, sees the commit and its diff in history, and restores the previous version', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
  await page.addInitScript(() => { (Error as any).stackTraceLimit = 60; });
  await signIn(page);
  await page.goto('/');
  await waitForHydration(page);
  await page.getByTestId('new-app-name').fill('Editor Journey');
  await page.getByTestId('new-app-template').selectOption('playbook-basic');
  await page.getByTestId('new-app-create').click();
  await page.getByTestId('app-link').filter({ hasText: 'Editor Journey' }).click();

  await expect(page.getByTestId('ide')).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId('tree-file').filter({ hasText: 'install.json' })).toBeVisible();
  await page.getByTestId('tree-file').filter({ hasText: 'app.py' }).first().click();
  await page.waitForFunction(() => (window as any).monaco?.editor.getModels().some((m: any) => m.uri.path === '/app.py'));
  const before = await modelText(page, 'app.py');
  expect(before).toContain('def ');

  await typeAtEnd(page, '\n# reviewed by the editor journey\n');
  const tab = page.getByTestId('tab').filter({ hasText: 'app.py' });
  await expect(tab.getByTestId('tab-dirty')).toBeVisible();
  await expect(page.getByTestId('save-button')).toHaveText('Save 1 change');
  await page.getByTestId('commit-message').fill('Note the review');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toContainText('Saved as');
  await expect(tab.getByTestId('tab-dirty')).toBeHidden();

  const history = await page.request.get('/api/v1/apps/editor-journey/commits?limit=1');
  const latest = (await history.json()).items[0];
  expect(latest.message).toBe('Note the review');
  expect(latest.author.name).toBe('admin');
  const file = await page.request.get('/api/v1/apps/editor-journey/files/app.py');
  expect(await file.text()).toContain('# reviewed by the editor journey');
  await expect(page.getByTestId('status-revision')).toHaveText(latest.revision.slice(0, 8));

  // History: the new commit is on top; its page shows the change in the diff editor.
  await page.getByTestId('nav-history').click();
  const rows = page.getByTestId('commit-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('Note the review');
  await expect(rows.first()).toContainText('admin');
  await expect(rows.first()).toContainText('1 file');
  await rows.first().getByTestId('commit-link').click();
  await expect(page.getByTestId('commit-subject')).toHaveText('Note the review');
  await expect(page.getByTestId('diff-file')).toHaveCount(1);
  await expect(page.getByTestId('diff-file')).toHaveAttribute('data-path', 'app.py');
  expect(await diffModelText(page, 'original', 'app.py')).not.toContain('# reviewed by the editor journey');
  expect(await diffModelText(page, 'modified', 'app.py')).toContain('# reviewed by the editor journey');
  await page.getByTestId('diff-inline').click();
  await expect(page.getByTestId('diff-inline')).toHaveAttribute('aria-pressed', 'true');

  // A filter that matches nothing says so and offers the way back.
  await page.goto('/apps/editor-journey/history?author=nobody-at-all');
  await waitForHydration(page);
  await expect(page.getByTestId('history-none')).toContainText('No versions match');
  await page.getByTestId('filter-clear').click();
  await expect(page.getByTestId('commit-row')).toHaveCount(2);

  // Restore the first version: a new commit whose app.py is the template's again.
  await page.goto('/apps/editor-journey/history');
  await waitForHydration(page);
  await page.getByTestId('commit-row').last().getByTestId('commit-link').click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId('restore').click();
  await expect(page.getByTestId('commit-row')).toHaveCount(3);
  await expect(page.getByTestId('commit-row').first()).toContainText('Restore');
  const restored = await page.request.get('/api/v1/apps/editor-journey/files/app.py');
  expect(await restored.text()).toBe(before);

  // Compare any two versions: the edited one and the restored one differ in app.py; the first
  // and the restored one do not differ at all.
  const first = await page.getByTestId('commit-row').last().getAttribute('data-revision');
  await page.getByTestId('compare-selected').click();
  await expect(page.getByTestId('diff-file')).toHaveCount(1);
  await page.getByTestId('compare-from').selectOption(first!);
  await expect(page.getByTestId('diff-view')).toContainText('No file differs');
  await expect(page.getByTestId('diff-file')).toHaveCount(0);

  // Blame names the commit that added the line.
  await page.goto('/apps/editor-journey/blame?path=app.py&rev=' + latest.revision);
  const blamed = page.getByTestId('blame-line').filter({ hasText: '# reviewed by the editor journey' });
  await expect(blamed).toBeVisible();
  await expect(blamed).toHaveAttribute('data-revision', latest.revision);
  expect(errors).toEqual([]);
});

test('a reviewer browses an old version read-only and sees no Restore', async ({ browser }) => {
  const password = await ensureUser((await browser.newContext()).request, 'rick', 'reviewer');
  const admin = await signedInPage(browser, 'admin', (await import('../playwright.config')).adminPassword);
  const { slug, head } = await createApp(admin, 'Old Versions');
  const saved = await admin.request.post(`/api/v1/apps/${slug}/commits`, {
    data: { base: head, message: 'second', changes: [{ op: 'put', path: 'notes.md', content: 'hello' }] },
  });
  expect(saved.status()).toBe(201);
  const rick = await signedInPage(browser, 'rick', password);
  await rick.goto(`/apps/${slug}/commits/${head}`);
  await waitForHydration(rick);
  await expect(rick.getByTestId('commit-subject')).toBeVisible();
  await expect(rick.getByTestId('restore')).toHaveCount(0);
  await rick.getByTestId('browse-version').click();
  await expect(rick.getByTestId('read-only-banner')).toBeVisible();
  await expect(rick.getByTestId('tree-file').filter({ hasText: 'notes.md' })).toHaveCount(0);
  const refused = await rick.request.post(`/api/v1/apps/${slug}/restore`, { data: { rev: head, base: head } });
  expect(refused.status()).toBe(403);
});

test('unsaved edits survive a reload and can be discarded', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Draft Keeper');
  await openEditor(page, slug, 'app.py');
  await typeAtEnd(page, '\n# draft line\n');
  await expect(page.getByTestId('tab-dirty').first()).toBeVisible();

  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('save-state')).toContainText('Restored 1 unsaved change');
  await page.waitForFunction(() => (window as any).monaco?.editor.getModels().some((m: any) => m.uri.path === '/app.py'));
  expect(await modelText(page, 'app.py')).toContain('# draft line');

  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId('discard-button').click();
  await expect(page.getByTestId('save-button')).toHaveText('Saved');
  expect(await modelText(page, 'app.py')).not.toContain('# draft line');
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('save-state')).not.toContainText('Restored');
});

test('files are created, renamed and deleted in the tree and saved as one commit; Ctrl+P opens a file', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Tree Work');
  await openEditor(page, slug, 'app.py');

  await page.getByTestId('new-file').click();
  await page.getByTestId('tree-input').fill('lib/helpers.py');
  await page.getByTestId('tree-input').press('Enter');
  await expect(page.getByTestId('tab').filter({ hasText: 'helpers.py' })).toBeVisible();
  await page.waitForFunction(() => (window as any).monaco?.editor.getModels().some((m: any) => m.uri.path === '/lib/helpers.py'));
  await typeAtEnd(page, 'VALUE = 1\n');

  await page.getByTestId('tree-file').filter({ hasText: 'README.md' }).click();
  await page.getByTestId('rename').click();
  await page.getByTestId('tree-input').fill('docs/README.md');
  await page.getByTestId('tree-input').press('Enter');
  await expect(page.getByTestId('tree-file').filter({ hasText: 'README.md' })).toHaveAttribute('data-path', 'docs/README.md');

  await page.getByTestId('tree-file').filter({ hasText: 'requirements.txt' }).click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId('delete').click();
  await expect(page.getByTestId('deleted-files')).toContainText('requirements.txt');

  await page.getByTestId('new-file').click();
  await page.getByTestId('tree-input').fill('../escape.py');
  await page.getByTestId('tree-input').press('Enter');
  await expect(page.getByTestId('error-banner')).toBeVisible();
  await page.getByTestId('tree-input').press('Escape');

  await expect(page.getByTestId('save-button')).toHaveText('Save 3 changes');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toContainText('Saved as');
  const tree = await (await page.request.get(`/api/v1/apps/${slug}/tree`)).json();
  const paths = tree.entries.map((e: { path: string }) => e.path);
  expect(paths).toContain('lib/helpers.py');
  expect(paths).toContain('docs/README.md');
  expect(paths).not.toContain('README.md');
  expect(paths).not.toContain('requirements.txt');
  const history = await (await page.request.get(`/api/v1/apps/${slug}/commits?limit=5`)).json();
  expect(history.items.length).toBe(2);

  await page.keyboard.press('Control+p');
  await page.getByTestId('quick-open-input').fill('inst');
  await page.getByTestId('quick-open-input').press('Enter');
  await expect(page.getByTestId('tab').filter({ hasText: 'install.json' })).toHaveAttribute('aria-selected', 'true');
});

test('two people save the same file: the second lands in the conflict view with both texts intact', async ({ browser }) => {
  const devPassword = await ensureUser((await browser.newContext()).request, 'dana', 'developer');
  const alice = await signedInPage(browser, 'admin', (await import('../playwright.config')).adminPassword);
  const dana = await signedInPage(browser, 'dana', devPassword);
  const { slug } = await createApp(alice, 'Shared Work');

  await openEditor(alice, slug, 'app.py');
  await openEditor(dana, slug, 'app.py');
  await typeAtEnd(alice, '\n# alice was here\n');
  await typeAtEnd(dana, '\n# dana was here\n');

  await alice.keyboard.press('Control+s');
  await expect(alice.getByTestId('save-state')).toContainText('Saved as');
  await dana.keyboard.press('Control+s');
  await expect(dana.getByTestId('conflict-view')).toBeVisible();
  expect(await diffModelText(dana, 'theirs', 'app.py')).toContain('# alice was here');
  const mine = await diffModelText(dana, 'mine', 'app.py');
  expect(mine).toContain('# dana was here');
  expect(mine).not.toContain('# alice was here');

  await dana.getByTestId('keep-mine').click();
  await expect(dana.getByTestId('conflict-view')).toBeHidden();
  await dana.keyboard.press('Control+s');
  await expect(dana.getByTestId('save-state')).toContainText('Saved as');
  const file = await (await dana.request.get(`/api/v1/apps/${slug}/files/app.py`)).text();
  expect(file).toContain('# dana was here');
  const history = await (await dana.request.get(`/api/v1/apps/${slug}/commits`)).json();
  expect(history.items.length).toBe(3);
});

test('a reviewer gets a read-only editor, and the server refuses their save anyway', async ({ browser }) => {
  const password = await ensureUser((await browser.newContext()).request, 'rita', 'reviewer');
  const admin = await signedInPage(browser, 'admin', (await import('../playwright.config')).adminPassword);
  const { slug, head } = await createApp(admin, 'Reviewed App');
  const rita = await signedInPage(browser, 'rita', password);
  await openEditor(rita, slug, 'app.py');
  await expect(rita.getByTestId('reviewer-banner')).toBeVisible();
  await expect(rita.getByTestId('save-button')).toHaveCount(0);
  await expect(rita.getByTestId('new-file')).toHaveCount(0);
  await typeAtEnd(rita, 'x = 1\n');
  expect(await modelText(rita, 'app.py')).not.toContain('x = 1');
  const refused = await rita.request.post(`/api/v1/apps/${slug}/commits`, {
    data: { base: head, message: 'sneaky', changes: [{ op: 'put', path: 'app.py', content: 'x' }] },
  });
  expect(refused.status()).toBe(403);
});

test('the editor page runs its own bundle: links into it and out of it load the right one, its header works, and a signed-out visitor gets the sign-in form', async ({ page, browser }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const bundles: string[] = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.split('/').pop()!;
    if (name.endsWith('_bg.wasm')) bundles.push(name);
  });
  await signIn(page);
  const { slug } = await createApp(page, 'Bundle Journey');

  // From the app list (main bundle), the link to the editor loads the page with the editor's bundle.
  await page.goto('/');
  await waitForHydration(page);
  expect(bundles).toEqual(['appbuilder_bg.wasm']);
  await page.getByTestId('app-link').filter({ hasText: 'Bundle Journey' }).click();
  await expect(page.getByTestId('ide')).toBeVisible();
  await waitForHydration(page);
  expect(bundles).toEqual(['appbuilder_bg.wasm', 'editor_bg.wasm']);
  await expect(page).toHaveURL(new RegExp(`/apps/${slug}$`));
  await expect(page.getByTestId('current-user')).toHaveText('admin');

  // Out to the history (main bundle) and back to the code (editor bundle), each a page of its own.
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('commit-row')).toHaveCount(1);
  await waitForHydration(page);
  expect(bundles.at(-1)).toBe('appbuilder_bg.wasm');
  await page.getByTestId('nav-code').click();
  await expect(page.getByTestId('ide')).toBeVisible();
  await waitForHydration(page);
  expect(bundles.at(-1)).toBe('editor_bg.wasm');
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/apps/${slug}/history$`));
  await expect(page.getByTestId('commit-row')).toHaveCount(1);

  // An app name that does not decode: a readable error, not a page stuck on its loading line.
  await page.goto('/apps/%E0%A4');
  await waitForHydration(page);
  await expect(page.getByTestId('error-banner')).toContainText('does not name an app');

  // The header the editor bundle draws works: signing out there leads to the sign-in form.
  await page.goto(`/apps/${slug}`);
  await waitForHydration(page);
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in-form')).toBeVisible();
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);

  // Signed out, the editor's address shows the sign-in form (the main bundle's page).
  const visitor = await browser.newPage();
  const response = await visitor.goto(`/apps/${slug}`);
  expect(response?.status()).toBe(401);
  await waitForHydration(visitor);
  await expect(visitor.getByTestId('sign-in-form')).toBeVisible();
  await expect(visitor.getByTestId('ide')).toHaveCount(0);
  expect(errors).toEqual([]);
});
