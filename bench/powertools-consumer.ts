import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { Fetch } from '../lambda/consumer';
import { decodeRecord, type ConsumerSettings } from '../lambda/shared';

/**
 * The same consumer written the way Powertools documents it: a BatchProcessor for Kinesis and a
 * per-record function. The record function does what ours does per record, minus the breaker: it
 * decodes and validates the event with the project's decoder, POSTs it with the same headers,
 * timeout signal and body read, and throws on anything but 2xx so the processor reports it as a
 * batch item failure. Powertools runs every record of the batch at once (Promise.all), without
 * ordering per partition key, metrics or logs.
 */
export function buildPowertoolsConsumer(
  settings: ConsumerSettings,
  fetch: Fetch,
): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const recordHandler = async (record: KinesisStreamRecord): Promise<void> => {
    const { event, json } = decodeRecord(record.kinesis, settings.maxEventBytes);
    const response = await fetch(settings.downstreamUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': event.eventId },
      body: json,
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.downstreamTimeoutMillis),
    });
    await response.text();
    if (!response.ok) throw new Error(`downstream answered HTTP ${response.status}`);
  };
  return (event) => processPartialResponse(event, recordHandler, processor);
}
