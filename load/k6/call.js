// POST /call of example.greet('Ada') (src/Api/scripts/example.py) at each concurrency level of load/scenarios.json.
// Thresholds (errors, failed checks, p99 per level) come from load/scenarios.json; see load/README.md.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 load/k6/call.js
import { closedIteration, closedOptions } from './lib.js';

export const options = closedOptions('call');

export default closedIteration('call');
