// Snippets (issue 9): a user's own snippet, shared with the team, offered by the snippet picker
// (Ctrl+J) and the completion list; the selection saved as a new snippet; and a lint finding in a
// build's log linking to the guide section that explains it.
import { expect, test } from '@playwright/test';
import { buildHead, createApp, ensureUser, openEditor, signIn, signedInPage, waitForHydration } from './helpers';

const appPy = (page: import('@playwright/test').Page) =>
  page.evaluate(() => (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/app.py').getValue());

test('a shared snippet is inserted from the picker and the completion list, and a selection becomes a snippet', async ({ page, browser }) => {
  const password = await ensureUser(page.request, 'snippet-dev', 'developer');
  const reviewerPassword = await ensureUser(page.request, 'snippet-reviewer', 'reviewer');
  await signIn(page, 'snippet-dev', password);

  // Written on the snippets page, shared with everyone.
  await page.goto('/snippets');
  await waitForHydration(page);
  await page.getByTestId('snippet-label').fill('ioc lookup');
  await page.getByTestId('snippet-description').fill('Read the indicator input');
  await page.getByTestId('snippet-body').fill("indicator = str(self.inputs.get('${1:indicator}') or '').strip()");
  await page.getByTestId('snippet-shared').check();
  await page.getByTestId('snippet-save').click();
  const row = page.locator('[data-testid="snippet-row"][data-label="ioc lookup"]');
  await expect(row).toContainText('shared');
  await expect(row).toContainText('you');

  // The picker: filtered by name, previewed, inserted at the cursor with its Tab stop filled.
  const { slug } = await createApp(page, 'Snippet Picker');
  await openEditor(page, slug, 'app.py');
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+j');
  await expect(page.getByTestId('snippet-picker')).toBeVisible();
  await expect(page.getByTestId('snippet-picker-item').filter({ hasText: 'built-in' }).first()).toBeVisible();
  await page.getByTestId('snippet-picker-input').fill('ioc');
  await expect(page.getByTestId('snippet-picker-item')).toHaveCount(1);
  await expect(page.getByTestId('snippet-picker-item')).toContainText('mine');
  await expect(page.getByTestId('snippet-preview')).toContainText("self.inputs.get('${1:indicator}')");
  await page.getByTestId('snippet-picker-input').press('Enter');
  await expect(page.getByTestId('snippet-picker')).toHaveCount(0);
  await expect.poll(() => appPy(page)).toContain("indicator = str(self.inputs.get('indicator') or '').strip()");

  // The completion list offers it too.
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('ioc');
  await page.keyboard.press('Control+Space');
  await expect(page.locator('.suggest-widget .monaco-list-row').filter({ hasText: 'ioc lookup' }).first()).toBeVisible();
  await page.keyboard.press('Escape');

  // Select a line and keep it as a private snippet: it joins the picker at once.
  await page.evaluate(() => {
    const monaco = (window as any).monaco;
    const editor = monaco.editor.getEditors()[0];
    const model = editor.getModel();
    model.setValue(model.getValue() + "\nprint(f'looked up {indicator}', flush=True)\n");
    const line = model.getLineCount() - 1;
    editor.setSelection(new monaco.Selection(line, 1, line, model.getLineMaxColumn(line)));
  });
  await page.getByTestId('snippet-picker-button').click();
  await page.getByTestId('snippet-save-selection').click();
  await expect(page.getByTestId('snippet-save-form')).toContainText("print(f'looked up {indicator}', flush=True)");
  await page.getByTestId('snippet-save-label').fill('log lookup');
  await page.getByTestId('snippet-save-submit').click();
  await expect(page.getByTestId('snippet-picker-notice')).toHaveText('Saved “log lookup”.');
  await page.getByTestId('snippet-picker-input').fill('log lookup');
  await expect(page.getByTestId('snippet-picker-item')).toHaveCount(1);
  await page.keyboard.press('Escape');

  // A reviewer sees the shared snippet but not the private one, and gets no form.
  const reviewer = await signedInPage(browser, 'snippet-reviewer', reviewerPassword);
  await reviewer.goto('/snippets');
  await waitForHydration(reviewer);
  await expect(reviewer.locator('[data-testid="snippet-row"][data-label="ioc lookup"]')).toContainText('snippet-dev');
  await expect(reviewer.locator('[data-testid="snippet-row"][data-label="log lookup"]')).toHaveCount(0);
  await expect(reviewer.getByTestId('snippet-form')).toHaveCount(0);
  await reviewer.context().close();

  // The owner removes it.
  await page.goto('/snippets');
  await waitForHydration(page);
  page.once('dialog', (dialog) => dialog.accept());
  await row.getByTestId('snippet-delete').click();
  await expect(row).toHaveCount(0);
});

test("a lint finding in a build's log links to the guide section that explains it", async ({ page }) => {
  await signIn(page);
  const { slug, head } = await createApp(page, 'Lint Links');
  const original = await (await page.request.get(`/api/v1/apps/${slug}/files/app.py`)).text();
  const changes = [{ op: 'put', path: 'app.py', content: `import os\n${original}` }];
  const saved = await page.request.post(`/api/v1/apps/${slug}/commits`, { data: { base: head, changes } });
  expect(saved.status(), await saved.text()).toBe(201);
  const id = await buildHead(page, slug);
  await page.goto(`/builds/${id}`);
  await waitForHydration(page);
  const finding = page.locator('.log-line').filter({ hasText: 'F401' });
  await expect(finding).toBeVisible();
  await expect(finding.getByTestId('log-guide')).toHaveAttribute('href', '/guides/python-checks#pyflakes');
  await finding.getByTestId('log-guide').click();
  await expect(page).toHaveURL(/\/guides\/python-checks#pyflakes$/);
  await expect(page.locator('h2#pyflakes')).toBeVisible();
});
