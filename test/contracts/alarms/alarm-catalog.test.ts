import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlarmDefinition, AlarmResources } from '../../../contracts';
import {
  RUNBOOK,
  RUNBOOK_DOCUMENT,
  alarmDefinitions,
  alarmName,
  pipelineCriticalDefinition,
} from '../../../contracts';
import { loadConfig, readCdkJsonContext } from '../../../contracts';
import type { PipelineConfig } from '../../../contracts';
import { DIMENSION, METRIC } from '../../../contracts';

const context = readCdkJsonContext();
const dev = loadConfig('dev', context);

function resourcesFor(config: PipelineConfig, withControllerDlq = true): AlarmResources {
  return {
    streamName: 'events',
    controllerFunctionName: 'controller-fn',
    ...(withControllerDlq ? { controllerDlqName: 'controller-dlq' } : {}),
    consumers: config.consumers.map((c) => ({
      name: c.name,
      breakerName: c.breakerName,
      functionName: `${c.name}-fn`,
      onFailureQueueName: `${c.name}-on-failure`,
      poisonQueueName: `${c.name}-poison`,
    })),
  };
}

function byName(definitions: readonly AlarmDefinition[], name: string): AlarmDefinition {
  const found = definitions.find((d) => d.name === name);
  if (!found) throw new Error(`no alarm ${name}; have ${definitions.map((d) => d.name).join(', ')}`);
  return found;
}

describe('alarmDefinitions', () => {
  const definitions = alarmDefinitions(dev, resourcesFor(dev));

  it('defines 3 stream alarms, 7 per consumer, 1 per breaker and 4 for the controller', () => {
    // dev: two consumers (orders, analytics), each with its own breaker
    expect(definitions).toHaveLength(3 + 7 * 2 + 2 + 4);
    expect(new Set(definitions.map((d) => d.name)).size).toBe(definitions.length);
  });

  it('names every alarm <stage>-<component>-<suffix> with its component', () => {
    for (const d of definitions) {
      expect(d.component).toBeDefined();
      expect(d.name.startsWith(`dev-${d.component}-`)).toBe(true);
    }
    expect(alarmName('prod', 'consumer-orders', 'errors')).toBe('prod-consumer-orders-errors');
  });

  it('takes period and datapoints from config.alarms', () => {
    for (const d of definitions) {
      expect(d).toMatchObject({
        periodSeconds: dev.alarms.periodSeconds,
        evaluationPeriods: dev.alarms.evaluationPeriods,
        datapointsToAlarm: dev.alarms.datapointsToAlarm,
      });
    }
  });

  it.each<[string, Partial<AlarmDefinition>]>([
    [
      'dev-stream-iterator-age',
      {
        namespace: 'AWS/Kinesis',
        metricName: 'GetRecords.IteratorAgeMilliseconds',
        dimensions: { StreamName: 'events' },
        statistic: 'Maximum',
        threshold: dev.alarms.iteratorAgeMaxMillis,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'breaching',
        runbookAnchor: RUNBOOK.streamIteratorAge,
      },
    ],
    [
      'dev-stream-write-throttled',
      {
        namespace: 'AWS/Kinesis',
        metricName: 'WriteProvisionedThroughputExceeded',
        dimensions: { StreamName: 'events' },
        statistic: 'Sum',
        threshold: dev.alarms.throughputExceededMax,
        treatMissingData: 'notBreaching',
      },
    ],
    [
      'dev-stream-read-throttled',
      {
        metricName: 'ReadProvisionedThroughputExceeded',
        dimensions: { StreamName: 'events' },
        statistic: 'Sum',
        threshold: dev.alarms.throughputExceededMax,
      },
    ],
    [
      'dev-consumer-orders-iterator-age',
      {
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensions: { FunctionName: 'orders-fn' },
        statistic: 'Maximum',
        threshold: dev.alarms.iteratorAgeMaxMillis,
        treatMissingData: 'notBreaching',
        runbookAnchor: RUNBOOK.consumerIteratorAge,
      },
    ],
    [
      'dev-consumer-orders-errors',
      {
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: 'orders-fn' },
        statistic: 'Sum',
        threshold: dev.alarms.lambdaErrorsMax,
        comparison: 'GreaterThanThreshold',
      },
    ],
    [
      'dev-consumer-analytics-throttles',
      {
        metricName: 'Throttles',
        dimensions: { FunctionName: 'analytics-fn' },
        statistic: 'Sum',
        threshold: dev.alarms.lambdaThrottlesMax,
      },
    ],
    [
      'dev-consumer-orders-on-failure-dlq-messages',
      {
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: 'orders-on-failure' },
        statistic: 'Maximum',
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        runbookAnchor: RUNBOOK.onFailureDlqMessages,
      },
    ],
    [
      'dev-consumer-orders-on-failure-dlq-age',
      {
        metricName: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: 'orders-on-failure' },
        threshold: dev.alarms.dlqOldestMessageAgeMaxSeconds,
        runbookAnchor: RUNBOOK.onFailureDlqAge,
      },
    ],
    [
      'dev-consumer-orders-poison-dlq-messages',
      { dimensions: { QueueName: 'orders-poison' }, threshold: 0, runbookAnchor: RUNBOOK.poisonDlqMessages },
    ],
    [
      'dev-consumer-orders-poison-dlq-age',
      {
        dimensions: { QueueName: 'orders-poison' },
        threshold: dev.alarms.dlqOldestMessageAgeMaxSeconds,
        runbookAnchor: RUNBOOK.poisonDlqAge,
      },
    ],
    [
      'dev-breaker-orders-open',
      {
        namespace: dev.metricsNamespace,
        metricName: METRIC.breakerOpen,
        dimensions: { [DIMENSION.stage]: 'dev', [DIMENSION.breaker]: 'orders' },
        statistic: 'Maximum',
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'ignore',
        runbookAnchor: RUNBOOK.breakerOpen,
      },
    ],
    [
      'dev-controller-errors',
      {
        metricName: 'Errors',
        dimensions: { FunctionName: 'controller-fn' },
        runbookAnchor: RUNBOOK.controllerErrors,
      },
    ],
    ['dev-controller-throttles', { metricName: 'Throttles', dimensions: { FunctionName: 'controller-fn' } }],
    [
      'dev-controller-dlq-messages',
      { dimensions: { QueueName: 'controller-dlq' }, runbookAnchor: RUNBOOK.controllerDlqMessages },
    ],
    [
      'dev-controller-dlq-age',
      { dimensions: { QueueName: 'controller-dlq' }, runbookAnchor: RUNBOOK.controllerDlqAge },
    ],
  ])('%s watches the right metric with its threshold', (name, expected) => {
    expect(byName(definitions, name)).toMatchObject(expected);
  });

  it('states the threshold and the runbook entry in every description', () => {
    for (const d of definitions) {
      expect(d.description).toContain(` ${d.threshold} `);
      expect(d.description).toContain(`docs/runbook.md${d.runbookAnchor}`);
    }
  });

  it('treats a missing stream iterator age as not breaching when every consumer uses enhanced fan-out', () => {
    // GIVEN consumers that never call GetRecords
    const fanOutOnly: PipelineConfig = {
      ...dev,
      consumers: dev.consumers.map((c) => ({ ...c, enhancedFanOut: true })),
    };
    // WHEN
    const alarm = byName(alarmDefinitions(fanOutOnly, resourcesFor(fanOutOnly)), 'dev-stream-iterator-age');
    // THEN the missing GetRecords metric does not page for ever
    expect(alarm.treatMissingData).toBe('notBreaching');
  });

  it('defines one breaker alarm per breaker, however many consumers share it', () => {
    const shared: PipelineConfig = {
      ...dev,
      consumers: dev.consumers.map((c) => ({ ...c, breakerName: 'shared' })),
    };
    const names = alarmDefinitions(shared, resourcesFor(shared)).map((d) => d.name);
    expect(names.filter((n) => n.startsWith('dev-breaker-'))).toEqual(['dev-breaker-shared-open']);
  });

  it('leaves out the controller DLQ alarms when there is no controller DLQ', () => {
    const names = alarmDefinitions(dev, resourcesFor(dev, false)).map((d) => d.name);
    expect(names).not.toContain('dev-controller-dlq-messages');
    expect(names).toHaveLength(3 + 7 * 2 + 2 + 2);
  });

  it('follows the thresholds of the local stage', () => {
    const local = loadConfig('local', context);
    const localDefinitions = alarmDefinitions(local, resourcesFor(local));
    expect(byName(localDefinitions, 'local-stream-iterator-age')).toMatchObject({
      threshold: local.alarms.iteratorAgeMaxMillis,
      periodSeconds: local.alarms.periodSeconds,
    });
    expect(local.alarms.iteratorAgeMaxMillis).toBe(8_000);
  });

  it('pages on iterator age long before retention could expire a record', () => {
    for (const stage of ['dev', 'prod', 'local']) {
      const config = loadConfig(stage, context);
      const retentionMillis = config.stream.retentionHours * 3_600_000;
      const ageAlarms = alarmDefinitions(config, resourcesFor(config)).filter((d) =>
        d.name.endsWith('-iterator-age'),
      );
      for (const alarm of ageAlarms) {
        const pagesAfterMillis = alarm.threshold + alarm.evaluationPeriods * alarm.periodSeconds * 1000;
        expect(pagesAfterMillis).toBeLessThan(retentionMillis / 4);
      }
    }
  });
});

describe('pipelineCriticalDefinition', () => {
  const resources = resourcesFor(dev);
  const critical = pipelineCriticalDefinition(dev, resources);
  const definitions = alarmDefinitions(dev, resources);

  it('is named <stage>-pipeline-critical and combines its members with anyOf', () => {
    expect(critical).toMatchObject({
      name: 'dev-pipeline-critical',
      rule: 'anyOf',
      runbookAnchor: RUNBOOK.pipelineCritical,
    });
    expect(critical.description).toContain(`docs/runbook.md${RUNBOOK.pipelineCritical}`);
  });

  it('has as members the alarms that mean records are at risk, and only existing alarms', () => {
    expect([...critical.memberNames].sort()).toEqual(
      [
        'dev-stream-iterator-age',
        'dev-stream-write-throttled',
        'dev-consumer-orders-iterator-age',
        'dev-consumer-analytics-iterator-age',
        'dev-consumer-orders-on-failure-dlq-messages',
        'dev-consumer-analytics-on-failure-dlq-messages',
        'dev-controller-dlq-messages',
      ].sort(),
    );
    const names = new Set(definitions.map((d) => d.name));
    for (const member of critical.memberNames) expect(names.has(member)).toBe(true);
  });
});

describe('the runbook', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', RUNBOOK_DOCUMENT), 'utf8');

  it.each(Object.entries(RUNBOOK))('has an entry for %s', (_kind, anchor) => {
    expect(readme).toContain(`<a id="${anchor.slice(1)}"></a>`);
  });
});
