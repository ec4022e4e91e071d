import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_DEFAULTS, type ConsumerSettings, type DownstreamAuthConfig } from '../../../contracts';
import {
  createConsumerHandler,
  createDownstreamAuthorizer,
  type ConsumerHandler,
} from '../../../lambda/consumer';
import { pipelineEvent, kinesisBatch } from '../../helpers/kinesis-events';
import { captureEmf } from '../../helpers/emf-capture';
import { FakeBreaker } from '../../helpers/fake-breaker';
import { HttpDownstream } from '../../helpers/http-downstream';
import { RecordingLog } from '../../helpers/recording-log';

/*
 * The credential never leaves the authorizer: for each auth type, a downstream that echoes every
 * request header in its answers (rejections, failures, refusals) must not get it into a log line, a
 * metric, a poison message or an error text. The template side (only the secret's ARN is ever in
 * config) is checked in test/lib/constructs/downstream-auth.synth.test.ts.
 */
const TOKEN = 'tok-3f9a1c7e-never-print-me';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYsecretkey';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/token-AbCdEf';

const secretsManager = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);

interface Harness {
  readonly handle: ConsumerHandler;
  readonly log: RecordingLog;
  readonly breaker: FakeBreaker;
}

describe.each<[string, DownstreamAuthConfig, string]>([
  ['bearer', { type: 'bearer', secretArn: SECRET_ARN }, TOKEN],
  [
    'sigv4',
    { type: 'sigv4', service: 'lambda', resourceArn: 'arn:aws:lambda:us-east-1:123456789012:function:api' },
    SECRET_KEY,
  ],
])('the %s credential', (_type, downstreamAuth, secret) => {
  const downstream = new HttpDownstream();
  let settings: ConsumerSettings;

  beforeAll(async () => {
    settings = {
      stage: 'dev',
      consumerName: 'orders',
      downstreamUrl: await downstream.start(),
      downstreamTimeoutMillis: 2_000,
      poisonQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders-poison',
      breakerTableName: 'dev-breakers',
      breakerName: 'orders',
      breaker: BASE_DEFAULTS.breaker,
      maxConcurrentKeys: 1,
      maxEventBytes: 4_096,
      metricsNamespace: 'Pipeline',
      endpointErrorStatuses: BASE_DEFAULTS.consumer.endpointErrorStatuses,
      downstreamAuth,
    };
  });
  afterAll(() => downstream.stop());

  beforeEach(() => {
    secretsManager.reset();
    sqs.reset();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: TOKEN });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    // Echo every header, the credential included, in whatever the downstream answers.
    const echo = (headers: object): string => `headers were ${JSON.stringify(headers)}`;
    downstream.reply = (request) => {
      const kind = (JSON.parse(request.body) as { payload: { answer: number } }).payload.answer;
      return { status: kind, body: echo(request.headers) };
    };
  });

  function harness(storm = false): Harness {
    const log = new RecordingLog();
    const breaker = new FakeBreaker();
    breaker.storm = storm;
    const metrics = new Metrics({ namespace: 'Pipeline', serviceName: 'orders' });
    const handle = createConsumerHandler(settings, {
      sqs: () => Promise.resolve(new SQSClient({ region: 'us-east-1' })),
      breaker,
      logger: log,
      metrics,
      authorizer: createDownstreamAuthorizer(downstreamAuth, {
        secretsManager: () => Promise.resolve(new SecretsManagerClient({ region: 'us-east-1' })),
        credentials: () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET_KEY }),
      }),
    });
    return { handle, log, breaker };
  }

  /** One batch per answer: a rejection (poison), a failure, a refusal, and a rejection in a storm. */
  async function runAnswers(h: Harness, answers: readonly number[]): Promise<string> {
    const emf = await captureEmf(async () => {
      for (const answer of answers) {
        await h.handle(kinesisBatch([{ data: pipelineEvent({ payload: { answer } }) }]));
      }
    });
    return JSON.stringify(emf);
  }

  test('the downstream really received it (so the checks below are not vacuous)', async () => {
    await runAnswers(harness(), [200]);
    const sent = JSON.stringify(downstream.received.at(-1)?.headers);
    expect(sent).toContain(downstreamAuth.type === 'bearer' ? TOKEN : 'AWS4-HMAC-SHA256');
  });

  test('is in no poison message', async () => {
    await runAnswers(harness(), [400, 422]);
    const bodies = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody!);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body).not.toContain(secret);
    // The bearer token was in the echoed excerpt and was redacted, not cut off.
    if (downstreamAuth.type === 'bearer') expect(bodies[0]).toContain('Bearer [redacted]');
  });

  test('is in no log line', async () => {
    const h = harness();
    await runAnswers(h, [400, 500, 401, 403, 404]);
    const stormy = harness(true);
    await runAnswers(stormy, [400]);
    const lines = JSON.stringify([...h.log.entries, ...stormy.log.entries]);
    expect(lines).toContain('headers were'); // the echoed rejections were logged...
    expect(lines).not.toContain(secret); // ...without the credential
  });

  test('is in no metric', async () => {
    const emitted = await runAnswers(harness(), [200, 400, 500, 401]);
    expect(emitted).toContain('DownstreamLatency');
    expect(emitted).not.toContain(secret);
  });

  test('is in no error text', async () => {
    const h = harness(true);
    await runAnswers(h, [400]);
    const errors = h.log.entries.map((entry) =>
      JSON.stringify(entry.attributes?.rejection ?? entry.attributes?.error ?? ''),
    );
    expect(errors.join('\n')).toContain('headers were');
    expect(errors.join('\n')).not.toContain(secret);
  });
});

describe('a bearer secret without a usable value', () => {
  test('is reported by ARN only, and the record is retried', async () => {
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '   ' });
    const authorizer = createDownstreamAuthorizer(
      { type: 'bearer', secretArn: SECRET_ARN },
      { secretsManager: () => Promise.resolve(new SecretsManagerClient({ region: 'us-east-1' })) },
    )!;

    await expect(
      authorizer.authorize({ url: 'https://x.example.com', headers: {}, body: '' }),
    ).rejects.toThrow(`secret ${SECRET_ARN} has no SecretString to use as a bearer token; calls are retried`);
  });
});
