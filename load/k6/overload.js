// Overload spike: CPU-bound calls (example.busy(5)) arriving far faster than the workers can run them, as an open
// model (ramping-arrival-rate), so the arrival rate does not slow down when the service does. The queue
// (Workers:QueueCapacity) fills, and every request beyond it must get a fast 503 with Retry-After and outcome
// "rejected"; any other failure (5xx other than 503, 429, timeouts, resets) fails the test.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 load/k6/overload.js
//   k6 run -e SPIKE_RATE=3000 ... load/k6/overload.js     a bigger deployment needs a bigger spike
//
// The default spike (800 requests/s) is at least twice what 4 parallel workers can run at 5 ms a request, and
// stays under the default rate limit (Limits:RateLimitPermitsPerSecond=1000 per client): a spike above the rate limit
// gets 429s, which this test counts as failures, so raise or turn off the limit (0) before raising SPIKE_RATE.
import http from 'k6/http';
import { check } from 'k6';
import { LATENCY_SCALE, requestsOf, scenarioConfig, send } from './lib.js';

const scenario = scenarioConfig('overload');
const arrival = scenario.arrival;
const spikeRate = Number(__ENV.SPIKE_RATE || arrival.spikeRate);
const accepted = scenario.acceptStatuses;
const requests = requestsOf('overload');

// Defined once: 200 and 503 are expected, so http_req_failed counts only the other outcomes.
const expected = http.expectedStatuses(...accepted);

export const options = {
  scenarios: {
    overload: {
      executor: 'ramping-arrival-rate',
      startRate: arrival.startRate,
      timeUnit: '1s',
      preAllocatedVUs: arrival.preAllocatedVUs,
      maxVUs: Number(__ENV.MAX_VUS || arrival.maxVUs),
      stages: [
        { duration: `${arrival.rampSeconds}s`, target: spikeRate },
        { duration: `${arrival.holdSeconds}s`, target: spikeRate },
        { duration: `${arrival.rampSeconds}s`, target: arrival.startRate },
      ],
      gracefulStop: '30s',
    },
  },
  thresholds: {
    // Anything but 200 and 503: 429, 500, 504, connection errors, timeouts.
    http_req_failed: [`rate<${scenario.thresholds.errorRate}`],
    checks: [`rate>${1 - scenario.thresholds.errorRate}`],
    // Rejections are fast: the queue is full, nothing waits.
    'http_req_duration{status:503}': [`p(99)<${scenario.thresholds.rejectedP99Ms * LATENCY_SCALE}`],
    // The spike really overloaded the service; if not, raise SPIKE_RATE.
    'http_reqs{status:503}': ['count>0'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(99)', 'max'],
};

export default function () {
  const { response, body } = send(requests, { responseCallback: expected });
  check(response, {
    'status is 200 or 503': (r) => accepted.includes(r.status),
    '200 has outcome ok': (r) => r.status !== 200 || (body !== null && body.outcome === 'ok'),
    '503 has outcome rejected': (r) => r.status !== 503 || (body !== null && body.outcome === 'rejected'),
    '503 has Retry-After': (r) => r.status !== 503 || r.headers['Retry-After'] !== undefined,
  });
}
