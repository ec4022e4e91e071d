import type { CfnTemplate } from '../../../access';
import { LOCAL_TEMPLATE_TIMEOUT_MILLIS, localTemplate } from '../../helpers/local-template';
import { parseOptions } from '../../../local/gameday/options';
import { runBoundMillis, runGameDay } from '../../../local/gameday/run-gameday';
import type { GameDayReport } from '../../../local/gameday/report';

// The game day judges its pages by the synthesized `local` template: loaded (or synthesized once) here.
let template: CfnTemplate;
beforeAll(() => {
  template = localTemplate();
}, LOCAL_TEMPLATE_TIMEOUT_MILLIS);

/**
 * Fault options that hit the downstream side, each alone in a short run (no alarm settling: these
 * prove that nothing is lost; the end-to-end test proves the pages).
 */
// No burst: the outages come after it, and its events (three in four of a run's) only lengthen the drain.
const SHORT = ['--duration-scale=0.25', '--rate=20', '--poison-rate=0', '--crash-rate=0', '--burst-factor=1'];

function run(args: string[]): Promise<GameDayReport> {
  return runGameDay(parseOptions([...SHORT, ...args], ['orders', 'analytics']), {
    settleAlarms: false,
    template,
  });
}

/** The test's timeout: the run's own bound (local/gameday/run-gameday.ts), never a guess. */
function timeoutFor(args: string[]): number {
  return runBoundMillis(parseOptions([...SHORT, ...args], ['orders', 'analytics']));
}

function invariant(report: GameDayReport, name: string): boolean | undefined {
  return report.invariants.find((i) => i.name === name)?.held;
}

describe('game day faults: downstream outage and store outage', () => {
  it(
    '--outage-seconds: the breakers open, nothing is lost, no call reaches a downstream while OPEN',
    async () => {
      // GIVEN / WHEN a downstream outage of 4 s (16 s scaled by 0.25)
      const report = await run(['--seed=21', '--outage-seconds=16']);

      // THEN
      expect(report.breakerTransitions).toContainEqual(expect.objectContaining({ to: 'OPEN' }));
      expect(report.lost).toBe(0);
      expect(report.sent).toBeGreaterThan(0);
      expect(report.downstreamCallsWhileOpen).toBe(0);
      expect(invariant(report, 'no-event-lost')).toBe(true);
      expect(invariant(report, 'order-per-key')).toBe(true);
    },
    timeoutFor(['--seed=21', '--outage-seconds=16']),
  );

  it(
    '--store-outage-seconds: with DynamoDB refusing during the outage, nothing is lost',
    async () => {
      // GIVEN / WHEN the breaker table refuses requests for 2 s from the start of the downstream outage
      const report = await run(['--seed=22', '--outage-seconds=16', '--store-outage-seconds=8']);

      // THEN
      expect(report.lost).toBe(0);
      expect(report.delivered).toBe(report.sent);
      expect(invariant(report, 'no-event-lost')).toBe(true);
      expect(invariant(report, 'no-call-while-open')).toBe(true);
      expect(invariant(report, 'order-per-key')).toBe(true);
    },
    timeoutFor(['--seed=22', '--outage-seconds=16', '--store-outage-seconds=8']),
  );
});
