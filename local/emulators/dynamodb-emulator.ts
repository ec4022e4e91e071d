import type { IncomingMessage, ServerResponse } from 'node:http';
import dynalite from 'dynalite';
import { closeServer, listenOnLoopback, loopbackUrl } from './loopback-server';
import type { RunningEmulator } from './kinesis-emulator';

/** DynamoDB emulator with a fault switch, for rehearsing an outage of the breaker's store. */
export interface DynamoDbEmulator extends RunningEmulator {
  /**
   * While true every request is refused with HTTP 503 `ServiceUnavailable`, as DynamoDB answers when
   * it cannot serve; the SDK retries it as a server error and then throws.
   */
  readonly setUnavailable: (unavailable: boolean) => void;
  readonly isUnavailable: () => boolean;
}

const SERVICE_UNAVAILABLE = 503;
const UNAVAILABLE_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
  message: 'The DynamoDB emulator is switched to unavailable (store outage rehearsal)',
});

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export async function startDynamoDbEmulator(): Promise<DynamoDbEmulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const serve = server.listeners('request')[0] as RequestListener;
  let unavailable = false;
  // Replace dynalite's listener with one that can refuse; dynalite's own close() still closes its store.
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!unavailable) {
      serve(req, res);
      return;
    }
    req.resume();
    res.writeHead(SERVICE_UNAVAILABLE, { 'Content-Type': 'application/x-amz-json-1.0' });
    res.end(UNAVAILABLE_BODY);
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: loopbackUrl(port),
    setUnavailable: (value) => {
      unavailable = value;
    },
    isUnavailable: () => unavailable,
    stop: () => closeServer(server, () => server.closeAllConnections()),
  };
}
