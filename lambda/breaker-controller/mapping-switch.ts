import {
  GetEventSourceMappingCommand,
  UpdateEventSourceMappingCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';

/** Mapping states in which the wanted Enabled flag already holds or is being applied. */
const ALREADY = {
  enabled: new Set(['Enabled', 'Enabling']),
  disabled: new Set(['Disabled', 'Disabling']),
} as const;

export type SwitchOutcome =
  | { readonly uuid: string; readonly action: 'updated' | 'unchanged' }
  | { readonly uuid: string; readonly action: 'failed'; readonly cause: unknown };

/**
 * Sets Enabled on each mapping, skipping those already in (or moving to) that state, so a replayed
 * stream record writes nothing new. Every mapping is tried; failures are returned, not thrown.
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
    const already = enabled ? ALREADY.enabled : ALREADY.disabled;
    if (current.State !== undefined && already.has(current.State)) return { uuid, action: 'unchanged' };
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
    return { uuid, action: 'updated' };
  } catch (cause) {
    return { uuid, action: 'failed', cause };
  }
}
