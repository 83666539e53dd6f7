// Browser test of the Swagger UI: drives Debian's Chromium through playwright-core against a running service.
//
//   node tests/Browser/swagger.mjs http://127.0.0.1:PORT
//
// Environment:
//   SIDEWINDER_NODE_DIR          where scripts/provision-test-tools.sh installed playwright-core
//                                (default $SIDEWINDER_CACHE/node, else ~/.cache/sidewinder/node)
//   SIDEWINDER_SCREENSHOT=PATH   save a screenshot of the executed POST /eval operation to PATH
//                                (=1: docs/swagger-eval.png in this repository)
//   SIDEWINDER_FAILURE_SHOT=PATH on failure, save a full-page screenshot to PATH
//
// Exits 0 when every step passed, 1 with the failing step's name and reason otherwise.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, log, runInBrowser, step, StepError } from './kit.mjs';

const baseUrl = process.argv[2];
if (!baseUrl) {
  console.error('usage: node swagger.mjs BASE_URL');
  process.exit(2);
}

const expectedOperations = [
  'POST /eval', 'POST /run', 'POST /call', 'GET /info', 'GET /health/live', 'GET /health/ready',
];
const requestBody = '{"code": "sum(range(10))"}';
await runInBrowser('Swagger UI lists every endpoint and POST /eval executes from the page', async page => {
  await step(`open ${baseUrl}/swagger`, async () => {
    const response = await page.goto(`${baseUrl}/swagger`, { waitUntil: 'load' });
    check(response && response.ok(), `GET /swagger answered ${response?.status()}`);
    await page.locator('.opblock').first().waitFor();
    const title = (await page.locator('.info .title').textContent())?.trim() ?? '';
    check(title.startsWith('Sidewinder'), `page title is '${title}', expected 'Sidewinder…'`);
  });

  await step(`lists every endpoint (${expectedOperations.join(', ')})`, async () => {
    const listed = await page.locator('.opblock').evaluateAll(blocks => blocks.map(b =>
      `${b.querySelector('.opblock-summary-method')?.textContent.trim()} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`));
    const missing = expectedOperations.filter(op => !listed.includes(op));
    check(missing.length === 0, `missing ${missing.join(', ')}; the page lists ${listed.join(', ')}`);
  });

  const evalBlock = page.locator('.opblock.opblock-post').filter({
    has: page.locator('.opblock-summary-path[data-path="/eval"]'),
  });
  await step('expand POST /eval', async () => {
    await evalBlock.locator('.opblock-summary').first().click();
    await evalBlock.locator('.opblock-body').waitFor();
  });

  await step('click "Try it out"', async () => {
    await evalBlock.getByRole('button', { name: 'Try it out' }).click();
    await evalBlock.locator('textarea.body-param__text').waitFor();
  });

  await step(`set the request body to ${requestBody}`, async () => {
    const body = evalBlock.locator('textarea.body-param__text');
    const prefilled = await body.inputValue();
    check(JSON.parse(prefilled).code === 'sum(range(10))', `the prefilled example is ${prefilled}`);
    await body.fill(requestBody);
    check(await body.inputValue() === requestBody, 'the body did not take the new text');
  });

  await step('click Execute', async () => {
    await evalBlock.getByRole('button', { name: 'Execute' }).click();
    await evalBlock.locator('.live-responses-table tbody tr.response .response-col_status').waitFor();
  });

  await step('the UI shows status 200 with "outcome": "ok" and "value": 45', async () => {
    const live = evalBlock.locator('.live-responses-table tbody tr.response');
    const status = (await live.locator('.response-col_status').textContent())?.trim();
    let text = await live.locator('.response-col_description pre').first().textContent();
    check(status === '200', `status ${status}, body ${text}`);
    let body;
    try { body = JSON.parse(text); } catch { throw new StepError(`the body shown is not JSON: ${text}`); }
    text = JSON.stringify(body);
    check(body.outcome === 'ok', `"outcome" is ${JSON.stringify(body.outcome)}; body ${text}`);
    check(body.value === 45, `"value" is ${JSON.stringify(body.value)}; body ${text}`);
  });

  if (process.env.SIDEWINDER_SCREENSHOT) {
    const path = process.env.SIDEWINDER_SCREENSHOT === '1'
      ? resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/swagger-eval.png')
      : process.env.SIDEWINDER_SCREENSHOT;
    await step(`screenshot of the executed operation -> ${path}`, async () => {
      // From the operation's header down to the live response, not the long list of documented responses.
      // At scroll 0, boxes in viewport coordinates are page coordinates, which a full-page clip uses.
      await page.evaluate(() => window.scrollTo(0, 0));
      const top = await evalBlock.boundingBox();
      const bottom = await evalBlock.locator('.live-responses-table').boundingBox();
      mkdirSync(dirname(path), { recursive: true });
      await page.screenshot({
        path, fullPage: true,
        clip: { x: top.x, y: top.y, width: top.width, height: bottom.y + bottom.height - top.y + 2 },
      });
    });
  }
});
