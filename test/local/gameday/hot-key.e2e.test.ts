import type { CfnTemplate } from '../../../access';
import { LOCAL_TEMPLATE_TIMEOUT_MILLIS, localTemplate } from '../../helpers/local-template';
import { parseOptions } from '../../../local/gameday/options';
import { runBoundMillis, runGameDay } from '../../../local/gameday/run-gameday';

// The game day judges its pages by the synthesized `local` template: loaded (or synthesized once) here.
let template: CfnTemplate;
beforeAll(() => {
  template = localTemplate();
}, LOCAL_TEMPLATE_TIMEOUT_MILLIS);

/**
 * A short run with the default outage, poison and crashes, and a hot key on a throttled shard: the
 * producer retries the throttled records of that key (in order) while `orders`, which gives up on a
 * failed batch at once, sends batches to the on-failure bucket that the redrive must bring back.
 */
const ARGS = ['--duration-scale=0.25', '--rate=20', '--hot-key-rate=0.05', '--seed=1'];
const CONSUMERS = ['orders', 'analytics'];

describe('game day with --hot-key-rate', () => {
  it(
    'loses nothing and keeps each key in put order into the stream and to each downstream',
    async () => {
      // GIVEN / WHEN
      const report = await runGameDay(parseOptions(ARGS, CONSUMERS), {
        settleAlarms: false,
        template,
      });

      // THEN the hot shard throttled the producer, and the invariants held
      const throttledAlarm = report.alarms.find((alarm) => alarm.name.endsWith('-stream-write-throttled'));
      expect(throttledAlarm?.alarmCount).toBeGreaterThan(0);
      expect(report.producerFailures).toBe(0);
      expect(report.sent).toBeGreaterThan(0);
      expect(report.lost).toBe(0);
      const held = Object.fromEntries(report.invariants.map((i) => [i.name, `${i.held}: ${i.detail}`]));
      expect(held['no-event-lost']).toMatch(/^true/);
      expect(held['order-per-key']).toMatch(/^true/);
    },
    runBoundMillis(parseOptions(ARGS, CONSUMERS)),
  );
});
