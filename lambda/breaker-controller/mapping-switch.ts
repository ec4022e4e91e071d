import {
  GetEventSourceMappingCommand,
  ResourceInUseException,
  UpdateEventSourceMappingCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';

/** Mapping states in which the wanted Enabled flag already holds or is being applied. */
const ALREADY = {
  enabled: new Set(['Enabled', 'Enabling']),
  disabled: new Set(['Disabled', 'Disabling']),
} as const;

/**
 * States in which Lambda is still applying an earlier change (or creating or deleting the mapping).
 * An UpdateEventSourceMapping now is refused with ResourceInUseException, and the Enabled flag the
 * mapping will end with is not known yet, so the switch waits: the next tick sees the settled state.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html (State)
 */
const TRANSITIONAL = new Set(['Creating', 'Enabling', 'Disabling', 'Updating', 'Deleting']);

/** What GetEventSourceMapping said of a mapping before the switch. */
export interface ObservedMapping {
  /** `Enabled`, `Disabled`, or a transitional state; undefined when Lambda did not say. */
  readonly state: string | undefined;
  /** When the mapping was last updated or changed state, epoch ms. */
  readonly lastModifiedMillis: number | undefined;
}

export type SwitchOutcome =
  | {
      readonly uuid: string;
      /** updated: Enabled was written; unchanged: it already held; deferred: the mapping is in transition. */
      readonly action: 'updated' | 'unchanged' | 'deferred';
      readonly observed: ObservedMapping;
    }
  | { readonly uuid: string; readonly action: 'failed'; readonly cause: unknown };

/**
 * Sets Enabled on each mapping, skipping those already in (or moving to) that state, so a replayed
 * stream record or a repeated tick writes nothing new, and deferring those still in another transition.
 * Every mapping is tried; failures are returned, not thrown.
 */
export async function switchMappings(
  lambda: LambdaClient,
  uuids: readonly string[],
  enabled: boolean,
): Promise<SwitchOutcome[]> {
  return Promise.all(uuids.map((uuid) => switchMapping(lambda, uuid, enabled)));
}

async function switchMapping(lambda: LambdaClient, uuid: string, enabled: boolean): Promise<SwitchOutcome> {
  try {
    const current = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    const observed: ObservedMapping = {
      state: current.State,
      lastModifiedMillis: current.LastModified?.getTime(),
    };
    const already = enabled ? ALREADY.enabled : ALREADY.disabled;
    if (current.State !== undefined && already.has(current.State))
      return { uuid, action: 'unchanged', observed };
    if (current.State !== undefined && TRANSITIONAL.has(current.State)) {
      return { uuid, action: 'deferred', observed };
    }
    try {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
    } catch (cause) {
      // Another update got there between our read and our write (the tick and the stream record of the
      // same breaker write, docs/architecture.md): a change in progress, which the next tick settles.
      if (cause instanceof ResourceInUseException) return { uuid, action: 'deferred', observed };
      throw cause;
    }
    return { uuid, action: 'updated', observed };
  } catch (cause) {
    return { uuid, action: 'failed', cause };
  }
}
