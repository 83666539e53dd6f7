// POST /run with Accept: text/event-stream of a loop that prints 5 lines, at each concurrency level of
// load/scenarios.json. k6 reads the event stream as one response body; the checks look at its final `result` event.
// Thresholds (errors, failed checks, p99 of the whole stream per level) come from load/scenarios.json.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 load/k6/stream.js
import { closedIteration, closedOptions } from './lib.js';

export const options = closedOptions('stream');

export default closedIteration('stream');
