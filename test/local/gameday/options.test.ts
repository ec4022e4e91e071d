import { DEFAULT_OPTIONS, OptionsError, parseOptions } from '../../../local/gameday/options';

const CONSUMERS = ['orders', 'analytics'];

describe('parseOptions', () => {
  it('gives the defaults with no arguments', () => {
    expect(parseOptions([], CONSUMERS)).toEqual({
      ...DEFAULT_OPTIONS,
      shards: undefined,
      consumers: undefined,
      jsonFile: undefined,
      htmlFile: undefined,
      color: true,
      quarantine: undefined,
      help: false,
    });
  });

  it('reads every option', () => {
    const options = parseOptions(
      [
        '--seed=7',
        '--shards=3',
        '--rate=100',
        '--burst-factor=5',
        '--outage-seconds=4',
        '--downstream-latency-ms=20',
        '--reject-storm-seconds=6',
        '--poison-rate=0.1',
        '--crash-rate=0.2',
        '--hot-key-rate=0.05',
        '--store-outage-seconds=2',
        '--mapping-state-delay-seconds=5',
        '--lose-controller-events=5',
        '--controller-outage-seconds=25',
        '--stuck-key-seconds=12',
        '--no-quarantine',
        '--consumers=analytics',
        '--duration-scale=0.5',
        '--json=out.json',
        '--html=run.html',
        '--no-color',
      ],
      CONSUMERS,
    );
    expect(options).toEqual({
      seed: 7,
      shards: 3,
      rate: 100,
      burstFactor: 5,
      outageSeconds: 4,
      rejectStormSeconds: 6,
      poisonRate: 0.1,
      crashRate: 0.2,
      hotKeyRate: 0.05,
      downstreamLatencyMillis: 20,
      storeOutageSeconds: 2,
      mappingStateDelaySeconds: 5,
      loseControllerEventsSeconds: 5,
      controllerOutageSeconds: 25,
      stuckKeySeconds: 12,
      quarantine: false,
      consumers: ['analytics'],
      durationScale: 0.5,
      jsonFile: 'out.json',
      htmlFile: 'run.html',
      color: false,
      help: false,
    });
  });

  it('accepts the value as the next argument', () => {
    expect(parseOptions(['--seed', '42', '--consumers', 'orders,analytics'], CONSUMERS)).toMatchObject({
      seed: 42,
      consumers: ['orders', 'analytics'],
    });
  });

  it.each([
    [['--seed=abc'], '--seed = "abc"; allowed an integer 0..4294967295'],
    [['--seed=1.5'], '--seed = "1.5"; allowed an integer 0..4294967295'],
    [['--shards=0'], '--shards = 0; allowed an integer 1..16'],
    [['--lose-controller-events=-1'], '--lose-controller-events = -1; allowed a number 0..600'],
    [['--controller-outage-seconds=601'], '--controller-outage-seconds = 601; allowed a number 0..600'],
    [['--shards=17'], '--shards = 17; allowed an integer 1..16'],
    [['--rate=0'], '--rate = 0; allowed a number 1..2000'],
    [['--rate='], '--rate = ""; allowed a number 1..2000'],
    [['--burst-factor=0.5'], '--burst-factor = 0.5; allowed a number 1..50'],
    [['--outage-seconds=-1'], '--outage-seconds = -1; allowed a number 0..600'],
    [['--poison-rate=1.5'], '--poison-rate = 1.5; allowed a number 0..1'],
    [['--crash-rate=0.95'], '--crash-rate = 0.95; allowed a number 0..0.9'],
    [['--hot-key-rate=0.6'], '--hot-key-rate = 0.6; allowed a number 0..0.5'],
    [['--store-outage-seconds=x'], '--store-outage-seconds = "x"; allowed a number 0..600'],
    [['--mapping-state-delay-seconds=61'], '--mapping-state-delay-seconds = 61; allowed a number 0..60'],
    [['--duration-scale=0'], '--duration-scale = 0; allowed a number 0.05..10'],
    [
      ['--consumers=billing'],
      '--consumers names unknown consumer billing; allowed a comma-separated list of orders, analytics',
    ],
    [['--consumers=,'], '--consumers = ","; allowed a comma-separated list of orders, analytics'],
    [
      ['--consumers=orders,orders'],
      '--consumers names orders twice; allowed a comma-separated list of orders, analytics',
    ],
    [['--json='], '--json = ""; allowed a file path'],
    [['--html='], '--html = ""; allowed a file path'],
  ])('rejects %p with a message naming the option, the value and the range', (args, message) => {
    expect(() => parseOptions(args, CONSUMERS)).toThrow(new OptionsError(message));
  });

  it('reads --stuck-key-seconds and --no-quarantine, and bounds the first', () => {
    expect(parseOptions(['--stuck-key-seconds', '20', '--no-quarantine'], ['orders'])).toMatchObject({
      stuckKeySeconds: 20,
      quarantine: false,
    });
    expect(parseOptions([], ['orders'])).toMatchObject({ stuckKeySeconds: 0, quarantine: undefined });
    // a stuck-key run turns quarantine on (the local stage has it off)
    expect(parseOptions(['--stuck-key-seconds', '20'], ['orders'])).toMatchObject({ quarantine: true });
    expect(() => parseOptions(['--stuck-key-seconds', '601'], ['orders'])).toThrow(
      '--stuck-key-seconds = 601; allowed a number 0..600',
    );
  });

  it('rejects an unknown option', () => {
    expect(() => parseOptions(['--sede=1'], CONSUMERS)).toThrow(/Unknown option '--sede'/);
  });

  it('rejects an option without its value', () => {
    expect(() => parseOptions(['--rate'], CONSUMERS)).toThrow(OptionsError);
  });

  it('rejects positional arguments', () => {
    expect(() => parseOptions(['fast'], CONSUMERS)).toThrow(OptionsError);
  });

  it('reads --help', () => {
    expect(parseOptions(['--help'], CONSUMERS).help).toBe(true);
  });
});
