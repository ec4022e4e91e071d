import { join } from 'node:path';
import { Linter } from 'eslint';
import { parser } from 'typescript-eslint';
// The same config blocks eslint.config.mjs spreads in, so these fixtures test the real wiring.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { boundariesConfig } = require('../../eslint.boundaries.cjs') as { boundariesConfig: Linter.Config[] };

const ROOT = join(__dirname, '..', '..');
const linter = new Linter({ cwd: ROOT });
const config: Linter.Config[] = [{ files: ['**/*.ts'], languageOptions: { parser } }, ...boundariesConfig];

/** Lints `code` as if it were the file at `path` (relative to the project root). */
function lint(path: string, code: string): string[] {
  return linter.verify(code, config, { filename: join(ROOT, path) }).map((m) => m.message);
}

describe('layering', () => {
  it.each([
    [
      'lambda/consumer/fixture.ts',
      "import { createPipelineApp } from '../../lib';",
      'lambda may not import from lib',
    ],
    [
      'local/gameday/fixture.ts',
      "import { HANDLER_BUNDLING } from '../../lib';",
      'local may not import from lib',
    ],
    [
      'ops/status/fixture.ts',
      "import { runGameDay } from '../../local/gameday';",
      'ops may not import from local',
    ],
    [
      'lib/constructs/fixture.ts',
      "import { decodeRecord } from '../../lambda/shared';",
      'lib may not import from lambda',
    ],
    [
      'contracts/config/fixture.ts',
      "import { decodeRecord } from '../../lambda/shared';",
      'contracts may not import from lambda',
    ],
    ['access/fixture.ts', "import { createPipelineApp } from '../lib';", 'access may not import from lib'],
  ])('%s: %s is refused', (path, code, message) => {
    // WHEN
    const messages = lint(path, code);
    // THEN
    expect(messages).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['lambda/consumer/fixture.ts', "import { METRIC } from '../../contracts';"],
    ['local/gameday/fixture.ts', "import { decodeRecord } from '../../lambda/shared';"],
    ['ops/redrive/fixture.ts', "import { KinesisProducer } from '../producer-client';"],
    ['bin/fixture.ts', "import { createPipelineApp } from '../lib';"],
    ['lambda/shared/breaker/fixture.ts', "import { PipelineError } from '../errors';"],
    ['contracts/config/fixture.ts', "import { MILLIS_PER_HOUR } from '../units';"],
    ['local/gameday/fixture.ts', "import { evaluateHops } from '../../access';"],
  ])('%s: %s is allowed', (path, code) => {
    expect(lint(path, code)).toEqual([]);
  });
});

describe('imports across folders go through index.ts', () => {
  it.each([
    ['lambda/consumer/fixture.ts', "import { engine } from '../shared/breaker/engine';", "'../shared'"],
    [
      'ops/status/fixture.ts',
      "import { failureRate } from '../../lambda/shared/breaker';",
      "'../../lambda/shared'",
    ],
    [
      'local/alarms/fixture.ts',
      "import type { AlarmDefinition } from '../../contracts/alarms/alarm-types';",
      "'../../contracts'",
    ],
    [
      'bench/fixture.ts',
      "export { HANDLER_BUNDLING } from '../lib/constructs/pipeline-function';",
      "'../lib'",
    ],
    [
      'local/gameday/fixture.ts',
      "const m = import('../event-source-mapping/lane');",
      "'../event-source-mapping'",
    ],
  ])('%s: %s names the index to use', (path, code, index) => {
    expect(lint(path, code)).toEqual([expect.stringContaining(`through its index (${index})`)]);
  });
});

describe('packages kept out of a layer', () => {
  it('contracts may not load the CDK or a handler runtime', () => {
    const messages = lint(
      'contracts/fixture.ts',
      "import { Duration } from 'aws-cdk-lib';\nimport { Logger } from '@aws-lambda-powertools/logger';",
    );
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('free of the CDK');
  });

  it.each(['lambda/consumer/fixture.ts', 'lib/constructs/fixture.ts', 'contracts/fixture.ts'])(
    '%s may not load the AGPL-3.0 policy evaluator',
    (path) => {
      expect(lint(path, "import { runSimulation } from '@cloud-copilot/iam-simulate';")).toEqual([
        expect.stringContaining('policy evaluator'),
      ]);
    },
  );

  it('handlers may not load the CDK', () => {
    expect(lint('lambda/consumer/fixture.ts', "import { Duration } from 'aws-cdk-lib';")).toEqual([
      expect.stringContaining('only lib/, bin/ and bench/ may load the CDK'),
    ]);
  });
});

describe('the rule applies to the real tree', () => {
  it('tests may import any module directly', () => {
    expect(
      lint('test/lambda/fixture.test.ts', "import { x } from '../../lambda/shared/breaker/engine';"),
    ).toEqual([]);
  });
});
