import { EXIT, main } from '../../../local/gameday/main';

describe('gameday CLI', () => {
  let stderr: string[];
  let stdout: string[];

  beforeEach(() => {
    stderr = [];
    stdout = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    [['--rate=0'], '--rate = 0; allowed a number 1..2000'],
    [['--poison-rate=2'], '--poison-rate = 2; allowed a number 0..1'],
    [['--consumers=nope'], '--consumers names unknown consumer nope'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 on %p, naming the problem, with the usage, before starting anything', async (args, message) => {
    // WHEN
    const code = await main(args);

    // THEN
    expect(code).toBe(EXIT.badOptions);
    expect(stderr.join('')).toContain(`gameday: ${message}`);
    expect(stderr.join('')).toContain('Usage: npm start -- [options]');
    expect(stdout).toEqual([]);
  });

  it('prints the usage on stdout and exits 0 with --help', async () => {
    expect(await main(['--help'])).toBe(EXIT.invariantsHeld);
    expect(stdout.join('')).toContain('--store-outage-seconds N');
  });
});
