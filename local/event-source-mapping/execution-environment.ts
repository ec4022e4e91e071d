import type { KinesisHandlerFunction } from './invoke-function';

/** A handler loaded in an environment, with what to release when the environment is discarded. */
export type EnvironmentHandler = KinesisHandlerFunction & {
  /** Releases the environment's resources (SDK clients); called when a crash discards it. */
  readonly dispose?: () => void;
};

/**
 * Loads the function in a new execution environment: on AWS, the module's top level runs again, so
 * the handler gets its own SDK clients and its own in-memory state (the breaker's read cache).
 */
export type EnvironmentFactory = () => EnvironmentHandler;

/**
 * The execution environment one concurrent batch of a mapping runs in (one per shard and
 * ParallelizationFactor slot). On AWS each concurrent batch runs in its own environment, reused
 * serially by the next batch and replaced after a crash or a timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html: "If the Lambda function
 * crashes or times out during the Invoke phase, Lambda resets the execution environment"). The first
 * invocation of a slot, and the first after a reset, is a cold start.
 *
 * This emulation resets on every function error (thrown, rejected, timed out): the handler under test
 * only throws on a crash. A function error that AWS would survive in the same environment would keep
 * its warm cache there; resetting gives the next batch a cold cache, which reads the breaker fresh.
 */
export class ExecutionEnvironmentSlot {
  private handler: EnvironmentHandler | undefined;

  constructor(
    private readonly factory: EnvironmentFactory,
    private readonly onColdStart: () => void,
  ) {}

  /** The slot's warm handler, or a new environment (a cold start) when it has none. */
  acquire(): KinesisHandlerFunction {
    if (this.handler === undefined) {
      this.handler = this.factory();
      this.onColdStart();
    }
    return this.handler;
  }

  /** Discards the environment after a crash or timeout; the next invocation cold-starts. */
  reset(): void {
    this.handler?.dispose?.();
    this.handler = undefined;
  }
}
