// Browser test of the playground page: types a cell in /playground, runs it, and checks that printed lines appear
// while the cell still runs and that the cell's figure appears as an image.
//
//   node tests/Browser/playground.mjs http://127.0.0.1:PORT
//
// The cell waits for a gate file that this test creates only after it has seen the streamed lines on the page, so
// "before the cell finishes" is checked without any timing. On the default runtime the cell plots with matplotlib;
// the source-built runtimes have no matplotlib, so there it displays a PNG itself, and a second cell checks that
// the page shows the runtime's note about matplotlib.
//
// Environment: as swagger.mjs; SIDEWINDER_SCREENSHOT=1 saves docs/playground.png.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, runInBrowser, step } from './kit.mjs';

const baseUrl = process.argv[2];
if (!baseUrl) {
  console.error('usage: node playground.mjs BASE_URL');
  process.exit(2);
}

const gate = join(tmpdir(), `sidewinder-playground-gate-${process.pid}-${Date.now()}`);
const info = await (await fetch(`${baseUrl}/info`)).json();
const hasMatplotlib = info.python.manifest === 'default';
const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const plot = hasMatplotlib
  ? 'import matplotlib.pyplot as plt\nplt.plot([x * x for x in range(10)])\nplt.title("squares")'
  : `import base64\ndisplay({"image/png": base64.b64decode("${pixel}"), "text/plain": "a pixel"}, raw=True)`;
const cell = [
  'import os, time',
  'for i in range(3):',
  '    print("line", i, flush=True)',
  `while not os.path.exists(${JSON.stringify(gate)}):`,
  '    time.sleep(0.01)',
  plot,
].join('\n');

try {
  await runInBrowser('the playground streams lines while the cell runs and shows its figure', async page => {
    await step(`open ${baseUrl}/playground`, async () => {
      const response = await page.goto(`${baseUrl}/playground`, { waitUntil: 'load' });
      check(response && response.ok(), `GET /playground answered ${response?.status()}`);
      check(!(await page.locator('#key-row').isVisible()), 'the page asks for a key, but this service has none');
    });

    await step('type the cell and click Run', async () => {
      await page.locator('#code').fill(cell);
      await page.locator('#run').click();
    });

    await step('lines 0..2 appear while the cell still runs', async () => {
      await page.locator('#output pre.stdout', { hasText: 'line 2' }).waitFor();
      check((await page.locator('#output pre.stdout').first().textContent()) === 'line 0\nline 1\nline 2\n',
        `stdout shown: ${await page.locator('#output').textContent()}`);
      check(await page.locator('#output img').count() === 0, 'the figure is there before the cell could have made it');
      check(await page.locator('#stop').isEnabled(), 'the run is over already');
    });

    writeFileSync(gate, '');

    await step(`the figure appears as an image (${hasMatplotlib ? 'matplotlib' : 'display() of a PNG'})`, async () => {
      const image = page.locator('#output .display img');
      await image.waitFor();
      await page.locator('#status', { hasText: 'done' }).waitFor();
      const width = await image.evaluate(img => img.complete ? img.naturalWidth : 0);
      check(width > 0, 'the image did not decode');
      if (hasMatplotlib) check(width > 100, `the figure is only ${width} px wide`);
    });

    if (process.env.SIDEWINDER_SCREENSHOT && hasMatplotlib) {
      const path = process.env.SIDEWINDER_SCREENSHOT === '1'
        ? resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/playground.png')
        : process.env.SIDEWINDER_SCREENSHOT;
      await step(`screenshot -> ${path}`, async () => {
        mkdirSync(dirname(path), { recursive: true });
        await page.screenshot({ path, fullPage: true });
      });
    }

    if (!hasMatplotlib) {
      await step('without matplotlib the page shows the runtime\'s note', async () => {
        await page.locator('#code').fill('import matplotlib.pyplot as plt');
        await page.locator('#run').click();
        await page.locator('#output pre.error', { hasText: 'figures need the service\'s default runtime' }).waitFor();
      });
    }
  });
} finally {
  rmSync(gate, { force: true });
}
