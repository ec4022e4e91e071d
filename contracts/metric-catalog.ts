/**
 * Names and dimensions of the custom metrics the handlers emit in EMF. The alarms in lib/ and the
 * local alarm evaluator read the same constants, so an alarm always watches a metric that exists.
 */
export const METRIC = {
  recordsProcessed: 'RecordsProcessed',
  recordsPoisoned: 'RecordsPoisoned',
  recordsRetried: 'RecordsRetried',
  /** Per batch, with quarantine on: records moved to the quarantine queue, and keys refused because the set was full. */
  recordsQuarantined: 'RecordsQuarantined',
  quarantineFull: 'QuarantineFull',
  /** Per batch: downstream calls made, and their latency's p50, p99 and maximum (nearest rank). */
  downstreamCalls: 'DownstreamCalls',
  downstreamLatencyP50: 'DownstreamLatencyP50',
  downstreamLatencyP99: 'DownstreamLatencyP99',
  downstreamLatencyMax: 'DownstreamLatencyMax',
  /** 1 while the breaker is OPEN, 0 otherwise; emitted by the controller's scheduled tick and on transitions. */
  breakerOpen: 'BreakerOpen',
  breakerTransition: 'BreakerTransition',
  breakerStoreUnavailable: 'BreakerStoreUnavailable',
  /**
   * Seconds a consumer has been paused (its breaker OPEN or between failed probes, or its mapping still
   * disabled), 0 while it runs; {Stage, Consumer}; emitted by every controller tick, for every consumer.
   */
  consumerPausedSeconds: 'ConsumerPausedSeconds',
  /**
   * The producer client (ops/producer-client), per emit: records sent, retried, throttled, shed and
   * failed since the previous emit, failure handlers that failed, records pending now, and the put
   * latency (send() to acknowledgement) p50, p99 and maximum; throttled records per shard carry
   * {..., ShardId}.
   */
  producerRecordsSent: 'ProducerRecordsSent',
  producerRecordsRetried: 'ProducerRecordsRetried',
  producerRecordsThrottled: 'ProducerRecordsThrottled',
  producerRecordsShed: 'ProducerRecordsShed',
  producerRecordsFailed: 'ProducerRecordsFailed',
  producerCallbackFailures: 'ProducerCallbackFailures',
  producerRecordsPending: 'ProducerRecordsPending',
  producerPutLatencyP50: 'ProducerPutLatencyP50',
  producerPutLatencyP99: 'ProducerPutLatencyP99',
  producerPutLatencyMax: 'ProducerPutLatencyMax',
  producerShardRecordsThrottled: 'ProducerShardRecordsThrottled',
  /**
   * Failed batches in the on-failure bucket (objects under `aws/lambda/`), {Stage}; emitted by every
   * controller tick from a listing of the bucket. Exact up to 1000 objects per shard, a lower bound above.
   */
  failedBatchesWaiting: 'FailedBatchesWaiting',
  /** Age of the oldest object in the on-failure bucket, 0 when it is empty, {Stage}; every controller tick. */
  failedBatchOldestAgeSeconds: 'FailedBatchOldestAgeSeconds',
  /**
   * Per consumer with quarantine, {Stage, Consumer}; emitted by every controller tick from the set on the
   * breaker item: keys in quarantine, and seconds since the earliest of them entered (0 when none). A
   * key's `since` bounds the age of its oldest quarantined record from above. SQS's own
   * ApproximateAgeOfOldestMessage leaves out a message received three times or more, which a key that
   * keeps failing is (docs/architecture.md, "Per-key quarantine").
   */
  quarantinedKeys: 'QuarantinedKeys',
  oldestQuarantineAgeSeconds: 'OldestQuarantineAgeSeconds',
} as const;

/** Dimension names. Consumer metrics carry {Stage, Consumer}; breaker metrics carry {Stage, Breaker}. */
export const DIMENSION = {
  stage: 'Stage',
  consumer: 'Consumer',
  breaker: 'Breaker',
  /** The producer's per-shard throttling metric adds it. */
  shardId: 'ShardId',
} as const;
