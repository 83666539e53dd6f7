// eval, run and call interleaved 2:1:1 on the same VUs, at the concurrency of load/scenarios.json.
// Thresholds (errors, failed checks, p99 per level) come from load/scenarios.json; see load/README.md.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 load/k6/mixed.js
import { closedIteration, closedOptions } from './lib.js';

export const options = closedOptions('mixed');

export default closedIteration('mixed');
