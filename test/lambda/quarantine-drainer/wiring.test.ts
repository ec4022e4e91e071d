import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { BASE_DEFAULTS, SettingsError, type ConsumerSettings } from '../../../contracts';
import { buildDrainer } from '../../../lambda/quarantine-drainer';

/*
 * The drainer reads and writes its consumer's set in the quarantine table (docs/architecture.md,
 * "Per-key quarantine"): deployed without the table's name it could mark nothing delivered, so it fails
 * at start-up, naming the variable, instead of holding every quarantined key.
 */
const SETTINGS: ConsumerSettings = {
  stage: 'dev',
  consumerName: 'orders',
  downstreamUrl: 'https://orders.example.com/events',
  downstreamTimeoutMillis: 1_000,
  poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
  breakerTableName: 'dev-breakers',
  breakerName: 'orders',
  breaker: BASE_DEFAULTS.breaker,
  maxConcurrentKeys: 4,
  maxEventBytes: 4_096,
  metricsNamespace: 'Pipeline',
  endpointErrorStatuses: [401, 403, 404, 405, 407],
  downstreamAuth: { type: 'none' },
};

const wiring = () => ({
  dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
  sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
});

it('refuses to start without QUARANTINE_TABLE_NAME, naming it', () => {
  expect(() => buildDrainer(SETTINGS, wiring())).toThrow(SettingsError);
  expect(() => buildDrainer(SETTINGS, wiring())).toThrow('QUARANTINE_TABLE_NAME is not set');
});

it('builds the drainer on the quarantine table its settings name', () => {
  const { drain } = buildDrainer({ ...SETTINGS, quarantineTableName: 'dev-quarantine' }, wiring());
  expect(typeof drain).toBe('function');
});
