// Validation as you type: the metadata rules run in the browser on every keystroke, show as
// squiggles and in the problems panel, jump to the spot, and repair with one click.
import { expect, test } from '@playwright/test';
import { createApp, openEditor, signIn } from './helpers';

test('breaking install.json shows the problem at once, and its quick fix repairs it', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Live Checks', 'playbook-actions');
  await openEditor(page, slug, 'install.json');
  await expect(page.getByTestId('error-count')).toHaveText('✕ 0');

  // Make programVersion "1.0" through the editor's model (what typing does).
  await page.evaluate(() => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/install.json');
    model.setValue(model.getValue().replace(/"programVersion": "[^"]*"/, '"programVersion": "1.0"'));
  });
  await expect(page.getByTestId('error-count')).toHaveText('✕ 1');
  const markers = await page.evaluate(() => {
    const monaco = (window as any).monaco;
    return monaco.editor.getModelMarkers({ owner: 'appbuilder' }).map((m: any) => m.code);
  });
  expect(markers).toContain('install.program_version.format');

  await page.getByTestId('problems-toggle').click();
  const problem = page.locator('[data-testid="problem"][data-code="install.program_version.format"]');
  await expect(problem).toContainText('X.Y.Z');
  await problem.getByTestId('problem-fix').click();
  await expect(page.getByTestId('error-count')).toHaveText('✕ 0');
  const text = await page.evaluate(() => (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/install.json').getValue());
  expect(text).toContain('"programVersion": "1.0.0"');
  await expect(page.getByTestId('tab').filter({ hasText: 'install.json' }).getByTestId('tab-dirty')).toBeVisible();

  // A layout display clause naming an unknown input is caught too, and the row jumps to it.
  await page.getByTestId('tree-file').filter({ hasText: 'layout.json' }).click();
  await page.waitForFunction(() => (window as any).monaco.editor.getModels().some((m: any) => m.uri.path === '/layout.json'));
  await page.evaluate(() => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/layout.json');
    const value = JSON.parse(model.getValue());
    value.inputs[value.inputs.length - 1].parameters[0].display = "no_such_input = 'x'";
    model.setValue(JSON.stringify(value, null, 2));
  });
  const display = page.locator('[data-code="layout.display.invalid"]');
  await expect(display).toContainText('no_such_input');
  await page.getByTestId('tab').filter({ hasText: 'install.json' }).click();
  await display.locator('.problem-go').click();
  await expect(page.getByTestId('tab').filter({ hasText: 'layout.json' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('status-cursor')).not.toHaveText('Ln 1, Col 1');
});

test('a Python syntax error shows while typing (checked by the server, never run)', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Python Checks', 'playbook-basic');
  await openEditor(page, slug, 'app.py');
  await page.evaluate(() => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/app.py');
    model.setValue('def broken(:\n    pass\n');
  });
  await page.getByTestId('problems-toggle').click();
  const problem = page.locator('[data-testid="problem"][data-code="python.syntax"]');
  await expect(problem).toContainText('app.py:1');
  await page.evaluate(() => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/app.py');
    model.setValue('def fixed():\n    pass\n');
  });
  await expect(problem).toHaveCount(0);
});

test('a problem links to the guide section that explains it', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Guided Checks');
  await openEditor(page, slug, 'install.json');
  // An output name in camelCase: the naming standard's warning.
  await page.evaluate(() => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/install.json');
    model.setValue(model.getValue().replace('.results.length"', '.results.textLength"'));
  });
  await page.getByTestId('problems-toggle').click();
  const problem = page.locator('[data-testid="problem"][data-code="output.naming.case"]');
  await expect(problem).toBeVisible();
  await expect(problem.getByTestId('problem-guide')).toHaveAttribute('href', '/guides/output-naming#case');
  const [guide] = await Promise.all([page.waitForEvent('popup'), problem.getByTestId('problem-guide').click()]);
  await expect(guide).toHaveURL(/\/guides\/output-naming#case$/);
  await expect(guide.getByTestId('guide')).toHaveAttribute('data-guide', 'output-naming');
  await expect(guide.locator('h2#case')).toBeInViewport();
  await expect(guide.locator('h2#case')).toHaveText('Lower case, snake_case');

  // Every guide is listed and opens.
  await guide.goto('/guides');
  await expect(guide.getByTestId('guide-link')).toHaveCount(6);
  await guide.getByTestId('guide-link').filter({ hasText: 'data mapping' }).click();
  await expect(guide.locator('h2#associations')).toBeVisible();
});

test('the completion list offers the built-in snippets, and one inserts a TCEntity', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Snippet Checks');
  await openEditor(page, slug, 'app.py');
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('entity = tcentit');
  await page.keyboard.press('Control+Space');
  const suggestion = page.locator('.suggest-widget .monaco-list-row').filter({ hasText: 'tcentity' }).first();
  await expect(suggestion).toBeVisible();
  await suggestion.click();
  await expect.poll(() => page.evaluate(() => (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/app.py').getValue()))
    .toContain("entity = {'id': '', 'value': value, 'type': 'Address'}");
});

test("completion offers the app's output names, and an undeclared output gets a fix that declares it", async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Contract Checks');
  await openEditor(page, slug, 'app.py');
  const appPy = () => page.evaluate(() => (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/app.py').getValue());

  // Inside a string, the declared outputs are offered with their types.
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type("NAME = 'contract_checks.res");
  await page.keyboard.press('Control+Space');
  const suggestion = page.locator('.suggest-widget .monaco-list-row').filter({ hasText: 'contract_checks.results.length' }).first();
  await expect(suggestion).toBeVisible();
  await suggestion.click();
  // The whole name replaced what was typed (Monaco closes the quote only when its tokenizer has
  // caught up with the typing, so the closing quote is not part of the check).
  await expect.poll(appPy).toMatch(/^NAME = 'contract_checks\.results\.length'?$/m);

  // Writing an output install.json does not declare: a warning on its line, and a fix.
  await page.evaluate(() => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/app.py');
    model.setValue(model.getValue()
      .replace(/^NAME = 'contract_checks\.results\.length'?$/m, "NAME = 'contract_checks.results.length'")
      .replace("'contract_checks.results.length':", "'contract_checks.results.size':"));
  });
  await page.getByTestId('problems-toggle').click();
  const problem = page.locator('[data-testid="problem"][data-code="python.output.undeclared"]');
  await expect(problem).toContainText('contract_checks.results.size');
  await expect(problem.getByTestId('problem-guide')).toHaveAttribute('href', '/guides/run-contract#outputs');
  await problem.getByTestId('problem-fix').click();
  await expect(problem).toHaveCount(0);
  // The fix went into the working copy's install.json.
  await page.getByTestId('tree-file').filter({ hasText: 'install.json' }).click();
  await page.waitForFunction(() => (window as any).monaco.editor.getModels().some((m: any) => m.uri.path === '/install.json'));
  const install = await page.evaluate(() => (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/install.json').getValue());
  expect(JSON.parse(install).playbook.outputVariables).toContainEqual({ name: 'contract_checks.results.size', type: 'String' });
});
