import { createDynaliteServer } from './dynalite-server';
import { listenOnLoopback, loopbackUrl } from './loopback-server';
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

export async function startDynamoDbEmulator(): Promise<DynamoDbEmulator> {
  const dynamodb = createDynaliteServer(
    'The DynamoDB emulator is switched to unavailable (store outage rehearsal)',
  );
  const port = await listenOnLoopback(dynamodb.server);
  return {
    endpoint: loopbackUrl(port),
    setUnavailable: dynamodb.setUnavailable,
    isUnavailable: dynamodb.isUnavailable,
    // Stops after the requests in flight are answered (local/emulators/dynalite-server.ts).
    stop: dynamodb.stop,
  };
}
