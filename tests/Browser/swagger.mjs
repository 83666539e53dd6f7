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
  'POST /sessions', 'POST /sessions/{id}/run', 'POST /sessions/{id}/eval', 'DELETE /sessions/{id}',
];
const requestBody = '{"code": "sum(range(10))"}';
await runInBrowser('Swagger UI lists every endpoint, POST /eval executes from the page, and two cells of one session share state', async page => {
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

  // A newcomer's session: create it, run `import math; r = 2`, then evaluate `math.sqrt(r)` in it, all from the page.
  const operation = (method, path) => page.locator(`.opblock.opblock-${method}`).filter({
    has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
  });
  async function execute(method, path, { id, body } = {}) {
    const block = operation(method, path);
    await block.locator('.opblock-summary').first().click();
    await block.locator('.opblock-body').waitFor();
    await block.getByRole('button', { name: 'Try it out' }).click();
    if (id !== undefined) {
      await block.locator('tr[data-param-name="id"] input').fill(id);
    }
    if (body !== undefined) {
      await block.locator('textarea.body-param__text').fill(body);
    }
    await block.getByRole('button', { name: 'Execute' }).click();
    const live = block.locator('.live-responses-table tbody tr.response');
    await live.locator('.response-col_status').waitFor();
    const status = (await live.locator('.response-col_status').textContent())?.trim();
    const text = await live.locator('.response-col_description pre').first().textContent();
    let json;
    try { json = JSON.parse(text); } catch { throw new StepError(`${method.toUpperCase()} ${path} answered ${status}, not JSON: ${text}`); }
    return { status, json, text };
  }

  const session = await step('POST /sessions creates a session (201 with an id)', async () => {
    const { status, json, text } = await execute('post', '/sessions', { body: '{}' });
    check(status === '201' && typeof json.id === 'string' && json.id.length >= 22, `status ${status}, body ${text}`);
    return json.id;
  });
  await step('POST /sessions/{id}/run runs "import math; r = 2" in it', async () => {
    const { status, text } = await execute('post', '/sessions/{id}/run', { id: session, body: '{"code": "import math\\nr = 2"}' });
    check(status === '200', `status ${status}, body ${text}`);
  });
  await step('POST /sessions/{id}/eval of "math.sqrt(r)" sees the first cell\'s globals (1.414…)', async () => {
    const { status, json, text } = await execute('post', '/sessions/{id}/eval', { id: session, body: '{"code": "math.sqrt(r)"}' });
    check(status === '200' && Math.abs(json.value - Math.SQRT2) < 1e-12, `status ${status}, body ${text}`);
  });
  await step('DELETE /sessions/{id} ends it (204)', async () => {
    const block = operation('delete', '/sessions/{id}');
    await block.locator('.opblock-summary').first().click();
    await block.getByRole('button', { name: 'Try it out' }).click();
    await block.locator('tr[data-param-name="id"] input').fill(session);
    await block.getByRole('button', { name: 'Execute' }).click();
    const cell = block.locator('.live-responses-table tbody tr.response .response-col_status');
    await cell.waitFor();
    const status = (await cell.textContent())?.trim();
    check(status === '204', `status ${status}`);
  });
});
