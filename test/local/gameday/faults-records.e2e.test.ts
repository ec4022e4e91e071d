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
 * Fault options that hit the records and the handler, each alone in a short run without an outage
 * (no alarm settling: these prove that nothing is lost; the end-to-end test proves the pages).
 */
// No burst: poison and crashes are drawn per event and per invocation in every phase, and the burst's
// events (three in four of a run's) only lengthened the drain.
const SHORT = ['--duration-scale=0.25', '--rate=20', '--outage-seconds=0', '--burst-factor=1'];

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

describe('game day faults: poison and crashes', () => {
  it(
    '--poison-rate: every poison event is in the poison DLQ, every other one delivered',
    async () => {
      // GIVEN / WHEN a fifth of the events are poison
      const report = await run(['--seed=31', '--poison-rate=0.2', '--crash-rate=0']);

      // THEN
      expect(report.poisoned).toBeGreaterThan(0);
      expect(report.lost).toBe(0);
      expect(report.delivered + report.poisoned).toBe(report.sent);
      expect(invariant(report, 'no-event-lost')).toBe(true);
      expect(invariant(report, 'order-per-key')).toBe(true);
    },
    timeoutFor(['--seed=31', '--poison-rate=0.2', '--crash-rate=0']),
  );

  it(
    '--crash-rate: invocations that die mid-batch are retried, duplicates absorbed, nothing lost',
    async () => {
      // GIVEN / WHEN a third of the invocations crash after half their batch
      const report = await run(['--seed=32', '--poison-rate=0', '--crash-rate=0.3']);

      // THEN
      const crashes = Object.values(report.consumers).reduce((sum, c) => sum + c.crashes, 0);
      expect(crashes).toBeGreaterThan(0);
      expect(report.duplicates).toBeGreaterThan(0);
      expect(report.lost).toBe(0);
      expect(report.delivered).toBe(report.sent);
      expect(invariant(report, 'no-event-lost')).toBe(true);
      expect(invariant(report, 'order-per-key')).toBe(true);
    },
    timeoutFor(['--seed=32', '--poison-rate=0', '--crash-rate=0.3']),
  );
});
