import { parseOptions } from '../../../local/gameday/options';
import { runBoundMillis, runGameDay } from '../../../local/gameday/run-gameday';
import type { CfnTemplate } from '../../../access';
import { LOCAL_TEMPLATE_TIMEOUT_MILLIS, localTemplate } from '../../helpers/local-template';

// The game day judges its pages by the synthesized `local` template: loaded (or synthesized once) here.
let template: CfnTemplate;
beforeAll(() => {
  template = localTemplate();
}, LOCAL_TEMPLATE_TIMEOUT_MILLIS);

/**
 * The third way an event survives (docs/architecture.md, invariant 1): a batch whose retries run out goes to the
 * on-failure destination, and the game day's redrive puts its records back on the stream. The default
 * game day covers the bucket (the `local` stage gives orders no retries); this run covers the SQS
 * choice: analytics sends pointers to its queue at its first failure, orders retries until records
 * expire. No retries, so that the first failed call of the outage, which comes before the breaker can
 * open, decides it: with retries left, the breaker may open before they run out.
 */
describe('game day redrive of on-failure DLQ batches', () => {
  const options = parseOptions(
    [
      '--seed=41',
      '--duration-scale=0.25',
      '--rate=20',
      '--outage-seconds=16',
      '--poison-rate=0',
      '--crash-rate=0',
      // No burst: the failed batches come from the outage, after it.
      '--burst-factor=1',
    ],
    ['orders', 'analytics'],
  );

  it(
    'redrives the batches an outage pushed to the on-failure DLQ and loses nothing',
    async () => {
      // GIVEN analytics gives up on a failed batch at once and keeps an SQS on-failure queue, and an outage

      // WHEN
      const report = await runGameDay(options, {
        settleAlarms: false,
        template,
        adjustConfig: (config) => ({
          ...config,
          consumers: config.consumers.map((c) =>
            c.name === 'analytics'
              ? { ...c, maxRetryAttempts: 0, onFailureDestination: 'sqs' as const }
              : { ...c, maxRetryAttempts: -1 },
          ),
        }),
      });

      // THEN analytics' records came back through the redrive, every event arrived, order held elsewhere
      expect(report.consumers.analytics.redriven).toBeGreaterThan(0);
      expect(report.consumers.orders.redriven).toBe(0);
      expect(report.lost).toBe(0);
      expect(report.delivered).toBe(report.sent);
      expect(report.invariants.find((i) => i.name === 'no-event-lost')?.held).toBe(true);
      expect(report.invariants.find((i) => i.name === 'order-per-key')?.held).toBe(true);
      // The run's own bound (local/gameday/run-gameday.ts), never a guess.
    },
    runBoundMillis(options),
  );
});
