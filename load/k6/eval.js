// POST /eval of 1+1 at each concurrency level of load/scenarios.json (1, 32, 128 VUs), one level after another.
// Thresholds (errors, failed checks, p99 per level) come from load/scenarios.json; see load/README.md.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 load/k6/eval.js
import { closedIteration, closedOptions } from './lib.js';

export const options = closedOptions('eval');

export default closedIteration('eval');
