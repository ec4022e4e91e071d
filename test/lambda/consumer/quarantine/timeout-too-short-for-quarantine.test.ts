import {
  BASE_DEFAULTS,
  type ConsumerSettings,
  loadConfig,
  type PipelineContext,
} from '../../../../contracts';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { Fetch } from '../../../../lambda/consumer';
import { MemoryQuarantineStore } from '../../../../lambda/shared';
import { FakeClock } from '../../../helpers/fake-clock';
import {
  batchOf,
  contextUntil,
  QUARANTINE_SETTINGS,
  quarantineConsumer,
} from '../../../helpers/quarantine-consumer';

/*
 * Review (rev-final): commit 65526a2 starts no enter unless the time left covers the downstream timeout,
 * the finishing margin, two store writes at their worst (2 x 3 s) and the fence. The config accepts
 * `timeoutSeconds` down to `downstreamTimeoutMillis` + 11 s (15 s at the defaults) with quarantine on by
 * default, and says nothing of this reserve. A key stuck by timeouts (docs: "a timeout" quarantines) beside
 * a healthy key reaches its decision after three timed-out attempts (3 x 3 s + 2 x 0.5 s): 5 s are left,
 * the 11 s the enter needs never are, so K is never quarantined, at any retry, and nothing says why.
 */

const contextWith = (timeoutSeconds: number): PipelineContext => ({
  stages: {
    dev: { consumers: { orders: { downstreamUrl: 'https://orders.example.com/events', timeoutSeconds } } },
  },
});

/** The shortest function timeout the config accepts for a consumer with the default quarantine. */
function shortestAcceptedTimeoutSeconds(): number {
  for (let seconds = 3; ; seconds++) {
    try {
      loadConfig('dev', contextWith(seconds));
      return seconds;
    } catch {
      // refused: try a longer one
    }
  }
}

describe('a function timeout the config accepts, with quarantine on', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  it('still lets a key stuck by downstream timeouts beside a healthy key be quarantined', async () => {
    // GIVEN the shortest function timeout the config accepts with the default quarantine (15 s on this branch)
    const TIMEOUT_SECONDS = shortestAcceptedTimeoutSeconds();
    const config = loadConfig('dev', contextWith(TIMEOUT_SECONDS));
    const orders = config.consumers.find((c) => c.name === 'orders');
    expect(orders?.timeoutSeconds).toBe(TIMEOUT_SECONDS);
    expect(orders?.quarantine.enabled).toBe(true);
    const settings: ConsumerSettings = {
      ...QUARANTINE_SETTINGS,
      downstreamTimeoutMillis: orders!.downstreamTimeoutMillis,
      breaker: { ...BASE_DEFAULTS.breaker },
      maxConcurrentKeys: orders!.maxConcurrentKeys,
      quarantine: {
        ...QUARANTINE_SETTINGS.quarantine!,
        failedAttempts: orders!.quarantine.failedAttempts,
        retryPauseMillis: orders!.quarantine.retryPauseMillis,
        maxKeys: orders!.quarantine.maxKeys,
      },
    };
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const clock = new FakeClock();
    const store = new MemoryQuarantineStore();
    // K's calls hang until the downstream timeout and fail (504 at the timeout); every other key is healthy
    const fetch: Fetch = (_url, init) => {
      const stuck = (init?.body as string).includes('"K#');
      if (stuck) clock.advance(orders!.downstreamTimeoutMillis);
      return Promise.resolve(new Response(null, { status: stuck ? 504 : 200 }));
    };
    const handler = quarantineConsumer({ store, clock, fetch, settings });

    // WHEN Lambda runs the batch, and retries it from K's record, up to five times, each with the full timeout
    for (let attempt = 0; attempt < 5; attempt++) {
      const deadline = clock.now() + TIMEOUT_SECONDS * 1_000;
      await handler(batchOf(['K#1', 'H#1', 'H#2', 'H#3']), contextUntil(clock, deadline, `r${attempt}`));
      if ((await store.read()).has('K')) break;
    }

    // THEN K is quarantined, as docs/architecture.md "When" says of a key failing by timeouts beside
    // healthy ones (on this branch it never is, and no log line says the function timeout is why)
    expect((await store.read()).has('K')).toBe(true);
  });
});
