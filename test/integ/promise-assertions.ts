import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import type { IApiCall, IntegTest } from '@aws-cdk/integ-tests-alpha';
import type { PipelineEndpoints } from '../../lib';

/** What the assertions reach: the stack's typed endpoints and the test's own downstream table and page queue. */
export interface PromiseAssertionTargets {
  readonly endpoints: PipelineEndpoints;
  /** The consumer whose downstream is the test downstream. */
  readonly consumer: string;
  /** The test downstream's table: `event#<eventId>` per accepted event, and its failure-mode item. */
  readonly receivedTable: dynamodb.ITableV2;
  /** The queue subscribed to the paging topic (the test's on-call). */
  readonly pagesQueue: sqs.IQueue;
}

/** Events put before the outage, and during it (they wait in the stream while the breaker is open). */
export const EVENTS_BEFORE_OUTAGE = 10;
export const EVENTS_DURING_OUTAGE = 20;
/** Enough for the controller's tick, a batch's retries and a one-minute alarm period, on a busy account. */
const WAIT_FOR_PIPELINE = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };
/** Keys the events spread over, so more than one key's order is exercised. */
const PARTITION_KEYS = 4;

/**
 * The pipeline's promises, asserted through the SDK against the deployed stage, in order:
 * 1. the mapping is enabled by the controller and a record put on the stream reaches the downstream;
 *    the pipeline-critical composite is OK (pages from the stage's start-up are purged);
 * 2. a downstream outage (503) trips the breaker, and the controller disables the mapping;
 * 3. the composite goes to ALARM, its newest action succeeded (alarm history) and the page reached the queue;
 * 4. after recovery every event put (before and during the outage) reached the downstream.
 */
export function addPromiseAssertions(integ: IntegTest, targets: PromiseAssertionTargets): void {
  const api = integ.assertions;
  const { endpoints, receivedTable, pagesQueue } = targets;
  const mappingId = endpoints.eventSourceMappingIds[targets.consumer];

  const mappingIs = (state: 'Enabled' | 'Disabled'): IApiCall =>
    api
      .awsApiCall('Lambda', 'getEventSourceMapping', { UUID: mappingId })
      .expect(ExpectedResult.objectLike({ State: state }))
      .waitForAssertions(WAIT_FOR_PIPELINE);
  const putEvents = (phase: string, count: number): IApiCall =>
    api.awsApiCall('Kinesis', 'putRecords', {
      StreamName: endpoints.stream.streamName,
      Records: integEvents(phase, count).map((event, i) => ({
        Data: JSON.stringify(event),
        PartitionKey: `integ-key-${i % PARTITION_KEYS}`,
      })),
    });
  const setMode = (mode: 'ok' | '503'): IApiCall =>
    api.awsApiCall('DynamoDB', 'putItem', {
      TableName: receivedTable.tableName,
      Item: { pk: { S: 'mode' }, mode: { S: mode } },
    });
  const downstreamHolds = (count: number): IApiCall =>
    api
      .awsApiCall('DynamoDB', 'scan', {
        TableName: receivedTable.tableName,
        Select: 'COUNT',
        FilterExpression: 'begins_with(pk, :event)',
        ExpressionAttributeValues: { ':event': { S: 'event#' } },
      })
      // Ids are unique and the downstream writes each once: the count is "every id put arrived".
      .expect(ExpectedResult.objectLike({ Count: count }))
      .waitForAssertions(WAIT_FOR_PIPELINE);

  const compositeIs = (state: 'OK' | 'ALARM'): IApiCall =>
    api
      .awsApiCall('CloudWatch', 'describeAlarms', {
        AlarmNames: [endpoints.pipelineCritical.alarmName],
        AlarmTypes: ['CompositeAlarm'],
      })
      .expect(
        ExpectedResult.objectLike({
          CompositeAlarms: Match.arrayWith([Match.objectLike({ StateValue: state })]),
        }),
      )
      .waitForAssertions(WAIT_FOR_PIPELINE);
  // The newest action of the composite, read after it went from OK to ALARM: the page of this outage.
  const newestActionSucceeded = api
    .awsApiCall('CloudWatch', 'describeAlarmHistory', {
      AlarmName: endpoints.pipelineCritical.alarmName,
      // Without AlarmTypes, DescribeAlarmHistory returns metric alarms only, never the composite.
      AlarmTypes: ['CompositeAlarm'],
      HistoryItemType: 'Action',
      ScanBy: 'TimestampDescending',
      MaxRecords: 1,
    })
    .expect(
      ExpectedResult.objectLike({
        AlarmHistoryItems: Match.arrayWith([
          Match.objectLike({
            HistorySummary: Match.stringLikeRegexp('^Successfully executed action arn:[^ ]+:sns:'),
          }),
        ]),
      }),
    )
    .waitForAssertions(WAIT_FOR_PIPELINE);
  // A page from the stage's start-up (alarms with missing data) must not pass for the outage's page.
  const forgetEarlierPages = api.awsApiCall('SQS', 'purgeQueue', { QueueUrl: pagesQueue.queueUrl });
  const pageArrived = api
    .awsApiCall('SQS', 'receiveMessage', {
      QueueUrl: pagesQueue.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
    })
    .expect(
      ExpectedResult.objectLike({
        // The composite's own ALARM page (the SNS envelope's Subject), not its OK notification nor a
        // member alarm's: all of them notify this topic, and their JSON all holds "ALARM".
        Messages: Match.arrayWith([
          Match.objectLike({
            Body: Match.stringLikeRegexp(
              `"Subject"\\s*:\\s*"ALARM: \\\\"${endpoints.pipelineCritical.alarmName}\\\\"`,
            ),
          }),
        ]),
      }),
    )
    .waitForAssertions(WAIT_FOR_PIPELINE);

  mappingIs('Enabled')
    .next(putEvents('before', EVENTS_BEFORE_OUTAGE))
    .next(downstreamHolds(EVENTS_BEFORE_OUTAGE))
    .next(compositeIs('OK'))
    .next(forgetEarlierPages)
    .next(setMode('503'))
    .next(putEvents('during', EVENTS_DURING_OUTAGE))
    .next(mappingIs('Disabled'))
    .next(compositeIs('ALARM'))
    .next(newestActionSucceeded)
    .next(pageArrived)
    .next(setMode('ok'))
    .next(mappingIs('Enabled'))
    .next(downstreamHolds(EVENTS_BEFORE_OUTAGE + EVENTS_DURING_OUTAGE));
}

/** Pipeline events with ids fixed by phase and index, so the synthesized template (and its snapshot) is stable. */
export function integEvents(
  phase: string,
  count: number,
): { eventId: string; type: string; occurredAt: string; payload: Record<string, unknown> }[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: `integ-${phase}-${String(i + 1).padStart(3, '0')}`,
    type: 'integ.test',
    occurredAt: '2026-01-01T00:00:00.000Z',
    payload: { phase, index: i + 1 },
  }));
}
