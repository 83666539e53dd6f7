// What the browser tests share: playwright-core from the cache, headless Debian Chromium, named steps that fail with
// the step's name and reason, and a failure screenshot.
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { dirname, join } from 'node:path';

const started = Date.now();
export function log(message) {
  console.log(`[browser ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);
}

export class StepError extends Error {}

export async function step(name, action) {
  try {
    const result = await action();
    log(`ok   ${name}`);
    return result;
  } catch (e) {
    // Playwright's own messages carry a multi-line call log; its first line says what went wrong.
    const reason = e instanceof StepError ? e.message : String(e?.message ?? e).split('\n')[0];
    throw new StepError(`${name}: ${reason}`);
  }
}

export function check(condition, message) {
  if (!condition) throw new StepError(message);
}

function loadChromium() {
  const cacheDir = process.env.SIDEWINDER_CACHE
    || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sidewinder');
  const nodeDir = process.env.SIDEWINDER_NODE_DIR || join(cacheDir, 'node');
  try {
    return createRequire(join(nodeDir, 'package.json'))('playwright-core').chromium;
  } catch (e) {
    console.error(`browser test: playwright-core not found in ${nodeDir}; run scripts/provision-test-tools.sh (${e.message})`);
    process.exit(1);
  }
}

/** Runs test(page) in a fresh headless Chromium profile; exits 0 when it passed, 1 (with a screenshot) when not. */
export async function runInBrowser(passMessage, test) {
  const chromium = loadChromium();
  const profile = mkdtempSync(join(tmpdir(), 'sidewinder-chromium-'));
  let context;
  let page;
  let exitCode = 0;
  try {
    // Playwright takes the fresh profile directory as a persistent context's userDataDir (it refuses --user-data-dir in args).
    context = await step('launch /usr/bin/chromium headless', () => chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      timeout: 30_000,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    }));
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors = [];
    page.on('pageerror', e => pageErrors.push(e.message));
    await test(page);
    check(pageErrors.length === 0, `page script errors: ${pageErrors.join('; ')}`);
    log(`PASS: ${passMessage}`);
  } catch (e) {
    exitCode = 1;
    console.error(`[browser] FAIL: ${e.message}`);
    const shot = process.env.SIDEWINDER_FAILURE_SHOT;
    if (page && shot) {
      try {
        mkdirSync(dirname(shot), { recursive: true });
        await page.screenshot({ path: shot, fullPage: true });
        console.error(`[browser] page at the failure: ${shot}`);
      } catch { /* the failure itself is already reported */ }
    }
  } finally {
    await context?.close().catch(() => {});
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      console.error(`[browser] could not remove the profile ${profile}: ${e.message}`);
    }
  }
  process.exit(exitCode);
}
