import type { Fetch } from '../lambda/consumer';

const HTTP_OK = 200;
const HTTP_SERVICE_UNAVAILABLE = 503;

/**
 * A downstream that answers at once, without a socket: the benchmark measures what the handler costs
 * per record, and a loopback HTTP server on the same core would add the same large cost to both sides
 * of the comparison (undici, the server's parsing), hiding the difference between them. Each call
 * still builds a fresh Response, as a real fetch does, but without a body stream: on the Node 20
 * measured here a ReadableStream costs about 10 µs to construct (`makeTransferable`, reworked in later
 * Node versions; not measured on the Node 24 Lambda runs), a third of either side's time, the same on
 * both. (With an empty body stream, as a real 200 has, our bounded read costs less than Powertools'
 * side's `response.text()`, and the ratio at batch 100 was higher: 1.11 to 1.14.)
 */
export const okFetch: Fetch = () => Promise.resolve(new Response(null, { status: HTTP_OK }));

/** The downstream during an outage: every call answers 503. */
export const unavailableFetch: Fetch = () =>
  Promise.resolve(new Response(null, { status: HTTP_SERVICE_UNAVAILABLE }));
