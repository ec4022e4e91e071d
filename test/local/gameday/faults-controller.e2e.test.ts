import type { CfnTemplate } from '../../../access';
import { LOCAL_TEMPLATE_TIMEOUT_MILLIS, localTemplate } from '../../helpers/local-template';
import { parseOptions } from '../../../local/gameday/options';
import type { GameDayReport } from '../../../local/gameday/report';
import { runBoundMillis, runGameDay } from '../../../local/gameday/run-gameday';

// The game day judges its pages by the synthesized `local` template: loaded (or synthesized once) here.
let template: CfnTemplate;
beforeAll(() => {
  template = localTemplate();
}, LOCAL_TEMPLATE_TIMEOUT_MILLIS);

/**
 * Faults of the breaker controller, in a short run with the alarms left unsettled (this proves the
 * level-triggered recovery and that nothing is lost; `npm start` with the same options proves the
 * pages). Both windows start with the downstream outage, when the breakers trip.
 */
const SHORT = [
  '--duration-scale=0.25',
  '--rate=20',
  '--poison-rate=0',
  '--crash-rate=0',
  '--outage-seconds=16',
  // No burst: the controller's faults start with the outage, and the burst's events only lengthen the drain.
  '--burst-factor=1',
];

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

describe('game day faults: the breaker controller', () => {
  it(
    '--lose-controller-events and --controller-outage-seconds: nothing lost, every consumer ends enabled and CLOSED',
    async () => {
      // GIVEN / WHEN breaker-table records are lost for 3 s and the controller fails for 4 s (scaled by 0.25)
      const report = await run([
        '--seed=31',
        '--lose-controller-events=12',
        '--controller-outage-seconds=16',
      ]);

      // THEN the ticks after the outage reconciled whatever the lost and failed records left behind
      expect(report.breakerTransitions).toContainEqual(expect.objectContaining({ to: 'OPEN' }));
      expect(report.lostControllerRecords + report.controllerErrors).toBeGreaterThan(0);
      expect(report.controllerErrors).toBeGreaterThan(0);
      expect(report.lost).toBe(0);
      expect(report.delivered).toBe(report.sent);
      for (const consumer of Object.values(report.consumers)) {
        expect(consumer).toMatchObject({ endedEnabled: true, endedBreakerState: 'CLOSED' });
      }
      expect(invariant(report, 'consumers-resumed')).toBe(true);
      expect(invariant(report, 'no-event-lost')).toBe(true);
      expect(invariant(report, 'no-call-while-open')).toBe(true);
      expect(invariant(report, 'order-per-key')).toBe(true);
    },
    timeoutFor(['--seed=31', '--lose-controller-events=12', '--controller-outage-seconds=16']),
  );
});
