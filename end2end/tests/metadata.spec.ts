// The metadata editor: forms over install.json that stay in sync with the raw JSON both ways,
// keep what the forms do not know, and save as a normal commit.
import { expect, test } from '@playwright/test';
import { createApp, modelText, openEditor, signIn } from './helpers';

test('forms and raw JSON stay in sync both ways, and the change saves as a commit', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Form Sync', 'playbook-basic');
  await openEditor(page, slug, 'install.json');
  // A key the forms do not know must survive form edits.
  await page.evaluate(() => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/install.json');
    model.setValue(model.getValue().replace('{', '{\n  "x-vendor": {"keep": true},'));
  });

  await page.getByTestId('metadata-toggle').click();
  await expect(page.getByTestId('metadata-editor')).toBeVisible();
  await expect(page.getByTestId('meta-display-name')).toHaveValue('Form Sync');

  // Form → JSON.
  await page.getByTestId('meta-version').fill('2.1');
  await page.getByTestId('meta-version').press('Tab');
  await expect(page.locator('[data-testid="field-hint"][data-code="install.program_version.format"]')).toBeVisible();
  await page.locator('[data-testid="field-hint"][data-code="install.program_version.format"]').getByTestId('hint-fix').click();
  await expect(page.getByTestId('meta-version')).toHaveValue('2.1.0');
  const params = page.getByTestId('param-row');
  const before = await params.count();
  await page.getByTestId('add-param').click();
  await expect(params).toHaveCount(before + 1);
  // Fields commit when left (Tab, Enter or a click elsewhere), as form fields do.
  await params.last().getByTestId('param-label').fill('Severity');
  await params.last().getByTestId('param-label').press('Tab');
  await params.last().getByTestId('param-name').fill('severity');
  await params.last().getByTestId('param-name').press('Tab');
  await params.last().getByTestId('param-type').selectOption('Choice');
  await expect(params.last().locator('[data-code="param.choice.valid_values"]')).toBeVisible();
  await params.last().getByTestId('param-valid-values').fill('Low\nHigh');
  await params.last().getByTestId('param-valid-values').press('Tab');
  await expect(params.last().locator('[data-code="param.choice.valid_values"]')).toHaveCount(0);
  await params.last().locator('.accepts label', { hasText: 'StringArray' }).locator('input').check();
  await params.last().getByTestId('param-view-rows').fill('4');
  await params.last().getByTestId('param-view-rows').press('Tab');

  const json = JSON.parse((await modelText(page, 'install.json'))!);
  expect(json.programVersion).toBe('2.1.0');
  expect(json['x-vendor']).toEqual({ keep: true });
  expect(Object.keys(json)[0]).toBe('x-vendor');
  const severity = json.params.find((p: any) => p.name === 'severity');
  expect(severity).toMatchObject({ label: 'Severity', type: 'Choice', validValues: ['Low', 'High'], playbookDataType: ['StringArray'], viewRows: 4 });

  // Order: an input moves up and back down; the last one cannot move further down.
  const names = async () => JSON.parse((await modelText(page, 'install.json'))!).params.map((p: any) => p.name);
  await expect(params.last().getByRole('button', { name: 'Move down' })).toBeDisabled();
  await params.last().getByRole('button', { name: 'Move up' }).click();
  await expect.poll(async () => (await names()).indexOf('severity')).toBe(before - 1);
  await expect(params.nth(before - 1).getByTestId('param-name')).toHaveValue('severity');
  await params.nth(before - 1).getByRole('button', { name: 'Move down' }).click();
  await expect.poll(async () => (await names()).indexOf('severity')).toBe(before);
  await expect(params.last().getByTestId('param-name')).toHaveValue('severity');

  // JSON → form.
  await page.evaluate(() => {
    const model = (window as any).monaco.editor.getModels().find((m: any) => m.uri.path === '/install.json');
    model.setValue(model.getValue().replace('"displayName": "Form Sync"', '"displayName": "Renamed In JSON"'));
  });
  await expect(page.getByTestId('meta-display-name')).toHaveValue('Renamed In JSON');

  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toContainText('Saved as');
  const saved = JSON.parse(await (await page.request.get(`/api/v1/apps/${slug}/files/install.json`)).text());
  expect(saved.displayName).toBe('Renamed In JSON');
  expect(saved['x-vendor']).toEqual({ keep: true });
});

test('the layout editor makes a layout.json, places inputs and checks display conditions as you type', async ({ page }) => {
  await signIn(page);
  const { slug } = await createApp(page, 'Layout Forms', 'playbook-basic');
  await openEditor(page, slug, 'install.json');
  await page.getByTestId('metadata-toggle').click();
  await page.getByTestId('create-layout').click();
  await expect(page.getByTestId('tree-file').filter({ hasText: 'layout.json' })).toBeVisible();
  const section = page.getByTestId('layout-section');
  await expect(section).toHaveCount(1);
  const entries = section.getByTestId('layout-entry');
  expect(await entries.count()).toBeGreaterThan(0);
  await expect(page.getByTestId('unplaced-inputs')).toHaveCount(0);

  await entries.first().getByTestId('display-condition').fill("no_such_input = 'x'");
  await entries.first().getByTestId('display-condition').press('Enter');
  await expect(section.locator('[data-code="layout.display.invalid"]')).toContainText('no_such_input');
  const first = (await entries.first().locator('.layout-entry-name').textContent())!.trim();
  await entries.first().getByTestId('display-condition').fill(`${first} IS NOT NULL`);
  await entries.first().getByTestId('display-condition').press('Enter');
  await expect(section.locator('[data-code="layout.display.invalid"]')).toHaveCount(0);

  await page.getByTestId('show-output').selectOption({ index: 1 });
  await expect(page.getByTestId('layout-output')).toHaveCount(1);
  await page.getByTestId('add-section').click();
  await expect(page.getByTestId('layout-section')).toHaveCount(2);
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toContainText('Saved as');
  const layout = JSON.parse(await (await page.request.get(`/api/v1/apps/${slug}/files/layout.json`)).text());
  expect(layout.inputs[0].parameters[0].display).toBe(`${first} IS NOT NULL`);
  expect(layout.inputs[1].title).toBe('New section');
  expect(layout.outputs.length).toBe(1);
});
