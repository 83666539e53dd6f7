// Shared by the k6 scripts in this folder: reads load/scenarios.json (the definition the local benchmark uses too)
// and turns one of its scenarios into k6 options, thresholds and an iteration function.
//
// Environment (k6 run -e NAME=value):
//   BASE_URL        service address, default http://127.0.0.1:8080
//   API_KEY         sent as "Authorization: Bearer KEY" when set
//   DURATION        length of each concurrency level, default from scenarios.json (k6.duration)
//   PAUSE           gap between levels, default from scenarios.json (k6.pause)
//   CONCURRENCY     comma-separated levels instead of the scenario's, e.g. CONCURRENCY=64
//   RATE            requests per second: run each level as an open model (constant-arrival-rate) at this rate
//                   instead of a closed one (constant-vus); the level then is the number of pre-allocated VUs
//   LATENCY_SCALE   multiplies every latency threshold (e.g. 4 across a slow network), default 1
//   MIN_RPS         adds a threshold: each level must average at least this many requests per second
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

// lib.js sits next to the scripts, so '../scenarios.json' is the same file whether k6 resolves the path against this
// module or against the entry script.
const config = JSON.parse(open('../scenarios.json'));

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const DURATION = __ENV.DURATION || config.k6.duration;
const PAUSE = __ENV.PAUSE || config.k6.pause;
const LATENCY_SCALE = Number(__ENV.LATENCY_SCALE || '1');

const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };
if (__ENV.API_KEY) {
  HEADERS.Authorization = `Bearer ${__ENV.API_KEY}`;
}

export function scenarioConfig(name) {
  const scenario = config.scenarios[name];
  if (!scenario) {
    throw new Error(`load/scenarios.json has no scenario '${name}'`);
  }
  return scenario;
}

/** Seconds in a k6 duration string such as "20s", "1m30s" or "500ms". */
export function seconds(duration) {
  const units = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let match;
  let consumed = '';
  while ((match = pattern.exec(duration)) !== null) {
    total += Number(match[1]) * units[match[2]];
    consumed += match[0];
  }
  if (consumed !== duration) {
    throw new Error(`cannot read the duration '${duration}' (use forms like 20s, 1m30s, 500ms)`);
  }
  return total;
}

function levels(scenario) {
  if (__ENV.CONCURRENCY) {
    return __ENV.CONCURRENCY.split(',').map((v) => Number(v.trim()));
  }
  return scenario.concurrency;
}

/**
 * Options for a closed-model scenario: one k6 scenario per concurrency level (constant-vus, or constant-arrival-rate
 * with RATE), run one after another, each with its own thresholds on errors, failed checks and p99 latency, as in
 * load/scenarios.json.
 */
export function closedOptions(name) {
  const scenario = scenarioConfig(name);
  const scenarios = {};
  const thresholds = {};
  let start = 0;
  for (const vus of levels(scenario)) {
    const key = `${name}_c${vus}`;
    scenarios[key] = __ENV.RATE
      ? {
          executor: 'constant-arrival-rate',
          rate: Number(__ENV.RATE),
          timeUnit: '1s',
          duration: DURATION,
          preAllocatedVUs: vus,
          maxVUs: vus * 4,
          startTime: `${start}s`,
          gracefulStop: '10s',
        }
      : {
          executor: 'constant-vus',
          vus,
          duration: DURATION,
          startTime: `${start}s`,
          gracefulStop: '10s',
        };
    start += seconds(DURATION) + seconds(PAUSE);

    const t = scenario.thresholds;
    thresholds[`http_req_failed{scenario:${key}}`] = [`rate<${t.errorRate}`];
    thresholds[`checks{scenario:${key}}`] = [`rate>${1 - t.errorRate}`];
    const p99 = t.p99Ms[String(vus)];
    if (p99 !== undefined) {
      thresholds[`http_req_duration{scenario:${key}}`] = [`p(99)<${p99 * LATENCY_SCALE}`];
    }
    if (__ENV.MIN_RPS) {
      thresholds[`http_reqs{scenario:${key}}`] = [`rate>${Number(__ENV.MIN_RPS)}`];
    }
  }
  return { scenarios, thresholds, summaryTrendStats: ['avg', 'med', 'p(90)', 'p(99)', 'max'] };
}

/** The scenario's requests in proportion to its mix ({"eval": 2, "run": 1} -> eval, eval, run), taken in turn. */
function cycle(scenario) {
  const names = [];
  for (const [request, weight] of Object.entries(scenario.mix)) {
    for (let i = 0; i < weight; i += 1) {
      names.push(request);
    }
  }
  return names.map((request) => ({ name: request, ...config.requests[request], payload: JSON.stringify(config.requests[request].body) }));
}

function parse(response, request) {
  try {
    return request && request.eventStream ? finalEvent(response.body) : response.json();
  } catch (e) {
    return null;
  }
}

/** The data of an event stream's final event (k6 reads the whole stream as the body): the result, or the problem. */
function finalEvent(text) {
  const blocks = String(text).replace(/\r\n?/g, '\n').split('\n\n').filter((b) => b.trim() !== '');
  const last = blocks[blocks.length - 1] || '';
  const data = last.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
  return /^event: ?(result|error)$/m.test(last) ? JSON.parse(data) : null;
}

/** Every field of `expect` equals the body's (compared as JSON). */
function matches(body, expect) {
  return body !== null && Object.entries(expect).every(([field, value]) => {
    if (field === 'valueType') {
      return body.valueType === value;
    }
    return JSON.stringify(body[field]) === JSON.stringify(value);
  });
}

/** POSTs one request of the scenario's mix; returns the response and its parsed body. */
export function send(requests, params) {
  const request = requests[exec.scenario.iterationInTest % requests.length];
  const response = http.post(`${BASE_URL}${request.path}`, request.payload, {
    headers: request.headers ? { ...HEADERS, ...request.headers } : HEADERS,
    tags: { request: request.name },
    timeout: '30s',
    ...params,
  });
  return { request, response, body: parse(response, request) };
}

/** The default function of a closed-model script: every response must be 200 with outcome ok and the expected value. */
export function closedIteration(name) {
  const requests = cycle(scenarioConfig(name));
  return function iteration() {
    const { request, response, body } = send(requests);
    check(response, {
      'status is 200': (r) => r.status === 200,
      'outcome is ok': () => body !== null && body.outcome === 'ok',
      'result is the expected one': () => matches(body, request.expect),
    });
  };
}

export function requestsOf(name) {
  return cycle(scenarioConfig(name));
}

export { LATENCY_SCALE };
