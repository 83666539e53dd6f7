// POST /call of example.busy(5), about 5 ms of pure-Python work per request, at the concurrency of load/scenarios.json.
// Compare the throughput (http_reqs rate) with Workers:WorkerCount=1 and =2 to see how the runtime scales.
// Thresholds (errors, failed checks, p99 per level) come from load/scenarios.json; see load/README.md.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 load/k6/cpu.js
import { closedIteration, closedOptions } from './lib.js';

export const options = closedOptions('cpu');

export default closedIteration('cpu');
