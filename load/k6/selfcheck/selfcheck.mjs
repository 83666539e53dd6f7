// Keeps the k6 scripts honest where k6 itself cannot be installed: loads every script in load/k6 under Node with
// stand-ins for the k6 modules, checks the options the way k6 parses them (known executors and their fields only,
// since k6 rejects unknown ones; durations; threshold names and expressions per metric type), and, given a base URL,
// runs each script's default function a few times against a live service (requests through curl) and requires
// every check to pass.
//
//   node load/k6/selfcheck/selfcheck.mjs [BASE_URL] [ITERATIONS]
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const k6dir = path.dirname(here);
const baseUrl = process.argv[2];
const iterations = Number(process.argv[3] || '8');

register('./hooks.mjs', import.meta.url);

const problems = [];
const checkResults = {};
let iteration = 0;

function canonical(name) {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1).toLowerCase()).join('-');
}

function post(url, body, params = {}) {
  if (!baseUrl) {
    throw new Error('no BASE_URL: requests are not sent in a static check');
  }
  const args = ['-sS', '-X', 'POST', '--data-binary', '@-', '-D', '-', '--max-time', '60'];
  for (const [name, value] of Object.entries(params.headers || {})) {
    args.push('-H', `${name}: ${value}`);
  }
  const out = execFileSync('curl', [...args, url], { input: body, encoding: 'utf8' });
  const split = out.indexOf('\r\n\r\n');
  const head = out.slice(0, split).split('\r\n');
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[canonical(line.slice(0, i).trim())] = line.slice(i + 1).trim();
  }
  const text = out.slice(split + 4);
  return { status: Number(head[0].split(' ')[1]), headers, body: text, json: () => JSON.parse(text) };
}

globalThis.__ENV = { ...process.env, BASE_URL: baseUrl || 'http://127.0.0.1:8080' };
globalThis.open = (file) => readFileSync(path.resolve(k6dir, file), 'utf8');
globalThis.__k6shim = {
  check(value, sets) {
    let all = true;
    for (const [name, fn] of Object.entries(sets)) {
      const ok = Boolean(fn(value));
      const entry = (checkResults[name] ||= { passes: 0, fails: 0 });
      entry[ok ? 'passes' : 'fails'] += 1;
      all &&= ok;
    }
    return all;
  },
  http: {
    post,
    get: () => { throw new Error('GET is not used by these scripts'); },
    expectedStatuses: (...statuses) => ({ expectedStatuses: statuses }),
    setResponseCallback: () => {},
  },
  exec: { scenario: { get iterationInTest() { return iteration; }, name: 'selfcheck' } },
};

const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const COMMON = ['executor', 'startTime', 'gracefulStop', 'env', 'exec', 'tags', 'options'];
const EXECUTORS = {
  'constant-vus': { required: ['duration'], optional: ['vus'] },
  'ramping-vus': { required: ['stages'], optional: ['startVUs', 'gracefulRampDown'] },
  'constant-arrival-rate': { required: ['rate', 'duration', 'preAllocatedVUs'], optional: ['timeUnit', 'maxVUs'] },
  'ramping-arrival-rate': { required: ['stages', 'preAllocatedVUs'], optional: ['startRate', 'timeUnit', 'maxVUs'] },
};
const METRICS = {
  http_req_failed: 'rate', checks: 'rate', http_req_duration: 'trend', iteration_duration: 'trend',
  http_reqs: 'counter', dropped_iterations: 'counter', iterations: 'counter',
};
const AGGREGATIONS = { rate: /^rate$/, trend: /^(avg|min|max|med|p\(\d+(\.\d+)?\))$/, counter: /^(count|rate)$/ };

function checkOptions(file, options) {
  const fail = (what) => problems.push(`${file}: ${what}`);
  if (!options || typeof options.scenarios !== 'object') {
    fail('no options.scenarios');
    return;
  }
  for (const [name, sc] of Object.entries(options.scenarios)) {
    if (!/^[0-9A-Za-z_-]+$/.test(name)) fail(`scenario name '${name}' has characters k6 rejects`);
    const spec = EXECUTORS[sc.executor];
    if (!spec) {
      fail(`${name}: unknown executor '${sc.executor}'`);
      continue;
    }
    for (const key of Object.keys(sc)) {
      if (!COMMON.includes(key) && !spec.required.includes(key) && !spec.optional.includes(key)) {
        fail(`${name}: '${key}' is not an option of ${sc.executor} (k6 refuses unknown fields)`);
      }
    }
    for (const key of spec.required) if (sc[key] === undefined) fail(`${name}: ${sc.executor} needs '${key}'`);
    for (const key of ['duration', 'startTime', 'gracefulStop', 'timeUnit', 'gracefulRampDown']) {
      if (sc[key] !== undefined && !DURATION.test(sc[key])) fail(`${name}: ${key} '${sc[key]}' is not a k6 duration`);
    }
    for (const key of ['vus', 'rate', 'preAllocatedVUs', 'maxVUs', 'startRate', 'startVUs']) {
      if (sc[key] !== undefined && !(Number.isInteger(sc[key]) && sc[key] >= 0)) fail(`${name}: ${key} must be a whole number`);
    }
    if (sc.maxVUs !== undefined && sc.maxVUs < sc.preAllocatedVUs) fail(`${name}: maxVUs < preAllocatedVUs`);
    for (const stage of sc.stages || []) {
      if (!DURATION.test(stage.duration) || !Number.isInteger(stage.target)) fail(`${name}: bad stage ${JSON.stringify(stage)}`);
    }
  }
  for (const [key, expressions] of Object.entries(options.thresholds || {})) {
    const m = /^([a-z_]+)(\{([a-z_]+):([^{}]+)\})?$/.exec(key);
    if (!m || !METRICS[m[1]]) {
      fail(`threshold on '${key}': unknown metric or tag filter syntax`);
      continue;
    }
    if (m[3] === 'scenario' && !options.scenarios[m[4]]) fail(`threshold '${key}' names a scenario that does not exist`);
    for (const expression of expressions) {
      const text = typeof expression === 'string' ? expression : expression.threshold;
      const e = /^\s*([a-z]+(\(\d+(\.\d+)?\))?)\s*(<=|>=|===|==|!=|<|>)\s*-?\d+(\.\d+)?\s*$/.exec(text);
      if (!e || !AGGREGATIONS[METRICS[m[1]]].test(e[1])) fail(`threshold '${key}': '${text}' is not valid for a ${METRICS[m[1]]} metric`);
    }
  }
}

const scripts = readdirSync(k6dir).filter((f) => f.endsWith('.js') && f !== 'lib.js').sort();
for (const file of scripts) {
  const mod = await import(pathToFileURL(path.join(k6dir, file)).href);
  checkOptions(file, mod.options);
  if (typeof mod.default !== 'function') problems.push(`${file}: no default function`);
  if (baseUrl && typeof mod.default === 'function') {
    for (let i = 0; i < iterations; i += 1) {
      mod.default();
      iteration += 1;
    }
  }
}
for (const [name, r] of Object.entries(checkResults)) {
  if (r.fails) problems.push(`check '${name}' failed ${r.fails} of ${r.passes + r.fails} times`);
}
const checks = Object.values(checkResults).reduce((n, r) => n + r.passes + r.fails, 0);
if (problems.length) {
  console.log(`k6 self-check: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`k6 self-check: ${scripts.length} scripts, options valid${baseUrl ? `, ${checks} checks passed against ${baseUrl}` : ''}`);
