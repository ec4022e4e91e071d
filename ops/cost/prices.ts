/**
 * us-east-1 list prices the cost model (docs/cost.md) multiplies counts by. Each carries where it was read
 * and on which date. `seen: 'third-party'` marks a price the stored copy of AWS's own pricing page did not show
 * (its tables render from script): the figure then comes from the third-party page named, and docs/cost.md
 * marks that line, since it may be out of date.
 */
export interface Price {
  /** US dollars per `unit`. */
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  /**
   * Where the figure was seen: on AWS's own pricing page; only on the third-party page named in `source`;
   * or on no stored page at all (the figure is then AWS's list price as last known, to be checked).
   */
  readonly seen: 'aws' | 'third-party' | 'nowhere';
}

/** The date the prices below were read (the `search` tool's stored pages). */
export const PRICES_READ_ON = '2026-12-07';
export const PRICE_REGION = 'us-east-1';

export const PRICES = {
  kinesisShardHour: {
    usd: 0.015,
    unit: 'shard-hour (provisioned)',
    source: 'https://c3x.dev/resources/aws/aws_kinesis_stream',
    seen: 'third-party',
  },
  kinesisPutPayloadUnitMillion: {
    usd: 0.014,
    unit: 'million PUT payload units (25 KB each, provisioned)',
    source:
      'https://aws.amazon.com/kinesis/data-streams/pricing/ (unit defined there; rate not in the stored copy)',
    seen: 'nowhere',
  },
  kinesisOnDemandStreamHour: {
    usd: 0.04,
    unit: 'stream-hour (on-demand)',
    source:
      'https://aws.amazon.com/kinesis/data-streams/pricing/ (charge named there; rate not in the stored copy)',
    seen: 'nowhere',
  },
  kinesisOnDemandGbIn: {
    usd: 0.08,
    unit: 'GB written (on-demand, records rounded up to 1 KB)',
    source:
      'https://aws.amazon.com/kinesis/data-streams/pricing/ (rounding stated there; rate not in the stored copy)',
    seen: 'nowhere',
  },
  kinesisOnDemandGbOut: {
    usd: 0.04,
    unit: 'GB read (on-demand, shared-throughput consumers)',
    source: 'https://c3x.dev/resources/aws/aws_kinesis_stream',
    seen: 'third-party',
  },
  kinesisEfoConsumerShardHour: {
    usd: 0.015,
    unit: 'consumer-shard-hour (enhanced fan-out)',
    source: 'https://c3x.dev/resources/aws/aws_kinesis_stream',
    seen: 'third-party',
  },
  kinesisEfoGbRetrieved: {
    usd: 0.013,
    unit: 'GB retrieved (enhanced fan-out)',
    source: 'https://c3x.dev/resources/aws/aws_kinesis_stream',
    seen: 'third-party',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second (arm64, first 7.5 billion)',
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing',
    seen: 'third-party',
  },
  lambdaRequestMillion: {
    usd: 0.2,
    unit: 'million requests',
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing',
    seen: 'third-party',
  },
  dynamoReadMillion: {
    usd: 0.125,
    unit: 'million read request units (on-demand)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
    seen: 'third-party',
  },
  dynamoWriteMillion: {
    usd: 0.625,
    unit: 'million write request units (on-demand)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
    seen: 'third-party',
  },
  kmsKeyMonth: {
    usd: 1,
    unit: 'customer managed key-month',
    source: 'https://aws.amazon.com/kms/pricing/',
    seen: 'aws',
  },
  kmsRequestTenThousand: {
    usd: 0.03,
    unit: '10,000 requests (after 20,000 free a month)',
    source: 'https://www.wring.co/blog/aws-kms-pricing-guide',
    seen: 'third-party',
  },
  cloudwatchStandardAlarmMonth: {
    usd: 0.1,
    unit: 'standard-resolution alarm metric-month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm',
    seen: 'third-party',
  },
  cloudwatchCompositeAlarmMonth: {
    usd: 0.5,
    unit: 'composite alarm-month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm',
    seen: 'third-party',
  },
  cloudwatchCustomMetricMonth: {
    usd: 0.3,
    unit: 'custom metric-month (first 10,000)',
    source: 'https://c3x.dev/blog/aws-cloudwatch-metrics-cost/',
    seen: 'third-party',
  },
  cloudwatchDashboardMonth: {
    usd: 3,
    unit: 'dashboard-month (after 3 free)',
    source: 'https://c3x.dev/blog/aws-cloudwatch-metrics-cost/',
    seen: 'third-party',
  },
  sqsRequestMillion: {
    usd: 0.4,
    unit: 'million standard-queue requests (after 1 million free)',
    source: 'https://unanswered.io/guide/aws-sqs-pricing-and-cost-optimization',
    seen: 'third-party',
  },
  snsPublishMillion: {
    usd: 0.5,
    unit: 'million publishes',
    source: 'https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/',
    seen: 'third-party',
  },
  s3ListThousand: {
    usd: 0.005,
    unit: '1,000 PUT, COPY, POST or LIST requests (S3 Standard)',
    source: 'https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples',
    seen: 'third-party',
  },
  s3StandardGbMonth: {
    usd: 0.023,
    unit: 'GB-month (S3 Standard, first 50 TB)',
    source: 'https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples',
    seen: 'third-party',
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
