import { METRIC, type ConsumerSettings } from '../contracts';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { CallTimeouts, LatencySummary, publishLatencySummary, type Fetch } from '../lambda/consumer';
import { createConsumerMetrics, createLogger, decodeRecord } from '../lambda/shared';

export type PowertoolsConsumer = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;

/**
 * The same consumer written the way Powertools documents it: a BatchProcessor for Kinesis and a
 * per-record function. The record function does what ours does per record, minus the breaker: it
 * decodes and validates the event with the project's decoder, POSTs it with the same headers,
 * timeout signal and body read, and throws on anything but 2xx so the processor reports it as a
 * batch item failure. Powertools runs every record of the batch at once (Promise.all), without
 * ordering per partition key.
 *
 * With `observed`, it also emits what ours emits: the downstream latency of every call, the batch's
 * record counts and one log line per batch, through the same Powertools Logger and Metrics. Without
 * it, it is the bare record handler, the comparison the headline ratio uses.
 */
export function buildPowertoolsConsumer(
  settings: ConsumerSettings,
  fetch: Fetch,
  { observed = false }: { readonly observed?: boolean } = {},
): PowertoolsConsumer {
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const telemetry = observed
    ? {
        logger: createLogger(settings.consumerName, {
          stage: settings.stage,
          consumer: settings.consumerName,
        }),
        metrics: createConsumerMetrics({
          namespace: settings.metricsNamespace,
          stage: settings.stage,
          consumerName: settings.consumerName,
        }),
      }
    : undefined;
  // Like ours: latencies summarised per batch (the batch runs to its end before the next one starts).
  let latency = new LatencySummary();
  const timeouts = new CallTimeouts({ timeoutMillis: settings.downstreamTimeoutMillis });
  const recordHandler = async (record: KinesisStreamRecord): Promise<void> => {
    const { event, json } = decodeRecord(record.kinesis, settings.maxEventBytes);
    const started = performance.now();
    const timeout = timeouts.begin();
    let response: Response;
    try {
      response = await fetch(settings.downstreamUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': event.eventId },
        body: json,
        redirect: 'manual',
        signal: timeout.signal,
      });
      await response.text();
    } finally {
      timeouts.end(timeout);
    }
    if (telemetry) latency.add(performance.now() - started);
    if (!response.ok) throw new Error(`downstream answered HTTP ${response.status}`);
  };
  return async (event) => {
    const response = await processPartialResponse(event, recordHandler, processor);
    if (telemetry) {
      const failed = response.batchItemFailures.length;
      telemetry.metrics.addMetric(METRIC.recordsProcessed, MetricUnit.Count, event.Records.length - failed);
      publishLatencySummary(telemetry.metrics, latency.summarize());
      latency = new LatencySummary();
      telemetry.logger.info('batch done', { records: event.Records.length, failed });
      telemetry.metrics.publishStoredMetrics();
    }
    return response;
  };
}
