import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { ConfigError, loadConfig, renderCdkJsonSchema } from '../../../contracts';
import type { StageOverrides } from '../../../contracts';

/*
 * cdk.schema.json is what an editor checks cdk.json against. It must accept the project's cdk.json and
 * refuse what synth refuses on its own terms (a range, an unknown key, an enum), at the same path.
 */

const ROOT = join(__dirname, '..', '..', '..');
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(renderCdkJsonSchema()) as object);
const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: object };

function withStage(settings: StageOverrides): object {
  return { ...cdkJson, context: { ...cdkJson.context, stages: { dev: settings } } };
}

const ORDERS = { downstreamUrl: 'https://orders.example.com/events' };

describe('cdk.schema.json', () => {
  it("accepts the project's cdk.json", () => {
    expect(validate(cdkJson)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('accepts a stage given only its consumers: every other setting has a default', () => {
    expect(validate(withStage({ consumers: { orders: ORDERS } }))).toBe(true);
  });

  it.each<[string, StageOverrides, string]>([
    [
      'a batch size over 10000',
      { consumers: { orders: { ...ORDERS, batchSize: 20_000 } } },
      '/consumers/orders/batchSize',
    ],
    [
      'a fractional shard count',
      { consumers: { orders: ORDERS }, stream: { shardCount: 1.5 } },
      '/stream/shardCount',
    ],
    [
      'an unknown capacity mode',
      { consumers: { orders: ORDERS }, stream: { capacityMode: 'BURST' as 'ON_DEMAND' } },
      '/stream/capacityMode',
    ],
    ['an unknown section', { consumers: { orders: ORDERS }, streams: {} } as StageOverrides, ''],
    [
      'a max record age between -1 and 60',
      { consumers: { orders: { ...ORDERS, maxRecordAgeSeconds: 30 } } },
      '/consumers/orders/maxRecordAgeSeconds',
    ],
    [
      'an alarm period of 45 s',
      { consumers: { orders: ORDERS }, alarms: { periodSeconds: 45 } },
      '/alarms/periodSeconds',
    ],
  ])('refuses %s, as synth does, at its path', (_what, settings, path) => {
    // GIVEN a value synth refuses
    expect(() => loadConfig('dev', { stages: { dev: settings } })).toThrow(ConfigError);
    // WHEN / THEN the editor's schema refuses it too, at the same setting
    expect(validate(withStage(settings))).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toContainEqual(`/context/stages/dev${path}`);
  });

  it('describes each setting for the editor', () => {
    const schema = JSON.parse(renderCdkJsonSchema()) as {
      properties: {
        context: {
          properties: {
            stages: {
              additionalProperties: {
                properties: Record<string, { properties?: Record<string, { description?: string }> }>;
              };
            };
          };
        };
      };
    };
    const stage = schema.properties.context.properties.stages.additionalProperties.properties;
    expect(stage.stream.properties?.retentionHours.description).toBe('How long the stream keeps a record');
  });
});
