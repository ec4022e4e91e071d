import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlarmDefinition, AlarmResources, PipelineConfig } from '../../../contracts';
import {
  DURATION_TIMEOUT_FRACTION,
  RUNBOOK,
  RUNBOOK_DOCUMENT,
  alarmDefinitions,
  alarmName,
  pipelineCriticalDefinition,
  loadConfig,
  readCdkJsonContext,
  DIMENSION,
  METRIC,
} from '../../../contracts';

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
      eventSourceMappingUuid: `${c.name}-uuid`,
    })),
    pagingTopicName: 'paging-topic',
  };
}

function byName(definitions: readonly AlarmDefinition[], name: string): AlarmDefinition {
  const found = definitions.find((d) => d.name === name);
  if (!found) throw new Error(`no alarm ${name}; have ${definitions.map((d) => d.name).join(', ')}`);
  return found;
}

describe('alarmDefinitions', () => {
  const definitions = alarmDefinitions(dev, resourcesFor(dev));

  it('defines 3 stream alarms, 11 per consumer, 2 per breaker, 4 for the controller and 1 for the pager', () => {
    // dev: two consumers (orders, analytics), each with its own breaker
    expect(definitions).toHaveLength(3 + 11 * 2 + 2 * 2 + 4 + 1);
    expect(new Set(definitions.map((d) => d.name)).size).toBe(definitions.length);
  });

  it('names every alarm event-pipeline-<stage>-<component>-<suffix> with its component', () => {
    for (const d of definitions) {
      expect(d.component).toBeDefined();
      expect(d.name.startsWith(`event-pipeline-dev-${d.component}-`)).toBe(true);
    }
    expect(alarmName('prod', 'consumer-orders', 'errors')).toBe('event-pipeline-prod-consumer-orders-errors');
  });

  it('routes every metric alarm to the non-paging topic: only the composite pages', () => {
    for (const d of definitions) expect(d.notifies).toBe('non-paging');
    expect(pipelineCriticalDefinition(dev, resourcesFor(dev)).notifies).toBe('paging');
  });

  it('states the severity in every description', () => {
    const members = new Set(pipelineCriticalDefinition(dev, resourcesFor(dev)).memberNames);
    for (const d of definitions) {
      expect(d.description).toContain(
        members.has(d.name) ? 'Severity: page (through the pipeline-critical composite)' : 'Severity: ticket',
      );
    }
  });

  it('takes period and datapoints from config.alarms, except the alarms that fire on the first datapoint', () => {
    const firstDatapoint = [
      'event-pipeline-dev-controller-errors',
      'event-pipeline-dev-consumer-orders-dropped-events',
      'event-pipeline-dev-consumer-analytics-dropped-events',
      'event-pipeline-dev-alerting-paging-notifications-failed',
      'event-pipeline-dev-consumer-orders-destination-delivery-failures',
      'event-pipeline-dev-consumer-analytics-destination-delivery-failures',
    ];
    for (const d of definitions) {
      if (firstDatapoint.includes(d.name)) {
        expect(d).toMatchObject({ evaluationPeriods: 1, datapointsToAlarm: 1 });
        continue;
      }
      expect(d).toMatchObject({
        periodSeconds: dev.alarms.periodSeconds,
        evaluationPeriods: dev.alarms.evaluationPeriods,
        datapointsToAlarm: dev.alarms.datapointsToAlarm,
      });
    }
  });

  it.each<[string, Partial<AlarmDefinition>]>([
    [
      'event-pipeline-dev-stream-iterator-age',
      {
        namespace: 'AWS/Kinesis',
        metricName: 'GetRecords.IteratorAgeMilliseconds',
        dimensions: { StreamName: 'events' },
        statistic: 'Maximum',
        threshold: dev.alarms.iteratorAgeMaxMillis,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        runbookAnchor: RUNBOOK.streamIteratorAge,
      },
    ],
    [
      'event-pipeline-dev-stream-write-throttled',
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
      'event-pipeline-dev-stream-read-throttled',
      {
        metricName: 'ReadProvisionedThroughputExceeded',
        dimensions: { StreamName: 'events' },
        statistic: 'Sum',
        threshold: dev.alarms.throughputExceededMax,
      },
    ],
    [
      'event-pipeline-dev-consumer-orders-iterator-age',
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
      'event-pipeline-dev-consumer-orders-errors',
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
      'event-pipeline-dev-consumer-analytics-throttles',
      {
        metricName: 'Throttles',
        dimensions: { FunctionName: 'analytics-fn' },
        statistic: 'Sum',
        threshold: dev.alarms.lambdaThrottlesMax,
      },
    ],
    [
      'event-pipeline-dev-consumer-orders-on-failure-dlq-messages',
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
      'event-pipeline-dev-consumer-orders-on-failure-dlq-age',
      {
        metricName: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: 'orders-on-failure' },
        threshold: dev.alarms.dlqOldestMessageAgeMaxSeconds,
        runbookAnchor: RUNBOOK.onFailureDlqAge,
      },
    ],
    [
      'event-pipeline-dev-consumer-orders-poison-dlq-messages',
      { dimensions: { QueueName: 'orders-poison' }, threshold: 0, runbookAnchor: RUNBOOK.poisonDlqMessages },
    ],
    [
      'event-pipeline-dev-consumer-orders-poison-dlq-age',
      {
        dimensions: { QueueName: 'orders-poison' },
        threshold: dev.alarms.dlqOldestMessageAgeMaxSeconds,
        runbookAnchor: RUNBOOK.poisonDlqAge,
      },
    ],
    [
      'event-pipeline-dev-breaker-orders-open',
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
      'event-pipeline-dev-controller-errors',
      {
        metricName: 'Errors',
        dimensions: { FunctionName: 'controller-fn' },
        statistic: 'Sum',
        // A failing tick makes about 3 errors a minute: alarm on the first one.
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        runbookAnchor: RUNBOOK.controllerErrors,
      },
    ],
    [
      'event-pipeline-dev-consumer-orders-paused-too-long',
      {
        namespace: dev.metricsNamespace,
        metricName: METRIC.consumerPausedSeconds,
        dimensions: { [DIMENSION.stage]: 'dev', [DIMENSION.consumer]: 'orders' },
        statistic: 'Maximum',
        threshold: dev.alarms.consumerPausedMaxSeconds,
        comparison: 'GreaterThanThreshold',
        // A dead controller tick publishes nothing: that is a page (heartbeat).
        treatMissingData: 'breaching',
        runbookAnchor: RUNBOOK.consumerPausedTooLong,
      },
    ],
    [
      'event-pipeline-dev-consumer-orders-dropped-events',
      {
        namespace: 'AWS/Lambda',
        metricName: 'DroppedEventCount',
        dimensions: { EventSourceMappingUUID: 'orders-uuid' },
        statistic: 'Sum',
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        runbookAnchor: RUNBOOK.consumerDroppedEvents,
      },
    ],
    [
      'event-pipeline-dev-consumer-orders-destination-delivery-failures',
      {
        namespace: 'AWS/Lambda',
        metricName: 'DestinationDeliveryFailures',
        dimensions: { FunctionName: 'orders-fn' },
        statistic: 'Sum',
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        runbookAnchor: RUNBOOK.consumerDestinationDeliveryFailures,
      },
    ],
    [
      'event-pipeline-dev-consumer-orders-duration',
      {
        namespace: 'AWS/Lambda',
        metricName: 'Duration',
        dimensions: { FunctionName: 'orders-fn' },
        statistic: 'Maximum',
        threshold: dev.consumers[0].timeoutSeconds * 1000 * DURATION_TIMEOUT_FRACTION,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        runbookAnchor: RUNBOOK.consumerDuration,
      },
    ],
    [
      'event-pipeline-dev-breaker-orders-store-unavailable',
      {
        namespace: dev.metricsNamespace,
        metricName: METRIC.breakerStoreUnavailable,
        dimensions: { [DIMENSION.stage]: 'dev', [DIMENSION.breaker]: 'orders' },
        statistic: 'Sum',
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        runbookAnchor: RUNBOOK.breakerStoreUnavailable,
      },
    ],
    [
      'event-pipeline-dev-alerting-paging-notifications-failed',
      {
        namespace: 'AWS/SNS',
        metricName: 'NumberOfNotificationsFailed',
        dimensions: { TopicName: 'paging-topic' },
        statistic: 'Sum',
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        notifies: 'non-paging',
        runbookAnchor: RUNBOOK.pagingNotificationsFailed,
      },
    ],
    [
      'event-pipeline-dev-controller-throttles',
      { metricName: 'Throttles', dimensions: { FunctionName: 'controller-fn' } },
    ],
    [
      'event-pipeline-dev-controller-dlq-messages',
      { dimensions: { QueueName: 'controller-dlq' }, runbookAnchor: RUNBOOK.controllerDlqMessages },
    ],
    [
      'event-pipeline-dev-controller-dlq-age',
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

  it('treats a missing stream iterator age as not breaching also when every consumer uses enhanced fan-out', () => {
    // GIVEN consumers that never call GetRecords
    const fanOutOnly: PipelineConfig = {
      ...dev,
      consumers: dev.consumers.map((c) => ({ ...c, enhancedFanOut: true })),
    };
    // WHEN
    const alarm = byName(
      alarmDefinitions(fanOutOnly, resourcesFor(fanOutOnly)),
      'event-pipeline-dev-stream-iterator-age',
    );
    // THEN the missing GetRecords metric does not page for ever
    expect(alarm.treatMissingData).toBe('notBreaching');
  });

  it('watches an enhanced fan-out consumer on SubscribeToShardEvent.MillisBehindLatest of its own name', () => {
    // GIVEN orders reading through a registered fan-out consumer
    const resources = resourcesFor(dev);
    const withFanOut: AlarmResources = {
      ...resources,
      consumers: resources.consumers.map((c) =>
        c.name === 'orders' ? { ...c, streamConsumerName: 'orders-fan-out' } : c,
      ),
    };
    // WHEN
    const fanOut = alarmDefinitions(dev, withFanOut);
    // THEN orders has a lag alarm on the metric of its read mode, which pages; analytics has none
    expect(byName(fanOut, 'event-pipeline-dev-consumer-orders-fan-out-lag')).toMatchObject({
      namespace: 'AWS/Kinesis',
      metricName: 'SubscribeToShardEvent.MillisBehindLatest',
      dimensions: { StreamName: 'events', ConsumerName: 'orders-fan-out' },
      statistic: 'Maximum',
      threshold: dev.alarms.iteratorAgeMaxMillis,
      treatMissingData: 'notBreaching',
      runbookAnchor: RUNBOOK.consumerFanOutLag,
    });
    expect(fanOut.map((d) => d.name)).not.toContain('event-pipeline-dev-consumer-analytics-fan-out-lag');
    expect(pipelineCriticalDefinition(dev, withFanOut).memberNames).toContain(
      'event-pipeline-dev-consumer-orders-fan-out-lag',
    );
  });

  it('pages on a failed-batch notice EventBridge failed to deliver, or parked in its dead-letter queue', () => {
    const withRule: AlarmResources = {
      ...resourcesFor(dev),
      failedBatchNoticeRuleName: 'notice-rule',
      failedBatchNoticesDlqName: 'notice-dlq',
    };
    const withNotices = alarmDefinitions(dev, withRule);
    expect(byName(withNotices, 'event-pipeline-dev-failed-batches-notice-failed-invocations')).toMatchObject({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensions: { RuleName: 'notice-rule' },
      statistic: 'Sum',
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      runbookAnchor: RUNBOOK.failedBatchNoticeFailedInvocations,
    });
    expect(byName(withNotices, 'event-pipeline-dev-failed-batches-notice-dlq-messages')).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: 'notice-dlq' },
      threshold: 0,
      runbookAnchor: RUNBOOK.failedBatchNoticeDlqMessages,
    });
    expect(pipelineCriticalDefinition(dev, withRule).memberNames).toEqual(
      expect.arrayContaining([
        'event-pipeline-dev-failed-batches-notice-failed-invocations',
        'event-pipeline-dev-failed-batches-notice-dlq-messages',
      ]),
    );
  });

  it('pages when EventBridge cannot park an undelivered notice in the rule’s DLQ (InvocationsFailedToBeSentToDlq)', () => {
    // AWS/Events FailedInvocations does not count invocations moved to a DLQ, and a failed move to the
    // DLQ (permissions, a refused key: the DLQ shares the queue's key) is its own metric,
    // InvocationsFailedToBeSentToDlq (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
    const withRule: AlarmResources = {
      ...resourcesFor(dev),
      failedBatchNoticeRuleName: 'notice-rule',
      failedBatchNoticesDlqName: 'notice-dlq',
    };
    const pages = alarmDefinitions(dev, withRule).filter(
      (d) => d.namespace === 'AWS/Events' && d.metricName === 'InvocationsFailedToBeSentToDlq',
    );
    expect(pages.map((d) => d.dimensions)).toEqual([{ RuleName: 'notice-rule' }]);
    expect(pipelineCriticalDefinition(dev, withRule).memberNames).toEqual(
      expect.arrayContaining(pages.map((d) => d.name)),
    );
  });

  it('defines one set of breaker alarms per breaker, however many consumers share it', () => {
    const shared: PipelineConfig = {
      ...dev,
      consumers: dev.consumers.map((c) => ({ ...c, breakerName: 'shared' })),
    };
    const names = alarmDefinitions(shared, resourcesFor(shared)).map((d) => d.name);
    expect(names.filter((n) => n.startsWith('event-pipeline-dev-breaker-'))).toEqual([
      'event-pipeline-dev-breaker-shared-open',
      'event-pipeline-dev-breaker-shared-store-unavailable',
    ]);
  });

  it('leaves out the controller DLQ alarms when there is no controller DLQ', () => {
    const names = alarmDefinitions(dev, resourcesFor(dev, false)).map((d) => d.name);
    expect(names).not.toContain('event-pipeline-dev-controller-dlq-messages');
    expect(names).toHaveLength(3 + 11 * 2 + 2 * 2 + 2 + 1);
  });

  it('follows the thresholds of the local stage', () => {
    const local = loadConfig('local', context);
    const localDefinitions = alarmDefinitions(local, resourcesFor(local));
    expect(byName(localDefinitions, 'event-pipeline-local-stream-iterator-age')).toMatchObject({
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

  it('is named event-pipeline-<stage>-pipeline-critical and combines its members with anyOf', () => {
    expect(critical).toMatchObject({
      name: 'event-pipeline-dev-pipeline-critical',
      rule: 'anyOf',
      runbookAnchor: RUNBOOK.pipelineCritical,
    });
    expect(critical.description).toContain(`docs/runbook.md${RUNBOOK.pipelineCritical}`);
  });

  it('has as members the alarms that mean records are at risk, and only existing alarms', () => {
    expect([...critical.memberNames].sort()).toEqual(
      [
        'event-pipeline-dev-stream-iterator-age',
        'event-pipeline-dev-stream-write-throttled',
        'event-pipeline-dev-consumer-orders-iterator-age',
        'event-pipeline-dev-consumer-analytics-iterator-age',
        'event-pipeline-dev-consumer-orders-on-failure-dlq-messages',
        'event-pipeline-dev-consumer-analytics-on-failure-dlq-messages',
        'event-pipeline-dev-controller-dlq-messages',
        'event-pipeline-dev-consumer-orders-paused-too-long',
        'event-pipeline-dev-consumer-analytics-paused-too-long',
        'event-pipeline-dev-consumer-orders-dropped-events',
        'event-pipeline-dev-consumer-analytics-dropped-events',
        'event-pipeline-dev-consumer-orders-destination-delivery-failures',
        'event-pipeline-dev-consumer-analytics-destination-delivery-failures',
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

describe('the paused-too-long threshold', () => {
  it('is derived from retention like the iterator-age threshold, and pages long before retention ends', () => {
    for (const stage of ['dev', 'prod']) {
      const config = loadConfig(stage, context);
      expect(config.alarms.consumerPausedMaxSeconds * 1000).toBe(config.alarms.iteratorAgeMaxMillis);
      expect(config.alarms.consumerPausedMaxSeconds * 1000).toBeLessThan(
        (config.stream.retentionHours * 3_600_000) / 4,
      );
    }
  });
});

describe('the quarantine alarms', () => {
  const quarantined = (config: PipelineConfig): AlarmResources => {
    const resources = resourcesFor(config);
    return {
      ...resources,
      consumers: resources.consumers.map((c) => ({ ...c, quarantined: c.name === 'orders' })),
    };
  };
  const definitions = alarmDefinitions(dev, quarantined(dev));

  it('watches the keys in quarantine (a ticket) and the oldest key (a page) of each consumer with quarantine', () => {
    // GIVEN orders has a provisioned quarantine and analytics does not
    const keys = byName(definitions, 'event-pipeline-dev-consumer-orders-quarantined-keys');
    const age = byName(definitions, 'event-pipeline-dev-consumer-orders-quarantine-age');

    // THEN both watch what the controller tick publishes, by Stage and Consumer
    for (const alarm of [keys, age]) {
      expect(alarm.namespace).toBe(dev.metricsNamespace);
      expect(alarm.dimensions).toEqual({ [DIMENSION.stage]: 'dev', [DIMENSION.consumer]: 'orders' });
      expect(alarm.statistic).toBe('Maximum');
      expect(alarm.comparison).toBe('GreaterThanThreshold');
      expect(alarm.notifies).toBe('non-paging');
    }
    expect(keys).toMatchObject({
      metricName: METRIC.quarantinedKeys,
      threshold: 0,
      treatMissingData: 'notBreaching',
      runbookAnchor: RUNBOOK.quarantineKeys,
    });
    expect(age).toMatchObject({
      metricName: METRIC.oldestQuarantineAgeSeconds,
      threshold: dev.alarms.quarantineAgeMaxSeconds,
      treatMissingData: 'breaching',
      runbookAnchor: RUNBOOK.quarantineAge,
    });
    expect(age.description).toContain('Severity: page (through the pipeline-critical composite)');
    expect(keys.description).toContain('Severity: ticket (non-paging topic)');
    expect(definitions.filter((d) => d.name.includes('quarantine'))).toHaveLength(2);
  });

  it('pages on the age through the composite, well before the queue deletes a record after 14 days', () => {
    const critical = pipelineCriticalDefinition(dev, quarantined(dev));
    expect(critical.memberNames).toContain('event-pipeline-dev-consumer-orders-quarantine-age');
    expect(critical.memberNames).not.toContain('event-pipeline-dev-consumer-orders-quarantined-keys');
    const fourteenDays = 14 * 24 * 60 * 60;
    expect(dev.alarms.quarantineAgeMaxSeconds).toBe(6 * 60 * 60);
    expect(dev.alarms.quarantineAgeMaxSeconds).toBeLessThanOrEqual(fourteenDays / 2);
  });
});
