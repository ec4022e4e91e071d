import { choiceOption, integerOption, parseCommandLine, UsageError } from '../../../ops/cli';

test('parseCommandLine adds --stage (default dev) and --help to the command options', () => {
  const { values } = parseCommandLine(['--limit', '3'], { limit: { type: 'string' } });

  expect(values).toEqual({ stage: 'dev', help: false, limit: '3' });
});

test.each([
  [['--nope'], "Unknown option '--nope'"],
  [['--limit'], "Option '--limit <value>' argument missing"],
  [['stray'], "Unexpected argument 'stray'"],
])('parseCommandLine(%j) is a usage error', (argv, message) => {
  const parse = () => parseCommandLine(argv, { limit: { type: 'string' } });

  expect(parse).toThrow(UsageError);
  expect(parse).toThrow(message);
});

test('integerOption names the option, the value and the range', () => {
  expect(integerOption('limit', undefined, { min: 1, max: 9 })).toBeUndefined();
  expect(integerOption('limit', '9', { min: 1, max: 9 })).toBe(9);
  expect(() => integerOption('limit', '2.5', { min: 1, max: 9 })).toThrow(
    new UsageError('--limit = "2.5"; allowed an integer 1..9'),
  );
});

test('choiceOption lists the allowed values', () => {
  expect(choiceOption('source', 'poison', ['on-failure', 'poison'])).toBe('poison');
  expect(() => choiceOption('source', undefined, ['on-failure', 'poison'])).toThrow(
    new UsageError('--source = ""; allowed on-failure, poison'),
  );
});
