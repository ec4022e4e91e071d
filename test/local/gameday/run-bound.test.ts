import { parseOptions } from '../../../local/gameday/options';
import { buildScenario } from '../../../local/gameday/scenario';
import { runBoundMillis, START_STOP_ALLOWANCE_MILLIS, stageConfig } from '../../../local/gameday/run-gameday';

const CONSUMERS = ['orders', 'analytics'];

describe('runBoundMillis: the longest a game day may take by its own limits', () => {
  it('is the scenario, a drain wait, the redrive budget (three drain waits), the alarm settle and the start/stop allowance', () => {
    // GIVEN a scaled-down run
    const options = parseOptions(['--duration-scale=0.25', '--outage-seconds=16'], CONSUMERS);
    const { alarms } = stageConfig(options);

    // WHEN
    const bound = runBoundMillis(options);

    // THEN the parts add up: 60 s per drain wait, (evaluation periods + 2) periods of settle
    const settle = (alarms.evaluationPeriods + 2) * alarms.periodSeconds * 1_000;
    expect(bound).toBe(
      buildScenario(options).producingEndsMillis + 4 * 60_000 + settle + START_STOP_ALLOWANCE_MILLIS,
    );
  });

  it('grows with the time scale and the outage, so a test timeout taken from it follows its options', () => {
    const at = (args: string[]): number => runBoundMillis(parseOptions(args, CONSUMERS));
    expect(at(['--duration-scale=0.5', '--outage-seconds=16'])).toBeGreaterThan(
      at(['--duration-scale=0.25', '--outage-seconds=16']),
    );
    // 20 s more outage at a quarter of the time: 5 s more
    expect(
      at(['--duration-scale=0.25', '--outage-seconds=36']) -
        at(['--duration-scale=0.25', '--outage-seconds=16']),
    ).toBe(5_000);
  });
});
