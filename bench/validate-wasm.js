// The validator in wasm, in Debian's Chromium: see bench/validate.sh. Prints ms per call.
const { chromium } = require('@playwright/test');
const fs = require('node:fs');
const path = require('node:path');

const TARGET_MS = 1;
// The current build's folder (scripts/build-site names it in target/site/pkg/BUILD).
const pkg = '/pkg/' + fs.readFileSync(path.join(__dirname, '..', 'target', 'site', 'pkg', 'BUILD'), 'utf8').trim();

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.goto(process.env.BENCH_URL + '/');
  await page.waitForSelector('body[data-hydrated="true"]');
  const rows = [];
  for (const name of ['valid', 'layout-bad-display', 'duplicate-param-names-and-sequences', 'install-trailing-comma']) {
    const dir = path.join(process.env.BENCH_FIXTURES, name);
    const files = {};
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) files[file] = fs.readFileSync(path.join(dir, file), 'utf8');
    const ms = await page.evaluate(async ([json, pkg]) => {
      // The validator runs in the editor's bundle (the editor page's wasm).
      const module = await import(`${pkg}/editor.js`);
      await module.default({ module_or_path: `${pkg}/editor_bg.wasm` });
      module.validator_benchmark(json, 20);
      return module.validator_benchmark(json, 500);
    }, [JSON.stringify(files), pkg]);
    rows.push([name, ms]);
  }
  await browser.close();
  console.log('\nvalidator in wasm (headless Chromium), per call (what each keystroke costs):');
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(38)} ${ms.toFixed(3)} ms   ${ms < TARGET_MS ? 'met' : 'NOT met'} (target < ${TARGET_MS} ms)`);
})().catch((err) => { console.error(err); process.exit(1); });
