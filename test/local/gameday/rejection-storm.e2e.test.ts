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
 * A short game day with a rejection storm and no 503 outage: the downstreams answer 400 to every
 * event, the consumers authenticate (orders with a bearer token from the local Secrets Manager
 * stand-in, analytics with SigV4), and every invariant holds with a handful of good events parked.
 */
describe('game day: --reject-storm-seconds', () => {
  const options = parseOptions(
    [
      '--duration-scale=0.25',
      '--rate=20',
      '--poison-rate=0',
      '--crash-rate=0',
      '--seed=31',
      '--outage-seconds=0',
      '--reject-storm-seconds=16',
    ],
    ['orders', 'analytics'],
  );

  it(
    'trips each breaker as a storm, parks only a handful, loses nothing, keeps order',
    async () => {
      // GIVEN / WHEN a storm of 4 s (16 s scaled by 0.25) with poison and crashes off
      const report = await runGameDay(options, {
        settleAlarms: false,
        template,
      });

      // THEN
      for (const consumer of ['orders', 'analytics']) {
        const c = report.consumers[consumer];
        expect(report.breakerTransitions).toContainEqual(
          expect.objectContaining({ consumer, from: 'CLOSED', to: 'OPEN', reason: 'rejection-storm' }),
        );
        expect(report.breakerTransitions.filter((t) => t.consumer === consumer).at(-1)).toMatchObject({
          to: 'CLOSED',
        });
        expect(c.poisonedDuringStorm).toBeLessThanOrEqual(c.stormPoisonBound);
        // Without poison events, everything in the DLQ was parked at the storm's onset.
        expect(c.poisoned).toBe(c.poisonedDuringStorm);
        // A parked record may be delivered too, when a retry from an earlier sequence number replays it.
        expect(c.delivered + c.poisoned).toBeGreaterThanOrEqual(c.sent);
        expect(c.lost).toBe(0);
      }
      expect(report.lost).toBe(0);
      // The run does not wait for the alarms to settle, so whether the page came in time is left to the
      // default game day (gameday.e2e.test.ts); every other invariant must hold.
      expect(
        report.invariants.filter((i) => i.name !== 'on-call-hears-first').map((i) => [i.name, i.held]),
      ).toEqual([
        ['rejection-storm-not-poisoned', true],
        ['no-event-lost', true],
        ['no-call-while-open', true],
        ['one-incident-few-pages', true],
        ['consumers-resumed', true],
        ['order-per-key', true],
      ]);
      // The run's own bound (local/gameday/run-gameday.ts), never a guess.
    },
    runBoundMillis(options),
  );
});
