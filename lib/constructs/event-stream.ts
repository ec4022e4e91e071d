import { Duration } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { BASE_DEFAULTS, LIMITS } from '../../contracts';
import type { StreamCapacityMode } from '../../contracts';
import { PropsCheck } from './props-check';

export interface EventStreamProps {
  /** Physical stream name. */
  readonly streamName: string;
  /** ON_DEMAND scales by itself; PROVISIONED has `shardCount` shards. @default 'ON_DEMAND' */
  readonly capacityMode?: StreamCapacityMode;
  /**
   * Shards of a PROVISIONED stream (1 MB/s or 1000 records/s write each); ignored ON_DEMAND.
   * Valid range 1..500 (LIMITS.shardCount). @default 2
   */
  readonly shardCount?: number;
  /** How long a record stays readable. Valid range 24 h..8760 h (LIMITS.retentionHours). @default Duration.hours(168) */
  readonly retentionPeriod?: Duration;
}

const DEFAULT_SHARDS = BASE_DEFAULTS.stream.shardCount;
const DEFAULT_RETENTION = Duration.hours(BASE_DEFAULTS.stream.retentionHours);

/** The Kinesis data stream producers write to: KMS-encrypted, with the configured capacity and retention. */
export class EventStream extends Construct {
  readonly stream: kinesis.Stream;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    new PropsCheck(this)
      .integer('shardCount', props.shardCount, LIMITS.shardCount)
      .hours('retentionPeriod', props.retentionPeriod, LIMITS.retentionHours)
      .done();
    const provisioned = props.capacityMode === 'PROVISIONED';
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamName: props.streamName,
      streamMode: provisioned ? kinesis.StreamMode.PROVISIONED : kinesis.StreamMode.ON_DEMAND,
      shardCount: provisioned ? (props.shardCount ?? DEFAULT_SHARDS) : undefined,
      retentionPeriod: props.retentionPeriod ?? DEFAULT_RETENTION,
      // KMS with the AWS-managed aws/kinesis key (cdk-nag AwsSolutions-KDS3): producers, consumers and the
      // redrive tool need no grant on a customer key to write or read.
      encryption: kinesis.StreamEncryption.MANAGED,
    });
  }
}
