import { ENV } from '../../contracts';

/**
 * The counts the cost model needs, read from a synthesized CloudFormation template (the stack of one stage),
 * so docs/cost.md follows what the app deploys rather than what someone remembered it deploys.
 */
export interface TemplateCounts {
  /** Provisioned shards; undefined for an on-demand stream. */
  readonly provisionedShards: number | undefined;
  /** Kinesis consumers of the stream: shared-throughput (polled) or enhanced fan-out. */
  readonly consumers: readonly StreamConsumerCounts[];
  /** The breaker controller: memory, and scheduled ticks per hour. */
  readonly controller: { readonly memoryMb: number; readonly ticksPerHour: number };
  readonly standardAlarms: number;
  readonly compositeAlarms: number;
  readonly kmsKeys: number;
  readonly dashboards: number;
  readonly queues: number;
  readonly buckets: number;
  readonly topics: number;
}

export interface StreamConsumerCounts {
  readonly memoryMb: number;
  readonly batchSize: number;
  readonly parallelizationFactor: number;
  /** MaximumBatchingWindowInSeconds; 0 when left out. */
  readonly batchingWindowSeconds: number;
  readonly enhancedFanOut: boolean;
  /**
   * The consumer's `breaker.cacheTtlMillis`, from its function's breaker settings variable: how often an
   * instance renews its cached breaker item, which is what its steady-state breaker writes follow.
   */
  readonly breakerCacheTtlMillis: number;
  /**
   * Whether the consumer quarantines (its function has the quarantine table's name): each instance then
   * reads its set once per batch, at most once per `breakerCacheTtlMillis`.
   */
  readonly quarantine: boolean;
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A template as `Template.toJSON()` returns it. */
export interface CfnTemplate {
  readonly Resources: Record<string, Resource>;
}

export function countsFromTemplate(template: CfnTemplate): TemplateCounts {
  const resources = Object.entries(template.Resources);
  const ofType = (type: string): [string, Resource][] => resources.filter(([, r]) => r.Type === type);
  const typeOf = (logicalId: string): string | undefined => template.Resources[logicalId]?.Type;

  const streams = ofType('AWS::Kinesis::Stream');
  if (streams.length !== 1) throw new Error(`expected one Kinesis stream, found ${streams.length}`);
  const streamProps = streams[0][1].Properties ?? {};
  const mode = (streamProps.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode;
  const provisionedShards = mode === 'ON_DEMAND' ? undefined : Number(streamProps.ShardCount ?? 1);

  const functionProps = (functionRef: unknown): Record<string, unknown> | undefined => {
    const logicalId = refTarget(functionRef);
    return logicalId === undefined ? undefined : template.Resources[logicalId]?.Properties;
  };
  // Lambda's default when MemorySize is left out.
  const memoryOf = (functionRef: unknown): number => Number(functionProps(functionRef)?.MemorySize ?? 128);

  const consumers: StreamConsumerCounts[] = [];
  let controllerMemoryMb: number | undefined;
  for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
    const props = mapping.Properties ?? {};
    const sourceType = typeOf(refTarget(props.EventSourceArn) ?? '');
    const memoryMb = memoryOf(props.FunctionName);
    if (sourceType === 'AWS::DynamoDB::Table') {
      controllerMemoryMb = memoryMb;
      continue;
    }
    if (sourceType !== 'AWS::Kinesis::Stream' && sourceType !== 'AWS::Kinesis::StreamConsumer') continue;
    consumers.push({
      memoryMb,
      batchSize: Number(props.BatchSize ?? 100),
      parallelizationFactor: Number(props.ParallelizationFactor ?? 1),
      batchingWindowSeconds: Number(props.MaximumBatchingWindowInSeconds ?? 0),
      enhancedFanOut: sourceType === 'AWS::Kinesis::StreamConsumer',
      breakerCacheTtlMillis: breakerCacheTtlOf(functionProps(props.FunctionName)),
      quarantine: variablesOf(functionProps(props.FunctionName))?.[ENV.quarantineTableName] !== undefined,
    });
  }
  if (controllerMemoryMb === undefined)
    throw new Error('no mapping from the breaker table: no controller found');

  const ticksPerHour = ofType('AWS::Events::Rule')
    .map(([, rule]) => rule.Properties?.ScheduleExpression)
    .filter((expression): expression is string => typeof expression === 'string')
    .reduce((sum, expression) => sum + ratePerHour(expression), 0);

  return {
    provisionedShards,
    consumers,
    controller: { memoryMb: controllerMemoryMb, ticksPerHour },
    standardAlarms: ofType('AWS::CloudWatch::Alarm').length,
    compositeAlarms: ofType('AWS::CloudWatch::CompositeAlarm').length,
    kmsKeys: ofType('AWS::KMS::Key').length,
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    queues: ofType('AWS::SQS::Queue').length,
    buckets: ofType('AWS::S3::Bucket').length,
    topics: ofType('AWS::SNS::Topic').length,
  };
}

/**
 * `cacheTtlMillis` from a consumer function's breaker settings (contracts/handler-settings.ts writes them
 * as JSON). A consumer without them has no breaker to price: that is a template this model cannot read.
 */
function breakerCacheTtlOf(props: Record<string, unknown> | undefined): number {
  const variables = variablesOf(props);
  const settings = variables?.[ENV.breaker];
  if (typeof settings !== 'string')
    throw new Error(`a Kinesis consumer function has no ${ENV.breaker} variable`);
  const ttl = (JSON.parse(settings) as { cacheTtlMillis?: unknown }).cacheTtlMillis;
  if (typeof ttl !== 'number' || ttl <= 0)
    throw new Error(`${ENV.breaker} of a Kinesis consumer has no positive cacheTtlMillis: ${settings}`);
  return ttl;
}

/** A function's environment variables. */
function variablesOf(props: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return (props?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
}

/** The logical id behind `{Ref: X}` or `{'Fn::GetAtt': [X, ...]}`. */
function refTarget(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

const UNIT_MINUTES: Readonly<Record<string, number>> = { minute: 1, hour: 60, day: 1_440 };

/** Invocations per hour of an EventBridge `rate(N unit)` expression (cron expressions are not used here). */
export function ratePerHour(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (match === null) throw new Error(`cannot price schedule ${expression}: only rate(...) is modelled`);
  return 60 / (Number(match[1]) * UNIT_MINUTES[match[2]]);
}
