// The editor's parts that load on first use (app/src/pages/editor/on_demand.rs): the page loads
// without their wasm chunks, the first opening fetches one, and a fetch that fails shows an error
// in the part's place that "Try again" (or opening the part again) mends.
import { expect, test } from '@playwright/test';
import { createApp, openEditor, signIn } from './helpers';

test('the metadata forms and the snippet picker load on first use, and a failed fetch can be tried again or closed', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const chunks: string[] = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.split('/').pop()!;
    if (/^(split|chunk)_.*\.wasm$/.test(name)) chunks.push(name);
  });
  await signIn(page);
  const { slug } = await createApp(page, 'Parts On Demand');
  await openEditor(page, slug, 'app.py');
  expect(chunks).toEqual([]);

  // The network fails the forms' first fetch: an error in their place, and the editor still works.
  await page.route('**/split_metadata_forms.wasm', (route) => route.abort());
  await page.getByTestId('metadata-toggle').click();
  await expect(page.getByTestId('part-error')).toContainText('Could not load the metadata forms');
  await expect(page.getByTestId('metadata-editor')).toHaveCount(0);
  expect(chunks).toContain('split_metadata_forms.wasm');

  // Once the network is back, "Try again" brings the forms, over the app's own install.json.
  await page.unroute('**/split_metadata_forms.wasm');
  await page.getByTestId('part-retry').click();
  await expect(page.getByTestId('metadata-editor')).toBeVisible();
  await expect(page.getByTestId('meta-display-name')).toHaveValue('Parts On Demand');
  await expect(page.getByTestId('part-error')).toHaveCount(0);
  await expect(page.getByTestId('part-loading')).toHaveCount(0);
  expect(chunks).not.toContain('split_snippet_picker.wasm');

  // Back in the code, the snippet picker's fetch fails too: its error shows over the page, with
  // "Try again" focused for the keyboard, and Close gives the editor back.
  await page.getByTestId('metadata-toggle').click();
  await expect(page.getByTestId('metadata-editor')).toHaveCount(0);
  await page.route('**/split_snippet_picker.wasm', (route) => route.abort());
  await page.getByTestId('snippet-picker-button').click();
  await expect(page.getByTestId('part-error')).toContainText('Could not load the snippet picker');
  await expect(page.getByTestId('part-error')).toContainText('unsaved changes are kept');
  await expect(page.getByTestId('part-retry')).toBeFocused();
  await page.getByTestId('part-close').click();
  await expect(page.getByTestId('part-error')).toHaveCount(0);

  // Opened again once the network is back, the picker comes.
  await page.unroute('**/split_snippet_picker.wasm');
  await page.getByTestId('snippet-picker-button').click();
  await expect(page.getByTestId('snippet-picker')).toBeVisible();
  expect(chunks.filter((c) => c === 'split_snippet_picker.wasm').length).toBe(2);
  expect(errors).toEqual([]);
});
