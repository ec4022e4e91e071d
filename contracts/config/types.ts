import type { z } from 'zod';
import type { configDeclaration } from './declaration';
import type { SigV4Service } from './limits';

/**
 * The config's TypeScript types, derived from the declaration (./declaration.ts): nothing here is
 * written by hand, so a setting added there is typed everywhere. Type-only: no zod at run time.
 */

type Declaration = ReturnType<typeof configDeclaration>;

/** A stage's validated config: what the CDK app, the handlers (through environment variables), local mode and the tools read. */
export type PipelineConfig = DeepReadonly<z.output<Declaration['stageConfig']>>;
export type StreamConfig = PipelineConfig['stream'];
export type BreakerConfig = PipelineConfig['breaker'];
export type ConsumerConfig = PipelineConfig['consumers'][number];
export type AlarmConfig = PipelineConfig['alarms'];
export type AlertingConfig = PipelineConfig['alerting'];
export type TopicSubscriptions = AlertingConfig['paging'];
export type DeploymentConfig = PipelineConfig['deployment'];
export type FailedBatchesConfig = PipelineConfig['failedBatches'];
export type DownstreamAuthConfig = ConsumerConfig['downstreamAuth'];
export type StreamCapacityMode = StreamConfig['capacityMode'];
/** What the breaker does when its DynamoDB store cannot be reached. */
export type StoreFailureMode = BreakerConfig['onStoreFailure'];
/** Where a Kinesis event source mapping sends a batch it gave up on (docs/config.md). */
export type OnFailureDestinationKind = ConsumerConfig['onFailureDestination'];
/** Where a new event source mapping starts reading its stream. */
export type StartingPosition = ConsumerConfig['startingPosition'];
export type { SigV4Service };

/** What a stage (a stage profile, or cdk.json `stages.<name>`) may set: any part of the input. */
export type StageOverrides = DeepPartial<z.input<Declaration['stageSettings']>>;

/** cdk.json context as the CDK CLI passes it; local mode reads the same file. */
export interface PipelineContext {
  readonly stages?: Record<string, StageOverrides>;
}

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { -readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
